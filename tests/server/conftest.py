"""The backend as an ASGI app on a fresh SQLite store, against the running sandbox tenant."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from automations.clock import SetClock
from sandbox.server import RunningSandbox
from server.app import create_app
from server.settings import Settings
from server.startup import prepare_store
from tests.sandbox.graphclients import Tenant


@pytest.fixture
async def backend(
    running: RunningSandbox, tmp_path: Path, clock: SetClock, wall: Callable[[], float]
) -> AsyncIterator[FastAPI]:
    settings = Settings(
        sandbox_state=Path(running.info["ca_cert"]).parent,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'store.sqlite3'}",
    )
    await prepare_store(settings, clock=clock)
    app = create_app(settings, clock=clock, wall=wall)
    yield app
    await app.state.tasks.aclose()
    await app.state.validator.aclose()
    await app.state.gateway.aclose()
    await app.state.engine.dispose()


@pytest.fixture
async def api(backend: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=backend)
    async with httpx.AsyncClient(transport=transport, base_url="https://backend.test") as client:
        yield client


@pytest.fixture
def login(tenant: Tenant):
    """Headers of a signed-in user (the task pane's token for our API scope)."""

    def headers(upn: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tenant.user_token(upn)}"}

    return headers
