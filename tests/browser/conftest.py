"""The real task pane in a real browser: Debian's Chromium driven by Playwright, against the
backend served over HTTPS beside the running sandbox (no mocks between browser and Graph).

Screenshots go to ``$SECRETARIAAT_ARTEFACTS`` (default ``var/test-artefacts``). Without
Chromium the suite is skipped on a developer's machine and fails in CI, which installs it.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
import uvicorn

from automations.clock import SetClock
from sandbox import clock as sandbox_clocks
from sandbox.server import RunningSandbox, free_port
from server.app import create_app
from server.settings import Settings
from server.startup import prepare_store
from tests.browser.outlook import Outlook, run_async
from tests.conftest import TODAY
from tests.dates import set_day

T = TypeVar("T")
CHROMIUM = Path(os.environ.get("SECRETARIAAT_CHROMIUM", "/usr/bin/chromium"))
# As root Chromium needs --no-sandbox; without the background-networking flags it keeps trying
# to reach Google on this closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
ARTEFACTS = Path(os.environ.get("SECRETARIAAT_ARTEFACTS", ROOT / "var" / "test-artefacts"))


@pytest.fixture(scope="module")
def tenant_clock() -> sandbox_clocks.SetClock:
    """The pane is opened at 08:00, so "the rest of today" is the whole working day."""
    return sandbox_clocks.SetClock.on_day(TODAY, hour=8)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _require(path: Path, what: str) -> None:
    if path.exists():
        return
    if _in_ci():
        raise RuntimeError(f"{what} is missing in CI: {path}")
    pytest.skip(f"{what} not installed ({path})")


@pytest.fixture(scope="module")
def backend_settings(running: RunningSandbox, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The backend's settings, for tests that also run a job against its store."""
    store = tmp_path_factory.mktemp("store") / "store.sqlite3"
    return Settings(
        sandbox_state=Path(running.info["ca_cert"]).parent,
        database_url=f"sqlite+aiosqlite:///{store}",
        base_url=f"https://127.0.0.1:{free_port()}",
        meetings_root=tmp_path_factory.mktemp("vergadermappen"),
    )


@pytest.fixture(scope="module")
def backend_clock(tenant_clock: sandbox_clocks.SetClock) -> SetClock:
    """The backend's clock: where the tenant's is when the module starts, running on."""
    return SetClock(tenant_clock.now())


@pytest.fixture
def backend_day(
    backend_clock: SetClock, tenant_clock: sandbox_clocks.SetClock
) -> Iterator[Callable[..., None]]:
    """Puts the backend on another day for one test (a test about a weekday of the roster, or
    one that needs the seed's appointments "today"); after the test it is where the tenant is."""

    def move(day: dt.date, hour: int = 8, minute: int = 0) -> None:
        set_day(backend_clock, day, hour, minute)

    yield move
    backend_clock.advance(tenant_clock.now() - backend_clock.now())


@pytest.fixture(scope="module")
def backend_url(backend_settings: Settings, backend_clock: SetClock) -> Iterator[str]:
    """The backend on its own HTTPS port, on the tenant's clock (the demo week's day)."""
    settings = backend_settings
    state = settings.sandbox_state
    base = settings.base_url
    port = int(base.rsplit(":", 1)[1])
    clock = backend_clock
    run_async(prepare_store(settings, clock=clock))
    app = create_app(settings, clock=clock)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            ssl_certfile=str(state / "server.pem"),
            ssl_keyfile=str(state / "server-key.pem"),
            log_level="warning",
            timeout_graceful_shutdown=2,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the backend did not start")
        time.sleep(0.05)
    yield base
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    _require(CHROMIUM, "Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest) -> Iterator[object]:
    """A fresh browser profile per test; page errors fail the test.

    Tests marked ``inject_scripts`` (axe-core) run with the pages' CSP bypassed: the policy
    rightly refuses the inline script Playwright injects.
    """
    context = browser.new_context(
        ignore_https_errors=True,
        viewport={"width": 1400, "height": 900},
        locale="nl-NL",
        bypass_csp=request.node.get_closest_marker("inject_scripts") is not None,
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    yield page
    context.close()
    assert not errors, f"{request.node.name}: the page raised {errors}"


@pytest.fixture
def colleague(browser, backend_url: str) -> Iterator[Outlook]:
    """A colleague's Outlook in a browser profile of her own, beside ``outlook`` (two
    secretaries at work at once)."""
    context = browser.new_context(ignore_https_errors=True, locale="nl-NL",
                                  viewport={"width": 1400, "height": 900})  # fmt: skip
    try:
        yield Outlook(context.new_page(), backend_url)
    finally:
        context.close()


@pytest.fixture(scope="session")
def artefacts() -> Path:
    path = ARTEFACTS / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def axe_source() -> str:
    _require(AXE, "axe-core (npm ci --prefix web)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def outlook(page, backend_url: str) -> Outlook:
    return Outlook(page, backend_url)
