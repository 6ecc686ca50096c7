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
from sandbox.permissions import PermissionLog
from sandbox.server import RunningSandbox, start_in_thread
from tests.sandbox.graphclients import DEFAULT_LIMITS, Tenant

# The day the suite runs on, whatever the calendar says: a Tuesday unless
# SECRETARIAAT_TEST_TODAY names another (`make test-dates` runs four awkward ones).
TODAY = dt.date.fromisoformat(os.environ.get("SECRETARIAAT_TEST_TODAY") or "2026-11-24")


@pytest.fixture(scope="module")
def tenant_clock() -> sandbox_clocks.SetClock:
    """The sandbox tenant's clock: TODAY at 10:00 in Amsterdam when the module starts."""
    return sandbox_clocks.SetClock.on_day(TODAY)


@pytest.fixture(scope="session")
def permission_log() -> PermissionLog:
    """Every permission the product was let in with, across the suite's sandboxes: compared
    with the README's app registration at the end (tests/test_permissions_used.py)."""
    return PermissionLog()


@pytest.fixture(scope="module")
def running(
    tmp_path_factory: pytest.TempPathFactory,
    tenant_clock: sandbox_clocks.SetClock,
    permission_log: PermissionLog,
) -> Iterator[RunningSandbox]:
    state: Path = tmp_path_factory.mktemp("sandbox")
    config = SandboxConfig(
        state_dir=state, admin=True, today=TODAY, clock=tenant_clock, permissions=permission_log
    )
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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The permission check runs last, over what every other test made the product do; it
    only judges a run of the whole suite (no file, ``-k``, ``-m`` or ``--deselect`` chosen)."""
    from tests.test_permissions_used import WHOLE_SUITE

    last = [i for i in items if i.nodeid.startswith("tests/test_permissions_used.py::")]
    items[:] = [i for i in items if i not in last] + last
    chosen = [Path(a).resolve() for a in config.args]
    config.stash[WHOLE_SUITE] = (
        chosen in ([Path(str(config.rootpath)) / "tests"], [Path(str(config.rootpath))])
        and not config.getoption("keyword")
        and not config.getoption("markexpr")
        and not config.getoption("deselect")
    )
