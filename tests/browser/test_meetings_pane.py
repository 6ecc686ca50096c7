"""The back office files meeting documents from the pane: two attachments of a message into a
new agenda item of the college meeting the calendar offers, then the meeting's overview; at
320 and 360 px a college mail finds the college meeting preselected (once in the list), its
documents go in, and the overview gives its ZIP; each view fits the pane and passes axe."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.outlook import WIDTHS, Outlook, pane_checked, run_async
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import SECRETARY_A
from tests.server.test_meetings_api import docx, mail, pdf


def test_push_two_attachments_into_an_agenda_item_and_see_them_in_the_overview(
    outlook: Outlook, tenant: Tenant
) -> None:
    files = [("Raadsvoorstel Marktplein.pdf", pdf(40 * 1024)), ("Bijlage 1.docx", docx(20 * 1024))]
    run_async(mail(tenant, files, subject="Stukken Marktplein"))
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg").select("Stukken Marktplein")
    pane = outlook.pane_loaded()
    pane.get_by_role("button", name="Naar vergadermap…").click()

    meeting = pane.get_by_label("Vergadering")
    expect(meeting).to_be_visible()
    college = meeting.locator("option", has_text="Collegevergadering (uit de agenda)").first
    meeting.select_option(college.get_attribute("value"))
    expect(pane.locator("#vergadermap-uitkomst")).to_have_attribute("aria-busy", "false")
    expect(pane.get_by_label("Agendapunt", exact=True)).to_have_value("")  # new: no items yet
    pane.get_by_label("Nieuw agendapunt (titel)").fill("Herinrichting Marktplein")
    expect(pane.get_by_role("checkbox", name="Raadsvoorstel Marktplein.pdf")).to_be_checked()
    expect(pane.get_by_role("checkbox", name="Bijlage 1.docx")).to_be_checked()
    pane.get_by_role("button", name="In vergadermap zetten").click()

    outcome = pane.get_by_test_id("vergadermap-uitkomst")
    expect(outcome).to_contain_text("01-Herinrichting Marktplein-Raadsvoorstel Marktplein.pdf")
    expect(outcome).to_contain_text("01-Herinrichting Marktplein-Bijlage 1.docx")
    outcome.get_by_role("button", name="Overzicht van de vergadering").click()
    item = pane.get_by_test_id("agendapunt").filter(has_text="Herinrichting Marktplein")
    expect(item.locator("li")).to_have_count(2)
    expect(pane.get_by_test_id("vergadermap-overzicht")).to_contain_text("College van B&W")


def test_a_meeting_made_in_the_pane_by_hand(outlook: Outlook, tenant: Tenant) -> None:
    run_async(mail(tenant, [("Notulen.pdf", pdf(10 * 1024))], subject="Notulen werkbezoek"))
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg").select("Notulen werkbezoek")
    pane = outlook.pane_loaded()
    pane.get_by_role("button", name="Naar vergadermap…").click()
    meeting = pane.get_by_label("Vergadering")
    meeting.select_option("nieuw")
    expect(pane.locator("#vergadermap-uitkomst")).to_have_attribute("aria-busy", "false")
    pane.get_by_label("Soort").select_option("directie")
    pane.get_by_label("Datum").fill("2026-12-15")
    pane.get_by_label("Titel", exact=True).fill("Extra MT-overleg")
    pane.get_by_label("Nieuw agendapunt (titel)").fill("Werkbezoek")
    pane.get_by_role("button", name="In vergadermap zetten").click()
    outcome = pane.get_by_test_id("vergadermap-uitkomst")
    expect(outcome).to_contain_text("01-Werkbezoek-Notulen.pdf")
    outcome.get_by_role("button", name="Overzicht van de vergadering").click()
    expect(pane.get_by_test_id("vergadermap-overzicht")).to_contain_text("Extra MT-overleg")


# Elements whose right edge lies beyond the pane (hidden ones have no box and do not count);
# test_beheer_pane.py uses it too. The stories here use outlook.TOO_WIDE (pane_checked).
WIDER = """() => [...document.querySelectorAll("body *")]
  .filter((e) => e.getClientRects().length && e.getBoundingClientRect().right > innerWidth + 0.5)
  .map((e) => e.tagName + (e.id ? "#" + e.id : "") + " " + (e.textContent || "").slice(0, 40))"""


@pytest.mark.inject_scripts
@pytest.mark.parametrize("width", WIDTHS)
def test_narrow_a_college_mail_finds_the_college_meeting_chosen_and_its_zip(
    width: int, outlook: Outlook, tenant: Tenant, artefacts: Path, axe_source: str
) -> None:
    subject = f"Raadsvoorstel Marktplein {width}: versie voor het college"
    run_async(mail(tenant, [("Raadsvoorstel Marktplein.pdf", pdf(30 * 1024))], subject=subject))
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg").pane_width(width)
    outlook.select(subject)
    pane = outlook.pane_loaded()
    outlook.at_width(width)
    pane.get_by_role("button", name="Naar vergadermap…").click()

    meeting = pane.get_by_label("Vergadering")
    expect(meeting).to_be_visible()
    chosen = meeting.locator("option:checked")
    expect(chosen).to_contain_text("College van B&W")
    # the nearest college meeting: the first of the list, which has it once
    assert meeting.evaluate("s => s.selectedIndex") == 0
    dates = meeting.locator("option").evaluate_all("os => os.map((o) => o.textContent)")
    assert len(dates) == len(set(dates))
    expect(pane.get_by_test_id("voorstel")).to_contain_text("Voorgesteld: Collegevergadering")
    expect(pane.get_by_test_id("voorstel")).to_contain_text("past bij het onderwerp")
    place = pane.get_by_test_id("plaatsen")
    expect(place).to_contain_text("College van B&W")
    item = f"Marktplein {width}"
    pane.get_by_label("Nieuw agendapunt (titel)").fill(item)
    expect(place).to_contain_text(f"nieuw agendapunt „{item}”")
    checked = {"artefacts": artefacts, "axe_source": axe_source}
    pane_checked(outlook, "vergadermap-kiezen", width, **checked)

    place.click()
    outcome = pane.get_by_test_id("vergadermap-uitkomst")
    expect(outcome).to_contain_text(f"-{item}-Raadsvoorstel Marktplein.pdf")  # 01, or after
    pane_checked(outlook, "vergadermap-uitkomst", width, **checked)
    outcome.get_by_role("button", name="Overzicht van de vergadering").click()
    overview = pane.get_by_test_id("vergadermap-overzicht")
    expect(
        overview.get_by_role("link", name=re.compile(rf"\d\d-{item}-Raadsvoorstel Marktplein\.pdf"))
    ).to_have_attribute("href", re.compile(r"^https://.*sharepoint"))
    pane_checked(outlook, "vergadermap-overzicht", width, **checked)
    with outlook.page.expect_download() as download:
        overview.get_by_role("link", name="Download als ZIP").click()
    assert download.value.suggested_filename.endswith("Collegevergadering.zip")
