"""One claim per piece of work, in two browsers: what Monique picked up in the work queue is
the mail Ellen opens in Bericht; when Ellen takes it over there, Monique's open queue names
Ellen, and Monique's Bericht asks before she takes it back."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.browser.outlook import Outlook
from tests.browser.test_queue_pane import COLLEAGUE, waiting_draft, werkvoorraad
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import SECRETARY_A


def test_taking_over_a_mail_on_bericht_moves_the_claim_on_its_queue_item(
    outlook: Outlook, browser: Browser, backend_url: str, tenant: Tenant
) -> None:
    subject = waiting_draft(tenant, backend_url, "Eén stuk werk in de pane")
    mine = werkvoorraad(outlook, SECRETARY_A)
    row = mine.get_by_test_id("werk").filter(has_text=subject)
    row.get_by_role("button", name="Ik pak dit op").click()
    expect(
        mine.get_by_test_id("werk").filter(has_text=subject).get_by_test_id("claim")
    ).to_have_text(re.compile("U bent hiermee bezig"))

    other_context = browser.new_context(ignore_https_errors=True, locale="nl-NL",
                                        viewport={"width": 1400, "height": 900})  # fmt: skip
    try:
        other = Outlook(other_context.new_page(), backend_url)
        other.sign_in(COLLEAGUE).open_mailbox("Ingrid Zwanenburg").select(subject)
        theirs = other.pane_loaded()
        strip = theirs.get_by_test_id("bezig")
        expect(strip).to_contain_text("Monique Verschuren is hiermee bezig")  # the draft's item
        strip.get_by_role("button", name="Overnemen…").click()
        theirs.get_by_test_id("bezig").get_by_role("button", name="Toch overnemen").click()
        expect(theirs.get_by_test_id("bezig")).to_contain_text("U bent hiermee bezig")

        # Monique's open queue names Ellen on the same item, without reloading.
        held = mine.get_by_test_id("werk").filter(has_text=subject)
        expect(held.get_by_test_id("claim")).to_have_text(
            re.compile(r"Ellen Dijkhuis is hiermee bezig \(sinds \d\d:\d\d\)"), timeout=10_000
        )
        expect(held.get_by_role("button", name="Ik pak dit op")).to_have_count(0)

        # On Bericht, Monique is asked before she takes the mail back.
        outlook.pane_loaded().locator("nav a[data-view='bericht']").click()
        outlook.select(subject)
        back = outlook.pane_loaded().get_by_test_id("bezig")
        expect(back).to_contain_text("Ellen Dijkhuis is hiermee bezig")
        back.get_by_role("button", name="Overnemen…").click()
        asked = outlook.pane_loaded().get_by_test_id("bezig")
        expect(asked.get_by_role("button", name="Toch overnemen")).to_be_visible()
        expect(theirs.get_by_test_id("bezig")).to_contain_text("U bent hiermee bezig")
    finally:
        other_context.close()
