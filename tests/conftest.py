"""A running HTTPS sandbox per test module, and the real clients that talk to it.

Shared by every suite: the sandbox is the tenant all integration tests run against.
"""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sandbox.app import SandboxConfig
from sandbox.server import RunningSandbox, start_in_thread
from tests.sandbox.graphclients import DEFAULT_LIMITS, Tenant

# The demo week is fixed so tests are the same on every day they run: a Tuesday.
TODAY = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    state: Path = tmp_path_factory.mktemp("sandbox")
    run = start_in_thread(SandboxConfig(state_dir=state, admin=True, today=TODAY))
    yield run
    run.stop()


@pytest.fixture(scope="module")
def tenant(running: RunningSandbox) -> Tenant:
    return Tenant(running.info)


@pytest.fixture
def admin(running: RunningSandbox) -> Iterator[httpx.Client]:
    """The control plane; limits and counters are reset after each test."""
    tls = ssl.create_default_context(cafile=running.info["ca_cert"])
    with httpx.Client(base_url=running.info["admin_url"], verify=tls) as c:
        c.post("/counters/reset")
        yield c
        c.post("/limits", json=DEFAULT_LIMITS).raise_for_status()
