"""Herzien en opnieuw aanbieden in the pane at 360 px: the burgemeester rejected a draft; Monique
revises its text in the pane and offers it again, and Ingrid's queue shows the new version."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.browser.conftest import ARTEFACTS
from tests.browser.outlook import Outlook, run_async
from tests.browser.test_approvals_pane import prepared
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A
from tests.server.test_approvals_api import in_folder

WIDTH = 360
# Every element that reaches past the pane's right edge (or its left), by tag, id and class.
WIDER = """() => [...document.querySelectorAll("body *")]
  .filter((e) => { const r = e.getBoundingClientRect();
                   return r.width > 0 && (r.right > innerWidth + 0.5 || r.left < -0.5); })
  .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`)"""


def rejected(tenant: Tenant, base: str, subject: str) -> dict[str, Any]:
    """Monique asked; Ingrid rejected it with a comment (through the API)."""
    approval = prepared(tenant, base, subject)

    async def reject() -> None:
        headers = {"Authorization": f"Bearer {tenant.user_token(BURGEMEESTER)}"}
        async with httpx.AsyncClient(base_url=base, verify=tenant.tls) as api:
            resp = await api.post(f"/api/v1/approvals/{approval['id']}/reject",
                                  json={"comment": "Noem de datum van het gesprek."},
                                  headers=headers)  # fmt: skip
            resp.raise_for_status()

    run_async(reject())
    return approval


def fits(outlook: Outlook, shot: str) -> None:
    frame = outlook.pane_frame()
    assert frame.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0
    assert frame.evaluate(WIDER) == []
    ARTEFACTS.joinpath("screenshots").mkdir(parents=True, exist_ok=True)
    outlook.page.locator("#taakvenster").screenshot(path=ARTEFACTS / "screenshots" / shot)


def test_monique_revises_a_rejected_draft_in_the_pane_and_offers_it_again(
    outlook: Outlook, backend_url: str, tenant: Tenant
) -> None:
    approval = rejected(tenant, backend_url, f"Gesprek over de haven {uuid.uuid4().hex[:4]}")
    subject = approval["exact"]
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg")
    outlook.pane_width(WIDTH)
    outlook.select(subject)
    pane = outlook.pane_loaded()
    outlook.page.wait_for_function(
        "w => document.querySelector('#taakvenster').clientWidth === w", arg=WIDTH
    )
    pane.get_by_role("link", name="Goedkeuren").click()
    done = pane.get_by_test_id("afgehandeld").filter(has_text=subject)
    expect(done).to_contain_text("Afgekeurd")
    done.get_by_role("button", name="Herzien…").click()

    revise = pane.get_by_role("region", name="Herzien en opnieuw aanbieden")
    expect(revise).to_be_visible()
    expect(pane.get_by_role("definition").filter(has_text="Noem de datum")).to_be_visible()
    fits(outlook, "herzien-360.png")

    revise.get_by_role("button", name="Bewerken").click()
    text = revise.get_by_test_id("concept")
    text.locator("p").first.click()
    outlook.page.keyboard.press("End")
    outlook.page.keyboard.type(" Het gesprek is op 3 december.")
    revise.get_by_label("Notitie voor Ingrid Zwanenburg").fill("Datum toegevoegd.")
    revise.get_by_role("button", name="Bewerkt opnieuw aanbieden").click()
    outcome = pane.get_by_test_id("besluit")
    expect(outcome).to_contain_text("staat ter goedkeuring bij Ingrid Zwanenburg")
    fits(outlook, "herzien-aangeboden-360.png")

    [draft] = run_async(in_folder(tenant, BURGEMEESTER, "drafts", f"RE: {subject}"))
    assert "Het gesprek is op 3 december." in draft["body"]["content"]
    assert draft["categories"] == ["Ter goedkeuring"]

    pane.get_by_role("button", name="Terug naar de lijst").click()
    waiting = pane.get_by_test_id("goedkeuring").filter(has_text=subject)
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text("herziene versie")
    expect(pane.get_by_test_id("afgehandeld").filter(has_text=subject)).to_have_count(0)
    waiting.get_by_role("button").click()
    history = pane.get_by_role("region", name="Eerdere versies")
    expect(history).to_contain_text("Noem de datum van het gesprek.")
    expect(pane.get_by_test_id("notitie")).to_contain_text("Datum toegevoegd.")
    fits(outlook, "herzien-geschiedenis-360.png")
