"""Queue events reach panes on another server instance when the store is PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest

from automations.queue.events import Broadcaster, PgBroadcaster, broadcaster_for
from tests.automations.store.databases import PG_HOST, postgres_enabled

pytestmark = pytest.mark.skipif(not postgres_enabled(), reason="SECRETARIAAT_TEST_POSTGRES=0")
DSN = f"postgresql://postgres@{PG_HOST}/postgres"


async def test_a_claim_on_one_instance_reaches_a_pane_on_the_other() -> None:
    one, other = PgBroadcaster(DSN), PgBroadcaster(DSN)
    try:
        async with other.subscribe() as pane_elsewhere, one.subscribe() as pane_here:
            event = {"type": "claim", "mailbox": "ingrid.zwanenburg@zeeveen.nl", "key": "k:1"}
            one.publish(event)
            assert await asyncio.wait_for(pane_elsewhere.get(), 5) == event
            assert await asyncio.wait_for(pane_here.get(), 5) == event  # once, not twice
            await asyncio.sleep(0.2)
            assert pane_here.empty() and pane_elsewhere.empty()
    finally:
        await one.aclose()
        await other.aclose()


async def test_without_postgres_the_event_still_reaches_this_instance() -> None:
    unreachable = PgBroadcaster("postgresql://postgres@127.0.0.1:1/none")
    async with unreachable.subscribe() as pane:
        unreachable.publish({"type": "release", "mailbox": "x@y.nl", "key": "k:2"})
        assert (await asyncio.wait_for(pane.get(), 10))["type"] == "release"
    await unreachable.aclose()


def test_the_store_decides_how_events_travel() -> None:
    assert isinstance(broadcaster_for("postgresql+asyncpg://u@h/db"), PgBroadcaster)
    assert type(broadcaster_for("sqlite+aiosqlite:///x.sqlite3")) is Broadcaster
