"""A running HTTPS sandbox per test module, and the real clients that talk to it.

Shared by every suite: the sandbox is the tenant all integration tests run against.
"""

from __future__ import annotations

import datetime as dt
import os
import ssl
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from automations.clock import SetClock
from sandbox import clock as sandbox_clocks
from sandbox.app import SandboxConfig
from sandbox.server import RunningSandbox, start_in_thread
from tests.sandbox.graphclients import DEFAULT_LIMITS, Tenant

# The day the suite runs on, whatever the calendar says: a Tuesday unless
# SECRETARIAAT_TEST_TODAY names another (`make test-dates` runs four awkward ones).
TODAY = dt.date.fromisoformat(os.environ.get("SECRETARIAAT_TEST_TODAY") or "2026-11-24")


@pytest.fixture(scope="module")
def tenant_clock() -> sandbox_clocks.SetClock:
    """The sandbox tenant's clock: TODAY at 10:00 in Amsterdam when the module starts."""
    return sandbox_clocks.SetClock.on_day(TODAY)


@pytest.fixture(scope="module")
def running(
    tmp_path_factory: pytest.TempPathFactory, tenant_clock: sandbox_clocks.SetClock
) -> Iterator[RunningSandbox]:
    state: Path = tmp_path_factory.mktemp("sandbox")
    config = SandboxConfig(state_dir=state, admin=True, today=TODAY, clock=tenant_clock)
    run = start_in_thread(config)
    yield run
    run.stop()


@pytest.fixture
def clock(tenant_clock: sandbox_clocks.SetClock) -> SetClock:
    """The product's clock for one test: where the tenant's clock is now, running on; a test
    may ``advance`` it (a lease or a preview running out) without touching the tenant's."""
    return SetClock(tenant_clock.now())


@pytest.fixture
def wall() -> Callable[[], float]:
    """The machine's time that tokens' expiry is compared against; a module whose tests move it
    by hand overrides this fixture."""
    return time.time


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
