"""A PostgreSQL URL with libpq's ``sslmode`` (how an administrator asks for TLS) works for
every connection the product opens on it: the store's engine (asyncpg through SQLAlchemy),
the task queue (psycopg), the shared per-mailbox slots and the event listener (asyncpg)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from automations.graph.shared_limits import _NOTHING as NOTHING
from automations.graph.shared_limits import shared_slots_for
from automations.queue.events import PgBroadcaster, broadcaster_for
from automations.store import create_engine
from automations.store.migrate import upgrade
from automations.tasks import queue_app
from tests.automations.store.databases import _drop, _new_database, postgres_enabled

pytestmark = pytest.mark.skipif(not postgres_enabled(), reason="SECRETARIAAT_TEST_POSTGRES=0")


@pytest.fixture(scope="module")
def pg_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh PostgreSQL database, not yet migrated (the test migrates it through the URL)."""
    url, name = _new_database("postgresql", tmp_path_factory.mktemp("tls"))
    try:
        yield url
    finally:
        _drop(name)


@pytest.mark.parametrize("mode", ["disable", "prefer"])
async def test_sslmode_in_the_url_reaches_every_connection(pg_url: str, mode: str) -> None:
    url = f"{pg_url}?sslmode={mode}"
    await asyncio.to_thread(upgrade, url)  # the migrations (Alembic, then Procrastinate's)

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT 1")) == 1
    finally:
        await engine.dispose()

    app = queue_app(url)
    async with app.open_async():
        assert await app.job_manager.list_jobs_async() == []

    slots = shared_slots_for(url, "tls-test")
    assert slots is not None
    token = await slots.acquire({"someone@zeeveen.nl": 1})
    assert token is not NOTHING  # a slot in PostgreSQL, not the fallback without it
    await slots.release(token)
    await slots.aclose()

    events = broadcaster_for(url)
    assert isinstance(events, PgBroadcaster) and await events._ready()  # listening through PG
    await events.aclose()
