"""Toegang controleren through the server: ``/api/v1/me/access`` and the pane's notice, view and
"Opnieuw controleren", with the signed-in secretary's own rights against the sandbox tenant."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import update

from automations.store.models import RosterMember
from sandbox.server import RunningSandbox
from tests.sandbox.people import ADMIN, BURGEMEESTER, SECRETARY_A, SECRETARY_A_FRIDAY
from tests.sandbox.test_mailbox_permissions import delegate_rights

HOSTILE_NAME = '<script>window.__pwned=1</script>Ingrid "><img src=x onerror=alert(1)>'
REVIEWER = {"mail": "reviewer", "calendar": "editor"}


async def test_the_api_gives_her_access_per_executive_and_checks_again_on_request(
    api: httpx.AsyncClient, login
) -> None:
    first = await api.get("/api/v1/me/access", headers=login(SECRETARY_A))

    assert first.status_code == 200, first.text
    report = first.json()
    assert report["user"] == SECRETARY_A and report["ok"] is True
    ingrid = report["executives"][0]
    assert ingrid["executive"] == BURGEMEESTER and ingrid["name"] == "Ingrid Zwanenburg"
    assert [(r["capability"], r["status"], r["verdict"]) for r in ingrid["results"]] == [
        ("inbox", "ok", "in orde"), ("drafts", "ok", "in orde"), ("calendar", "ok", "in orde"),
    ]  # fmt: skip
    kept = await api.get("/api/v1/me/access", headers=login(SECRETARY_A))
    assert kept.json()["checked_at"] == report["checked_at"]  # younger than a day: kept

    again = await api.post("/api/v1/me/access", headers=login(SECRETARY_A))
    assert again.status_code == 200 and again.json()["checked_at"] > report["checked_at"]


async def test_someone_off_the_roster_is_refused(api: httpx.AsyncClient, login) -> None:
    answer = await api.get("/api/v1/me/access", headers=login("lotte.vermeulen@zeeveen.nl"))

    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "access_denied"


async def test_the_notice_is_empty_when_all_is_well(api: httpx.AsyncClient, login) -> None:
    answer = await api.get("/pane/toegang/melding", headers=login(ADMIN))

    assert answer.status_code == 200 and answer.text.strip() == ""


async def test_without_drafts_rights_the_notice_names_it_and_the_view_says_what_to_ask(
    api: httpx.AsyncClient, login, running: RunningSandbox
) -> None:
    with delegate_rights(running, BURGEMEESTER, SECRETARY_A_FRIDAY, REVIEWER):
        notice = await api.get("/pane/toegang/melding", headers=login(SECRETARY_A_FRIDAY))
    view = await api.get("/pane/toegang/inhoud", headers=login(SECRETARY_A_FRIDAY))

    assert notice.status_code == 200 and 'data-testid="toegang-melding"' in notice.text
    assert "Ingrid Zwanenburg: Concept schrijven." in notice.text
    assert 'data-get="https://127.0.0.1:8443/pane/toegang/inhoud"' in notice.text
    assert 'data-capability="drafts" data-status="refused"' in view.text  # the kept result
    assert (
        "Add-MailboxFolderPermission -Identity &#34;ingrid.zwanenburg@zeeveen.nl:\\Concepten&#34;"
        f" -User {SECRETARY_A_FRIDAY} -AccessRights Editor" in view.text
    )
    again = await api.post("/pane/toegang/controleren", headers=login(SECRETARY_A_FRIDAY))
    assert again.status_code == 200 and 'data-status="refused"' not in again.text
    assert "Alles in orde" in again.text and "data-autofocus" in again.text


async def test_names_in_the_view_are_escaped(
    api: httpx.AsyncClient, login, backend: FastAPI, running: RunningSandbox
) -> None:
    async with backend.state.sessions() as session:
        await session.execute(
            update(RosterMember)
            .where(RosterMember.upn == BURGEMEESTER)
            .values(display_name=HOSTILE_NAME)
        )
        await session.commit()
    with delegate_rights(running, BURGEMEESTER, SECRETARY_A, {"mail": "editor"}):
        view = await api.get("/pane/toegang/inhoud", headers=login(SECRETARY_A))
        notice = await api.get("/pane/toegang/melding", headers=login(SECRETARY_A))

    for page in (view.text, notice.text):
        assert "<script>window.__pwned" not in page and "<img src=x" not in page
        assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;Ingrid" in page


async def test_the_pane_offers_the_check_in_its_footer(api: httpx.AsyncClient) -> None:
    shell = await api.get("/pane/bericht")

    assert 'data-url-toegang="https://127.0.0.1:8443/pane/toegang/melding"' in shell.text
    assert "data-toegang" in shell.text and ">Toegang controleren</button>" in shell.text
