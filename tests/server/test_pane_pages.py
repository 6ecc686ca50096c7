"""The task pane's pages as the server renders them: the shell, each pane, refusals, hostile mail.

The browser suite (tests/browser) drives the same pages through the harness; these tests pin
what the server sends, including what it must never send unescaped.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import httpx

from automations.clock import SetClock
from sandbox.server import RunningSandbox
from server.app import create_app
from server.settings import Settings
from tests.conftest import TODAY
from tests.dates import dutch_day, front_office_day, set_day, working_day
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import ADMIN, BURGEMEESTER, SECRETARY_A, SECRETARY_B

HOSTILE_SUBJECT = '<script>window.__pwned=1</script>Begroting "><img src=x onerror=alert(1)>'
HOSTILE_NAME = "Jan \u202egnissapmoh\u202c <b>Baas</b>"
HOSTILE_BODY = "Zie bijlage.\n<script>fetch('/steal')</script>\n\"><img src=x onerror=alert(2)>"


async def first_inbox_message(tenant: Tenant, mailbox: str) -> dict:
    async with tenant.raw(mailbox) as graph:
        url = f"/users/{mailbox}/mailFolders/inbox/messages?$top=1&$orderby=receivedDateTime desc"
        return (await graph.get(url)).json()["value"][0]


async def test_the_shell_needs_no_token_and_carries_the_sign_in_settings(
    api: httpx.AsyncClient, running: RunningSandbox
) -> None:
    resp = await api.get("/pane/bericht", params={"tab": "snelle-stappen"})
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/html")
    config = json.loads(re.search(r'id="pane-config">(.*?)</script>', resp.text).group(1))
    assert config["clientId"] == running.info["client_id"]
    assert config["authority"] == running.info["authority"]
    assert config["apiScope"] == f"api://{running.info['client_id']}/access_as_user"
    assert config["tab"] == "snelle-stappen"
    assert "/dev/office.js" in resp.text  # sandbox mode: the harness's Office.js, no CDN
    assert 'lang="nl"' in resp.text


async def test_an_unknown_pane_or_tab_is_a_readable_dutch_page(api: httpx.AsyncClient) -> None:
    resp = await api.get("/pane/snoepjes")
    assert resp.status_code == 404 and "Niet gevonden" in resp.text and 'lang="nl"' in resp.text
    bad_tab = await api.get("/pane/bericht", params={"tab": "<x>"})
    assert bad_tab.status_code == 422
    assert "open het opnieuw" in bad_tab.text and "String should" not in bad_tab.text
    assert "<x>" not in bad_tab.text


async def test_pages_carry_a_content_security_policy(api: httpx.AsyncClient) -> None:
    for path in ("/pane/bericht", "/help", "/dev/outlook"):
        policy = (await api.get(path)).headers["content-security-policy"]
        assert "script-src 'self' https://appsforoffice.microsoft.com" in policy, path
        assert "object-src 'none'" in policy


async def test_a_delegate_sees_the_executives_message_and_whose_mailbox_it_is(
    api: httpx.AsyncClient, login, tenant: Tenant, clock: SetClock
) -> None:
    set_day(clock, front_office_day(BURGEMEESTER, SECRETARY_A))  # Monique's day at the front
    message = await first_inbox_message(tenant, BURGEMEESTER)
    resp = await api.get(
        "/pane/bericht/inhoud",
        params={"mailbox": BURGEMEESTER, "item": message["id"], "type": "message"},
        headers=login(SECRETARY_A),
    )
    assert resp.status_code == 200
    assert 'data-testid="postvak">Ingrid Zwanenburg<' in resp.text
    assert "als gemachtigde" in resp.text
    assert 'data-testid="gebruiker">Monique Verschuren<' in resp.text
    assert "frontoffice vandaag" in resp.text  # Monique is front office for Ingrid today
    assert message["subject"] in resp.text


async def test_a_secretary_of_another_team_gets_the_clear_refusal_and_graph_is_not_asked(
    api: httpx.AsyncClient, login, tenant: Tenant, admin: httpx.Client
) -> None:
    message = await first_inbox_message(tenant, BURGEMEESTER)
    admin.post("/counters/reset")
    resp = await api.get(
        "/pane/bericht/inhoud",
        params={"mailbox": BURGEMEESTER, "item": message["id"], "type": "message"},
        headers=login(SECRETARY_B),
    )
    assert resp.status_code == 403
    assert 'role="alert"' in resp.text and "Geen toegang" in resp.text
    assert "Karin Molenaar werkt niet voor Ingrid Zwanenburg" in resp.text
    assert SECRETARY_B not in resp.text and BURGEMEESTER not in resp.text
    assert message["subject"] not in resp.text
    assert admin.get("/counters").json()["requests"] == {}


async def test_without_a_token_the_pane_says_so_in_html(api: httpx.AsyncClient) -> None:
    resp = await api.get("/pane/agenda/inhoud", params={"mailbox": BURGEMEESTER})
    assert resp.status_code == 401
    assert "Aanmelden is niet gelukt" in resp.text and "request_id" not in resp.text


async def test_hostile_mail_is_shown_as_text(api: httpx.AsyncClient, login, tenant: Tenant) -> None:
    async with tenant.raw(SECRETARY_A) as graph:
        created = (
            await graph.post(
                f"/users/{BURGEMEESTER}/mailFolders/inbox/messages",
                json={
                    "subject": HOSTILE_SUBJECT,
                    "from": {"emailAddress": {"name": HOSTILE_NAME, "address": "x@evil.test"}},
                    "body": {"contentType": "text", "content": HOSTILE_BODY},
                    "toRecipients": [{"emailAddress": {"address": BURGEMEESTER}}],
                },
            )
        ).json()
    resp = await api.get(
        "/pane/bericht/inhoud",
        params={"mailbox": BURGEMEESTER, "item": created["id"], "type": "message"},
        headers=login(SECRETARY_A),
    )
    assert resp.status_code == 200
    page = resp.text
    for raw in ("<script>", "<img src=x", "<b>Baas</b>", "onerror=alert(1)>"):
        assert raw not in page
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert "&lt;b&gt;Baas&lt;/b&gt;" in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in page
    # The override and its pop are removed (the pane's environment): the name reads as sent.
    assert "\u202e" not in page and "\u202c" not in page
    assert "Jan gnissapmoh" in page


async def test_a_hostile_appointment_is_shown_as_text(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    day = TODAY.isoformat()
    async with tenant.raw(SECRETARY_A) as graph:
        created = (
            await graph.post(
                f"/users/{BURGEMEESTER}/events",
                json={
                    "subject": HOSTILE_SUBJECT,
                    "location": {"displayName": HOSTILE_NAME},
                    "start": {"dateTime": f"{day}T21:00:00", "timeZone": "W. Europe Standard Time"},
                    "end": {"dateTime": f"{day}T21:30:00", "timeZone": "W. Europe Standard Time"},
                },
            )
        ).json()
    resp = await api.get(
        "/pane/agenda/inhoud",
        params={"mailbox": BURGEMEESTER, "item": created["id"], "type": "appointment"},
        headers=login(SECRETARY_A),
    )
    assert resp.status_code == 200
    assert "<script>" not in resp.text and "<img src=x" not in resp.text and "<b>" not in resp.text
    assert resp.text.count("&lt;script&gt;window.__pwned=1&lt;/script&gt;") == 2  # item + day
    assert "&lt;b&gt;Baas&lt;/b&gt;" in resp.text


async def test_the_agenda_pane_shows_the_appointment_and_its_day(
    api: httpx.AsyncClient, login
) -> None:
    on = working_day(TODAY)  # a day with meetings in her calendar
    day = on.isoformat()
    events = (
        await api.get(
            f"/api/v1/mailboxes/{BURGEMEESTER}/calendar",
            params={"start": f"{day}T00:00", "end": f"{day}T23:59"},
            headers=login(SECRETARY_A),
        )
    ).json()["events"]
    chosen = events[-1]
    resp = await api.get(
        "/pane/agenda/inhoud",
        params={"mailbox": BURGEMEESTER, "item": chosen["id"], "type": "appointment"},
        headers=login(SECRETARY_A),
    )
    assert resp.status_code == 200
    shown = re.search(r'data-testid="onderwerp">([^<]*)<', resp.text).group(1)
    assert html.unescape(shown) == chosen["subject"]
    day_list = resp.text.split('data-testid="dag"')[1]
    assert day_list.count('class="afspraak') == len(events)
    assert f"{dutch_day(on)} {on.year}" in resp.text


async def test_beheer_is_for_admins(api: httpx.AsyncClient, login, clock: SetClock) -> None:
    set_day(clock, front_office_day(BURGEMEESTER, SECRETARY_A))
    ok = await api.get("/pane/beheer/inhoud", params={"mailbox": ADMIN}, headers=login(ADMIN))
    assert ok.status_code == 200
    assert "Ingrid Zwanenburg" in ok.text and "Monique Verschuren" in ok.text  # today's front
    refused = await api.get(
        "/pane/beheer/inhoud", params={"mailbox": SECRETARY_A}, headers=login(SECRETARY_A)
    )
    assert refused.status_code == 403 and "Alleen beheerders" in refused.text


async def test_help_explains_where_the_manifest_is(api: httpx.AsyncClient) -> None:
    resp = await api.get("/help")
    assert resp.status_code == 200
    assert "https://127.0.0.1:8443/addin/manifest.xml" in resp.text
    assert "/dev/outlook" in resp.text


async def test_the_harness_and_the_shim_exist_only_on_the_sandbox(
    running: RunningSandbox, tmp_path: Path
) -> None:
    settings = Settings(
        mode="tenant",
        tenant_id="11111111-2222-3333-4444-555555555555",
        client_id="66666666-7777-8888-9999-000000000000",
        client_secret="a-real-looking-secret-value",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 's.sqlite3'}",
        base_url="https://secretariaat.gemeente.test",
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://x.test") as client:
        for path in ("/dev/outlook", "/dev/office.js", "/dev/outlook/gebruikers"):
            assert (await client.get(path)).status_code == 404, path
        minting = await client.post("/dev/outlook/aanmelden", json={"upn": "a@b.nl"})
        assert minting.status_code == 404 and "access_token" not in minting.text
        shell = await client.get("/pane/bericht")
        assert "https://appsforoffice.microsoft.com/lib/1/hosted/office.js" in shell.text
    await app.state.validator.aclose()
    await app.state.gateway.aclose()
    await app.state.engine.dispose()
