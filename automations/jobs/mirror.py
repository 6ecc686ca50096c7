"""An executive's calendar for the jobs' window, kept current with calendarView delta.

The window runs from this week's Monday for six weeks; its delta link lives in the store per
mailbox and week. A run over an unchanged calendar asks the delta link once and gets nothing
back. A new week (a new window), a lost link or Graph's 410 (the sync state expired) costs one
full read, after which the link is current again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.dates import AMSTERDAM
from automations.errors import AppError
from automations.graph import BatchRequest, GraphSession
from automations.graph.pages import relative
from automations.store import clock_of
from automations.store.models import CalendarMirrorRow, DeltaLinkRow

__all__ = ["WINDOW", "Mirror", "refresh", "window_of"]

WINDOW = dt.timedelta(weeks=6)
PREFIX = "calendar:"
PAGE = {"Prefer": "odata.maxpagesize=200"}  # fewer pages on a full read (Graph's default: 10)


@dataclass
class Mirror:
    mailbox: str
    events: list[dict[str, Any]]
    changed: list[str] = field(default_factory=list)  # ids added or updated by this refresh
    removed: list[str] = field(default_factory=list)
    full: bool = False
    requests: int = 0


def window_of(today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    monday = today - dt.timedelta(days=today.weekday())
    start = dt.datetime.combine(monday, dt.time(), AMSTERDAM)
    return start, start + WINDOW


async def _pages(graph: GraphSession, url: str, mirror: Mirror) -> tuple[list[dict[str, Any]], str]:
    entries: list[dict[str, Any]] = []
    while True:
        [page] = await graph.batch([BatchRequest("GET", url, headers=PAGE)])
        mirror.requests += 1
        page.raise_for_status()
        entries.extend(page.body.get("value") or [])
        if page.body.get("@odata.nextLink"):
            url = relative(page.body["@odata.nextLink"])
            continue
        return entries, page.body["@odata.deltaLink"]


async def refresh(
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    mailbox: str,
    today: dt.date,
) -> Mirror:
    """The mailbox's window as it is now, reading only what changed since the last run."""
    mailbox = mailbox.lower()
    start, end = window_of(today)
    key = f"{PREFIX}{start.date().isoformat()}"
    mirror = Mirror(mailbox, [])
    async with sessions() as session:
        link = await session.get(DeltaLinkRow, (mailbox, key))
        stored = link.link if link else None
    entries: list[dict[str, Any]] = []
    delta_link = ""
    if stored:
        try:
            entries, delta_link = await _pages(graph, relative(stored), mirror)
        except AppError as exc:
            if exc.status not in (404, 410) and exc.graph_code not in ("SyncStateNotFound",):
                raise
            stored = None  # the sync state is gone: read the window once, fully
    if not stored:
        mirror.full = True
        url = (
            f"/users/{mailbox}/calendarView/delta?startDateTime={quote(start.isoformat())}"
            f"&endDateTime={quote(end.isoformat())}"
        )
        entries, delta_link = await _pages(graph, url, mirror)
    async with sessions() as session, session.begin():
        if mirror.full:  # a new window: what the mirror held belongs to the old one
            await session.execute(
                delete(CalendarMirrorRow).where(CalendarMirrorRow.mailbox == mailbox)
            )
            await session.execute(
                delete(DeltaLinkRow).where(
                    DeltaLinkRow.mailbox == mailbox, DeltaLinkRow.folder.like(f"{PREFIX}%")
                )
            )
        for entry in entries:
            if "@removed" in entry:
                mirror.removed.append(entry["id"])
                row = await session.get(CalendarMirrorRow, (mailbox, entry["id"]))
                if row is not None:
                    await session.delete(row)
                continue
            mirror.changed.append(entry["id"])
            row = await session.get(CalendarMirrorRow, (mailbox, entry["id"]))
            if row is None:
                session.add(CalendarMirrorRow(mailbox=mailbox, event_id=entry["id"], data=entry))
            else:
                row.data, row.updated_at = entry, clock_of(session).now()
        saved = await session.get(DeltaLinkRow, (mailbox, key))
        if saved is None:
            session.add(DeltaLinkRow(mailbox=mailbox, folder=key, link=delta_link))
        else:
            saved.link, saved.updated_at = delta_link, clock_of(session).now()
    async with sessions() as session:
        rows = await session.scalars(
            select(CalendarMirrorRow).where(CalendarMirrorRow.mailbox == mailbox)
        )
        mirror.events = [r.data for r in rows]
    return mirror


async def forget(
    sessions: async_sessionmaker[AsyncSession], mailbox: str, event_ids: Sequence[str]
) -> None:
    """Items a job removed leave the mirror at once (the next delta confirms it)."""
    if not event_ids:
        return
    async with sessions() as session, session.begin():
        await session.execute(
            delete(CalendarMirrorRow).where(
                CalendarMirrorRow.mailbox == mailbox.lower(),
                CalendarMirrorRow.event_id.in_(list(event_ids)),
            )
        )
