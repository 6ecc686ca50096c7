"""The harness as a secretary uses it: sign in, open a mailbox, pick an item, read the pane; and
what each view must be at Outlook's narrow widths (nothing wider than the pane, axe clean)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from playwright.sync_api import Frame, FrameLocator, Page, expect

from tests.sandbox.graphclients import Tenant

T = TypeVar("T")

# Outlook's narrowest task pane, and the width it most often has.
WIDTHS = (320, 360)
# A test's setup through the backend's API (a draft, a whole calamity clear) on a busy machine.
API_TIMEOUT = 30.0

# Every visible element that reaches past the page's right or left edge (the pane's, inside
# its iframe); what is only there for a screen reader does not count.
TOO_WIDE = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.body.querySelectorAll("*")]
    .filter((el) => el.getClientRects().length && !el.closest(".sr-only, .skip"))
    .map((el) => ({el, box: el.getBoundingClientRect()}))
    .filter(({box}) => box.width > 0 && (box.right > width + 0.5 || box.left < -0.5))
    .map(({el, box}) => `${el.tagName}.${el.className} ${box.left | 0}–${box.right | 0}`);
}"""

# axe-core on the document, once loaded into it: serious and critical findings only.
AXE_RUN = """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
  .filter((v) => v.impact === "serious" || v.impact === "critical")
  .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => n.target.join(" "))}))"""


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
        # The harness names the user once her mailboxes are listed. The first sign-in of a
        # module waits for the backend's first Graph call (its client starting up: seconds on a
        # busy machine).
        expect(self.page.get_by_test_id("aangemeld")).to_contain_text("Aangemeld:", timeout=20_000)
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

    def at_width(self, pixels: int) -> Outlook:
        """The pane at ``pixels`` wide, once the harness has laid it out so."""
        self.pane_width(pixels)
        self.page.wait_for_function(
            "w => document.querySelector('#taakvenster').clientWidth === w", arg=pixels
        )
        return self

    def reload_pane(self) -> FrameLocator:
        """The pane loads again (Outlook reopens it): what it shows comes from the server."""
        frame = self.pane_frame()
        frame.goto(frame.url)
        return self.pane_loaded()

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


def fits_and_passes_axe(
    frame: Frame | Page, name: str, width: int, *, axe_source: str, shoot: Callable[[str], object]
) -> None:
    """The view as it is now: nothing wider than the page, no serious or critical axe finding;
    ``shoot(path_name)`` keeps a screenshot of it as a test artefact."""
    assert frame.evaluate(TOO_WIDE) == [], f"{name} at {width}px"
    sideways = frame.evaluate("document.documentElement.scrollWidth - innerWidth")
    assert sideways <= 0, f"{name} at {width}px scrolls sideways by {sideways}px"
    if not frame.evaluate("typeof axe !== 'undefined'"):
        frame.add_script_tag(content=axe_source)
    serious = frame.evaluate(AXE_RUN)
    assert serious == [], f"{name} at {width}px: " + json.dumps(serious, indent=1)[:2000]
    shoot(f"{name}-{width}.png")


def pane_checked(
    outlook: Outlook, name: str, width: int, *, artefacts: Path, axe_source: str
) -> None:
    """A view of the pane at ``width``: it fits, passes axe, and is kept as a screenshot."""
    pane = outlook.page.locator("#taakvenster")
    fits_and_passes_axe(
        outlook.pane_frame(),
        name,
        width,
        axe_source=axe_source,
        shoot=lambda file: pane.screenshot(path=artefacts / file),
    )


def page_checked(page: Page, name: str, width: int, *, artefacts: Path, axe_source: str) -> None:
    """A page of its own (the phone's) at ``width``: as ``pane_checked``, the whole page shot."""
    fits_and_passes_axe(
        page,
        name,
        width,
        axe_source=axe_source,
        shoot=lambda file: page.screenshot(path=artefacts / file, full_page=True),
    )
