"""Beheer in the harness: the admin's own mailbox is empty, so she opens the pane with nothing
selected (as Outlook allows with SupportsNoItemContext) and works there at 360 px."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import FrameLocator, expect

from tests.browser.outlook import Outlook, open_tab, plant
from tests.browser.test_meetings_pane import WIDER
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import ADMIN, SECRETARY_A


def open_without_item(outlook: Outlook) -> FrameLocator:
    outlook.page.get_by_role("button", name="Secretariaat openen zonder item").click()
    return outlook.pane_loaded()


def test_the_admin_opens_the_pane_with_nothing_selected_and_reaches_beheer(
    outlook: Outlook,
) -> None:
    outlook.sign_in(ADMIN).open_mailbox("Mijn postvak")
    pane = open_without_item(outlook)
    nav = pane.locator("nav")

    expect(nav.locator("a[aria-current='page']")).to_have_text("Werkvoorraad")
    expect(nav.locator("a[data-view='bericht']")).to_be_hidden()  # about an item: none here
    expect(pane.locator("#context")).to_contain_text(ADMIN)
    open_tab(pane, "beheer")  # on the line, or behind "Meer" when it does not fit
    expect(pane.locator("#rooster-titel")).to_have_text("Rooster van vandaag")


def test_without_an_item_a_secretary_sees_no_beheer_and_bericht_returns_with_a_message(
    outlook: Outlook, tenant: Tenant
) -> None:
    plant(tenant, SECRETARY_A, {"subject": "Later gekozen"}, as_user=SECRETARY_A)
    outlook.sign_in(SECRETARY_A).open_mailbox("Mijn postvak")
    pane = open_without_item(outlook)
    nav = pane.locator("nav")
    expect(nav).to_have_attribute("data-rol", "secretary")  # the role check has run
    expect(nav.locator("a[data-view='beheer']")).to_be_hidden()
    expect(nav.locator("a[data-view='bericht']")).to_be_hidden()
    expect(nav.locator("a[aria-current='page']")).to_have_text("Werkvoorraad")

    outlook.select("Later gekozen")  # the pinned pane follows the selection
    expect(nav.locator("a[data-view='bericht']")).to_be_visible()
    expect(nav.locator("a[aria-current='page']")).to_have_text("Bericht")
    expect(pane.get_by_test_id("onderwerp")).to_have_text("Later gekozen")


def test_at_360_px_the_admin_dry_runs_a_job_and_sees_a_yaml_error_beside_its_line(
    outlook: Outlook, artefacts: Path
) -> None:
    outlook.sign_in(ADMIN).open_mailbox("Mijn postvak").pane_width(360)
    pane = open_without_item(outlook)
    open_tab(pane, "beheer")
    frame = outlook.pane_frame()

    job = pane.locator("[data-taak='expired-holds']")
    expect(job.get_by_role("heading")).to_have_text("Verlopen opties vrijgeven")
    job.get_by_role("button", name="Proefdraai").click()
    outcome = job.get_by_test_id("taak-uitkomst")
    expect(outcome).to_contain_text("Proefdraai: Verlopen opties vrijgeven")
    expect(outcome).to_contain_text("Er is niets veranderd")
    expect(outcome).to_contain_text("Ingrid Zwanenburg")
    assert frame.evaluate(WIDER) == []

    text = pane.get_by_label("Het hele bestand (YAML)")
    expect(text).to_have_value(re.compile("due: tomorrow"))
    original = text.input_value()
    editor = pane.locator("[data-yaml-editor]").filter(has=text)
    numbers = editor.locator(".yaml-regels span")
    expect(numbers).to_have_count(original.count("\n") + 1)  # a number per line of the file

    bad = original.replace("due: tomorrow", "due: gisteren", 1)
    line = bad[: bad.index("gisteren")].count("\n") + 1
    text.fill(bad)
    steps = pane.get_by_role("region", name="Snelle stappen")
    steps.get_by_role("button", name="Publiceren").click()
    expect(pane.get_by_role("alert")).to_contain_text("ongeldige waarde 'gisteren'")
    beside = editor.get_by_test_id("regel-fout")
    expect(beside).to_be_visible()  # scrolled into view beside its line
    expect(beside).to_contain_text(f"regel {line}:")
    expect(numbers.nth(line - 1)).to_have_class(re.compile("fout"))
    assert frame.evaluate(WIDER) == []
    outlook.page.locator("#taakvenster").screenshot(path=artefacts / "beheer-yaml-fout-360.png")

    pane.get_by_role("button", name=f"Naar regel {line}").click()  # the cursor goes there
    expect(text).to_be_focused()
    chosen = frame.evaluate(
        "() => { const t = document.activeElement;"
        " return t.value.slice(t.selectionStart, t.selectionEnd); }"
    )
    assert "gisteren" in chosen

    text.press("End")
    text.type(" ")  # an edit: the marks were for the text that was sent
    expect(beside).to_have_count(0)
