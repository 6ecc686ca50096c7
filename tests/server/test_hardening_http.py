"""What the backend answers at the HTTP edge, whatever was asked: 4xx in the one error shape
instead of a 500, our security headers on every answer, a docs page that works under its own
CSP, a description that names every error, defused CSV, and a sandbox that serves loopback only.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest
from fastapi import FastAPI

from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import ADMIN, BURGEMEESTER, SECRETARY_A
from tests.server.test_meetings_api import KB, mail, meeting, pdf, push

OUTLOOK_ON_THE_WEB = ("https://outlook.office.com", "https://outlook.office365.com")


def assert_error(resp: httpx.Response, status: int, code: str) -> None:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    error = resp.json()["error"]
    assert error["code"] == code and error["message"] and error["request_id"]


def directives(resp: httpx.Response) -> dict[str, list[str]]:
    policy = resp.headers["content-security-policy"]
    found = {}
    for part in filter(None, (p.strip() for p in policy.split(";"))):
        name, *values = part.split()
        found[name] = values
    return found


@pytest.mark.parametrize("path", ["/api/v1/audit", "/api/v1/audit.csv"])
@pytest.mark.parametrize("name", ["mailbox", "actor"])
async def test_an_empty_audit_filter_is_refused_not_a_500(
    api: httpx.AsyncClient, login, path: str, name: str
) -> None:
    resp = await api.get(path, params={name: ""}, headers=login(ADMIN))
    assert_error(resp, 422, "invalid_request")


@pytest.mark.parametrize("before", [str(2**63), "1" + "0" * 40])
async def test_an_audit_cursor_past_any_id_is_refused_not_a_500(
    api: httpx.AsyncClient, login, before: str
) -> None:
    resp = await api.get("/api/v1/audit", params={"before": before}, headers=login(ADMIN))
    assert_error(resp, 422, "invalid_request")


async def test_an_audit_moment_without_a_time_zone_is_refused_not_a_500(
    api: httpx.AsyncClient, login
) -> None:
    resp = await api.get(
        "/api/v1/audit", params={"since": "2026-11-24T10:00:00"}, headers=login(ADMIN)
    )
    assert_error(resp, 422, "invalid_request")


async def test_a_number_is_not_a_date(api: httpx.AsyncClient, login) -> None:
    made = await api.post(
        "/api/v1/meetings",
        json={"type": "directie", "date": 0, "title": "Nul"},
        headers=login(SECRETARY_A),
    )
    assert_error(made, 422, "invalid_request")
    calendar = await api.get(
        f"/api/v1/mailboxes/{BURGEMEESTER}/calendar",
        params={"start": "0", "end": "2026-11-25T00:00:00"},
        headers=login(SECRETARY_A),
    )
    assert_error(calendar, 422, "invalid_request")


async def test_a_formula_in_an_attachment_name_is_defused_in_the_exported_index(
    api: httpx.AsyncClient, login, tenant: Tenant, backend: FastAPI, tmp_path: Path
) -> None:
    root = tmp_path / "vergadermappen"
    backend.state.settings = backend.state.settings.model_copy(update={"meetings_root": root})
    formula = "=cmd|' /C calc'!A0.csv"
    message = await mail(tenant, [(formula, pdf(2 * KB))], subject="Formule")
    made = await meeting(api, login, "directie", "MT-overleg formule", ["@SUM(A1)"])
    assert (await push(api, login, message, made["items"][0]["id"])).status_code == 200
    exported = await api.get(f"/api/v1/meetings/{made['id']}/export", headers=login(SECRETARY_A))
    assert exported.status_code == 200
    with zipfile.ZipFile(io.BytesIO(exported.content)) as zf:
        rows = list(csv.reader(io.StringIO(zf.read("index.csv").decode()), delimiter=";"))
    header, row = rows[0], rows[1]
    assert row[header.index("origineel")] == "'" + formula
    assert row[header.index("titel")] == "'@SUM(A1)"


async def test_the_docs_page_loads_only_our_own_files_under_a_strict_policy(
    api: httpx.AsyncClient,
) -> None:
    page = await api.get("/api/docs")
    assert page.status_code == 200
    script_src = directives(page)["script-src"]
    assert script_src == ["'self'"]
    assert "'unsafe-inline'" not in page.headers["content-security-policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text)  # no inline script
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page.text)
    assert len(assets) >= 3
    for asset in assets:
        url = httpx.URL(urljoin(str(page.url), asset))
        assert url.host == page.url.host, asset
        assert (await api.get(url.path)).status_code == 200, asset
    schema_url = re.search(r'data-openapi-url="([^"]+)"', page.text)
    assert schema_url and (await api.get(schema_url.group(1))).status_code == 200
    for old in ("/redoc", "/docs/oauth2-redirect"):
        assert (await api.get(old)).status_code == 404


async def test_only_outlook_and_ourselves_may_frame_the_pane(api: httpx.AsyncClient) -> None:
    pane = await api.get("/pane/bericht")
    assert pane.status_code == 200
    ancestors = directives(pane)["frame-ancestors"]
    assert "'self'" in ancestors and set(OUTLOOK_ON_THE_WEB) <= set(ancestors)
    assert not any("*" in a or a in ("https:", "http:") for a in ancestors)
    assert "script-src" in directives(pane)  # the page policy is still there


async def test_the_phones_approval_page_may_be_framed_by_itself_only(
    api: httpx.AsyncClient,
) -> None:
    page = await api.get("/goedkeuren")  # MSAL renews its token in a hidden iframe of it
    assert page.status_code == 200
    assert directives(page)["frame-ancestors"] == ["'self'"]


@pytest.mark.parametrize(
    "path", ["/api/docs", "/dev/outlook", "/help", "/healthz", "/api/v1/me", "/addin/manifest.xml"]
)
async def test_nothing_else_may_be_framed_and_nothing_is_sniffed(
    api: httpx.AsyncClient, path: str
) -> None:
    resp = await api.get(path)
    assert directives(resp)["frame-ancestors"] == ["'none'"]
    assert resp.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/api/v1/audit", "GET"),
        ("PATCH", "/api/v1/roster", "GET, PUT"),
        ("GET", "/api/v1/drafts", "POST"),
        ("POST", "/pane/static/pane.css", "GET, HEAD"),
    ],
)
async def test_an_undeclared_method_is_a_405_that_says_which_are_allowed(
    api: httpx.AsyncClient, method: str, path: str, allow: str
) -> None:
    resp = await api.request(method, path)
    assert resp.status_code == 405
    assert resp.headers["allow"] == allow
    if path.startswith("/api/"):
        assert_error(resp, 405, "method_not_allowed")


async def test_every_api_operation_documents_the_errors_it_can_answer(
    api: httpx.AsyncClient,
) -> None:
    schema = (await api.get("/api/v1/openapi.json")).json()
    error = {"$ref": "#/components/schemas/ErrorResponse"}
    assert schema["components"]["schemas"]["ErrorResponse"]["required"] == ["error"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    operations = [
        (path, op)
        for path, ops in schema["paths"].items()
        if path.startswith("/api/v1/")
        for op in ops.values()
    ]
    assert len(operations) > 30
    for path, op in operations:
        for status in ("401", "403", "404", "409"):
            assert op["responses"][status]["content"]["application/json"]["schema"] == error, path
        if "422" in op["responses"]:
            assert op["responses"]["422"]["content"]["application/json"]["schema"] == error
        assert op["security"] == [{"bearer": []}]


async def test_the_sandbox_refuses_requests_that_did_not_come_over_loopback(
    backend: FastAPI,
) -> None:
    for client, status in ((("127.0.0.1", 50000), 200), (("192.0.2.7", 50000), 403)):
        transport = httpx.ASGITransport(app=backend, client=client)
        async with httpx.AsyncClient(transport=transport, base_url="https://127.0.0.1") as c:
            resp = await c.get("/healthz")
        assert resp.status_code == status
    transport = httpx.ASGITransport(app=backend)
    async with httpx.AsyncClient(transport=transport, base_url="https://198.51.100.4") as c:
        assert_error(await c.get("/healthz"), 403, "sandbox_loopback_only")


async def test_a_subject_shows_in_the_pane_without_bidi_controls(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    controls = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
    subject = f"Factuur {controls}fdp.exe"
    async with tenant.raw(SECRETARY_A) as graph:
        created = (
            await graph.post(
                f"/users/{BURGEMEESTER}/mailFolders/inbox/messages",
                json={
                    "subject": subject,
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
    assert "Factuur fdp.exe" in resp.text
    assert not set(controls) & set(resp.text)
