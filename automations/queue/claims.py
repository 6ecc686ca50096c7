"""Claims: one colleague works on an item; another sees who and since when, and is asked
before she duplicates the work. A claim expires by itself after a configured time.

Taking a claim is one conditional write: insert, or take over a row that has expired (or is
her own), so two colleagues clicking at once cannot both hold it.

One claim per piece of work: a mail and what was made from it (its dispatch, the draft that
answers it and that draft's approval) are one piece of work, held under the mail's key
(``work_key``), so Bericht, the queue and the handover always name the same holder.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, delete, false, or_, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.audit import AuditEntry, record
from automations.errors import AccessDenied, NotFound
from automations.queue.models import Claim, ClaimHeld, message_key
from automations.roster.models import Roster
from automations.roster.policy import Action, authorize
from automations.store import rowcount
from automations.store.models import ApprovalRow, ClaimRow, DispatchRow

__all__ = [
    "Claim",
    "ClaimHeld",
    "ClaimRow",
    "claim",
    "current_claims",
    "ensure_free",
    "held_on_message",
    "release",
    "work_key",
]

DEFAULT_TTL = dt.timedelta(minutes=30)


def _claim(row: ClaimRow) -> Claim:
    return Claim(row.key, row.mailbox, row.claimed_by, row.since, row.expires_at)


async def work_key(session: AsyncSession, key: str) -> str:
    """The key a claim on ``key`` is held under: the mail, for what was made from a mail."""
    kind, _, ident = key.partition(":")
    if kind == "dispatch":
        made_from = await session.scalar(
            select(DispatchRow.message_id).where(DispatchRow.id == ident)
        )
    elif kind == "approval":
        row = (await session.execute(
            select(ApprovalRow.message_id, ApprovalRow.draft_id).where(ApprovalRow.id == ident)
        )).first()  # fmt: skip
        made_from = (row.message_id or row.draft_id) if row is not None else None
    else:
        return key
    return message_key(made_from) if made_from else key


def _elsewhere() -> AccessDenied:
    """A key held in another mailbox than the one she named: she is told nothing of it (the
    roster allowed her the mailbox she named, not the one the work is in)."""
    return AccessDenied("Dit item hoort niet bij de mailbox waarin u werkt.")


async def claim(
    sessions: async_sessionmaker[AsyncSession],
    *,
    key: str,
    mailbox: str,
    actor: str,
    now: dt.datetime,
    names: dict[str, str],
    ttl: dt.timedelta = DEFAULT_TTL,
    take_over: bool = False,
) -> Claim:
    """Claim ``key`` for ``actor``; held by a colleague (and not expired) → ``ClaimHeld``
    unless she chose to take it over. A live claim on ``key`` in another mailbox than
    ``mailbox`` is ``AccessDenied`` naming nobody: the caller checked ``mailbox``, not that one."""
    actor = actor.lower()
    async with sessions() as session, session.begin():
        key = await work_key(session, key)
        taken = await session.execute(
            update(ClaimRow)
            .where(
                ClaimRow.key == key,
                or_(
                    ClaimRow.expires_at <= now,
                    and_(
                        ClaimRow.mailbox == mailbox,
                        or_(ClaimRow.claimed_by == actor, true() if take_over else false()),
                    ),
                ),
            )
            .values(claimed_by=actor, since=now, expires_at=now + ttl, mailbox=mailbox)
        )
        if rowcount(taken) == 0:
            existing = await session.get(ClaimRow, key)
            if existing is not None and existing.mailbox != mailbox:
                raise _elsewhere()
            if existing is not None:
                held = _claim(existing)
                raise ClaimHeld(held, names.get(held.claimed_by, held.claimed_by))
            try:
                async with session.begin_nested():
                    session.add(ClaimRow(key=key, mailbox=mailbox, claimed_by=actor, since=now,
                                         expires_at=now + ttl))  # fmt: skip
            except IntegrityError:
                winner = await session.get(ClaimRow, key)
                assert winner is not None
                if winner.mailbox != mailbox:
                    raise _elsewhere() from None
                raise ClaimHeld(
                    _claim(winner), names.get(winner.claimed_by, winner.claimed_by)
                ) from None
        details = {"key": key, "take_over": take_over}
        entry = AuditEntry(actor=actor, mailbox=mailbox, action="queue.claim", outcome="success",
                           details=details)  # fmt: skip
        await record(session, entry)
        row = await session.get(ClaimRow, key)
        assert row is not None
        return _claim(row)


async def release(
    sessions: async_sessionmaker[AsyncSession], roster: Roster, *, key: str, actor: str
) -> str:
    """Let go of a claim (her own, or a colleague's she frees); returns its mailbox."""
    async with sessions() as session, session.begin():
        key = await work_key(session, key)
        row = await session.get(ClaimRow, key)
        if row is None:
            raise NotFound("Dit item is door niemand opgepakt.")
        authorize(roster, actor, Action.ACT_ON_MAILBOX, row.mailbox)
        await session.execute(delete(ClaimRow).where(ClaimRow.key == key))
        await record(session, AuditEntry(actor=actor.lower(), mailbox=row.mailbox,
                                         action="queue.release", outcome="success",
                                         details={"key": key, "was": row.claimed_by}))  # fmt: skip
        return row.mailbox


async def current_claims(
    session: AsyncSession, *, mailboxes: list[str], now: dt.datetime
) -> dict[str, Claim]:
    rows = await session.scalars(
        select(ClaimRow).where(ClaimRow.mailbox.in_(mailboxes), ClaimRow.expires_at > now)
    )
    return {r.key: _claim(r) for r in rows}


async def _message_keys(session: AsyncSession, mailbox: str, message_id: str) -> list[str]:
    """The work a mail belongs to: the mail itself, or, for a draft, the mail it answers."""
    answered = await session.scalar(select(ApprovalRow.message_id).where(
        ApprovalRow.mailbox == mailbox, ApprovalRow.draft_id == message_id,
        ApprovalRow.message_id.is_not(None),
    ).limit(1))  # fmt: skip
    return [message_key(message_id), *([message_key(answered)] if answered else [])]


async def held_on_message(
    session: AsyncSession, *, mailbox: str, message_id: str, now: dt.datetime,
    not_by: str | None = None,
) -> Claim | None:  # fmt: skip
    """Who works on this mail now, if anyone (the live claim on it or on its queue item), in
    ``mailbox`` only: a claim in another executive's mailbox is not hers to learn of."""
    mailbox = mailbox.lower()
    keys = await _message_keys(session, mailbox, message_id)
    query = select(ClaimRow).where(
        ClaimRow.key.in_(keys), ClaimRow.mailbox == mailbox, ClaimRow.expires_at > now
    )
    if not_by is not None:
        query = query.where(ClaimRow.claimed_by != not_by.lower())
    row = await session.scalar(query.order_by(ClaimRow.since).limit(1))
    return _claim(row) if row is not None else None


async def ensure_free(
    sessions: async_sessionmaker[AsyncSession], *, mailbox: str, message_ids: list[str],
    actor: str, now: dt.datetime, names: dict[str, str], despite: bool = False,
) -> None:  # fmt: skip
    """Before a quick step or a draft: a colleague working on the mail is a ``ClaimHeld``
    (409), so the pane can ask first; ``despite`` is her answer that she goes ahead anyway
    (audited, so the colleague can see who did)."""
    async with sessions() as session, session.begin():
        anyone = await session.scalar(select(ClaimRow.key).where(
            ClaimRow.mailbox == mailbox, ClaimRow.expires_at > now,
            ClaimRow.claimed_by != actor.lower(),
        ).limit(1))  # fmt: skip
        if anyone is None:  # the usual case: one query, not three per message
            return
        for message_id in message_ids:
            held = await held_on_message(session, mailbox=mailbox, message_id=message_id, now=now,
                                         not_by=actor)  # fmt: skip
            if held is None:
                continue
            if not despite:
                raise ClaimHeld(held, names.get(held.claimed_by, held.claimed_by))
            details = {"key": held.key, "held_by": held.claimed_by}
            await record(session, AuditEntry(actor=actor.lower(), mailbox=mailbox,
                                             action="queue.despite_claim", outcome="success",
                                             details=details))  # fmt: skip
