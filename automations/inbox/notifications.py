"""What Graph posts to the webhook, checked: change notifications and lifecycle events.

The payload is never trusted for content: a change notification only names a subscription,
whose stored secret its ``clientState`` must match (constant time); anything else in it (the
message id, the change type) is ignored, because the Inbox delta reads what really happened.
A mismatch or an unknown subscription is dropped and logged without the secret.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.errors import BadRequest
from automations.inbox.subscriptions import find, matches

__all__ = ["LIFECYCLE_EVENTS", "Checked", "check", "items_of"]

log = logging.getLogger(__name__)

LIFECYCLE_EVENTS = ("reauthorizationRequired", "subscriptionRemoved", "missed")
MAX_ITEMS = 1000  # Graph sends one per post; a post far beyond that is not Graph's


@dataclass(frozen=True)
class Checked:
    """One notification whose ``clientState`` matched: which subscription and mailbox, and its
    lifecycle event (``None`` for a change notification)."""

    subscription_id: str
    mailbox: str
    lifecycle: str | None


def items_of(body: Any) -> list[dict[str, Any]]:
    """The ``value`` items of a post, or ``BadRequest`` when it is not shaped like Graph's."""
    items = body.get("value") if isinstance(body, dict) else None
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise BadRequest("Dit is geen melding van Microsoft Graph.",
                         detail="expected {'value': [notification, ...]}")  # fmt: skip
    return [i for i in items if isinstance(i, dict)]


async def check(
    sessions: async_sessionmaker[AsyncSession], items: list[dict[str, Any]]
) -> tuple[list[Checked], int]:
    """The items whose secret matches their subscription, and how many were dropped."""
    ids = [i.get("subscriptionId") for i in items]
    known = await find(sessions, [i for i in ids if isinstance(i, str)])
    good: list[Checked] = []
    dropped = 0
    for item in items:
        sub_id = item.get("subscriptionId")
        row = known.get(sub_id) if isinstance(sub_id, str) else None
        if row is None or not matches(row, item.get("clientState")):
            dropped += 1
            log.warning(
                "notification dropped: %s",
                "unknown subscription" if row is None else f"clientState mismatch on {row.id}",
            )
            continue
        event = item.get("lifecycleEvent")
        good.append(Checked(row.id, row.mailbox, event if isinstance(event, str) else None))
    return good, dropped
