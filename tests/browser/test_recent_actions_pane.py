"""At 320 and 360 px: a quick step moves the mail, Outlook selects another and opens the pane
again, and "Laatste acties" still offers to undo it; the undo puts the mail back (read from the
sandbox). Every view fits the pane and passes axe."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.outlook import WIDTHS, Outlook, pane_checked, plant
from tests.browser.test_quicksteps_pane import message_id, read
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A

MOVED = "Verzoek om een gesprek over de <b>kermis</b> en de bijbehorende vergunningen"
OTHER = "Vraag over de openingstijden van het gemeentehuis"


@pytest.mark.inject_scripts
@pytest.mark.parametrize("width", WIDTHS)
def test_undo_stays_in_laatste_acties_after_the_selection_moves_and_a_reload(
    width: int, outlook: Outlook, tenant: Tenant, artefacts: Path, axe_source: str
) -> None:
    moved, other = f"{MOVED} ({width})", f"{OTHER} ({width})"  # this width's own messages
    plant(tenant, BURGEMEESTER, {"subject": other}, as_user=SECRETARY_A)
    plant(tenant, BURGEMEESTER, {"subject": moved}, as_user=SECRETARY_A)
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg").pane_width(width)
    outlook.select(moved)
    pane = outlook.pane_loaded()
    outlook.at_width(width)
    checked = {"artefacts": artefacts, "axe_source": axe_source}
    moved_id = message_id(outlook)
    before = read(tenant, f"/users/{BURGEMEESTER}/messages/{moved_id}")

    steps = pane.get_by_role("region", name="Snelle stappen")
    steps.get_by_role("button", name=re.compile("Afgehandeld")).click()
    pane.get_by_role("button", name="Toepassen").click()
    expect(pane.get_by_role("status").filter(has_text="Afgehandeld: klaar")).to_be_visible()
    assert (
        read(tenant, f"/users/{BURGEMEESTER}/messages/{moved_id}")["parentFolderId"]
        != (before["parentFolderId"])
    )
    pane_checked(outlook, "laatste-acties-stap", width, **checked)

    outlook.loaded().select(other)
    expect(pane.get_by_test_id("onderwerp")).to_have_text(other)
    recent = pane.get_by_role("region", name="Laatste acties")
    line = (
        recent.get_by_test_id("laatste-actie")
        .filter(has_text="Snelle stap ‘Afgehandeld’")
        .filter(has_text=moved)
    )
    expect(line).to_contain_text("ik")
    undo = line.get_by_role("button", name=re.compile("^Ongedaan maken"))
    expect(undo).to_be_visible()
    pane_checked(outlook, "laatste-acties", width, **checked)

    outlook.reload_pane()  # Outlook opens the pane again: the list comes from the server
    expect(pane.get_by_test_id("onderwerp")).to_have_text(other)
    expect(undo).to_be_visible()

    undo.click()
    expect(recent.get_by_test_id("laatste-acties-uitkomst")).to_contain_text("Teruggezet")
    expect(line.get_by_role("button")).to_have_count(0)
    expect(line).to_contain_text("ongedaan gemaakt door mij")
    undo_line = recent.get_by_test_id("laatste-actie").filter(has_text="Ongedaan gemaakt:")
    expect(undo_line.filter(has_text=moved)).to_have_count(1)
    back = read(tenant, f"/users/{BURGEMEESTER}/messages/{moved_id}")
    assert (back["parentFolderId"], back["categories"]) == (
        before["parentFolderId"],
        before["categories"],
    )
    pane_checked(outlook, "laatste-acties-teruggezet", width, **checked)


def test_the_pane_opens_at_the_message_not_at_laatste_acties(
    outlook: Outlook, tenant: Tenant
) -> None:
    """Laatste acties loads itself after the pane opens: it must not take the focus, or the
    pane scrolls down past the message she opened it for."""
    subject = "Uitnodiging opening van het nieuwe zwembad"
    plant(tenant, BURGEMEESTER, {"subject": subject}, as_user=SECRETARY_A)
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg").pane_width(360)
    outlook.select(subject)
    pane = outlook.pane_loaded()
    recent = pane.get_by_role("region", name="Laatste acties")
    expect(recent.get_by_text("Laatste acties worden geladen…")).to_have_count(0)
    frame = outlook.pane_frame()
    inside = frame.evaluate("() => !!document.activeElement.closest('#laatste-acties')")
    scrolled = frame.evaluate("() => document.scrollingElement.scrollTop")
    assert not inside and scrolled == 0
    expect(pane.get_by_test_id("onderwerp")).to_be_in_viewport()
