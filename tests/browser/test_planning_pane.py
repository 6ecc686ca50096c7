"""Plannen in the browser: Karin plans a bestuurlijk overleg for the three wethouders from the
pane's Agenda, holds three options; a guest from the provincie answers on her phone (keyboard
only, axe clean, nothing of the other guest on her page); Karin's matrix shows it without a
reload, and she books the time that suits most."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.automations.planning.test_flows import JOOST, events_called, holds_of, links_sent
from tests.browser.outlook import Outlook, open_tab, page_checked, pane_checked, run_async
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import SECRETARY_B

KARIN = SECRETARY_B
TITLE = "Bestuurlijk overleg kustverdediging"


@pytest.fixture
def phone(browser: Browser, backend_url: str) -> Iterator[Page]:
    """A guest's phone (the CSP bypassed only so axe can be injected; the page has no script
    of its own, which the test checks first)."""
    context = browser.new_context(ignore_https_errors=True, locale="nl-NL",
                                  viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True, bypass_csp=True)  # fmt: skip
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.inject_scripts
def test_plan_hold_a_guest_answers_on_her_phone_and_book(
    outlook: Outlook, phone: Page, tenant: Tenant, backend_url: str, artefacts: Path,
    axe_source: str,
) -> None:  # fmt: skip
    outlook.sign_in(KARIN).open_mailbox("Joost Brinkhorst")
    outlook.page.locator("#items button").first.click()
    pane = outlook.pane_loaded()
    open_tab(pane, "agenda")
    pane.get_by_role("button", name="Nieuw overleg plannen…").click()
    form = pane.get_by_test_id("planning-nieuw")
    form.get_by_label("Titel").fill(TITLE)
    form.get_by_label("Fatima el Amrani").check()
    form.get_by_label("Pieter-Jan Hoekstra").check()
    form.get_by_label("Collega's van de gemeente").fill(
        "bas.kuipers@zeeveen.nl\nanouk.smits@zeeveen.nl optioneel"
    )
    form.get_by_label("Gasten van buiten").fill(
        "gs@kustland.example, Gedeputeerde Staten Kustland\n"
        "burgemeester@buurdorp.example, Gemeente Buurdorp"
    )
    form.get_by_label("Duur").select_option("90")
    form.get_by_label("dinsdag").check()  # the college meets on Tuesday
    outlook.at_width(360)
    pane_checked(outlook, "planning-nieuw", 360, artefacts=artefacts, axe_source=axe_source)
    form.get_by_role("button", name="Momenten zoeken").click()

    detail = pane.get_by_test_id("planning-detail")
    expect(detail.get_by_test_id("planning-status")).to_have_text("open")
    expect(detail.get_by_test_id("kandidaat")).to_have_count(8)
    expect(detail.get_by_test_id("kandidaat").first).to_contain_text("vrij")
    pane_checked(outlook, "planning-kandidaten", 360, artefacts=artefacts, axe_source=axe_source)
    detail.get_by_role("button", name="Opties plaatsen en gasten uitnodigen").click()
    expect(detail.get_by_test_id("planning-status")).to_have_text("opties geplaatst")
    matrix = detail.get_by_test_id("planning-matrix")
    expect(matrix.locator("thead th[data-optie]")).to_have_count(3)
    pane_checked(outlook, "planning-matrix", 360, artefacts=artefacts, axe_source=axe_source)

    links = run_async(links_sent(tenant, TITLE))
    phone.goto(f"{backend_url}/gast/{links['gs@kustland.example']}")
    expect(phone.get_by_test_id("gast-titel")).to_have_text(TITLE)
    assert "Buurdorp" not in phone.content() and "buurdorp" not in phone.content()
    assert phone.locator("script").count() == 0  # a plain form: works without script
    page_checked(phone, "gast", 360, artefacts=artefacts, axe_source=axe_source)
    boxes = phone.get_by_role("checkbox")
    expect(boxes).to_have_count(3)
    phone.keyboard.press("Tab")  # the skip link
    phone.keyboard.press("Tab")
    expect(boxes.nth(0)).to_be_focused()
    phone.keyboard.press("Tab")
    expect(boxes.nth(1)).to_be_focused()
    phone.keyboard.press("Space")
    phone.keyboard.press("Tab")
    phone.keyboard.press("Tab")
    expect(phone.get_by_role("button", name="Versturen")).to_be_focused()
    phone.keyboard.press("Enter")
    expect(phone.get_by_test_id("gast-opgeslagen")).to_be_visible()
    expect(phone.get_by_role("checkbox").nth(1)).to_be_checked()

    # The other guest answers on her own phone (tapping): the second and the third suit her.
    phone.goto(f"{backend_url}/gast/{links['burgemeester@buurdorp.example']}")
    assert "Kustland" not in phone.content() and "kustland" not in phone.content()
    phone.get_by_role("checkbox").nth(1).tap()
    phone.get_by_role("checkbox").nth(2).tap()
    phone.get_by_role("button", name="Versturen").tap()
    expect(phone.get_by_test_id("gast-opgeslagen")).to_be_visible()

    # Karin's matrix hears it (the "planning" event), no reload.
    guest_row = matrix.locator("tbody tr", has_text="Gedeputeerde Staten Kustland")
    expect(guest_row.get_by_test_id("matrix-cel").nth(1)).to_have_attribute("data-staat", "past")
    other = matrix.locator("tbody tr", has_text="Gemeente Buurdorp").get_by_test_id("matrix-cel")
    expect(other.nth(0)).to_have_attribute("data-staat", "past niet")
    expect(other.nth(2)).to_have_attribute("data-staat", "past")
    second = matrix.locator("thead th[data-optie]").nth(1).inner_text()
    detail.get_by_role("button", name=f"Boeken: {second}").click()
    expect(detail.get_by_test_id("planning-status")).to_have_text("geboekt")
    expect(detail.get_by_test_id("planning-geboekt")).to_contain_text("Joost Brinkhorst")
    assert run_async(holds_of(tenant, JOOST, TITLE)) == []
    [meeting] = run_async(events_called(tenant, JOOST, TITLE))
    assert meeting["isOrganizer"] is True
