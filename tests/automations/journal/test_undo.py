"""Undone once: a second undo of an operation is refused, whoever asks and however they race.

Runs on SQLite and PostgreSQL; two engines stand for two processes.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.dates import AMSTERDAM
from automations.journal import AlreadyUndone, Journal, Operation, StepPlan
from tests.automations.journal.fakes import FakeGraph, plan

MAILBOX = "wethouder@gemeente.example"
SECRETARY = "secretaris@gemeente.example"
COLLEAGUE = "collega@gemeente.example"
RESTORE = [StepPlan("restore", {"message": "AAMk-1", "patch": {"isRead": False}})]


async def undo(
    journal: Journal, graph: FakeGraph, undo_id: str, undoes: str, actor: str = SECRETARY
) -> Operation:
    return await journal.submit(
        kind="quickstep.undo", actor=actor, mailbox=MAILBOX, steps=RESTORE, executor=graph,
        operation_id=undo_id, undoes=undoes,
    )  # fmt: skip


async def test_a_second_undo_is_refused_with_who_undid_it_and_when(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    journal, graph = Journal(sessions), FakeGraph()
    await plan(journal, "applied-1")
    first = await undo(journal, graph, "undo-1a", "applied-1")

    with pytest.raises(AlreadyUndone) as refused:
        await undo(journal, graph, "undo-1b", "applied-1", actor=COLLEAGUE)

    assert refused.value.code == "already_undone" and refused.value.status == 409
    assert (refused.value.by, refused.value.undo_id) == (SECRETARY, "undo-1a")
    assert refused.value.at == first.created_at
    when = first.created_at.astimezone(AMSTERDAM).strftime("%H:%M")
    assert refused.value.message == f"Deze actie is al ongedaan gemaakt door {SECRETARY} om {when}."
    assert graph.effects == {"restore": 1}
    named = refused.value.told("Monique Verschuren", "Deze snelle stap")
    assert named.message.startswith("Deze snelle stap is al ongedaan gemaakt door Monique")
    assert (await journal.get("undo-1a")).undoes == "applied-1"


async def test_the_same_undo_again_answers_with_the_first_result(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    journal, graph = Journal(sessions), FakeGraph()
    await plan(journal, "applied-2")
    first = await undo(journal, graph, "undo-2", "applied-2")

    again = await undo(journal, graph, "undo-2", "applied-2")

    assert again == first and graph.effects == {"restore": 1}


async def test_a_colleague_under_the_same_undo_id_is_told_it_was_undone(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    journal, graph = Journal(sessions), FakeGraph()
    await plan(journal, "applied-3")
    await undo(journal, graph, "undo-3", "applied-3")

    with pytest.raises(AlreadyUndone):  # not "a different request under this id"
        await undo(journal, graph, "undo-3", "applied-3", actor=COLLEAGUE)

    assert graph.effects == {"restore": 1}


@pytest.mark.parametrize("n", range(3))
async def test_two_undos_racing_on_two_engines_take_effect_once(
    sessions: async_sessionmaker[AsyncSession],
    other_sessions: async_sessionmaker[AsyncSession],
    n: int,
) -> None:
    graph = FakeGraph(delay=0.01)
    applied = f"applied-race-{n}"
    await plan(Journal(sessions), applied)

    results = await asyncio.gather(
        undo(Journal(sessions), graph, f"undo-race-{n}a", applied),
        undo(Journal(other_sessions), graph, f"undo-race-{n}b", applied, actor=COLLEAGUE),
        return_exceptions=True,
    )

    done = [r for r in results if isinstance(r, Operation)]
    refused = [r for r in results if isinstance(r, AlreadyUndone)]
    assert len(done) == 1 and len(refused) == 1, results
    assert done[0].status == "done" and refused[0].undo_id == done[0].id
    assert graph.effects == {"restore": 1}
