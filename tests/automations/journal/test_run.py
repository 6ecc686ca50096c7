"""Running: steps in order, state written around each call, and a resubmit runs nothing."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.errors import Unavailable
from automations.journal import Journal, OperationConflict, StepContext
from tests.automations.journal.fakes import STEPS, FakeGraph, plan


async def test_run_carries_out_the_steps_in_order_and_keeps_results_and_request_ids(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    journal, graph = Journal(sessions), FakeGraph()
    await plan(journal, "run-in-order")

    op = await journal.run("run-in-order", graph)

    assert graph.order == ["create_draft", "add_category", "send"]
    assert op.status == "done" and op.finished_at is not None
    assert [s.state for s in op.steps] == ["done", "done", "done"]
    assert op.steps[1].graph_request_id == "req-add_category-1"
    assert op.steps[1].result == {"step": "add_category", "category": "Ter goedkeuring"}
    assert op.result["steps"][2] == {
        "name": "send",
        "result": {"step": "send", "to": "wethouder@gemeente.example"},
    }


async def test_a_step_is_recorded_as_running_before_its_call_and_the_previous_as_done(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    journal = Journal(sessions)
    await plan(journal, "run-observed")
    seen: dict[str, list[str]] = {}

    async def observing(step: StepContext) -> dict:
        stored = await journal.get(step.operation_id)
        seen[step.name] = [s.state for s in stored.steps]
        return {}

    await journal.run("run-observed", observing)

    assert seen == {
        "create_draft": ["running", "pending", "pending"],
        "add_category": ["done", "running", "pending"],
        "send": ["done", "done", "running"],
    }


async def test_a_failing_step_fails_the_operation_and_keeps_the_error_and_request_id(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    journal, graph = Journal(sessions), FakeGraph()
    graph.fail_before_effect.add("add_category")
    await plan(journal, "run-fails")

    with pytest.raises(Unavailable):
        await journal.run("run-fails", graph)

    op = await journal.get("run-fails")
    assert op.status == "failed"
    assert (
        op.error == "step 1: unavailable: Graph did not answer (request-id=req-fail-add_category)"
    )
    assert [s.state for s in op.steps] == ["done", "failed", "pending"]
    assert op.steps[1].graph_request_id == "req-fail-add_category"
    assert graph.calls["send"] == 0


async def test_a_second_submit_with_the_same_id_returns_the_first_result_and_runs_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    journal, graph = Journal(sessions), FakeGraph()
    request = {
        "operation_id": "submit-twice",
        "kind": "quick_step",
        "actor": "secretaris@gemeente.example",
        "mailbox": "wethouder@gemeente.example",
        "steps": STEPS,
    }
    first = await journal.submit(**request, executor=graph)
    calls_after_first = graph.calls.copy()

    second = await journal.submit(**request, executor=graph)

    assert second.result == first.result
    assert second == first
    assert graph.calls == calls_after_first


async def test_a_different_payload_under_a_used_id_is_a_conflict_and_runs_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    journal, graph = Journal(sessions), FakeGraph()
    request = {
        "operation_id": "submit-reused",
        "kind": "quick_step",
        "actor": "secretaris@gemeente.example",
        "mailbox": "wethouder@gemeente.example",
    }
    await journal.submit(**request, steps=STEPS, executor=graph)
    graph.calls.clear()

    with pytest.raises(OperationConflict):
        await journal.submit(**request, steps=STEPS[:1], executor=graph)

    assert graph.calls.total() == 0
