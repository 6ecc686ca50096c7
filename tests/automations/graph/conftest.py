"""A gateway on the running sandbox, as the backend builds it: same MSAL, SDK and transport."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from automations.graph import GraphConfig, GraphGateway, token_source_for
from sandbox.server import RunningSandbox
from tests.sandbox.graphclients import DEFAULT_LIMITS


class Waits:
    """The gateway's sleep, recorded instead of slept: a test asserts what it waited for."""

    def __init__(self) -> None:
        self.waited: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waited.append(seconds)
        await asyncio.sleep(0)


def graph_config(running: RunningSandbox, **changes: object) -> GraphConfig:
    info = running.info
    settings: dict[str, object] = {
        "graph_url": info["graph_url"],
        "authority": info["authority"],
        "client_id": info["client_id"],
        "client_secret": SecretStr(info["client_secret"]),
        "ca_cert": Path(info["ca_cert"]),
        "api_audience": f"api://{info['client_id']}",
        "timeout_s": 10.0,
        "max_retries": 8,
        "backoff_base_s": 0.05,
        "backoff_max_s": 0.5,
    }
    settings.update(changes)
    return GraphConfig(**settings)  # type: ignore[arg-type]


@pytest.fixture
def config(running: RunningSandbox) -> GraphConfig:
    return graph_config(running)


@pytest.fixture
async def gateway(config: GraphConfig) -> AsyncIterator[GraphGateway]:
    async with GraphGateway(config, token_source_for(config)) as gw:
        yield gw


@pytest.fixture(autouse=True)
def default_limits(admin: httpx.Client) -> Iterator[None]:
    """Every limit back to a fresh sandbox's, whatever the test changed."""
    yield
    admin.post("/limits", json=DEFAULT_LIMITS).raise_for_status()


def set_limits(admin: httpx.Client, **limits: object) -> None:
    admin.post("/limits", json=limits).raise_for_status()
    admin.post("/counters/reset").raise_for_status()


def counters(admin: httpx.Client) -> dict[str, dict[str, int]]:
    return admin.get("/counters").json()
