"""A group's members run one after another: which are interrupted once its worker is gone."""

from __future__ import annotations

import datetime as dt

import pytest

from automations.journal import Operation, interrupted_members

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(seconds=15)


def member(op_id: str, status: str, *, seconds_ago: int, held: bool = False) -> Operation:
    touched = NOW - dt.timedelta(seconds=seconds_ago)
    return Operation(
        id=op_id, kind="calamity.clear", actor="a@x.nl", on_behalf_of=None, mailbox=f"{op_id}@x.nl",
        status=status, result=None, error=None, created_at=NOW - dt.timedelta(minutes=5),
        updated_at=touched, finished_at=None, steps=(),
        lease_expires_at=touched + LEASE if status == "running" and held else None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("members", "interrupted"),
    [
        # the worker runs the first; the second waits its turn
        ([member("a", "running", seconds_ago=3, held=True), member("b", "planned", seconds_ago=60)],
         set()),
        # between the two: the first just done, the second about to be taken up
        ([member("a", "done", seconds_ago=1), member("b", "planned", seconds_ago=60)], set()),
        # died after the first: the second was never started
        ([member("a", "done", seconds_ago=30), member("b", "planned", seconds_ago=60)], {"b"}),
        # died in the first: both are left
        ([member("a", "running", seconds_ago=30, held=True),
          member("b", "planned", seconds_ago=60)], {"a", "b"}),
        # the first failed (it reports so), the worker died before the second
        ([member("a", "failed", seconds_ago=30), member("b", "planned", seconds_ago=60)], {"b"}),
        # planned and never started, alone
        ([member("a", "planned", seconds_ago=30)], {"a"}),
        ([member("a", "planned", seconds_ago=2)], set()),
        ([member("a", "done", seconds_ago=30), member("b", "done", seconds_ago=20)], set()),
    ],
    ids=["running", "between", "after-first", "in-first", "after-failed", "alone", "just-planned",
         "all-done"],
)  # fmt: skip
def test_members_not_finished_are_interrupted_once_the_group_is_quiet(
    members: list[Operation], interrupted: set[str]
) -> None:
    assert interrupted_members(members, NOW, quiet=LEASE) == interrupted
