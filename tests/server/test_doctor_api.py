"""The doctor's checks for admins: ``GET /api/v1/doctor`` and Beheer's *Controle*
(``GET /pane/beheer/controle``), with the app's identity against the sandbox tenant."""

from __future__ import annotations

import re

import httpx

from automations.doctor import LABELS
from sandbox.server import RunningSandbox
from tests.sandbox.people import ADMIN, GEMEENTESECRETARIS, SECRETARY_A, SECRETARY_A_FRIDAY
from tests.sandbox.test_mailbox_permissions import delegate_rights

INHERENT: dict[str, str] = {}  # nothing is out of order on the seeded tenant
VERDICT = re.compile(r'<li data-check="([a-z-]+)" data-status="(ok|warn|fail)">')


def not_ok(checks: list[dict[str, str]]) -> dict[str, str]:
    return {c["check"]: c["status"] for c in checks if c["status"] != "ok"}


async def test_an_admin_gets_every_check_and_the_seeded_tenant_is_in_order(
    api: httpx.AsyncClient, login
) -> None:
    answer = await api.get("/api/v1/doctor", headers=login(ADMIN))

    assert answer.status_code == 200, answer.text
    checks = answer.json()
    assert [c["check"] for c in checks] == list(LABELS)
    assert all(set(c) == {"check", "status", "message", "fix"} for c in checks)
    assert not_ok(checks) == INHERENT
    # The backend's roster is the store's, not a file.
    [directory] = [c for c in checks if c["check"] == "roster-directory"]
    assert "het rooster in de database" in directory["message"]


async def test_a_secretary_may_not_run_the_checks(api: httpx.AsyncClient, login) -> None:
    answer = await api.get("/api/v1/doctor", headers=login(SECRETARY_A))

    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "access_denied"


async def test_a_missing_calendar_right_fails_in_the_api(
    api: httpx.AsyncClient, login, running: RunningSandbox
) -> None:
    with delegate_rights(running, GEMEENTESECRETARIS, SECRETARY_A_FRIDAY, {"mail": "editor"}):
        answer = await api.get("/api/v1/doctor", headers=login(ADMIN))

    checks = answer.json()
    assert not_ok(checks) == INHERENT | {"calendar-delegates": "fail"}
    [found] = [c for c in checks if c["check"] == "calendar-delegates"]
    assert "Add-MailboxFolderPermission" in found["fix"] and SECRETARY_A_FRIDAY in found["fix"]


async def test_beheer_offers_the_checks(api: httpx.AsyncClient, login) -> None:
    page = await api.get("/pane/beheer/inhoud", params={"mailbox": ADMIN}, headers=login(ADMIN))

    assert page.status_code == 200, page.text
    assert '<h2 id="controle-titel">Controle</h2>' in page.text
    assert 'data-get="https://127.0.0.1:8443/pane/beheer/controle"' in page.text


async def test_the_pane_shows_each_verdict(api: httpx.AsyncClient, login) -> None:
    page = await api.get("/pane/beheer/controle", headers=login(ADMIN))

    assert page.status_code == 200, page.text
    assert "Klaar voor gebruik" in page.text
    assert VERDICT.findall(page.text) == [(name, "ok") for name in LABELS]
    assert ">in orde</span>" in page.text and "Oplossing:" not in page.text


async def test_the_pane_shows_a_warning_with_its_fix_and_is_still_ready(
    api: httpx.AsyncClient, login
) -> None:
    roster = (await api.get("/api/v1/roster", headers=login(ADMIN))).json()
    del roster["front_office"][GEMEENTESECRETARIS]["fri"]
    put = await api.put("/api/v1/roster", json=roster, headers=login(ADMIN))
    assert put.status_code == 200, put.text

    page = await api.get("/pane/beheer/controle", headers=login(ADMIN))

    assert page.status_code == 200, page.text
    assert "Klaar voor gebruik" in page.text
    assert ("roster-front-office", "warn") in VERDICT.findall(page.text)
    assert ">waarschuwing</span>" in page.text
    assert "<strong>Oplossing:</strong> Vul front_office in" in page.text


async def test_a_failed_check_is_shown_and_names_from_the_roster_are_escaped(
    api: httpx.AsyncClient, login, running: RunningSandbox
) -> None:
    roster = (await api.get("/api/v1/roster", headers=login(ADMIN))).json()
    hostile = '<b>Ellen</b> & "Co"'
    for member in roster["members"]:
        if member["upn"] == SECRETARY_A_FRIDAY:
            member["display_name"] = hostile
    put = await api.put("/api/v1/roster", json=roster, headers=login(ADMIN))
    assert put.status_code == 200, put.text

    with delegate_rights(running, GEMEENTESECRETARIS, SECRETARY_A_FRIDAY, {"mail": "editor"}):
        page = await api.get("/pane/beheer/controle", headers=login(ADMIN))

    assert page.status_code == 200, page.text
    assert "Niet klaar: er is iets fout" in page.text
    assert '<li data-check="calendar-delegates" data-status="fail">' in page.text
    assert "<b>Ellen</b>" not in page.text
    assert "&lt;b&gt;Ellen&lt;/b&gt; &amp; &#34;Co&#34;" in page.text


async def test_a_secretary_does_not_see_the_pane_checks(api: httpx.AsyncClient, login) -> None:
    page = await api.get("/pane/beheer/controle", headers=login(SECRETARY_A))

    assert page.status_code == 403
    assert "Alleen beheerders" in page.text
