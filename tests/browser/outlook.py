"""The harness as a secretary uses it: sign in, open a mailbox, pick an item, read the pane."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from playwright.sync_api import FrameLocator, Page, expect

from tests.sandbox.graphclients import Tenant

T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run async setup (Graph, the store) beside Playwright, whose sync API holds this thread's
    event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def inbox(tenant: Tenant, mailbox: str, top: int = 2) -> list[dict]:
    async def read() -> list[dict]:
        async with tenant.raw(mailbox) as graph:
            url = f"/users/{mailbox}/mailFolders/inbox/messages"
            params = {"$top": str(top), "$orderby": "receivedDateTime desc"}
            return (await graph.get(url, params=params)).json()["value"]

    return run_async(read())


def plant(tenant: Tenant, mailbox: str, message: dict, *, as_user: str) -> None:
    async def post() -> None:
        async with tenant.raw(as_user) as graph:
            url = f"/users/{mailbox}/mailFolders/inbox/messages"
            (await graph.post(url, json=message)).raise_for_status()

    run_async(post())


class Outlook:
    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url

    def sign_in(self, upn: str) -> Outlook:
        self.page.goto(f"{self.base_url}/dev/outlook?als={upn}")
        # The harness names the user once her mailboxes are listed.
        expect(self.page.get_by_test_id("aangemeld")).to_contain_text("Aangemeld:")
        return self

    @property
    def mailboxes(self) -> list[str]:
        return self.page.locator("#postvakken button > span:first-child").all_inner_texts()

    def open_mailbox(self, name: str) -> Outlook:
        button = self.page.locator("#postvakken button", has_text=name)
        button.click()
        expect(button).to_have_attribute("aria-current", "true")
        return self.loaded()

    def loaded(self) -> Outlook:
        expect(self.page.locator("#items")).to_have_attribute("aria-busy", "false")
        return self

    def open_other_mailbox(self, upn: str) -> Outlook:
        self.page.get_by_label("Ander postvak openen").fill(upn)
        self.page.get_by_role("button", name="Openen", exact=True).click()
        return self

    def show(self, view: str) -> Outlook:
        """``Postvak IN``, ``Dag`` or ``Week``."""
        self.page.get_by_role("group", name="Weergave").get_by_role("button", name=view).click()
        return self.loaded()

    def select(self, text: str | re.Pattern[str]) -> Outlook:
        self.page.locator("#items button", has_text=text).first.click()
        return self

    def pane_width(self, pixels: int) -> Outlook:
        self.page.select_option("#breedte", str(pixels))
        return self

    @property
    def pane(self) -> FrameLocator:
        return self.page.frame_locator("#taakvenster")

    def pane_loaded(self) -> FrameLocator:
        expect(self.pane.locator("main")).to_have_attribute("aria-busy", "false", timeout=15_000)
        return self.pane

    def pane_frame(self) -> Any:
        return self.page.locator("#taakvenster").element_handle().content_frame()

    def bridge_requests(self) -> dict[str, int]:
        return self.page.evaluate("({...window.secretariaatHarness.bridgeRequests})")


def open_tab(pane: FrameLocator, view: str) -> None:
    """Click one of the pane's tabs: a tab that did not fit on the line is behind "Meer"."""
    tab = pane.locator(f"nav a[data-view='{view}']:not([hidden])")
    expect(tab).to_have_count(1)  # shown (Beheer only once the role check has run)
    if pane.locator(f"nav .tab-menu a[data-view='{view}']").count():
        pane.get_by_role("button", name="Meer").click()
    tab.click()
