"""The app's Graph identity on the running sandbox, and a fresh store per test (SQLite)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.clock import SetClock
from automations.graph import GraphGateway, GraphSession, token_source_for
from automations.store.db import create_engine, session_factory
from automations.store.migrate import upgrade_async
from sandbox.server import RunningSandbox
from tests.automations.graph.conftest import graph_config


@pytest.fixture
async def gateway(running: RunningSandbox) -> AsyncIterator[GraphGateway]:
    config = graph_config(running)
    async with GraphGateway(config, token_source_for(config)) as gw:
        yield gw


@pytest.fixture
async def app_graph(gateway: GraphGateway) -> AsyncIterator[GraphSession]:
    """Graph with the application's identity, as the Inbox watch uses it."""
    async with gateway.for_app() as graph:
        yield graph


@pytest.fixture
async def sessions(
    tmp_path: Path, clock: SetClock
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'store.sqlite3'}"
    await upgrade_async(url)
    engine = create_engine(url)
    yield session_factory(engine, clock=clock)
    await engine.dispose()
