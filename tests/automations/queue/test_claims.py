"""One claim per piece of work: a mail, its dispatch, the draft answering it and that draft's
approval are held under the mail's key, whichever of them a colleague picked up."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.queue import claims
from automations.queue.models import ClaimHeld
from automations.store import clock_of
from automations.store.models import ApprovalRow, DispatchRow

HER = "ingrid.zwanenburg@zeeveen.nl"
MONIQUE, ELLEN = "monique.verschuren@zeeveen.nl", "ellen.dijkhuis@zeeveen.nl"
NAMES = {MONIQUE: "Monique Verschuren", ELLEN: "Ellen Dijkhuis"}


async def work(sessions: async_sessionmaker[AsyncSession], n: str) -> tuple[str, str, str]:
    """A mail with a dispatch and a draft answering it (waiting for approval)."""
    async with sessions() as session, session.begin():
        session.add(DispatchRow(
            id=f"d-{n}", tag=f"t-{n}", mailbox=HER, message_id=f"mail-{n}", conversation_id="c",
            subject="Vraag", department_key="ro", department_name="RO", address="ro@x.example",
            deadline=dt.date(2026, 12, 1), note="", dispatched_by=MONIQUE, status="open",
            reminders=0,
        ))  # fmt: skip
        session.add(ApprovalRow(
            id=f"a-{n}", mailbox=HER, draft_id=f"draft-{n}", message_id=f"mail-{n}",
            subject="RE: Vraag", change_key="k", requested_by=MONIQUE,
        ))  # fmt: skip
    return f"mail-{n}", f"dispatch:d-{n}", f"approval:a-{n}"


@pytest.mark.parametrize("picked", ["message", "dispatch", "approval"])
async def test_what_is_picked_up_holds_the_whole_piece_of_work(
    sessions: async_sessionmaker[AsyncSession], picked: str
) -> None:
    mail, dispatch, approval = await work(sessions, picked)
    key = {"message": f"message:{mail}", "dispatch": dispatch, "approval": approval}[picked]
    now = clock_of(sessions).now()
    held = await claims.claim(sessions, key=key, mailbox=HER, actor=MONIQUE, now=now, names=NAMES)
    assert held.key == f"message:{mail}" and held.claimed_by == MONIQUE

    for other in (f"message:{mail}", dispatch, approval):
        with pytest.raises(ClaimHeld, match="Monique Verschuren is hiermee bezig"):
            await claims.claim(sessions, key=other, mailbox=HER, actor=ELLEN, now=now,
                               names=NAMES)  # fmt: skip
    async with sessions() as session:
        for seen_from in (mail, f"draft-{picked}"):  # Bericht on the mail, or on the draft
            found = await claims.held_on_message(session, mailbox=HER, message_id=seen_from,
                                                 now=now)  # fmt: skip
            assert found is not None and found.claimed_by == MONIQUE

    taken = await claims.claim(sessions, key=dispatch, mailbox=HER, actor=ELLEN, now=now,
                               names=NAMES, take_over=True)  # fmt: skip
    assert taken.key == f"message:{mail}" and taken.claimed_by == ELLEN


async def test_a_claim_runs_out_and_then_anyone_may_pick_the_work_up(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    mail, dispatch, _ = await work(sessions, "expiry")
    now = clock_of(sessions).now()
    await claims.claim(sessions, key=dispatch, mailbox=HER, actor=MONIQUE, now=now, names=NAMES,
                       ttl=dt.timedelta(minutes=30))  # fmt: skip
    later = now + dt.timedelta(minutes=31)
    held = await claims.claim(sessions, key=f"message:{mail}", mailbox=HER, actor=ELLEN,
                              now=later, names=NAMES)  # fmt: skip
    assert held.claimed_by == ELLEN and held.since == later
