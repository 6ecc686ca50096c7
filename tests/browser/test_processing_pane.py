"""Postverwerking in the pane: Monique marks two of the burgemeester's new mails "gezien" and
they leave Ellen's open list without a reload; the list fits 320 and 360 px and passes axe;
"Gezien" works from the keyboard alone, with the outcome read out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import FrameLocator, expect

from tests.browser.outlook import WIDTHS, Outlook, open_tab, pane_checked, run_async
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import SECRETARY_A, SECRETARY_A_FRIDAY
from tests.server.test_quicksteps_api import new_message

pytestmark = pytest.mark.inject_scripts

MONIQUE, ELLEN = SECRETARY_A, SECRETARY_A_FRIDAY


def new_mail(tenant: Tenant, subject: str) -> str:
    """A new mail to the burgemeester; returns its id."""
    return run_async(new_message(tenant, subject))


def subject_of(pane: FrameLocator, message_id: str) -> str:
    return pane.locator(f"[data-bericht='{message_id}'] .post-onderwerp").inner_text()


def postverwerking(outlook: Outlook, who: str) -> FrameLocator:
    outlook.sign_in(who).open_mailbox("Ingrid Zwanenburg")
    outlook.page.locator("#items button").first.click()
    pane = outlook.pane_loaded()
    open_tab(pane, "postverwerking")
    expect(pane.get_by_test_id("postverwerking")).to_be_visible()
    return pane


@pytest.mark.parametrize("width", WIDTHS)
def test_monique_marks_two_seen_and_they_leave_ellens_open_list(
    width: int, outlook: Outlook, colleague: Outlook, tenant: Tenant, artefacts: Path,
    axe_source: str,
) -> None:  # fmt: skip
    mails = [new_mail(tenant, f"Ter info {n} ({width})") for n in range(2)]
    theirs = postverwerking(colleague, ELLEN)
    for m in mails:
        expect(theirs.locator(f"[data-bericht='{m}']")).to_have_count(1)

    mine = postverwerking(outlook, MONIQUE)
    outlook.at_width(width).pane_loaded()
    pane_checked(outlook, "postverwerking", width, artefacts=artefacts, axe_source=axe_source)
    for m in mails:
        row = mine.locator(f"[data-bericht='{m}']")
        row.get_by_role("button", name=re.compile("^Gezien, niets te doen")).click()
        expect(row).to_have_count(0)
    expect(mine.get_by_test_id("melding")).to_contain_text("1 bericht gezien.")

    # Ellen's pane redraws by itself (the "processing" event), no reload.
    for m in mails:
        expect(theirs.locator(f"[data-bericht='{m}']")).to_have_count(0)
    handled = theirs.get_by_test_id("post-verwerkt")
    handled.locator("summary").click()
    for m in mails:
        how = handled.locator(f"[data-sleutel='klaar:{m}']").get_by_test_id("post-hoe")
        expect(how).to_contain_text("Gezien door Monique Verschuren")
    pane_checked(outlook, "postverwerking-gezien", width, artefacts=artefacts,
                 axe_source=axe_source)  # fmt: skip


def test_gezien_from_the_keyboard_alone(outlook: Outlook, tenant: Tenant) -> None:
    mail = new_mail(tenant, "Toetsenbord")
    pane = postverwerking(outlook, MONIQUE)
    subject = subject_of(pane, mail)
    pane.locator("#post-titel").focus()  # where the tab's content starts
    wanted = f"Gezien, niets te doen: {subject}"
    frame = outlook.pane_frame()
    for _ in range(200):
        outlook.page.keyboard.press("Tab")
        if frame.evaluate("document.activeElement.getAttribute('aria-label')") == wanted:
            break
    else:
        pytest.fail("the Gezien button was never reached with Tab")
    outlook.page.keyboard.press("Enter")
    expect(pane.locator(f"[data-bericht='{mail}']")).to_have_count(0)
    notice = pane.get_by_test_id("melding")
    expect(notice).to_contain_text("1 bericht gezien.")
    expect(notice).to_be_focused()
    expect(pane.locator("#aankondiging")).to_contain_text("1 bericht gezien.")
