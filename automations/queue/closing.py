"""Closing a queue item that only the queue knows about: a conflict she accepts as it is, or
flagged mail that is dealt with. (Other items close through their own feature: an approval by
its decision, a dispatch by its answer, a backlog entry by planning or dropping it.)"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.audit import AuditEntry, record
from automations.errors import Conflict, NotFound
from automations.graph import BatchRequest, GraphSession
from automations.roster.models import Roster
from automations.roster.policy import Action, authorize
from automations.store.models import JobFindingRow

__all__ = ["complete_flag", "dismiss_finding"]


async def _open_finding(
    session: AsyncSession, roster: Roster, actor: str, finding_id: str
) -> JobFindingRow:
    row = await session.get(JobFindingRow, finding_id)
    if row is None:
        raise NotFound("Dit item staat niet (meer) in de werkvoorraad.")
    authorize(roster, actor, Action.ACT_ON_MAILBOX, row.mailbox)
    if row.status != "open":
        raise Conflict("Dit item is al afgehandeld.")
    return row


async def dismiss_finding(
    sessions: async_sessionmaker[AsyncSession], roster: Roster, *, finding_id: str, actor: str,
    now: dt.datetime, reason: str = "",
) -> JobFindingRow:  # fmt: skip
    """She looked and it is fine (the double booking is on purpose): the jobs leave it closed."""
    async with sessions() as session, session.begin():
        row = await _open_finding(session, roster, actor, finding_id)
        row.status, row.closed_at = "dismissed", now
        await record(session, AuditEntry(actor=actor.lower(), mailbox=row.mailbox,
                                         action="queue.dismiss", outcome="success",
                                         details={"finding": row.id, "summary": row.summary,
                                                  "reason": reason}))  # fmt: skip
        return row


async def complete_flag(
    graph: GraphSession, sessions: async_sessionmaker[AsyncSession], roster: Roster, *,
    finding_id: str, actor: str, now: dt.datetime,
) -> JobFindingRow:  # fmt: skip
    """Flagged mail dealt with: the flag in her mailbox is marked complete, the item closes.
    A message gone from her mailbox (404) closes it as well: nothing is left to do."""
    async with sessions() as session:
        row = await _open_finding(session, roster, actor, finding_id)
        if row.kind != "flagged":
            raise Conflict("Alleen gemarkeerde mail heeft een markering om te wissen.")
        mailbox, message = row.mailbox, row.details["message"]
    patch = {"flag": {"flagStatus": "complete"}}
    [answer] = await graph.batch(
        [BatchRequest("PATCH", f"/users/{mailbox}/messages/{message}", body=patch)]
    )
    if answer.status != 404:
        answer.raise_for_status()
    async with sessions() as session, session.begin():
        row = await _open_finding(session, roster, actor, finding_id)
        row.status, row.closed_at = "closed", now
        details = {"finding": row.id, "message": message}
        await record(session, AuditEntry(actor=actor.lower(), mailbox=mailbox,
                                         action="queue.flag_complete", outcome="success",
                                         details=details))  # fmt: skip
        return row
