"""Mail as it arrives where Microsoft cannot reach the backend (the demo, a closed network):
the same Inbox delta on a timer, ``SECRETARIAAT_MAIL_POLL_S`` on the backend's clock. A test
advances that clock; it never waits for the interval."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

from fastapi import FastAPI

from automations.clock import SetClock
from server.scheduler import start_mail_watch
from server.settings import Settings
from tests.automations.inbox.mailing import mail_to
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, GEMEENTESECRETARIS, WETHOUDERS

EXECUTIVES = {BURGEMEESTER, GEMEENTESECRETARIS, *WETHOUDERS}
PATIENCE_S = 20  # a safety net for a broken run, not a duration


async def until(check: Callable[[], bool]) -> None:
    """Wait for the watcher's state (not for time)."""
    deadline = asyncio.get_running_loop().time() + PATIENCE_S
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "condition never became true"
        await asyncio.sleep(0.02)


async def test_polling_finds_new_mail_once_the_interval_has_passed(
    backend: FastAPI, tenant: Tenant, clock: SetClock
) -> None:
    settings: Settings = backend.state.settings
    assert settings.mail_watch() == "poll" and settings.mail_webhook_url() is None
    watcher = backend.state.inbox
    async with watcher.subscribe() as deltas:
        watch = start_mail_watch(backend, settings, check_every_s=0.01)
        try:
            await until(lambda: set(watcher.latest) == EXECUTIVES)  # the first turn: all
            await watcher.settled()
            runs = watcher.runs
            new = await mail_to(tenant, BURGEMEESTER, "Gevonden door de timer")
            clock.advance(dt.timedelta(seconds=settings.mail_poll_s + 1))
            found = await asyncio.wait_for(deltas.get(), PATIENCE_S)
            await watcher.settled()
        finally:
            await watch.aclose()
            await watcher.aclose()
    assert (found.mailbox, found.arrived, found.reasons) == (BURGEMEESTER, (new,), ("poll",))
    assert watcher.runs - runs == len(EXECUTIVES)  # one delta per Inbox per turn


def test_notifications_are_the_default_only_where_microsoft_can_reach_the_backend() -> None:
    def mode(url: str) -> str:
        return Settings(base_url=url).mail_watch()

    assert mode("https://secretariaat.zeeveen.nl") == "webhook"
    for closed in ("https://127.0.0.1:8443", "https://localhost", "http://secretariaat.nl",
                   "https://10.1.2.3", "https://intranet", "https://server.local"):  # fmt: skip
        assert mode(closed) == "poll", closed
    chosen = Settings(base_url="https://127.0.0.1:8443", mail_notifications="webhook")
    assert chosen.mail_webhook_url() == "https://127.0.0.1:8443/graph/notifications"
