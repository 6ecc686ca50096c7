"""Our Graph subscriptions on the executives' Inboxes: made, renewed, replaced, removed.

With the application identity: Graph lets delegated ``Mail.*.Shared`` scopes subscribe to the
signed-in user's own mail only, and RBAC for Applications keeps the app to the executives'
mailboxes. A subscription lives ``LIFETIME`` (under the 4,230 minutes the real service has been
seen to cap Outlook subscriptions at, though the docs now say 10,080) and is renewed once less
than ``RENEW_BEFORE`` is left, so an hourly upkeep has many chances before it lapses.

``clientState`` is a fresh random secret per subscription; Graph echoes it in every
notification. Only its SHA-256 is stored, compared in constant time (``matches``), and it is
never logged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.graph import BatchRequest, GraphSession
from automations.store.models import MailSubscriptionRow

__all__ = [
    "CHANGE_TYPES",
    "LIFETIME",
    "RENEW_BEFORE",
    "create",
    "exists",
    "find",
    "hash_state",
    "matches",
    "remove",
    "renew",
    "resource_of",
    "subscription_of",
]

log = logging.getLogger(__name__)

LIFETIME = dt.timedelta(minutes=4200)
RENEW_BEFORE = dt.timedelta(hours=24)
CHANGE_TYPES = "created,updated,deleted"  # in the Inbox, moved in, moved out or deleted


def resource_of(mailbox: str) -> str:
    return f"users/{mailbox}/mailFolders('inbox')/messages"


def hash_state(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def matches(row: MailSubscriptionRow, state: Any) -> bool:
    """Whether a notification's ``clientState`` is this subscription's secret (constant time)."""
    if not isinstance(state, str):
        return False
    return hmac.compare_digest(hash_state(state), row.client_state_hash)


def _graph_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")


def _parse(value: Any, fallback: dt.datetime) -> dt.datetime:
    """Graph's ``expirationDateTime`` (it may grant less than asked); ``fallback`` if absent."""
    if not isinstance(value, str):
        return fallback
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return fallback
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


async def find(sessions: async_sessionmaker[AsyncSession], ids: Iterable[str]) -> dict[str, Any]:
    """Our stored subscriptions by Graph id (only those asked for)."""
    wanted = [i for i in dict.fromkeys(ids) if isinstance(i, str) and len(i) <= 64]
    if not wanted:
        return {}
    async with sessions() as session:
        rows = await session.scalars(
            select(MailSubscriptionRow).where(MailSubscriptionRow.id.in_(wanted))
        )
        return {r.id: r for r in rows}


async def subscription_of(
    sessions: async_sessionmaker[AsyncSession], mailbox: str
) -> MailSubscriptionRow | None:
    async with sessions() as session:
        found: MailSubscriptionRow | None = await session.scalar(
            select(MailSubscriptionRow).where(MailSubscriptionRow.mailbox == mailbox.lower())
        )
        return found


async def create(
    *,
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    mailbox: str,
    url: str,
    now: dt.datetime,
) -> MailSubscriptionRow:
    """A new subscription on the mailbox's Inbox (Graph validates ``url`` before it answers);
    it takes the place of the one stored for the mailbox, if any."""
    mailbox = mailbox.lower()
    state = secrets.token_urlsafe(32)  # 43 characters; Graph allows 128
    body = {
        "changeType": CHANGE_TYPES,
        "notificationUrl": url,
        "lifecycleNotificationUrl": url,
        "resource": resource_of(mailbox),
        "expirationDateTime": _graph_time(now + LIFETIME),
        "clientState": state,
        "latestSupportedTlsVersion": "v1_2",
    }
    [answer] = await graph.batch([BatchRequest("POST", "/subscriptions", body=body)])
    answer.raise_for_status()
    made = answer.body or {}
    row = MailSubscriptionRow(
        id=str(made["id"]), mailbox=mailbox, client_state_hash=hash_state(state),
        notification_url=url, expires_at=_parse(made.get("expirationDateTime"), now + LIFETIME),
    )  # fmt: skip
    async with sessions() as session, session.begin():
        old = await session.scalar(
            select(MailSubscriptionRow).where(MailSubscriptionRow.mailbox == mailbox)
        )
        if old is not None:
            await session.delete(old)
            await session.flush()
        session.add(row)
    log.info("mail subscription made for %s, until %s", mailbox, row.expires_at.isoformat())
    return row


async def renew(
    *,
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    row: MailSubscriptionRow,
    now: dt.datetime,
) -> dt.datetime:
    """A new expiry (which also answers a reauthorization challenge); ``NotFound`` when Graph no
    longer has it (expired or removed): the caller makes a new one."""
    body = {"expirationDateTime": _graph_time(now + LIFETIME)}
    [answer] = await graph.batch([BatchRequest("PATCH", f"/subscriptions/{row.id}", body=body)])
    answer.raise_for_status()
    expires = _parse((answer.body or {}).get("expirationDateTime"), now + LIFETIME)
    async with sessions() as session, session.begin():
        stored = await session.get(MailSubscriptionRow, row.id)
        if stored is not None:
            stored.expires_at, stored.renewed_at = expires, now
    return expires


async def exists(graph: GraphSession, row: MailSubscriptionRow) -> bool:
    """Whether Graph still has it (it deletes expired ones without a word)."""
    [answer] = await graph.batch([BatchRequest("GET", f"/subscriptions/{row.id}")])
    if answer.status == 404:
        return False
    answer.raise_for_status()
    return True


async def remove(
    *, graph: GraphSession, sessions: async_sessionmaker[AsyncSession], row: MailSubscriptionRow
) -> None:
    """Delete it at Graph (already gone is fine) and from the store."""
    [answer] = await graph.batch([BatchRequest("DELETE", f"/subscriptions/{row.id}")])
    if answer.status != 404:
        answer.raise_for_status()
    async with sessions() as session, session.begin():
        stored = await session.get(MailSubscriptionRow, row.id)
        if stored is not None:
            await session.delete(stored)
