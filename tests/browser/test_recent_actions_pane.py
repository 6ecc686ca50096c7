"""At 360 px: a quick step moves the mail, Outlook selects another, and "Laatste acties" still
offers to undo it; the undo puts the mail back (read from the sandbox). Nothing is wider than
the pane."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.outlook import Outlook, plant
from tests.browser.test_meetings_pane import WIDER
from tests.browser.test_quicksteps_pane import message_id, read
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A

MOVED = "Verzoek om een gesprek over de <b>kermis</b> en de bijbehorende vergunningen"
OTHER = "Vraag over de openingstijden van het gemeentehuis"


def test_undo_stays_in_laatste_acties_after_the_selection_moves(
    outlook: Outlook, tenant: Tenant
) -> None:
    plant(tenant, BURGEMEESTER, {"subject": OTHER}, as_user=SECRETARY_A)
    plant(tenant, BURGEMEESTER, {"subject": MOVED}, as_user=SECRETARY_A)
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg").pane_width(360)
    outlook.select(MOVED)
    pane = outlook.pane_loaded()
    moved = message_id(outlook)
    before = read(tenant, f"/users/{BURGEMEESTER}/messages/{moved}")

    steps = pane.get_by_role("region", name="Snelle stappen")
    steps.get_by_role("button", name=re.compile("Afgehandeld")).click()
    pane.get_by_role("button", name="Toepassen").click()
    expect(pane.get_by_role("status").filter(has_text="Afgehandeld: klaar")).to_be_visible()
    assert (
        read(tenant, f"/users/{BURGEMEESTER}/messages/{moved}")["parentFolderId"]
        != (before["parentFolderId"])
    )

    outlook.loaded().select(OTHER)
    expect(pane.get_by_test_id("onderwerp")).to_have_text(OTHER)
    recent = pane.get_by_role("region", name="Laatste acties")
    line = recent.get_by_test_id("laatste-actie").filter(has_text="Snelle stap ‘Afgehandeld’")
    expect(line).to_contain_text(MOVED)
    expect(line).to_contain_text("ik")
    expect(line.get_by_role("button", name=re.compile("^Ongedaan maken"))).to_be_visible()
    assert outlook.pane_frame().evaluate(WIDER) == []

    line.get_by_role("button", name=re.compile("^Ongedaan maken")).click()
    expect(recent.get_by_test_id("laatste-acties-uitkomst")).to_contain_text("Teruggezet")
    expect(line.get_by_role("button")).to_have_count(0)
    expect(line).to_contain_text("ongedaan gemaakt door mij")
    undo_line = recent.get_by_test_id("laatste-actie").filter(has_text="Ongedaan gemaakt:")
    expect(undo_line).to_contain_text(MOVED)
    back = read(tenant, f"/users/{BURGEMEESTER}/messages/{moved}")
    assert (back["parentFolderId"], back["categories"]) == (
        before["parentFolderId"],
        before["categories"],
    )
    assert outlook.pane_frame().evaluate(WIDER) == []
