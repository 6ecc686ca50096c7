"""The pane's "12 van 50 berichten klaar" while an apply on a selection runs, read from the
journal: a group counts once its step is done, or as far as a running step recorded."""

from __future__ import annotations

import datetime as dt
from typing import Any

from automations.journal import Operation, Step
from automations.quicksteps.results import Progress, progress_of

NOW = dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)


def step(index: int, messages: list[str], state: str, result: Any = None) -> Step:
    return Step(index=index, name="messages", params={"messages": messages}, state=state,
                attempts=1, result=result, error=None, graph_request_id=None, started_at=NOW,
                finished_at=None)  # fmt: skip


def operation(*steps: Step) -> Operation:
    return Operation(id="op", kind="quickstep", actor="a@x.nl", on_behalf_of=None,
                     mailbox="b@x.nl", status="running", result=None, error=None,
                     created_at=NOW, updated_at=NOW, finished_at=None, steps=steps)  # fmt: skip


def test_nothing_done_yet() -> None:
    assert progress_of(operation(step(0, ["a", "b"], "pending"))) == Progress(0, 2)


def test_done_groups_and_what_a_running_group_recorded() -> None:
    op = operation(
        step(0, ["a", "b", "c"], "done", {"messages": [{"id": m} for m in "abc"]}),
        step(1, ["d", "e", "f"], "running", {"messages": [{"id": "d"}]}),
        step(2, ["g", "h"], "pending"),
    )
    assert progress_of(op) == Progress(4, 8)


def test_a_failed_attempt_does_not_count_more_than_it_was_planned_for() -> None:
    op = operation(step(0, ["a"], "failed", {"messages": [{"id": "a"}, {"id": "a"}]}))
    assert progress_of(op) == Progress(1, 1)
