"""Two workers (two engines, as two processes would have) never run one step twice."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.journal import Journal, OperationInProgress
from tests.automations.journal.fakes import Crash, FakeGraph, later, plan


def _outcomes(results: list) -> list[str]:
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, OperationInProgress):
            raise result
    return sorted("busy" if isinstance(r, OperationInProgress) else r.status for r in results)


async def test_two_workers_running_the_same_operation_run_each_step_once(
    sessions: async_sessionmaker[AsyncSession],
    other_sessions: async_sessionmaker[AsyncSession],
) -> None:
    graph = FakeGraph(delay=0.02)
    await plan(Journal(sessions), "two-workers")

    results = await asyncio.gather(
        Journal(sessions).run("two-workers", graph),
        Journal(other_sessions).run("two-workers", graph),
        return_exceptions=True,
    )

    # The loser finds the operation busy, or already done on a slow machine; never a repeat.
    assert "done" in _outcomes(results) and set(_outcomes(results)) <= {"busy", "done"}
    assert graph.calls == {"create_draft": 1, "add_category": 1, "send": 1}


async def test_two_workers_taking_over_an_abandoned_operation_run_each_step_once(
    sessions: async_sessionmaker[AsyncSession],
    other_sessions: async_sessionmaker[AsyncSession],
) -> None:
    graph = FakeGraph(delay=0.02)
    graph.crash_after_effect.add("add_category")
    await plan(Journal(sessions), "two-takeovers")
    with pytest.raises(Crash):
        await Journal(sessions).run("two-takeovers", graph, verify=graph.verify)

    results = await asyncio.gather(
        Journal(sessions, clock=later()).run("two-takeovers", graph, verify=graph.verify),
        Journal(other_sessions, clock=later()).run("two-takeovers", graph, verify=graph.verify),
        return_exceptions=True,
    )

    assert "done" in _outcomes(results) and set(_outcomes(results)) <= {"busy", "done"}
    assert graph.effects == {"create_draft": 1, "add_category": 1, "send": 1}
    assert graph.verified == {"add_category": 1}


async def test_two_workers_planning_the_same_id_at_once_store_one_operation(
    sessions: async_sessionmaker[AsyncSession],
    other_sessions: async_sessionmaker[AsyncSession],
) -> None:
    first, second = await asyncio.gather(
        plan(Journal(sessions), "two-plans"), plan(Journal(other_sessions), "two-plans")
    )

    assert first == second
    assert len((await Journal(sessions).get("two-plans")).steps) == 3
