"""Which executives' mailboxes a user works in, and how full their Inboxes are.

The first use case that runs the whole path: policy from the roster, then Graph on behalf of
the user (so Exchange's delegate rights apply too), reading only two counters per mailbox.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from automations.graph import GraphSession, get_mail_folder
from automations.roster.models import Roster
from automations.roster.policy import Action, acting_for, authorize

__all__ = ["MailboxSummary", "get_mailbox", "list_mailboxes"]

_COUNTS = ("unreadItemCount", "totalItemCount")


@dataclass(frozen=True)
class MailboxSummary:
    upn: str
    display_name: str
    unread: int
    total: int


async def _summary(graph: GraphSession, roster: Roster, upn: str) -> MailboxSummary:
    inbox = await get_mail_folder(graph, upn, "inbox", select=_COUNTS)
    return MailboxSummary(
        upn=upn,
        display_name=roster.names.get(upn, upn),
        unread=inbox.unread_item_count or 0,
        total=inbox.total_item_count or 0,
    )


async def list_mailboxes(
    *, graph: GraphSession, roster: Roster, actor: str
) -> list[MailboxSummary]:
    """Every executive ``actor`` may act for (her own mailbox for an executive)."""
    mine = acting_for(roster, actor)
    return list(await asyncio.gather(*(_summary(graph, roster, upn) for upn in mine)))


async def get_mailbox(
    *, graph: GraphSession, roster: Roster, actor: str, mailbox: str
) -> MailboxSummary:
    """One mailbox, refused before any Graph call when the roster does not allow it."""
    authorize(roster, actor, Action.ACT_ON_MAILBOX, mailbox)
    return await _summary(graph, roster, mailbox.lower())
