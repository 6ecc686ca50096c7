"""Resuming: an operation killed midway is finished without repeating what was done."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.errors import Unavailable
from automations.journal import Journal, OperationInProgress
from tests.automations.journal.fakes import Crash, FakeGraph, later, plan


async def test_after_a_failed_step_resume_runs_only_the_steps_not_done(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    journal, graph = Journal(sessions), FakeGraph()
    graph.fail_before_effect.add("add_category")
    await plan(journal, "resume-failed")
    with pytest.raises(Unavailable):
        await journal.run("resume-failed", graph)

    op = await journal.run("resume-failed", graph)

    assert op.status == "done"
    assert graph.calls == {"create_draft": 1, "add_category": 2, "send": 1}
    assert graph.effects == {"create_draft": 1, "add_category": 1, "send": 1}
    assert op.steps[1].attempts == 2


async def test_a_worker_killed_between_steps_is_finished_by_the_next_without_repeats(
    sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    dying, graph = Journal(sessions), FakeGraph()
    await plan(dying, "resume-between")
    start = dying._start

    async def die_before_second_step(op_id, step, owner):  # type: ignore[no-untyped-def]
        if step.index == 1:
            raise Crash("killed between steps")
        return await start(op_id, step, owner)

    monkeypatch.setattr(dying, "_start", die_before_second_step)
    with pytest.raises(Crash):
        await dying.run("resume-between", graph)
    assert [s.state for s in (await dying.get("resume-between")).steps] == [
        "done",
        "pending",
        "pending",
    ]

    op = await Journal(sessions, clock=later()).run("resume-between", graph)

    assert op.status == "done"
    assert graph.calls == {"create_draft": 1, "add_category": 1, "send": 1}


async def test_a_step_cut_off_after_it_took_effect_is_verified_and_not_repeated(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    graph = FakeGraph()
    graph.crash_after_effect.add("send")
    await plan(Journal(sessions), "resume-verified")
    with pytest.raises(Crash):
        await Journal(sessions).run("resume-verified", graph, verify=graph.verify)

    op = await Journal(sessions, clock=later()).run("resume-verified", graph, verify=graph.verify)

    assert op.status == "done"
    assert graph.effects["send"] == 1
    assert graph.calls["send"] == 1
    assert graph.verified == {"send": 1}
    assert op.steps[2].result == {"step": "send", "verified": True}
    assert op.steps[2].graph_request_id == "req-verify-send"


async def test_a_step_cut_off_before_it_took_effect_runs_again_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    graph = FakeGraph()
    graph.crash_before_effect.add("send")
    await plan(Journal(sessions), "resume-not-verified")
    with pytest.raises(Crash):
        await Journal(sessions).run("resume-not-verified", graph, verify=graph.verify)

    op = await Journal(sessions, clock=later()).run(
        "resume-not-verified", graph, verify=graph.verify
    )

    assert op.status == "done"
    assert graph.effects == {"create_draft": 1, "add_category": 1, "send": 1}
    assert graph.verified == {"send": 1}
    assert op.steps[2].attempts == 2


async def test_a_worker_that_died_holds_the_operation_until_its_lease_runs_out(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    graph = FakeGraph()
    graph.crash_after_effect.add("create_draft")
    await plan(Journal(sessions), "resume-too-soon")
    with pytest.raises(Crash):
        await Journal(sessions).run("resume-too-soon", graph)

    with pytest.raises(OperationInProgress) as refused:
        await Journal(sessions).run("resume-too-soon", graph)

    assert (refused.value.code, refused.value.status) == ("operation_in_progress", 409)
    assert graph.calls == {"create_draft": 1}
