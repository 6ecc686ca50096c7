"""A burst of reasons to read an Inbox costs one delta per mailbox, and what it found reaches
open panes (the ``inbox`` event, counts only) and the features that follow the Inbox."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.clock import SetClock
from automations.context import Deps
from automations.graph import GraphGateway
from automations.inbox.flows import poll
from automations.inbox.service import InboxWatcher
from tests.automations.inbox.mailing import mail_to
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import GEMEENTESECRETARIS, WETHOUDERS

PATIENCE_S = 10  # a safety net for a broken run, not a duration


class Panes:
    """The event stream, as open panes would hear it."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def publish(self, event: dict[str, Any]) -> None:
        self.events.append(event)


def watcher_for(gateway: GraphGateway, sessions: async_sessionmaker[AsyncSession],
                clock: SetClock, panes: Panes) -> InboxWatcher:  # fmt: skip
    deps = Deps(sessions=sessions, clock=clock, events=panes)
    return InboxWatcher(deps=deps, graph=gateway.for_app, webhook_url=None, settle_s=0)


async def test_a_burst_of_notifications_costs_one_delta_and_one_event(
    tenant: Tenant, gateway: GraphGateway, sessions: async_sessionmaker[AsyncSession],
    clock: SetClock,
) -> None:  # fmt: skip
    panes = Panes()
    watcher = watcher_for(gateway, sessions, clock, panes)
    await poll(watcher, [GEMEENTESECRETARIS], reason="start")  # the base: nothing announced
    new = [await mail_to(tenant, GEMEENTESECRETARIS, f"Stuk {n}") for n in range(3)]
    before = watcher.runs
    for _ in range(6):  # created and updated, for three mails, as Graph posts them
        watcher.changed(GEMEENTESECRETARIS, "notification")
    await watcher.settled()
    assert watcher.runs - before == 1
    assert panes.events == [
        {"type": "inbox", "mailbox": GEMEENTESECRETARIS, "arrived": 3, "changed": 0, "left": 0}
    ]
    assert sorted(watcher.latest[GEMEENTESECRETARIS].arrived) == sorted(new)


async def test_features_in_this_process_follow_every_delta_that_found_something(
    tenant: Tenant, gateway: GraphGateway, sessions: async_sessionmaker[AsyncSession],
    clock: SetClock,
) -> None:  # fmt: skip
    watcher = watcher_for(gateway, sessions, clock, Panes())
    mailbox = WETHOUDERS[2]
    await poll(watcher, [mailbox], reason="start")
    async with watcher.subscribe() as deltas:
        new = await mail_to(tenant, mailbox, "Vraag van de gemeenteraad")
        watcher.changed(mailbox, "notification")
        found = await asyncio.wait_for(deltas.get(), PATIENCE_S)
    assert (found.mailbox, found.arrived, found.reasons) == (mailbox, (new,), ("notification",))
    await watcher.aclose()
