"""Naar vergadermap as the back office meets it in the pane: a college mail preselects the
college meeting (said why), every meeting is listed once, the push button names the target,
and the overview offers the ZIP and opens documents — only for who serves that executive."""

from __future__ import annotations

import html
import io
import re
import zipfile
from urllib.parse import urlsplit

import httpx

from automations.clock import SetClock, local_today
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, SECRETARY_B
from tests.server.test_meetings_api import KB, mail, pdf, push

COLLEGE_SUBJECT = "Raadsvoorstel Marktplein: versie voor het college"
HOSTILE = '<img src=x onerror="alert(1)">.pdf'


async def _make(api: httpx.AsyncClient, login, kind: str, day: str, title: str) -> str:
    made = await api.post("/api/v1/meetings", json={"type": kind, "date": day, "title": title},
                          headers=login(SECRETARY_A))  # fmt: skip
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def _path(url: str) -> str:
    parts = urlsplit(html.unescape(url))
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


async def test_a_college_mail_preselects_the_college_meeting_once_and_says_why(
    api: httpx.AsyncClient, login, tenant: Tenant, clock: SetClock
) -> None:
    message = await mail(tenant, [("Raadsvoorstel.pdf", pdf(4 * KB)), (HOSTILE, pdf(KB))],
                         subject=COLLEGE_SUBJECT)  # fmt: skip
    offered = (await api.get("/api/v1/meetings", params={"mailbox": BURGEMEESTER},
                             headers=login(SECRETARY_A))).json()["from_calendar"]  # fmt: skip
    college_day = min(o["date"] for o in offered if o["type"] == "college")
    # The bug's setting: the college meeting made by hand (so stored and "uit de agenda"),
    # and a council meeting nearer than it.
    college = await _make(api, login, "college", college_day, "Collegevergadering")
    council = await _make(api, login, "raad", local_today(clock).isoformat(), "Raad extra")

    listed = (await api.get("/api/v1/meetings", params={"mailbox": BURGEMEESTER,
                            "message": message}, headers=login(SECRETARY_A))).json()  # fmt: skip
    values = [c["value"] for c in listed["candidates"]]
    assert len(values) == len(set(values))
    moments = [(c["type"], c["date"]) for c in listed["candidates"]]
    assert len(moments) == len(set(moments))  # one meeting, one entry
    assert listed["preselected"] == {"value": f"m:{college}", "why": "past bij het onderwerp"}
    assert values[0] == f"m:{college}" and f"m:{council}" in values
    assert not [o for o in listed["from_calendar"]
                if (o["type"], o["date"]) == ("college", college_day)]  # fmt: skip

    pane = await api.post("/pane/vergadermap/kiezen",
                          json={"mailbox": BURGEMEESTER, "message": message},
                          headers=login(SECRETARY_A))  # fmt: skip
    assert pane.status_code == 200, pane.text
    options = re.findall(r'<option value="([^"]*)"( selected)?>', pane.text)
    assert [v for v, chosen in options if chosen] == [f"m:{college}", ""]  # "" the new item
    assert [v for v, _ in options if v.startswith(("m:", "e:"))] == values
    proposal = re.search(r'data-testid="voorstel">\s*([^<]*)<', pane.text).group(1)
    assert html.unescape(proposal).startswith("Voorgesteld: Collegevergadering")
    assert "past bij het onderwerp" in proposal
    doel = re.search(r"data-doel>([^<]*)<", pane.text).group(1)
    assert "College van B&amp;W · Collegevergadering" in doel  # the button names the target
    assert "<img src=x" not in pane.text and "&lt;img src=x onerror=" in pane.text


async def test_nothing_is_preselected_for_a_mail_no_type_fits(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    message = await mail(tenant, [("menu.pdf", pdf(KB))], subject="Lunch vrijdag")
    pane = await api.post("/pane/vergadermap/kiezen",
                          json={"mailbox": BURGEMEESTER, "message": message},
                          headers=login(SECRETARY_A))  # fmt: skip
    assert '<option value="" selected>Kies een vergadering…</option>' in pane.text
    assert 'data-required="Kies eerst een vergadering."' in pane.text
    assert "Geen vergadering past duidelijk bij dit bericht" in pane.text


async def test_the_overview_offers_the_zip_and_opens_documents_for_who_serves_her(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    data = pdf(6 * KB)
    message = await mail(tenant, [("besluitenlijst.pdf", data)], subject="Besluitenlijst MT")
    made = await _make(api, login, "directie", "2026-12-02", "MT-overleg")
    item = await api.post(f"/api/v1/meetings/{made}/items", json={"title": "Besluiten"},
                          headers=login(SECRETARY_A))  # fmt: skip
    assert (await push(api, login, message, item.json()["id"])).status_code == 200

    pane = await api.get(f"/pane/vergadermap/{made}/overzicht", headers=login(SECRETARY_A))
    assert pane.status_code == 200, pane.text
    zip_url = re.search(r'href="([^"]+)" data-download="[^"]*" data-testid="zip"', pane.text)
    document = re.search(r'<a href="([^"]+)" data-download="01-Besluiten-besluitenlijst.pdf"',
                         pane.text)  # fmt: skip
    assert zip_url and document

    opened = await api.get(_path(document.group(1)), headers=login(SECRETARY_A))
    assert opened.status_code == 200 and opened.content == data
    disposition = opened.headers["content-disposition"]
    assert disposition == ('attachment; filename="01-Besluiten-besluitenlijst.pdf"; '
                           "filename*=UTF-8''01-Besluiten-besluitenlijst.pdf")  # fmt: skip
    assert opened.headers["x-content-type-options"] == "nosniff"
    exported = await api.get(_path(zip_url.group(1)), headers=login(SECRETARY_A))
    assert exported.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(exported.content)) as zf:
        assert zf.read("01 Besluiten/01-Besluiten-besluitenlijst.pdf") == data

    # Karin serves the wethouders, not the burgemeester whose mail this came from.
    other = await api.get(f"/pane/vergadermap/{made}/overzicht", headers=login(SECRETARY_B))
    assert "voor wie u niet werkt" in other.text and 'data-download="01-' not in other.text
    refused = await api.get(_path(document.group(1)), headers=login(SECRETARY_B))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "access_denied"
    assert BURGEMEESTER not in refused.json()["error"]["message"]
    theirs = await api.get(_path(zip_url.group(1)), headers=login(SECRETARY_B))
    with zipfile.ZipFile(io.BytesIO(theirs.content)) as zf:
        assert "01 Besluiten/01-Besluiten-besluitenlijst.pdf" not in zf.namelist()


async def test_a_document_in_sharepoint_opens_there(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    message = await mail(tenant, [("advies.pdf", pdf(3 * KB))], subject="Advies college")
    made = await _make(api, login, "college", "2026-12-01", "Collegevergadering")
    item = await api.post(f"/api/v1/meetings/{made}/items", json={"title": "Advies"},
                          headers=login(SECRETARY_A))  # fmt: skip
    assert (await push(api, login, message, item.json()["id"])).status_code == 200
    pane = await api.get(f"/pane/vergadermap/{made}/overzicht", headers=login(SECRETARY_A))
    link = re.search(r'<a href="(https://[^"]+)" target="_blank" rel="noopener noreferrer">'
                     r"01-Advies-advies.pdf</a>", pane.text)  # fmt: skip
    assert link and ".sharepoint.com/" in link.group(1)
