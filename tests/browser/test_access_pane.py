"""Toegang controleren in the harness: a secretary whose rights on an executive's Drafts are
missing signs in and finds a notice above her first view; it opens the view with ✓/✗ per
executive and what to ask IT, which fits Outlook's narrow pane and passes axe; once IT fixed it,
"Opnieuw controleren" says all is well. With every right, there is no notice, and the footer
opens the check on demand."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from automations.doctor.access import SUBJECT
from sandbox.server import RunningSandbox
from tests.browser.outlook import WIDTHS, Outlook, inbox, pane_checked, run_async
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import (
    BURGEMEESTER,
    GEMEENTESECRETARIS,
    SECRETARY_A_FRIDAY,
    SECRETARY_B,
    WETHOUDERS,
)
from tests.sandbox.test_mailbox_permissions import delegate_rights

pytestmark = pytest.mark.inject_scripts

REVIEWER = {"mail": "reviewer", "calendar": "editor"}  # reads her mail, may change nothing


def test_drafts_rights_missing_show_a_notice_and_the_view_says_what_to_ask_it(
    outlook: Outlook, tenant: Tenant, running: RunningSandbox, artefacts: Path, axe_source: str
) -> None:
    newest = inbox(tenant, BURGEMEESTER)[0]["subject"]
    with delegate_rights(running, BURGEMEESTER, SECRETARY_A_FRIDAY, REVIEWER):
        outlook.sign_in(SECRETARY_A_FRIDAY).open_mailbox("Ingrid Zwanenburg").select(newest)
        pane = outlook.pane_loaded()

        notice = pane.get_by_test_id("toegang-melding")
        expect(notice).to_contain_text("Uw toegang is niet compleet", timeout=20_000)
        expect(notice).to_contain_text("Ingrid Zwanenburg: Concept schrijven.")
        expect(pane.get_by_test_id("onderwerp")).to_have_text(newest)  # the view stays below
        outlook.page.locator("#taakvenster").screenshot(path=artefacts / "toegang-melding.png")

        notice.get_by_role("button", name="Toegang controleren").click()
        view = pane.get_by_test_id("toegang")
        expect(view.get_by_role("heading", name="Toegang controleren")).to_be_focused()
        ingrid = view.locator(f"[data-executive='{BURGEMEESTER}']")
        expect(ingrid.get_by_role("heading")).to_have_text("Ingrid Zwanenburg")
        expect(ingrid.locator("li[data-capability='drafts']")).to_have_attribute(
            "data-status", "refused"
        )
        expect(ingrid.locator("li[data-capability='drafts']")).to_contain_text("geweigerd")
        expect(ingrid.get_by_test_id("vraag-it")).to_contain_text(
            f'Add-MailboxFolderPermission -Identity "{BURGEMEESTER}:\\Concepten" -User'
            f" {SECRETARY_A_FRIDAY} -AccessRights Editor"
        )
        maarten = view.locator(f"[data-executive='{GEMEENTESECRETARIS}']")
        expect(maarten.locator("li[data-status='ok']")).to_have_count(3)
        for width in WIDTHS:
            outlook.at_width(width)
            pane_checked(outlook, "toegang", width, artefacts=artefacts, axe_source=axe_source)

    view.get_by_role("button", name="Opnieuw controleren").click()  # IT has fixed it
    outcome = pane.get_by_test_id("toegang-uitkomst")
    expect(outcome).to_contain_text("Alles in orde")
    expect(outcome).to_be_focused()
    expect(pane.locator("li[data-capability][data-status='ok']")).to_have_count(6)
    assert run_async(left_in(tenant, BURGEMEESTER)) == []


def test_with_every_right_there_is_no_notice_and_the_footer_opens_the_check(
    outlook: Outlook, tenant: Tenant
) -> None:
    joost = WETHOUDERS[0]
    outlook.sign_in(SECRETARY_B).open_mailbox("Joost Brinkhorst")
    pane = outlook.select(inbox(tenant, joost)[0]["subject"]).pane_loaded()

    pane.get_by_role("contentinfo").get_by_role("button", name="Toegang controleren").click()

    expect(pane.get_by_test_id("toegang-uitkomst")).to_contain_text("Alles in orde")
    expect(pane.get_by_test_id("toegang-bestuurder")).to_have_count(3)
    expect(pane.locator("li[data-capability][data-status='ok']")).to_have_count(9)
    expect(pane.get_by_test_id("toegang-melding")).to_have_count(0)
    assert run_async(left_in(tenant, joost)) == []


async def left_in(tenant: Tenant, executive: str) -> list[dict]:
    """The check's test drafts still in the executive's mailbox, as she reads it herself."""
    async with tenant.raw(executive) as graph:
        answer = await graph.get(
            f"/users/{executive}/messages",
            params={"$filter": f"subject eq '{SUBJECT}'", "$select": "id"},
        )
    answer.raise_for_status()
    return answer.json()["value"]
