"""The Inbox as the delta last saw it, for features that follow new mail (Postverwerking).

- ``InboxWatcher`` (one per process, ``app.state.inbox``): ``latest[mailbox]`` is the last
  ``InboxDelta`` read there; ``subscribe()`` yields every non-empty delta as it is read;
  ``changed(mailbox, reason)`` asks for a read. The ``inbox`` event (``EVENT``) carries the
  mailbox and the counts to open panes of every instance.
- ``inbox_messages`` lists the ids the delta has seen in an executive's Inbox, with when they
  were received, optionally since a moment: mail that is in the Inbox now, without a Graph call.
- ``sync_inbox`` runs one delta directly (a CLI command or a job without a watcher).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from automations.inbox.delta import sync_inbox
from automations.inbox.models import InboxDelta
from automations.inbox.watcher import EVENT, SETTLE_S, InboxWatcher
from automations.store.models import InboxMessageRow

__all__ = [
    "EVENT",
    "SETTLE_S",
    "InboxDelta",
    "InboxMessage",
    "InboxWatcher",
    "inbox_messages",
    "sync_inbox",
]


@dataclass(frozen=True)
class InboxMessage:
    """A message in an executive's Inbox as the delta saw it: its (immutable) id and when it
    was received (``None`` when Graph did not say)."""

    message_id: str
    received_at: dt.datetime | None


async def inbox_messages(
    session: AsyncSession, mailbox: str, *, since: dt.datetime | None = None
) -> list[InboxMessage]:
    """The messages in the Inbox at the last delta, newest first; only those received at or
    after ``since`` when given. As current as the last read (a notification or the timer)."""
    query = select(InboxMessageRow).where(InboxMessageRow.mailbox == mailbox.lower())
    if since is not None:
        query = query.where(InboxMessageRow.received_at >= since)
    rows = await session.scalars(query)
    found = [InboxMessage(r.message_id, r.received_at) for r in rows]
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(found, key=lambda m: m.received_at or oldest, reverse=True)
