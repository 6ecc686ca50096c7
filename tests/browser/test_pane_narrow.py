"""The pane laid out for Outlook's narrowest task pane (320 and 360 px): nothing wider than the
pane, the tabs on one line (the rest behind "Meer"), the selected message's summary above what
can be done with it, the quick steps' Fluent icons, one compact row per queue item; screenshots
as artefacts and axe without serious or critical findings.

The stories (meeting folder, calamity clear, re-planning, revise and resubmit, Laatste acties,
the phone page) run at both widths in their own files, every view checked with
``outlook.pane_checked`` / ``outlook.page_checked``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.outlook import TOO_WIDE, WIDTHS, Outlook, open_tab
from tests.browser.test_pane_looks import (
    admin_pane,
    agenda_pane,
    message_pane,
    queue_pane,
    serious_violations,
)
from tests.dates import TODAY, working_day
from tests.sandbox.graphclients import Tenant

pytestmark = pytest.mark.inject_scripts

# The tabs on the line: all at the same height, none cut off, the line itself one tab high.
TABS_ON_ONE_LINE = """() => {
  const row = document.querySelector("nav .tab-rij");
  const shown = [...row.querySelectorAll("a[data-view]")].filter((a) => !a.hidden);
  const tops = new Set(shown.map((a) => Math.round(a.getBoundingClientRect().top)));
  return {tops: tops.size, fits: row.scrollWidth <= row.clientWidth,
          height: document.querySelector("nav.tabs").getBoundingClientRect().height};
}"""


def at_width(outlook: Outlook, width: int) -> None:
    outlook.at_width(width).pane_loaded()


def check_layout(outlook: Outlook, name: str, width: int, artefacts: Path) -> None:
    frame = outlook.pane_frame()
    assert frame.evaluate(TOO_WIDE) == [], f"{name} at {width}px"
    tabs = frame.evaluate(TABS_ON_ONE_LINE)
    assert tabs["tops"] == 1 and tabs["fits"], f"{name} at {width}px: {tabs}"
    assert tabs["height"] < 56, f"{name} at {width}px: the tab bar is {tabs['height']}px high"
    frame.evaluate("window.scrollTo(0, 0)")  # the screenshot shows the top of the pane
    outlook.page.locator("#taakvenster").screenshot(path=artefacts / f"narrow-{name}-{width}.png")


@pytest.mark.parametrize("width", WIDTHS)
def test_bericht_shows_the_message_first_and_the_steps_with_their_icons(
    width: int, page: Page, backend_url: str, tenant: Tenant, artefacts: Path, axe_source: str
) -> None:
    outlook = Outlook(page, backend_url)
    message_pane(outlook, tenant)
    at_width(outlook, width)
    pane = outlook.pane
    summary = pane.get_by_test_id("samenvatting")
    steps = pane.locator("section.stappen")
    expect(steps.locator("button.stap").first).to_be_visible()
    order = outlook.pane_frame().evaluate(
        """() => [document.querySelector(".samenvatting").getBoundingClientRect().bottom,
                  document.querySelector("section.stappen").getBoundingClientRect().top]"""
    )
    assert order[0] <= order[1], f"the summary is above the quick steps: {order}"
    expect(summary.get_by_test_id("onderwerp")).not_to_be_empty()
    expect(summary.get_by_test_id("afzender")).not_to_be_empty()

    # Each step draws its Fluent icon from the vendored sprite; the icon is decorative.
    icons = steps.locator("button.stap svg.icoon")
    expect(icons).to_have_count(steps.locator("button.stap").count())
    drawn = outlook.pane_frame().evaluate(
        """() => [...document.querySelectorAll("button.stap svg.icoon")]
             .map((svg) => ({hidden: svg.getAttribute("aria-hidden"),
                             width: svg.querySelector("use").getBBox().width}))"""
    )
    assert all(d["hidden"] == "true" for d in drawn)
    assert sum(1 for d in drawn if d["width"] > 0) >= 1, f"no icon drawn: {drawn}"
    expect(steps.get_by_role("button", name="Ter afhandeling backoffice")).to_be_visible()

    check_layout(outlook, "bericht", width, artefacts)
    assert serious_violations(outlook.pane_frame(), axe_source) == []


@pytest.mark.parametrize("width", WIDTHS)
def test_agenda_fits(
    width: int,
    page: Page,
    backend_url: str,
    tenant: Tenant,
    artefacts: Path,
    axe_source: str,
    backend_day: Callable[..., None],
) -> None:
    backend_day(working_day(TODAY))
    outlook = Outlook(page, backend_url)
    agenda_pane(outlook, tenant)
    at_width(outlook, width)
    expect(outlook.pane.locator("nav a[aria-current='page']")).to_have_text("Agenda")
    check_layout(outlook, "agenda", width, artefacts)
    assert serious_violations(outlook.pane_frame(), axe_source) == []


@pytest.mark.parametrize("width", WIDTHS)
def test_werkvoorraad_has_one_compact_row_per_item_with_the_holders_initials(
    width: int, page: Page, backend_url: str, tenant: Tenant, artefacts: Path, axe_source: str
) -> None:
    outlook = Outlook(page, backend_url)
    queue_pane(outlook, tenant)
    at_width(outlook, width)
    pane = outlook.pane
    rows = pane.get_by_test_id("werk")
    expect(rows.first).to_be_visible()
    # Picking up is one icon button per row, named for its item; no row repeats the words.
    expect(pane.get_by_text("Ik pak dit op", exact=True)).to_have_count(0)
    free = rows.filter(has=pane.locator("button.knop-icoon")).first
    title = free.locator(".werk-titel").inner_text()
    pick_up = free.get_by_role("button", name="Ik pak dit op")
    expect(pick_up).to_have_attribute("aria-label", f"Ik pak dit op: {title}")
    expect(pick_up.locator("svg.icoon")).to_have_attribute("aria-hidden", "true")
    check_layout(outlook, "werkvoorraad", width, artefacts)

    pick_up.click()
    holder = rows.filter(has_text=title).get_by_test_id("claim")
    expect(holder).to_contain_text("U bent hiermee bezig")
    initials = holder.locator(".initialen")
    expect(initials).to_have_text("MV")  # Monique Verschuren
    expect(initials).to_have_attribute("title", "U bent hiermee bezig")
    check_layout(outlook, "werkvoorraad-opgepakt", width, artefacts)
    assert serious_violations(outlook.pane_frame(), axe_source) == []


@pytest.mark.parametrize("width", WIDTHS)
def test_beheer_is_reached_through_the_tabs_and_fits(
    width: int, page: Page, backend_url: str, tenant: Tenant, artefacts: Path, axe_source: str
) -> None:
    outlook = Outlook(page, backend_url)
    admin_pane(outlook, tenant)
    expect(outlook.pane.locator("nav a[aria-current='page']")).to_have_text("Beheer")
    at_width(outlook, width)
    check_layout(outlook, "beheer", width, artefacts)
    assert serious_violations(outlook.pane_frame(), axe_source) == []


def test_the_tabs_that_do_not_fit_are_behind_meer_and_keyboard_operable(
    page: Page, backend_url: str, tenant: Tenant
) -> None:
    outlook = Outlook(page, backend_url)
    admin_pane(outlook, tenant)  # five tabs: an admin with a message selected
    open_tab(outlook.pane, "bericht")
    at_width(outlook, 320)
    pane = outlook.pane
    more = pane.get_by_role("button", name="Meer")
    expect(more).to_be_visible()
    expect(more).to_have_attribute("aria-expanded", "false")
    hidden = pane.locator("nav .tab-menu a[data-view]:not([hidden])")
    expect(hidden.first).to_be_attached()
    view = hidden.last.get_attribute("data-view")

    more.focus()
    outlook.page.keyboard.press("Enter")
    expect(more).to_have_attribute("aria-expanded", "true")
    expect(hidden.first).to_be_focused()
    outlook.page.keyboard.press("Escape")
    expect(more).to_have_attribute("aria-expanded", "false")
    expect(more).to_be_focused()

    outlook.page.keyboard.press("Enter")
    outlook.page.keyboard.press("Shift+Tab")  # back to the button…
    outlook.page.keyboard.press("Tab")  # …and into the menu again
    for _ in range(hidden.count() - 1):
        outlook.page.keyboard.press("Tab")
    expect(pane.locator(f"nav a[data-view='{view}']")).to_be_focused()
    outlook.page.keyboard.press("Enter")
    current = pane.locator("nav .tab-rij a[aria-current='page']")
    expect(current).to_have_attribute("data-view", view)  # the chosen tab comes onto the line
    expect(more).to_have_attribute("aria-expanded", "false")
    assert outlook.pane_frame().evaluate(TABS_ON_ONE_LINE)["fits"]
