"""Each pane at Outlook's narrow and wide task pane widths: screenshots (test artefacts), no
sideways scrolling at 320 px, and no serious or critical accessibility violations (axe-core)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Frame, Page, expect

from tests.browser.outlook import Outlook, inbox, open_tab, plant, run_async
from tests.browser.test_approvals_pane import prepared
from tests.dates import TODAY, working_day
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import ADMIN, BURGEMEESTER, SECRETARY_A
from tests.server.test_approvals_api import mail_from_hans

WIDTHS = (320, 800)
pytestmark = pytest.mark.inject_scripts


def serious_violations(frame: Frame | Page, axe_source: str) -> list[dict]:
    frame.add_script_tag(content=axe_source)
    found = frame.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.map(n => n.target.join(" "))}))"""
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


def message_pane(outlook: Outlook, tenant: Tenant) -> None:
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg")
    outlook.select(inbox(tenant, BURGEMEESTER)[0]["subject"])


def agenda_pane(outlook: Outlook, tenant: Tenant) -> None:
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg").show("Dag")
    outlook.page.locator("#items button").first.click()


def clear_pane(outlook: Outlook, tenant: Tenant) -> None:
    """The calamity clear's preview: every item with its action, the messages, the button."""
    agenda_pane(outlook, tenant)
    pane = outlook.pane_loaded()
    pane.get_by_role("group", name="Periode").get_by_role("button", name="Deze week").click()
    expect(pane.get_by_test_id("leegmaken-item").first).to_be_visible()


def meeting_folder_pane(outlook: Outlook, tenant: Tenant) -> None:
    """Naar vergadermap: the meeting and agenda item pickers, attachments, options."""
    _, subject = run_async(mail_from_hans(tenant, "Vergaderstukken", attach=True))
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg").select(subject)
    outlook.pane_loaded().get_by_role("button", name="Naar vergadermap…").click()
    expect(outlook.pane.get_by_label("Vergadering")).to_be_visible()


def queue_pane(outlook: Outlook, tenant: Tenant) -> None:
    """Werkvoorraad: the team, the filters, the items with their actions."""
    prepared(tenant, outlook.base_url, "In de werkvoorraad")
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg")
    outlook.page.locator("#items button").first.click()
    open_tab(outlook.pane_loaded(), "werkvoorraad")
    expect(outlook.pane.get_by_test_id("team")).to_be_visible()


def handover_pane(outlook: Outlook, tenant: Tenant) -> None:
    """Overdracht: per executive what is open, due tomorrow, decided today; mail buttons."""
    queue_pane(outlook, tenant)
    outlook.pane.get_by_role("button", name=re.compile("^Overdracht voor")).click()
    expect(outlook.pane.get_by_test_id("overdracht")).to_be_visible()


def admin_pane(outlook: Outlook, tenant: Tenant) -> None:
    plant(tenant, ADMIN, {"subject": "Rooster"}, as_user=ADMIN)
    outlook.sign_in(ADMIN).open_mailbox("Mijn postvak").select("Rooster")
    open_tab(outlook.pane_loaded(), "beheer")


def error_pane(outlook: Outlook, tenant: Tenant) -> None:
    """A colleague deleted the message meanwhile: the pane says so when it reloads."""
    plant(tenant, BURGEMEESTER, {"subject": "Wordt zo verwijderd"}, as_user=SECRETARY_A)
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg").select("Wordt zo verwijderd")
    outlook.pane_loaded()
    message_id = outlook.page.locator("#items button[aria-current]").get_attribute("data-id")

    async def delete() -> None:
        async with tenant.raw(SECRETARY_A) as graph:
            url = f"/users/{BURGEMEESTER}/messages/{message_id}"
            for _ in range(2):  # to Deleted Items, then out of it (Graph keeps the id until then)
                (await graph.delete(url)).raise_for_status()

    run_async(delete())
    outlook.pane.locator("nav a[data-view='bericht']").click()
    alert = outlook.pane.get_by_role("alert")
    expect(alert).to_contain_text("Niet gevonden")
    expect(alert).to_contain_text("misschien verwijderd of verplaatst")


def draft_pane(outlook: Outlook, tenant: Tenant) -> None:
    """A secretary prepares an answer: the editable text, attachments, the note."""
    _, subject = run_async(mail_from_hans(tenant, "Breed en smal", attach=True))
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg").select(subject)
    outlook.pane_loaded().get_by_role("button", name="Concept opstellen").click()
    expect(outlook.pane.get_by_role("textbox", name="Tekst van het antwoord")).to_be_visible()


def approval_pane(outlook: Outlook, tenant: Tenant) -> None:
    """The executive in her own mailbox opens a draft waiting for her."""
    approval = prepared(tenant, outlook.base_url, "Ter beoordeling in Outlook")
    outlook.sign_in(BURGEMEESTER).open_mailbox("Mijn postvak")
    outlook.page.locator("#items button").first.click()
    open_tab(outlook.pane_loaded(), "goedkeuren")
    outlook.pane.get_by_test_id("goedkeuring").filter(has_text=approval["exact"]).click()
    expect(outlook.pane.get_by_test_id("concept")).to_be_visible()


PANES: dict[str, Callable[[Outlook, Tenant], None]] = {
    "bericht": message_pane,
    "concept": draft_pane,
    "goedkeuren": approval_pane,
    "agenda": agenda_pane,
    "leegmaken": clear_pane,
    "vergadermap": meeting_folder_pane,
    "werkvoorraad": queue_pane,
    "overdracht": handover_pane,
    "beheer": admin_pane,
    "fout": error_pane,
}


# Panes that open on an appointment of the day: the backend is put on a working day.
ON_A_WORKING_DAY = {"agenda", "leegmaken"}


@pytest.mark.parametrize("name", PANES)
def test_each_pane_reads_well_narrow_and_wide_and_passes_axe(
    name: str,
    page: Page,
    backend_url: str,
    tenant: Tenant,
    artefacts: Path,
    axe_source: str,
    backend_day: Callable[..., None],
) -> None:
    if name in ON_A_WORKING_DAY:
        backend_day(working_day(TODAY))
    outlook = Outlook(page, backend_url)
    PANES[name](outlook, tenant)
    for width in WIDTHS:
        outlook.pane_width(width)
        frame = outlook.pane_frame()
        outlook.pane_loaded()
        page.wait_for_function(
            "w => document.querySelector('#taakvenster').clientWidth === w", arg=width
        )
        outlook.page.locator("#taakvenster").screenshot(path=artefacts / f"pane-{name}-{width}.png")
        sideways = frame.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert sideways <= 0, f"{name} at {width}px scrolls sideways by {sideways}px"
    assert serious_violations(outlook.pane_frame(), axe_source) == []


def test_the_help_page_passes_axe(page: Page, backend_url: str, axe_source: str) -> None:
    page.goto(f"{backend_url}/help")
    expect(page.get_by_role("heading", level=1)).to_have_text("Secretariaat in Outlook")
    assert serious_violations(page, axe_source) == []
