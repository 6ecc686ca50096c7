"""A secretary uses a quick step from the pane: preview, apply, see the result, Graph agrees."""

from __future__ import annotations

import datetime as dt
import re

import httpx
from playwright.sync_api import expect

from tests.browser.outlook import Outlook, open_tab, plant, run_async
from tests.dates import TODAY, dutch_day
from tests.sandbox.graphclients import DEFAULT_LIMITS, Tenant
from tests.sandbox.people import ADMIN, BURGEMEESTER, SECRETARY_A, SECRETARY_B


def read(tenant: Tenant, url: str) -> dict:
    async def get() -> dict:
        async with tenant.raw(BURGEMEESTER) as graph:
            return (await graph.get(url)).json()

    return run_async(get())


def message_id(outlook: Outlook) -> str:
    return outlook.page.locator("#items button[aria-current]").get_attribute("data-id")


def test_preview_then_apply_the_backoffice_step(outlook: Outlook, tenant: Tenant) -> None:
    plant(tenant, BURGEMEESTER, {"subject": "Vraag over de afvalinzameling"}, as_user=SECRETARY_A)
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg")
    outlook.select("Vraag over de afvalinzameling")
    pane = outlook.pane_loaded()
    steps = pane.get_by_role("region", name="Snelle stappen")
    expect(steps.get_by_role("button")).to_have_count(7)

    steps.get_by_role("button", name=re.compile("Ter afhandeling backoffice")).click()
    preview = pane.get_by_role("region", name=re.compile("dit gaat er gebeuren"))
    expect(preview.locator("li")).to_have_text(
        [
            "Categorie Backoffice toevoegen (nieuwe categorie: Backoffice)",
            f"Markeren voor opvolging, uiterlijk {dutch_day(TODAY + dt.timedelta(days=1))}",
            "Markeren als gelezen",
            "Verplaatsen naar Postvak IN/Backoffice (map wordt aangemaakt)",
        ]
    )
    before = read(tenant, f"/users/{BURGEMEESTER}/messages/{message_id(outlook)}")
    assert "Backoffice" not in before["categories"]  # the preview changed nothing

    preview.get_by_role("button", name="Toepassen").click()

    result = pane.get_by_role("status").filter(has_text="klaar")
    expect(result).to_contain_text("Ter afhandeling backoffice: klaar")
    expect(result.locator("li .badge")).to_have_text(["gedaan"] * 4)
    after = read(tenant, f"/users/{BURGEMEESTER}/messages/{message_id(outlook)}")
    assert "Backoffice" in after["categories"] and after["flag"]["flagStatus"] == "flagged"

    result.get_by_role("button", name="Ongedaan maken").click()
    expect(pane.get_by_role("status").filter(has_text="Teruggezet")).to_be_visible()
    undone = read(tenant, f"/users/{BURGEMEESTER}/messages/{message_id(outlook)}")
    assert (undone["categories"], undone["parentFolderId"]) == (
        before["categories"],
        before["parentFolderId"],
    )


def test_opnieuw_proberen_sends_the_same_apply_again_and_keeps_the_preview(
    outlook: Outlook, tenant: Tenant, admin: httpx.Client
) -> None:
    plant(tenant, BURGEMEESTER, {"subject": "Vraag over de kermis"}, as_user=SECRETARY_A)
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg").select("Vraag over de kermis")
    pane = outlook.pane_loaded()
    steps = pane.get_by_role("region", name="Snelle stappen")
    steps.get_by_role("button", name=re.compile("Ter afhandeling backoffice")).click()
    preview = pane.get_by_role("region", name=re.compile("dit gaat er gebeuren"))
    expect(preview.locator("li")).to_have_count(4)

    failing = {"fault_rate": 1.0, "seed": 2, "fault_kinds": ["503"], "retry_after_s": 0}
    admin.post("/limits", json=failing).raise_for_status()
    try:
        preview.get_by_role("button", name="Toepassen").click()
        alert = pane.get_by_role("alert")
        expect(alert).to_contain_text("Microsoft 365")
        expect(alert).not_to_contain_text("Graph")
    finally:
        admin.post("/limits", json=DEFAULT_LIMITS).raise_for_status()
    expect(preview.locator("li")).to_have_count(4)  # the preview stays as it was
    retry = alert.get_by_role("button", name="Opnieuw proberen")
    expect(retry).to_be_focused()
    retry.click()

    result = pane.get_by_role("status").filter(has_text="klaar")
    expect(result).to_contain_text("Ter afhandeling backoffice: klaar")
    expect(pane.get_by_role("alert")).to_have_count(0)


def test_a_shortcut_opens_the_preview(outlook: Outlook, tenant: Tenant) -> None:
    plant(tenant, BURGEMEESTER, {"subject": "Ter kennisname: jaarverslag"}, as_user=SECRETARY_A)
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg").select("jaarverslag")
    pane = outlook.pane_loaded()
    pane.locator("main").focus()
    outlook.page.keyboard.press("Control+Shift+Digit4")
    preview = pane.get_by_role("region", name=re.compile("Ter kennisname bestuurder"))
    expect(preview).to_contain_text("Markeren als ongelezen")
    expect(preview.get_by_role("button", name="Toepassen")).to_be_focused()


def test_the_steps_are_not_offered_to_another_team(outlook: Outlook) -> None:
    outlook.sign_in(SECRETARY_B).open_mailbox("Joost Brinkhorst").select(re.compile("."))
    pane = outlook.pane_loaded()
    expect(pane.get_by_role("region", name="Snelle stappen")).to_be_visible()  # her own team


def test_dispatch_asks_the_department_then_shows_it_is_out(
    outlook: Outlook, tenant: Tenant
) -> None:
    plant(tenant, BURGEMEESTER, {"subject": "Vraag over een Woo-verzoek"}, as_user=SECRETARY_A)
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg").select("Woo-verzoek")
    pane = outlook.pane_loaded()
    pane.get_by_role("button", name=re.compile("Uitzetten bij vakafdeling")).click()
    preview = pane.get_by_role("region", name=re.compile("dit gaat er gebeuren"))
    apply = preview.get_by_role("button", name="Toepassen")
    expect(apply).to_be_disabled()  # first the department

    preview.get_by_label("Naar welke afdeling?").select_option("juridische-zaken")

    expect(preview).to_contain_text("Uitzetten bij Juridische Zaken (hans.verbeek@zeeveen.nl)")
    preview.get_by_role("button", name="Toepassen").click()
    expect(pane.get_by_role("status").filter(has_text="klaar")).to_be_visible()

    outlook.select("Woo-verzoek")  # Outlook shows the item again: the pane reloads it
    out = pane.get_by_test_id("uitzetting")
    expect(out).to_contain_text("Juridische Zaken")
    expect(out).to_contain_text("open")
    out.get_by_role("button", name="Herinneren").click()
    expect(out.get_by_role("status")).to_contain_text("Herinnering verstuurd aan Juridische Zaken")

    # Juridische Zaken answers in the conversation; the pane notices when it shows the message.
    def answer() -> None:
        async def reply() -> None:
            lawyer = "hans.verbeek@zeeveen.nl"
            async with tenant.raw(lawyer) as graph:
                inbox = await graph.get(
                    f"/users/{lawyer}/mailFolders/inbox/messages",
                    params={"$filter": "contains(subject,'Woo-verzoek')", "$top": "1"},
                )
                forwarded = inbox.json()["value"][0]["id"]
                sent = await graph.post(
                    f"/users/{lawyer}/messages/{forwarded}/replyAll",
                    json={"comment": "Wij handelen het af."},
                )
                assert sent.status_code == 202

        run_async(reply())

    answer()
    outlook.select("Woo-verzoek")
    expect(pane.get_by_test_id("uitzetting")).to_contain_text("beantwoord")


def test_the_admin_edits_the_set_in_beheer(outlook: Outlook, tenant: Tenant) -> None:
    plant(tenant, ADMIN, {"subject": "Snelle stappen bijwerken"}, as_user=ADMIN)
    outlook.sign_in(ADMIN).open_mailbox("Mijn postvak").select("Snelle stappen bijwerken")
    pane = outlook.pane_loaded()
    open_tab(pane, "beheer")
    text = pane.get_by_label("Het hele bestand (YAML)")
    expect(text).to_have_value(re.compile("Ter afhandeling backoffice"))
    original = text.input_value()

    text.fill(original.replace("due: tomorrow", "due: gisteren", 1))
    steps = pane.get_by_role("region", name="Snelle stappen")
    steps.get_by_role("button", name="Publiceren").click()
    refused = pane.get_by_role("alert")
    expect(refused).to_contain_text("de vorige versie blijft actief")
    expect(refused).to_contain_text("ongeldige waarde 'gisteren'")

    text.fill(original.replace("Ter afhandeling backoffice", "Naar de backoffice", 1))
    pane.get_by_role("region", name="Snelle stappen").get_by_label("Wat is er veranderd?").fill(
        "naam korter"
    )
    steps = pane.get_by_role("region", name="Snelle stappen")
    steps.get_by_role("button", name="Publiceren").click()
    expect(pane.locator("#stappen-uitkomst")).to_contain_text("is nu actief voor het hele team")
