"""Herzien en opnieuw aanbieden in the pane at 320 and 360 px: the burgemeester rejected a
draft; Monique revises its text in the pane and offers it again, and Ingrid's queue shows the
new version; every view fits the pane and passes axe."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.outlook import API_TIMEOUT, WIDTHS, Outlook, pane_checked, run_async
from tests.browser.test_approvals_pane import prepared
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A
from tests.server.test_approvals_api import in_folder


def rejected(tenant: Tenant, base: str, subject: str) -> dict[str, Any]:
    """Monique asked; Ingrid rejected it with a comment (through the API)."""
    approval = prepared(tenant, base, subject)

    async def reject() -> None:
        headers = {"Authorization": f"Bearer {tenant.user_token(BURGEMEESTER)}"}
        async with httpx.AsyncClient(base_url=base, verify=tenant.tls, timeout=API_TIMEOUT) as api:
            resp = await api.post(f"/api/v1/approvals/{approval['id']}/reject",
                                  json={"comment": "Noem de datum van het gesprek."},
                                  headers=headers)  # fmt: skip
            resp.raise_for_status()

    run_async(reject())
    return approval


@pytest.mark.inject_scripts
@pytest.mark.parametrize("width", WIDTHS)
def test_monique_revises_a_rejected_draft_in_the_pane_and_offers_it_again(
    width: int,
    outlook: Outlook,
    backend_url: str,
    tenant: Tenant,
    artefacts: Path,
    axe_source: str,
) -> None:
    approval = rejected(tenant, backend_url, f"Gesprek over de haven {uuid.uuid4().hex[:4]}")
    subject = approval["exact"]
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg")
    outlook.pane_width(width)
    outlook.select(subject)
    pane = outlook.pane_loaded()
    outlook.at_width(width)
    checked = {"artefacts": artefacts, "axe_source": axe_source}
    pane.get_by_role("link", name="Goedkeuren").click()
    done = pane.get_by_test_id("afgehandeld").filter(has_text=subject)
    expect(done).to_contain_text("Afgekeurd")
    pane_checked(outlook, "herzien-lijst", width, **checked)
    done.get_by_role("button", name="Herzien…").click()

    revise = pane.get_by_role("region", name="Herzien en opnieuw aanbieden")
    expect(revise).to_be_visible()
    expect(pane.get_by_role("definition").filter(has_text="Noem de datum")).to_be_visible()
    pane_checked(outlook, "herzien", width, **checked)

    revise.get_by_role("button", name="Bewerken").click()
    text = revise.get_by_test_id("concept")
    text.locator("p").first.click()
    outlook.page.keyboard.press("End")
    outlook.page.keyboard.type(" Het gesprek is op 3 december.")
    revise.get_by_label("Notitie voor Ingrid Zwanenburg").fill("Datum toegevoegd.")
    pane_checked(outlook, "herzien-bewerken", width, **checked)
    revise.get_by_role("button", name="Bewerkt opnieuw aanbieden").click()
    outcome = pane.get_by_test_id("besluit")
    expect(outcome).to_contain_text("staat ter goedkeuring bij Ingrid Zwanenburg")
    pane_checked(outlook, "herzien-aangeboden", width, **checked)

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
    pane_checked(outlook, "herzien-geschiedenis", width, **checked)
