"""Re-planning in a 320 and a 360 px task pane: the back office asks for moments for a meeting
the calamity cleared, reads who of the attendees is free, taps one, checks and edits the
invitation, and sends it; every view fits the pane and passes axe."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.outlook import API_TIMEOUT, WIDTHS, Outlook, pane_checked, run_async
from tests.conftest import TODAY
from tests.dates import local, working_days_after
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A
from tests.server.test_calamity_api import find
from tests.server.test_replan_proposals import meeting

SUBJECT = "Afstemming herinrichting Marktplein en havenvisie met Veiligheidsregio Kustland"


def cleared_meeting(tenant: Tenant, base: str, day: dt.date, subject: str = SUBJECT) -> None:
    """Her meeting at 10:00 on ``day``, cleared through the API in a window 09:00–12:00."""

    async def go() -> None:
        await meeting(tenant, subject, local(day, 10))
        headers = {"Authorization": f"Bearer {tenant.user_token(SECRETARY_A)}"}
        body = {
            "mailbox": BURGEMEESTER,
            "start": local(day, 9).isoformat(),
            "end": local(day, 12).isoformat(),
            "calamity": "Stroomstoring stadhuis",
        }
        async with httpx.AsyncClient(base_url=base, verify=tenant.tls, timeout=API_TIMEOUT) as api:
            preview = await api.post("/api/v1/calamity/preview", json=body, headers=headers)
            preview.raise_for_status()
            body["operation_id"] = preview.json()["operation_id"]
            done = await api.post("/api/v1/calamity/execute", json=body, headers=headers)
            done.raise_for_status()

    run_async(go())


@pytest.mark.inject_scripts
@pytest.mark.parametrize("width", WIDTHS)
def test_narrow_she_picks_a_proposed_moment_checks_the_invitation_and_sends_it(
    width: int,
    outlook: Outlook,
    tenant: Tenant,
    backend_url: str,
    artefacts: Path,
    axe_source: str,
) -> None:
    day = working_days_after(TODAY, 1)
    subject = f"{SUBJECT} {width}"  # this width's own meeting
    cleared_meeting(tenant, backend_url, day, subject)
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg").pane_width(width).show("Dag")
    outlook.page.locator("#items button").first.click()
    pane = outlook.pane_loaded()
    outlook.at_width(width)
    checked = {"artefacts": artefacts, "axe_source": axe_source}

    pane.get_by_role("button", name="Herplannen", exact=True).click()
    entry = pane.get_by_test_id("herplan-item").filter(has_text=subject)
    expect(entry).to_contain_text("Stroomstoring stadhuis")
    pane_checked(outlook, "herplannen-lijst", width, **checked)
    entry.get_by_role("button", name="Momenten voorstellen").click()
    moments = entry.get_by_test_id("voorstel-moment")
    expect(moments.first).to_be_visible()
    expect(moments.first.get_by_test_id("beschikbaarheid")).to_contain_text("Bas Kuipers")
    expect(moments.first.get_by_test_id("beschikbaarheid")).to_contain_text("Joost Brinkhorst")
    pane_checked(outlook, "herplannen-voorstellen", width, **checked)

    moments.first.get_by_role("button").click()
    invitation = entry.get_by_test_id("uitnodiging")
    expect(invitation.get_by_role("heading", name="Uitnodiging controleren")).to_be_focused()
    expect(invitation.get_by_test_id("uitnodiging-deelnemers")).to_have_text(
        "Bas Kuipers; Joost Brinkhorst"
    )
    text = invitation.get_by_label("Tekst van de uitnodiging")
    expect(text).to_have_value(re.compile(r"^Nieuwe datum voor ‘Afstemming herinrichting"))
    text.fill("Beste allen,\n\nNa de stroomstoring plannen we opnieuw.")
    pane_checked(outlook, "herplannen-uitnodiging", width, **checked)
    window = (local(day).isoformat(), local(day + dt.timedelta(weeks=7)).isoformat())
    before = run_async(find(tenant, BURGEMEESTER, subject, *window))
    assert not before  # tapping a moment sent nothing

    invitation.get_by_role("button", name="Uitnodiging versturen").click()
    expect(entry.get_by_test_id("herplan-uitkomst")).to_contain_text("Opnieuw gepland op")
    pane_checked(outlook, "herplannen-uitkomst", width, **checked)
    [made] = run_async(find(tenant, BURGEMEESTER, subject, *window))
    assert {a["emailAddress"]["name"] for a in made["attendees"]} >= {"Bas Kuipers"}
