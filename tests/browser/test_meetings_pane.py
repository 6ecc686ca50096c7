"""The back office files meeting documents from the pane: two attachments of a message into a
new agenda item of the college meeting the calendar offers, then the meeting's overview."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.outlook import Outlook, run_async
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
