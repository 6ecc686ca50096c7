"""What the ways in call: the webhook (``receive_notifications``), the upkeep job
(``keep_subscription``) and the poller (``poll``). Each reason ends in the same place: the
watcher reads the mailbox's Inbox delta and announces what it found.

Lifecycle events: ``missed`` reads the delta (the delta is the truth, so nothing is lost);
``reauthorizationRequired`` renews (a renewal answers the challenge) and reads, since changes
during a paused flow are not notified; ``subscriptionRemoved`` makes a new subscription and
reads. Renewing and recreating run in the background, so Graph gets its 202 at once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.errors import NotFound
from automations.graph import GraphSession
from automations.inbox import subscriptions
from automations.inbox.models import Kept, Receipt
from automations.inbox.notifications import check, items_of
from automations.inbox.watcher import InboxWatcher

__all__ = ["keep_subscription", "poll", "receive_notifications", "replace_subscription"]

log = logging.getLogger(__name__)


async def receive_notifications(watcher: InboxWatcher, body: Any) -> Receipt:
    """A post from Graph: check each item's secret, then only mark its mailbox changed (or act
    on its lifecycle event). Returns at once; the reads run behind it."""
    checked, dropped = await check(watcher.deps.sessions, items_of(body))
    receipt = Receipt(dropped=dropped)
    for item in checked:
        if item.lifecycle is None:
            receipt.mailboxes.add(item.mailbox)
            watcher.changed(item.mailbox, "notification")
            continue
        receipt.lifecycle.append(item.lifecycle)
        if item.lifecycle == "reauthorizationRequired":
            watcher.spawn(_reauthorize(watcher, item.mailbox), f"reauthorize:{item.mailbox}")
        elif item.lifecycle == "subscriptionRemoved":
            watcher.spawn(_recreate(watcher, item.mailbox), f"recreate:{item.mailbox}")
        elif item.lifecycle == "missed":
            watcher.changed(item.mailbox, "missed")
        else:
            log.info("lifecycle event %s ignored", item.lifecycle)
    return receipt


async def _reauthorize(watcher: InboxWatcher, mailbox: str) -> None:
    row = await subscriptions.subscription_of(watcher.deps.sessions, mailbox)
    async with watcher.graph() as graph:
        if row is None or watcher.webhook_url is None:
            await replace_subscription(graph=graph, sessions=watcher.deps.sessions,
                                       mailbox=mailbox, url=watcher.webhook_url,
                                       now=watcher.deps.now())  # fmt: skip
        else:
            try:
                await subscriptions.renew(graph=graph, sessions=watcher.deps.sessions, row=row,
                                          now=watcher.deps.now())  # fmt: skip
            except NotFound:
                await replace_subscription(graph=graph, sessions=watcher.deps.sessions,
                                           mailbox=mailbox, url=watcher.webhook_url,
                                           now=watcher.deps.now())  # fmt: skip
    watcher.changed(mailbox, "reauthorized")


async def _recreate(watcher: InboxWatcher, mailbox: str) -> None:
    async with watcher.graph() as graph:
        await replace_subscription(graph=graph, sessions=watcher.deps.sessions, mailbox=mailbox,
                                   url=watcher.webhook_url, now=watcher.deps.now())  # fmt: skip
    watcher.changed(mailbox, "recreated")


async def replace_subscription(
    *,
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    mailbox: str,
    url: str | None,
    now: dt.datetime,
) -> None:
    """A new subscription in place of the stored one (gone at Graph, or never made); none
    when notifications are off (``url`` None)."""
    if url is None:
        return
    await subscriptions.create(graph=graph, sessions=sessions, mailbox=mailbox, url=url, now=now)


async def keep_subscription(
    *,
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    mailbox: str,
    url: str | None,
    now: dt.datetime,
    dry_run: bool = False,
) -> Kept:
    """The upkeep of one mailbox's subscription (the ``mail-subscriptions`` job): make it when
    missing, renew it when less than ``RENEW_BEFORE`` is left, replace it when Graph no longer
    has it or it points elsewhere, remove it when notifications are off (``url`` None)."""
    row = await subscriptions.subscription_of(sessions, mailbox)
    if url is None:
        if row is None:
            return "off"
        if not dry_run:
            await subscriptions.remove(graph=graph, sessions=sessions, row=row)
        return "removed"
    if row is None:
        if not dry_run:
            await subscriptions.create(graph=graph, sessions=sessions, mailbox=mailbox, url=url,
                                       now=now)  # fmt: skip
        return "created"
    if row.notification_url != url:
        if not dry_run:
            await subscriptions.remove(graph=graph, sessions=sessions, row=row)
            await subscriptions.create(graph=graph, sessions=sessions, mailbox=mailbox, url=url,
                                       now=now)  # fmt: skip
        return "replaced"
    if row.expires_at - now < subscriptions.RENEW_BEFORE:
        if dry_run:
            return "renewed"
        try:
            await subscriptions.renew(graph=graph, sessions=sessions, row=row, now=now)
            return "renewed"
        except NotFound:
            pass  # expired or removed at Graph: a new one below
    elif await subscriptions.exists(graph, row):
        return "kept"
    if not dry_run:
        await subscriptions.create(graph=graph, sessions=sessions, mailbox=mailbox, url=url,
                                   now=now)  # fmt: skip
    return "replaced"


async def poll(watcher: InboxWatcher, mailboxes: Iterable[str], reason: str = "poll") -> None:
    """The timer's way in (no notifications): read every mailbox's Inbox delta, and wait for
    those reads (one per mailbox, coalesced with any already under way)."""
    wanted = [m.lower() for m in mailboxes]
    for mailbox in wanted:
        watcher.changed(mailbox, reason)
    await watcher.settled(wanted)
