"""Re-planning in a 360 px task pane: the back office asks for moments for a meeting the
calamity cleared, reads who of the attendees is free, taps one, checks and edits the invitation,
and sends it; nothing in the pane is wider than the pane."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import httpx
from playwright.sync_api import expect

from tests.browser.outlook import Outlook, run_async
from tests.browser.test_meetings_pane import WIDER
from tests.conftest import TODAY
from tests.dates import local, working_days_after
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A
from tests.server.test_calamity_api import find
from tests.server.test_replan_proposals import meeting

SUBJECT = "Afstemming herinrichting Marktplein en havenvisie met Veiligheidsregio Kustland"


def cleared_meeting(tenant: Tenant, base: str, day: dt.date) -> None:
    """Her meeting at 10:00 on ``day``, cleared through the API in a window 09:00–12:00."""

    async def go() -> None:
        await meeting(tenant, SUBJECT, local(day, 10))
        headers = {"Authorization": f"Bearer {tenant.user_token(SECRETARY_A)}"}
        body = {
            "mailbox": BURGEMEESTER,
            "start": local(day, 9).isoformat(),
            "end": local(day, 12).isoformat(),
            "calamity": "Stroomstoring stadhuis",
        }
        async with httpx.AsyncClient(base_url=base, verify=tenant.tls) as api:
            preview = await api.post("/api/v1/calamity/preview", json=body, headers=headers)
            preview.raise_for_status()
            body["operation_id"] = preview.json()["operation_id"]
            done = await api.post("/api/v1/calamity/execute", json=body, headers=headers)
            done.raise_for_status()

    run_async(go())


def test_at_360_px_she_picks_a_proposed_moment_checks_the_invitation_and_sends_it(
    outlook: Outlook, tenant: Tenant, backend_url: str, artefacts: Path
) -> None:
    day = working_days_after(TODAY, 1)
    cleared_meeting(tenant, backend_url, day)
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg").pane_width(360).show("Dag")
    outlook.page.locator("#items button").first.click()
    pane = outlook.pane_loaded()
    frame = outlook.pane_frame()

    pane.get_by_role("button", name="Herplannen", exact=True).click()
    entry = pane.get_by_test_id("herplan-item").filter(has_text=SUBJECT)
    expect(entry).to_contain_text("Stroomstoring stadhuis")
    entry.get_by_role("button", name="Momenten voorstellen").click()
    moments = entry.get_by_test_id("voorstel-moment")
    expect(moments.first).to_be_visible()
    expect(moments.first.get_by_test_id("beschikbaarheid")).to_contain_text("Bas Kuipers")
    expect(moments.first.get_by_test_id("beschikbaarheid")).to_contain_text("Joost Brinkhorst")
    assert frame.evaluate(WIDER) == []
    outlook.page.locator("#taakvenster").screenshot(
        path=artefacts / "herplannen-voorstellen-360.png"
    )

    moments.first.get_by_role("button").click()
    invitation = entry.get_by_test_id("uitnodiging")
    expect(invitation.get_by_role("heading", name="Uitnodiging controleren")).to_be_focused()
    expect(invitation.get_by_test_id("uitnodiging-deelnemers")).to_have_text(
        "Bas Kuipers; Joost Brinkhorst"
    )
    text = invitation.get_by_label("Tekst van de uitnodiging")
    expect(text).to_have_value(re.compile(r"^Nieuwe datum voor ‘Afstemming herinrichting"))
    text.fill("Beste allen,\n\nNa de stroomstoring plannen we opnieuw.")
    assert frame.evaluate(WIDER) == []
    outlook.page.locator("#taakvenster").screenshot(
        path=artefacts / "herplannen-uitnodiging-360.png"
    )
    window = (local(day).isoformat(), local(day + dt.timedelta(weeks=7)).isoformat())
    before = run_async(find(tenant, BURGEMEESTER, SUBJECT, *window))
    assert not before  # tapping a moment sent nothing

    invitation.get_by_role("button", name="Uitnodiging versturen").click()
    expect(entry.get_by_test_id("herplan-uitkomst")).to_contain_text("Opnieuw gepland op")
    assert frame.evaluate(WIDER) == []
    [made] = run_async(find(tenant, BURGEMEESTER, SUBJECT, *window))
    assert {a["emailAddress"]["name"] for a in made["attendees"]} >= {"Bas Kuipers"}
