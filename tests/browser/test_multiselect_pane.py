"""Several messages at once (item multi-select): Monique selects five of Ingrid Zwanenburg's
messages with Ctrl-click, sees them in Bericht, applies one quick step to all of them (one
preview, one operation, per-message outcome), and undoes it; Graph agrees at every step."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import FrameLocator, expect

from tests.browser.outlook import Outlook, pane_checked, plant, run_async
from tests.browser.test_keyboard import announced, focus_is_in, press_on, tab_to
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A

STEP = "Ter afhandeling backoffice"
CHANGES = 4  # category, flag, read, move: what the step does to each message


def planted(tenant: Tenant, n: int = 5) -> list[str]:
    """``n`` new messages in the burgemeester's Inbox; one subject is hostile markup."""
    tag = uuid.uuid4().hex[:6]
    subjects = [f"Selectie {tag} {i}: vraag over de markt" for i in range(1, n)]
    subjects.append(f"Selectie {tag} {n}: <b>vet</b> & <script>alert(1)</script>")
    for subject in subjects:
        plant(tenant, BURGEMEESTER, {"subject": subject}, as_user=SECRETARY_A)
    return subjects


def messages(tenant: Tenant, ids: list[str]) -> list[dict]:
    async def read() -> list[dict]:
        async with tenant.raw(BURGEMEESTER) as graph:
            out = []
            for i in ids:
                answer = await graph.get(f"/users/{BURGEMEESTER}/messages/{i}")
                answer.raise_for_status()
                out.append(answer.json())
            return out

    return run_async(read())


def select_all(outlook: Outlook, subjects: list[str]) -> list[str]:
    """Click the first, Ctrl-click the others (as in Outlook); the ids of the selected rows."""
    rows = [outlook.page.locator("#items button", has_text=s).first for s in subjects]
    rows[0].click()
    outlook.pane_loaded()
    for row in rows[1:]:
        row.click(modifiers=["Control"])
    for row in rows:
        expect(row).to_have_attribute("aria-current", "true")
    return [row.get_attribute("data-id") or "" for row in rows]


def selection_shown(pane: FrameLocator, subjects: list[str]) -> None:
    title = pane.get_by_test_id("selectie-titel")
    expect(title).to_have_text(
        f"{len(subjects)} berichten geselecteerd in het postvak van Ingrid Zwanenburg"
    )
    shown = pane.get_by_test_id("selectie-onderwerp")
    expect(shown).to_have_count(len(subjects))
    assert sorted(shown.all_inner_texts()) == sorted(subjects)  # the markup arrived as text
    assert pane.locator("header.selectie b, header.selectie script").count() == 0


@pytest.mark.inject_scripts
@pytest.mark.parametrize("width", [320, 360])
def test_a_quick_step_on_five_selected_messages_and_undo(
    width: int, outlook: Outlook, tenant: Tenant, artefacts: Path, axe_source: str
) -> None:
    subjects = planted(tenant)
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg")
    ids = select_all(outlook, subjects)
    outlook.at_width(width)
    pane = outlook.pane_loaded()
    selection_shown(pane, subjects)
    pane_checked(outlook, "selectie", width, artefacts=artefacts, axe_source=axe_source)
    before = messages(tenant, ids)

    steps = pane.get_by_role("region", name="Snelle stappen op 5 berichten")
    steps.get_by_role("button", name=re.compile(STEP)).click()
    preview = pane.get_by_test_id("selectie-voorbeeld")
    expect(preview.get_by_role("heading")).to_have_text(
        f"{STEP} op 5 berichten: dit gaat er gebeuren"
    )
    expect(preview.get_by_test_id("wijzigingen").locator("li")).to_have_count(CHANGES)
    listed = preview.get_by_test_id("voorbeeld-bericht")
    expect(listed).to_have_count(5)
    for subject in subjects:
        expect(listed.filter(has_text=subject)).to_have_count(1)
    pane_checked(outlook, "selectie-voorbeeld", width, artefacts=artefacts, axe_source=axe_source)
    assert messages(tenant, ids) == before  # the preview changed nothing

    preview.get_by_role("button", name="Toepassen op 5 berichten").click()
    outcome = pane.get_by_test_id("selectie-uitkomst")
    expect(outcome.get_by_role("heading")).to_have_text(f"{STEP} op 5 berichten: klaar")
    expect(outcome.locator("[data-testid=uitkomst-bericht][data-status=gedaan]")).to_have_count(5)
    after = messages(tenant, ids)
    for m in after:  # each as the step says
        assert "Backoffice" in m["categories"], m["subject"]
        assert m["flag"]["flagStatus"] == "flagged" and m["isRead"] is True
    assert len({m["parentFolderId"] for m in after}) == 1
    assert after[0]["parentFolderId"] != before[0]["parentFolderId"]
    pane_checked(outlook, "selectie-uitkomst", width, artefacts=artefacts, axe_source=axe_source)

    outcome.get_by_role("button", name="Ongedaan maken").click()
    expect(pane.get_by_role("status").filter(has_text="Teruggezet")).to_be_visible()
    undone = messages(tenant, ids)
    for old, new in zip(before, undone, strict=True):
        assert new["categories"] == old["categories"], new["subject"]
        assert new["parentFolderId"] == old["parentFolderId"], new["subject"]
        assert new["flag"]["flagStatus"] == old["flag"]["flagStatus"], new["subject"]


def test_back_to_one_message_shows_that_message(outlook: Outlook, tenant: Tenant) -> None:
    subjects = planted(tenant, 3)
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg")
    select_all(outlook, subjects)
    pane = outlook.pane_loaded()
    expect(pane.get_by_test_id("selectie-titel")).to_contain_text("3 berichten geselecteerd")
    # Ctrl-click one off: two left; a plain click: that one message, as before.
    outlook.page.locator("#items button", has_text=subjects[2]).first.click(modifiers=["Control"])
    expect(pane.get_by_test_id("selectie-titel")).to_contain_text("2 berichten geselecteerd")
    outlook.select(subjects[0])
    expect(pane.get_by_test_id("onderwerp")).to_have_text(subjects[0])


def test_shift_click_selects_a_range(outlook: Outlook, tenant: Tenant) -> None:
    subjects = planted(tenant, 4)
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg")
    rows = outlook.page.locator("#items button", has_text=re.compile("|".join(
        re.escape(s.split(":")[0]) for s in subjects)))  # fmt: skip
    expect(rows).to_have_count(4)
    rows.first.click()
    outlook.pane_loaded()
    rows.last.click(modifiers=["Shift"])
    pane = outlook.pane_loaded()
    expect(pane.get_by_test_id("selectie-titel")).to_contain_text("4 berichten geselecteerd")


def test_the_shim_gives_what_office_js_gives(outlook: Outlook, tenant: Tenant) -> None:
    """getSelectedItemsAsync: EWS ids, itemType, itemMode and subject per message; the pane's
    convertToRestId turns the ids back into Graph's, also in a delegate's mailbox."""
    subjects = planted(tenant, 2)
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg")
    ids = select_all(outlook, subjects)
    outlook.pane_loaded()
    frame = outlook.pane_frame()
    got = frame.evaluate(
        """() => new Promise((resolve) => Office.context.mailbox.getSelectedItemsAsync((r) =>
             resolve({status: r.status, value: r.value, item: Office.context.mailbox.item,
                      rest: r.value.map((m) => Office.context.mailbox.convertToRestId(
                        m.itemId, Office.MailboxEnums.RestVersion.v2_0)),
                      supported: Office.context.requirements.isSetSupported(
                        "Mailbox", "1.13")})))"""
    )
    assert got["status"] == "succeeded" and got["item"] is None and got["supported"]
    assert [set(m) for m in got["value"]] == [{"itemId", "itemType", "itemMode", "subject"}] * 2
    assert [(m["itemType"], m["itemMode"]) for m in got["value"]] == [("message", "Read")] * 2
    assert sorted(m["subject"] for m in got["value"]) == sorted(subjects)
    assert sorted(got["rest"]) == sorted(ids)


def test_keyboard_only_selection_and_apply(outlook: Outlook, tenant: Tenant) -> None:
    """Outlook's side by keyboard (Enter, then Tab and Ctrl+Space), the pane's by Tab and Enter:
    the summary is reached, the step is previewed and applied, the outcome is read out."""
    subjects = planted(tenant, 2)
    page = outlook.page
    outlook.sign_in(SECRETARY_A)
    mailbox = page.locator("#postvakken button", has_text="Ingrid Zwanenburg")
    press_on(page, mailbox)
    outlook.loaded()
    first = page.locator("#items button", has_text=subjects[0]).first
    second = page.locator("#items button", has_text=subjects[1]).first
    press_on(page, first)
    pane = outlook.pane_loaded()
    second.focus()  # the harness stands in for Outlook's list: focus the row, then the key
    page.keyboard.press("Control+Space")
    expect(second).to_have_attribute("aria-current", "true")
    expect(pane.get_by_test_id("selectie-titel")).to_contain_text("2 berichten geselecteerd")
    pane.locator("a.skip").focus()  # Outlook's F6: into the task pane

    step = pane.get_by_role("region", name="Snelle stappen op 2 berichten").get_by_role(
        "button", name=re.compile(STEP)
    )
    tab_to(page, step)
    page.keyboard.press("Enter")
    apply = pane.get_by_role("button", name="Toepassen op 2 berichten")
    expect(apply).to_be_focused()
    page.keyboard.press("Enter")
    outcome = pane.get_by_test_id("selectie-uitkomst")
    expect(outcome.get_by_role("heading")).to_have_text(f"{STEP} op 2 berichten: klaar")
    focus_is_in(outcome)
    announced(pane, outcome, "klaar")
