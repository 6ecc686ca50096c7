"""Reply templates: published as a whole by an admin, rendered safely against a real message."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path
from urllib.parse import quote

import httpx

from automations.replies.salutation import salutation
from automations.replies.templates import parse, render_body
from tests.conftest import TODAY
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import ADMIN, BURGEMEESTER, SECRETARY_A
from tests.server.test_quicksteps_api import graph_get

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "automations" / "replies"
COLLEAGUE = "bas.kuipers@zeeveen.nl"
MONTHS = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"


async def mail(tenant: Tenant, sender: str, subject: str) -> str:
    async with tenant.raw(sender) as graph:
        body = {
            "message": {
                "subject": subject,
                "body": {"contentType": "text", "content": "Zie bijgaand."},
                "toRecipients": [{"emailAddress": {"address": BURGEMEESTER}}],
            }
        }
        (await graph.post(f"/users/{sender}/sendMail", json=body)).raise_for_status()
    escaped = quote(subject.replace("'", "''"), safe="")
    found = await graph_get(
        tenant,
        f"/users/{BURGEMEESTER}/mailFolders/inbox/messages?$filter=subject eq '{escaped}'",
    )
    return found["value"][0]["id"]


async def preview(api: httpx.AsyncClient, login, message_id: str, template: str) -> httpx.Response:
    body = {"mailbox": BURGEMEESTER, "message": message_id, "template": template}
    return await api.post("/api/v1/templates/preview", json=body, headers=login(SECRETARY_A))


async def test_the_preview_addresses_the_sender_formally_and_signs_as_the_executive(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    message_id = await mail(tenant, COLLEAGUE, f"Verzoek om een gesprek {uuid.uuid4().hex[:6]}")
    resp = await preview(api, login, message_id, "Ontvangstbevestiging")
    assert resp.status_code == 200, resp.text
    html = resp.json()["html"]
    assert html.startswith("<p>Geachte heer/mevrouw Kuipers,</p>")
    assert re.search(rf"uw bericht van \d{{1,2}} ({MONTHS}) \d{{4}}", html)
    assert "Ingrid Zwanenburg<br>Burgemeester<br>Gemeente Zeeveen" in html
    informal = await preview(api, login, message_id, "Kort en informeel")
    assert informal.json()["html"].startswith("<p>Beste Bas,</p>")


async def test_a_hostile_subject_arrives_escaped(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    hostile = f"<script>alert('x')</script> & \"kermis\" {uuid.uuid4().hex[:6]}"
    message_id = await mail(tenant, COLLEAGUE, hostile)
    html = (await preview(api, login, message_id, "Ontvangstbevestiging")).json()["html"]
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;kermis&#34;" in html


def test_hostile_names_are_escaped_in_the_salutation_and_body() -> None:
    templates = parse((TEMPLATES_DIR / "demo.yaml").read_text(encoding="utf-8"))
    name = '<img src=x onerror="alert(1)"> Jansen'
    values = {
        "salutation": salutation(name, "x@example.nl", "formeel"),
        "sender": {"name": name, "address": "x@example.nl", "first_name": "", "surname": ""},
        "executive": {"name": "<b>Ingrid</b>", "function": "Burgemeester", "address": "i@x"},
        "secretary": {"name": "Monique"},
        "subject": "</p><script>steal()</script>",
        "received": dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC),
        "today": TODAY,
    }
    html = render_body(templates.template("Ontvangstbevestiging"), values)
    assert "<img" not in html and "<script>" not in html and "<b>Ingrid</b>" not in html
    assert "&lt;b&gt;Ingrid&lt;/b&gt;" in html
    assert "23 november 2026" in html


async def test_a_template_with_a_missing_variable_is_refused_and_the_old_set_stays(
    api: httpx.AsyncClient, login
) -> None:
    before = (await api.get("/api/v1/templates", headers=login(SECRETARY_A))).json()
    bad = (
        "format: 1\ntemplates:\n  - name: Kapot\n    body: |\n      <p>{{ salutation }},</p>\n"
        "      <p>{{ sender.nickname }}</p>\n"
    )
    headers = {**login(ADMIN), "Content-Type": "application/yaml"}
    resp = await api.put("/api/v1/templates", content=bad.encode(), headers=headers)
    assert resp.status_code == 422
    error = resp.json()["error"]
    assert error["code"] == "invalid_templates"
    assert "regel 6, templates[0].body (Kapot): onbekend veld 'nickname'" in error["message"]
    after = (await api.get("/api/v1/templates", headers=login(SECRETARY_A))).json()
    assert after["version"] == before["version"] and len(after["templates"]) == 4
    not_admin = await api.put(
        "/api/v1/templates",
        content=bad.encode(),
        headers={**login(SECRETARY_A), "Content-Type": "application/yaml"},
    )
    assert not_admin.status_code == 403


async def test_a_new_version_is_used_and_the_old_one_stays_readable(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    text = "format: 1\ntemplates:\n  - name: Kort\n    body: '<p>{{ salutation }}, akkoord.</p>'\n"
    headers = {**login(ADMIN), "Content-Type": "application/yaml"}
    published = await api.put(
        "/api/v1/templates?note=korter", content=text.encode(), headers=headers
    )
    assert published.status_code == 201, published.text
    message_id = await mail(tenant, COLLEAGUE, f"Akkoord? {uuid.uuid4().hex[:6]}")
    html = (await preview(api, login, message_id, "Kort")).json()["html"]
    assert html == "<p>Geachte heer/mevrouw Kuipers, akkoord.</p>"
    gone = await preview(api, login, message_id, "Ontvangstbevestiging")
    assert gone.status_code == 422 and "Kort" in gone.json()["error"]["message"]
    old = await api.get("/api/v1/templates/versions/1", headers=login(ADMIN))
    assert "Ontvangstbevestiging" in old.text
