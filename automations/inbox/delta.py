"""An executive's Inbox through Graph's message delta: what arrived, changed or left since the
last run, read through the delta link kept in the store (``delta_links``, folder ``inbox``).

The ids the delta has seen in the Inbox are kept too (``inbox_messages``, no content): Graph's
delta names a new message and a changed one alike, and only the known ids tell them apart. A lost
link or Graph's 410 (the sync state expired) costs one full read, compared with the known ids,
so nothing that arrived or left meanwhile is missed. The link and the ids are written in one
transaction after the reads: a run that fails leaves the previous link, and the next run reads
the same changes again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.errors import AppError
from automations.graph import BatchRequest, GraphSession
from automations.graph.pages import relative
from automations.inbox.models import InboxDelta
from automations.store import clock_of
from automations.store.models import DeltaLinkRow, InboxMessageRow

__all__ = ["FOLDER", "sync_inbox"]

# The key of this reader's Inbox link in ``delta_links``. A delta link is one reader's place:
# dispatch's answer check (``dispatch.service``, key "inbox") reads the same Inbox with its own,
# and sharing one would let whichever reads first take the new mail away from the other.
FOLDER = "inbox:watch"
FIELDS = "id,receivedDateTime"  # ids and arrival times only: no content is read here
PAGE = {"Prefer": "odata.maxpagesize=200"}  # a full read in few pages (Graph's default: 10)


def first_url(mailbox: str) -> str:
    return f"/users/{mailbox}/mailFolders/inbox/messages/delta?$select={FIELDS}"


async def _pages(graph: GraphSession, url: str) -> tuple[list[dict[str, Any]], str, int]:
    """Every page of one round: its entries, its delta link, and how many requests it took."""
    entries: list[dict[str, Any]] = []
    requests = 0
    while True:
        [page] = await graph.batch([BatchRequest("GET", url, headers=PAGE)])
        requests += 1
        page.raise_for_status()
        entries.extend(page.body.get("value") or [])
        if page.body.get("@odata.nextLink"):
            url = relative(page.body["@odata.nextLink"])
            continue
        return entries, page.body["@odata.deltaLink"], requests


def _received(entry: dict[str, Any]) -> dt.datetime | None:
    raw = entry.get("receivedDateTime")
    if not isinstance(raw, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _gone(exc: AppError) -> bool:
    """The sync state is gone (410 SyncStateNotFound, or the link names nothing any more)."""
    return exc.status in (404, 410) or exc.graph_code == "SyncStateNotFound"


async def sync_inbox(
    *,
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    mailbox: str,
    reasons: tuple[str, ...] = (),
) -> InboxDelta:
    """Read the Inbox's changes since the last run and remember where this run left off."""
    mailbox = mailbox.lower()
    async with sessions() as session:
        row = await session.get(DeltaLinkRow, (mailbox, FOLDER))
        stored = row.link if row else None
    entries: list[dict[str, Any]] = []
    link, requests, full = "", 0, stored is None
    if stored:
        try:
            entries, link, requests = await _pages(graph, relative(stored))
        except AppError as exc:
            if not _gone(exc):
                raise
            full = True
    if full:
        more, link, extra = await _pages(graph, first_url(mailbox))
        entries, requests = more, requests + extra
    async with sessions() as session, session.begin():
        arrived, changed, left, baseline = await _apply(
            session, mailbox, entries, full=full, first=stored is None
        )
        saved = await session.get(DeltaLinkRow, (mailbox, FOLDER))
        now = clock_of(session).now()
        if saved is None:
            session.add(DeltaLinkRow(mailbox=mailbox, folder=FOLDER, link=link))
        else:
            saved.link, saved.updated_at = link, now
    return InboxDelta(
        mailbox, arrived, changed, left, full=full, baseline=baseline, at=now,
        requests=requests, reasons=reasons,
    )  # fmt: skip


async def _apply(
    session: AsyncSession, mailbox: str, entries: list[dict[str, Any]], *, full: bool, first: bool
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], bool]:
    """Bring the known ids up to date: (arrived, changed, left) in the order Graph gave them,
    and whether this was the baseline (nothing known before it, so nothing "arrived")."""
    rows = await session.scalars(select(InboxMessageRow).where(InboxMessageRow.mailbox == mailbox))
    known = {r.message_id: r for r in rows}
    baseline = first and not known  # nothing to compare with: this read only sets the base
    latest: dict[str, dict[str, Any]] = {}
    for entry in entries:  # an item may come more than once: its last state counts
        if isinstance(entry.get("id"), str):
            latest.pop(entry["id"], None)
            latest[entry["id"]] = entry
    arrived: list[str] = []
    changed: list[str] = []
    left: list[str] = []
    for message_id, entry in latest.items():
        row = known.get(message_id)
        if "@removed" in entry:
            if row is not None:
                left.append(message_id)
                await session.delete(row)
            continue
        if row is None:
            session.add(InboxMessageRow(mailbox=mailbox, message_id=message_id,
                                        received_at=_received(entry)))  # fmt: skip
            if not baseline:
                arrived.append(message_id)
        else:
            row.received_at = _received(entry) or row.received_at
            if not full:
                changed.append(message_id)
    if full:  # a complete listing: what is known but not listed has left meanwhile
        gone = [m for m in known if m not in latest]
        if gone:
            await session.execute(
                delete(InboxMessageRow).where(
                    InboxMessageRow.mailbox == mailbox, InboxMessageRow.message_id.in_(gone)
                )
            )
        left.extend(gone)
    return tuple(arrived), tuple(changed), tuple(left), baseline
