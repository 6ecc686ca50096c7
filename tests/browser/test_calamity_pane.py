"""A calamity in a real browser: the front office clears the burgemeester's agenda from the
Agenda pane, watches it go, reads the report, and plans one meeting again from the backlog; at
320 and 360 px she looks at a quick choice, then clears her own from–to in both executives'
agendas and reads the report by day, each view fitting the pane and passing axe."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.outlook import WIDTHS, Outlook, pane_checked, run_async
from tests.dates import dutch_day, local, seed_day
from tests.sandbox.graphclients import DEFAULT_LIMITS, Tenant
from tests.sandbox.people import BURGEMEESTER, GEMEENTESECRETARIS, SECRETARY_A
from tests.server.test_calamity_api import find, find_all
from tests.server.test_calamity_windows import two_agendas

# The seed's Tuesday from 08:00 and its Wednesday: "today and tomorrow" when the pane opens.
TUESDAY = (local(seed_day("tue"), 8).isoformat(), local(seed_day("thu")).isoformat())


def test_clear_from_the_agenda_pane_then_plan_one_meeting_again(
    outlook: Outlook, tenant: Tenant, admin: httpx.Client, backend_day: Callable[..., None]
) -> None:
    backend_day(seed_day("tue"), 8)  # the seed's Tuesday at 08:00: its whole day still to come
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg").show("Dag")
    outlook.page.locator("#items button").first.click()
    pane = outlook.pane_loaded()
    pane.get_by_role("group", name="Periode").get_by_role(
        "button", name="Vandaag en morgen"
    ).click()

    items = pane.get_by_test_id("leegmaken-item")
    expect(items.first).to_be_visible()
    persmoment = items.filter(has_text="Persmoment na de collegevergadering")
    expect(persmoment).to_contain_text("afslaan")
    expect(items.filter(has_text="Collegevergadering").first).to_contain_text("blijft staan")
    expect(items.filter(has_text="Tandarts")).to_contain_text("privé")
    before = {e["subject"] for e in run_async(find_all(tenant, BURGEMEESTER, *TUESDAY))}

    persmoment.get_by_role("checkbox").uncheck()  # the press moment stays after all
    expect(items.filter(has_text="Persmoment na de collegevergadering")).to_contain_text(
        "op verzoek laten staan"
    )
    assert {e["subject"] for e in run_async(find_all(tenant, BURGEMEESTER, *TUESDAY))} == before
    pane.get_by_label("Aanleiding (voor het herplannen)").fill("Stormschade in de haven")
    admin.post("/limits", json={"latency_ms": 1000}).raise_for_status()  # slow enough to watch
    try:
        pane.get_by_role("button", name=re.compile(r"\d+ afspraken leegmaken")).click()
        expect(pane.get_by_test_id("voortgang")).to_contain_text("afgehandeld")
        report = pane.get_by_test_id("verslag")
        expect(report).to_contain_text("Agenda leeggemaakt", timeout=20_000)
    finally:
        admin.post("/limits", json=DEFAULT_LIMITS).raise_for_status()
    expect(report.locator(".resultaat-failed")).to_have_count(0)
    left = {e["subject"] for e in run_async(find_all(tenant, BURGEMEESTER, *TUESDAY))}
    assert "Persmoment na de collegevergadering" in left and "Tandarts" in left
    assert not {s for s in left if s.startswith("Bilateraal burgemeester - wethouder")}

    report.get_by_role("button", name="Naar herplannen").click()
    backlog = pane.get_by_test_id("herplannen")
    entry = backlog.get_by_test_id("herplan-item").filter(
        has_text="Bilateraal burgemeester - wethouder Brinkhorst"
    )
    expect(entry).to_contain_text("Stormschade in de haven")
    entry.get_by_role("button", name="Momenten voorstellen").click()
    first_slot = entry.get_by_test_id("voorstellen").get_by_role("button").first
    expect(first_slot).to_be_visible()
    first_slot.click()
    entry.get_by_role("button", name="Uitnodiging versturen").click()  # shown first, then sent
    expect(entry.get_by_test_id("herplan-uitkomst")).to_contain_text("Opnieuw gepland op")


@pytest.mark.inject_scripts
@pytest.mark.parametrize("width", WIDTHS)
def test_narrow_she_clears_her_own_period_in_both_agendas_and_reads_it_by_day(
    width: int,
    outlook: Outlook,
    tenant: Tenant,
    backend_day: Callable[..., None],
    artefacts: Path,
    axe_source: str,
) -> None:
    thursday = seed_day("thu")
    label = f"Storm {width}"  # this width's own meetings
    backend_day(seed_day("tue"), 8)
    run_async(two_agendas(tenant, thursday.isoformat(), label))
    outlook.sign_in(SECRETARY_A).open_mailbox("Ingrid Zwanenburg").pane_width(width).show("Dag")
    outlook.page.locator("#items button").first.click()
    pane = outlook.pane_loaded()
    outlook.at_width(width)
    checked = {"artefacts": artefacts, "axe_source": axe_source}
    quick = pane.get_by_role("group", name="Periode")
    for name in ("Vanmiddag", "Morgenochtend", "Rest van vandaag"):
        expect(quick.get_by_role("button", name=name)).to_be_visible()
    pane_checked(outlook, "leegmaken-kiezen", width, **checked)

    # A quick choice first: its preview, and nothing has changed yet.
    quick.get_by_role("button", name="Morgenochtend").click()
    expect(pane.get_by_role("heading", name=re.compile("^Morgenochtend:"))).to_be_focused()
    pane_checked(outlook, "leegmaken-morgenochtend", width, **checked)

    pane.get_by_label("Ook de agenda van Maarten Oosterveld").check()
    pane.get_by_label("Van", exact=True).fill(f"{thursday}T08:00")
    pane.get_by_label("Tot", exact=True).fill(f"{thursday}T18:00")
    pane.get_by_role("button", name="Bekijk deze periode").click()

    agendas = pane.get_by_test_id("leegmaken-agenda")
    expect(agendas).to_have_count(2)
    expect(agendas.nth(1)).to_contain_text("Maarten Oosterveld")
    expect(agendas.nth(1)).to_contain_text(f"{label} werkbezoek")
    pane_checked(outlook, "leegmaken-eigen", width, **checked)

    pane.get_by_role("button", name=re.compile(r"\d+ afspraken leegmaken")).click()
    report = pane.get_by_test_id("verslag")
    expect(report).to_contain_text("Agenda's leeggemaakt", timeout=20_000)
    expect(report.get_by_test_id("verslag-dag").first).to_have_text(dutch_day(thursday))
    items = report.get_by_test_id("verslag-item")
    expect(items.filter(has_text=f"{label} overleg")).to_contain_text("geannuleerd")
    expect(items.filter(has_text=f"{label} werkbezoek")).to_contain_text("afgemeld")
    pane_checked(outlook, "leegmaken-verslag", width, **checked)
    window = (local(thursday).isoformat(), local(thursday, 23).isoformat())
    assert not run_async(find(tenant, GEMEENTESECRETARIS, f"{label} overleg", *window))
