"""Planning: the operation and its steps are stored before anything runs."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.journal import (
    InvalidOperation,
    Journal,
    OperationConflict,
    OperationNotFound,
    StepPlan,
)
from tests.automations.journal.fakes import STEPS, FakeGraph, plan


async def test_plan_stores_the_operation_and_its_steps_before_anything_runs(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    journal = Journal(sessions)

    op = await plan(journal, "plan-first")

    stored = await journal.get("plan-first")
    assert stored == op
    assert stored.status == "planned"
    assert [(s.index, s.name, s.state) for s in stored.steps] == [
        (0, "create_draft", "pending"),
        (1, "add_category", "pending"),
        (2, "send", "pending"),
    ]
    assert stored.steps[2].params == {"to": "wethouder@gemeente.example"}


async def test_plan_without_an_id_gives_the_operation_a_uuid(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    op = await Journal(sessions).plan(
        kind="quick_step", actor="a@gemeente.example", mailbox="b@gemeente.example", steps=STEPS
    )

    assert str(uuid.UUID(op.id)) == op.id


async def test_upns_are_stored_in_lower_case(sessions: async_sessionmaker[AsyncSession]) -> None:
    op = await Journal(sessions).plan(
        kind="quick_step",
        actor=" Secretaris@Gemeente.example ",
        mailbox="Wethouder@Gemeente.EXAMPLE",
        steps=STEPS,
    )

    assert (op.actor, op.mailbox) == ("secretaris@gemeente.example", "wethouder@gemeente.example")


async def test_planning_the_same_request_twice_keeps_the_first_operation(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    journal = Journal(sessions)
    first = await plan(journal, "plan-twice")

    second = await plan(journal, "plan-twice")

    assert second == first


async def test_a_different_request_under_a_used_id_is_a_conflict(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    journal = Journal(sessions)
    await plan(journal, "plan-reused")

    with pytest.raises(OperationConflict) as refused:
        await plan(journal, "plan-reused", mailbox="burgemeester@gemeente.example")

    assert (refused.value.code, refused.value.status) == ("operation_conflict", 409)


@pytest.mark.parametrize("bad_id", ["", "with space", "x" * 65, "../../etc", "-leading"])
async def test_an_operation_id_outside_the_safe_alphabet_is_refused(
    sessions: async_sessionmaker[AsyncSession], bad_id: str
) -> None:
    with pytest.raises(InvalidOperation) as refused:
        await plan(Journal(sessions), bad_id)

    assert refused.value.code == "invalid_operation"


async def test_step_parameters_that_are_not_json_are_refused(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    with pytest.raises(InvalidOperation, match="must be JSON"):
        await Journal(sessions).plan(
            kind="quick_step",
            actor="a@gemeente.example",
            mailbox="b@gemeente.example",
            steps=[StepPlan("send", {"when": object()})],
        )


async def test_an_operation_without_steps_is_refused(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    with pytest.raises(InvalidOperation, match="at least one step"):
        await Journal(sessions).plan(
            kind="quick_step", actor="a@gemeente.example", mailbox="b@gemeente.example", steps=[]
        )


async def test_running_an_operation_nobody_planned_is_not_found(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    graph = FakeGraph()

    with pytest.raises(OperationNotFound) as refused:
        await Journal(sessions).run("never-planned", graph)

    assert (refused.value.code, refused.value.status) == ("operation_not_found", 404)
    assert graph.calls.total() == 0
