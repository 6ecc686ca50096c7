"""Drafts and approvals in a real browser: the secretary prepares an answer in the pane, the
executive decides on her phone (a phone-sized page that signs in at the tenant by redirect); at
320 and 360 px each view of the phone page fits and passes axe."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.outlook import API_TIMEOUT, WIDTHS, Outlook, page_checked, run_async
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A
from tests.server.test_approvals_api import in_folder, mail_from_hans

PHONE = {"width": 390, "height": 844}
SENDER = "hans.verbeek@zeeveen.nl"


def prepared(tenant: Tenant, base: str, subject: str) -> dict[str, Any]:
    """Hans wrote; Monique prepared an answer and asked Ingrid to approve it (through the API)."""

    async def go() -> dict[str, Any]:
        message_id, exact = await mail_from_hans(tenant, subject)
        headers = {"Authorization": f"Bearer {tenant.user_token(SECRETARY_A)}"}
        async with httpx.AsyncClient(base_url=base, verify=tenant.tls, timeout=API_TIMEOUT) as api:
            body = {
                "mailbox": BURGEMEESTER,
                "message": message_id,
                "template": "Ontvangstbevestiging",
                "operation_id": str(uuid.uuid4()),
                "request_approval": True,
                "note": "Graag vóór 12 uur.",
            }
            resp = await api.post("/api/v1/drafts", json=body, headers=headers)
            resp.raise_for_status()
        return {**resp.json()["approval"], "exact": exact}

    return run_async(go())


def received(tenant: Tenant, subject: str) -> list[dict]:
    return run_async(in_folder(tenant, SENDER, "inbox", f"RE: {subject}"))


def on_the_phone(
    page: Page, url: str, who: str = "Ingrid Zwanenburg", width: int = PHONE["width"]
) -> Page:
    """Open the link from the notice mail (on a phone ``width`` wide) and sign in at the
    tenant's page."""
    page.set_viewport_size({**PHONE, "width": width})
    page.goto(url)
    expect(page.get_by_role("heading", name="Aanmelden")).to_be_visible()  # the tenant's page
    page.get_by_role("button", name=re.compile(who)).click()
    expect(page.locator("main")).to_have_attribute("aria-busy", "false", timeout=15_000)
    return page


@pytest.mark.inject_scripts
@pytest.mark.parametrize("width", WIDTHS)
def test_the_executive_approves_on_her_phone_and_hans_gets_the_answer(
    width: int, page: Page, backend_url: str, tenant: Tenant, artefacts: Path, axe_source: str
) -> None:
    approval = prepared(tenant, backend_url, f"Kermis op het plein {width}")
    on_the_phone(page, f"{backend_url}/goedkeuren/{approval['id']}", width=width)
    checked = {"artefacts": artefacts, "axe_source": axe_source}
    expect(page.get_by_test_id("concept-onderwerp")).to_have_text(f"RE: {approval['exact']}")
    expect(page.get_by_test_id("notitie")).to_contain_text("Graag vóór 12 uur.")
    expect(page.get_by_test_id("concept")).to_contain_text("Beste Hans")
    approve = page.get_by_role("button", name="Goedkeuren en verzenden")
    box = approve.bounding_box()
    assert box and box["height"] >= 44  # a thumb-sized target
    page_checked(page, "goedkeuren-telefoon", width, **checked)

    approve.click()
    expect(page.get_by_test_id("besluit")).to_contain_text("Goedgekeurd en verzonden")
    page_checked(page, "goedkeuren-telefoon-besluit", width, **checked)
    [answer] = received(tenant, approval["exact"])
    assert "Hartelijk dank voor uw bericht" in answer["body"]["content"]

    page.get_by_role("button", name="Terug naar de lijst").click()
    expect(page.get_by_test_id("afgehandeld").first).to_contain_text("Goedgekeurd en verzonden")
    page_checked(page, "goedkeuren-telefoon-lijst", width, **checked)


def test_she_rejects_with_a_comment_on_her_phone(
    page: Page, backend_url: str, tenant: Tenant
) -> None:
    approval = prepared(tenant, backend_url, "Te stellig geformuleerd")
    on_the_phone(page, f"{backend_url}/goedkeuren/{approval['id']}")
    page.get_by_text("Afwijzen…").click()
    page.get_by_role("button", name="Afwijzen", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("Geef een toelichting voor het secretariaat.")
    page.get_by_label("Toelichting voor het secretariaat").fill("Vriendelijker, graag.")
    page.get_by_role("button", name="Afwijzen", exact=True).click()
    expect(page.get_by_test_id("besluit")).to_contain_text("Afgekeurd")
    assert received(tenant, approval["exact"]) == []
    [draft] = run_async(in_folder(tenant, BURGEMEESTER, "drafts", f"RE: {approval['exact']}"))
    assert draft["categories"] == ["Afgekeurd"]


def test_a_changed_draft_is_refused_and_shown_again(
    page: Page, backend_url: str, tenant: Tenant
) -> None:
    approval = prepared(tenant, backend_url, "Gewijzigd na het verzoek")
    on_the_phone(page, f"{backend_url}/goedkeuren/{approval['id']}")
    expect(page.get_by_test_id("concept")).to_contain_text("Beste Hans")

    async def edit() -> None:  # Monique changes the draft in Outlook meanwhile
        async with tenant.raw(SECRETARY_A) as graph:
            url = f"/users/{BURGEMEESTER}/messages/{approval['draft_id']}"
            body = {"contentType": "html", "content": "<p>Beste Hans, nieuwe tekst.</p>"}
            (await graph.patch(url, json={"body": body})).raise_for_status()

    run_async(edit())
    page.get_by_role("button", name="Goedkeuren en verzenden").click()
    expect(page.get_by_test_id("weigering")).to_have_text(
        "Het concept is gewijzigd; bekijk het opnieuw."
    )
    expect(page.get_by_test_id("concept")).to_contain_text("nieuwe tekst")  # what she sees now
    expect(page.get_by_test_id("gewijzigd")).to_be_visible()
    assert received(tenant, approval["exact"]) == []

    page.get_by_role("button", name="Goedkeuren en verzenden").click()
    expect(page.get_by_test_id("besluit")).to_contain_text("Goedgekeurd en verzonden")
    [answer] = received(tenant, approval["exact"])
    assert "nieuwe tekst" in answer["body"]["content"]


def test_she_edits_and_sends_from_her_phone(page: Page, backend_url: str, tenant: Tenant) -> None:
    approval = prepared(tenant, backend_url, "Even aanpassen")
    on_the_phone(page, f"{backend_url}/goedkeuren/{approval['id']}")
    page.get_by_role("button", name="Bewerken").click()
    text = page.get_by_test_id("concept")
    text.locator("p").first.click()
    page.keyboard.press("Home")
    page.keyboard.type("Dag! ")
    page.get_by_role("button", name="Bewerkt verzenden").click()
    expect(page.get_by_test_id("besluit")).to_contain_text("Goedgekeurd en verzonden")
    [answer] = received(tenant, approval["exact"])
    assert "Dag! Beste Hans" in answer["body"]["content"]


def test_the_secretary_prepares_an_answer_in_the_pane_and_asks_for_approval(
    outlook: Outlook, tenant: Tenant
) -> None:
    _, subject = run_async(mail_from_hans(tenant, "Vraag over parkeren"))
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg")
    outlook.select(subject)
    pane = outlook.pane_loaded()
    answers = pane.get_by_role("region", name="Antwoord voorbereiden")
    answers.get_by_label("Sjabloon").select_option("Ontvangstbevestiging")
    answers.get_by_role("button", name="Concept opstellen").click()
    editor = pane.get_by_role("textbox", name="Tekst van het antwoord")
    expect(editor).to_contain_text("Beste Hans")
    editor.locator("p").nth(1).click()
    outlook.page.keyboard.press("End")
    outlook.page.keyboard.type(" Wij bellen u morgen.")
    pane.get_by_label(re.compile("Notitie voor Ingrid")).fill("Kan dit zo weg?")
    pane.get_by_role("button", name="Klaarzetten ter goedkeuring").click()
    expect(pane.get_by_test_id("concept-uitkomst")).to_contain_text("Ter goedkeuring aangeboden")

    [draft] = run_async(in_folder(tenant, BURGEMEESTER, "drafts", f"RE: {subject}"))
    assert "Wij bellen u morgen." in draft["body"]["content"]
    assert draft["categories"] == ["Ter goedkeuring"]

    pane.get_by_role("link", name="Goedkeuren").click()
    waiting = pane.get_by_test_id("goedkeuring").filter(has_text=subject)
    expect(waiting).to_contain_text("gevraagd door Monique Verschuren")
    waiting.get_by_role("button").click()
    expect(pane.get_by_test_id("notitie")).to_contain_text("Kan dit zo weg?")
    # A secretary sees the draft and its state, but decides nothing.
    expect(pane.get_by_role("button", name="Goedkeuren en verzenden")).to_have_count(0)
