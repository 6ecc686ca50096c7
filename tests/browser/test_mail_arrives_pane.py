"""Mail as it arrives, in the pane, with Graph's change notifications on: Monique has Ingrid
Zwanenburg's Postverwerking open and Ellen the Werkvoorraad; a mail to the burgemeester shows
up in both without a click or a reload (the sandbox notifies the backend's webhook, the
backend reads the Inbox delta and tells the open panes). ``test_mail_polled_pane`` tells the
same story with notifications off.

Waiting is for what the pane shows, with Playwright's patience as a safety net; how fast it
arrives is measured in ``benchmarks/mail_burst.py``, not asserted here."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import FrameLocator, expect

from sandbox.server import RunningSandbox, free_port
from server.settings import Settings
from tests.browser.outlook import Outlook, open_tab, run_async
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import SECRETARY_A, SECRETARY_A_FRIDAY
from tests.server.test_quicksteps_api import new_message

MONIQUE, ELLEN = SECRETARY_A, SECRETARY_A_FRIDAY
PATIENCE_MS = 15_000  # a safety net for a broken run, not a duration


@pytest.fixture(scope="module")
def backend_settings(running: RunningSandbox, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The browser tests' backend with notifications on (the sandbox reaches its webhook)."""
    store = tmp_path_factory.mktemp("store") / "store.sqlite3"
    return Settings(
        sandbox_state=Path(running.info["ca_cert"]).parent,
        database_url=f"sqlite+aiosqlite:///{store}",
        base_url=f"https://127.0.0.1:{free_port()}",
        meetings_root=tmp_path_factory.mktemp("vergadermappen"),
        mail_notifications="webhook",
        mail_poll_s=3600,  # no poll comes to the rescue: only a notification can bring it
    )


def open_on(outlook: Outlook, who: str, tab: str, shown: str) -> FrameLocator:
    outlook.sign_in(who).open_mailbox("Ingrid Zwanenburg")
    outlook.page.locator("#items button").first.click()
    pane = outlook.pane_loaded()
    open_tab(pane, tab)
    expect(pane.get_by_test_id(shown)).to_be_visible()
    return pane


def count_for_ingrid(pane: FrameLocator) -> int:
    row = pane.get_by_test_id("team-rij").filter(has_text="Ingrid Zwanenburg")
    cell = row.get_by_test_id("post-telling")
    expect(cell).to_be_visible()
    return int(cell.inner_text())


def mail_shows_up_by_itself(outlook: Outlook, colleague: Outlook, tenant: Tenant) -> None:
    """The story both modules tell: nobody clicks, both panes show the new mail."""
    post = open_on(outlook, MONIQUE, "postverwerking", "postverwerking")
    queue = open_on(colleague, ELLEN, "werkvoorraad", "team")
    before = count_for_ingrid(queue)

    arrived = run_async(new_message(tenant, "Verzoek om een gesprek"))

    expect(post.locator(f"[data-bericht='{arrived}']")).to_have_count(1, timeout=PATIENCE_MS)
    row = queue.get_by_test_id("team-rij").filter(has_text="Ingrid Zwanenburg")
    expect(row.get_by_test_id("post-telling")).to_have_text(str(before + 1), timeout=PATIENCE_MS)


def test_a_new_mail_reaches_the_open_panes_through_a_notification(
    outlook: Outlook, colleague: Outlook, tenant: Tenant
) -> None:
    mail_shows_up_by_itself(outlook, colleague, tenant)
