"""The team's configuration (quick steps, reply templates) holds against hostile or careless
input: YAML bombs, markup from outside mail, templates that break, instances racing at start."""

from __future__ import annotations

import asyncio
import threading
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from markupsafe import escape
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from automations.quicksteps.models import QuickStepSet
from automations.store import create_engine, session_factory, upgrade_async
from automations.store.models import AuditLogRow, Base, QuickStepVersionRow, TemplateVersionRow
from sandbox.mail import compose
from server.settings import Settings
from server.startup import load_first_content
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import ADMIN, BURGEMEESTER
from tests.server.test_quicksteps_api import SENDER, apply, graph_get, new_message
from tests.server.test_templates_api import mail

COLLEAGUE = "lotte.vermeulen@zeeveen.nl"


async def _count(engine: AsyncEngine, row: type[Base], **where: str) -> int:
    query = select(func.count()).select_from(row).filter_by(**where)
    async with session_factory(engine, clock=Settings().make_clock())() as session:
        return int(await session.scalar(query) or 0)


async def test_two_instances_starting_at_once_load_the_demo_files_once(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'store.sqlite3'}"
    settings = Settings(sandbox_state=tmp_path, database_url=url)
    first, second = create_engine(url), create_engine(url)  # two instances, two pools
    try:
        await upgrade_async(first)  # migrated; the race is about what is loaded next
        await asyncio.gather(
            load_first_content(first, settings), load_first_content(second, settings)
        )
        assert await _count(first, QuickStepVersionRow) == 1
        assert await _count(first, TemplateVersionRow) == 1
        assert await _count(first, AuditLogRow, action="roster.import") == 1
    finally:
        await first.dispose()
        await second.dispose()


# --- YAML bombs: refused at their first anchor, by the API and by the Beheer pane --------------

# Three levels of three: harmless even if refusing ever regressed (the full-size bomb is parsed
# under a memory ceiling in tests/automations/test_yamlfile.py). The first anchor is on line 3.
SMALL_BOMB = """format: 1
steps:
  - &a [ha, ha, ha]
  - &b [*a, *a, *a]
  - &c [*b, *b, *b]
"""
TEMPLATE_BOMB = SMALL_BOMB.replace("steps:", "templates:")
REFUSED = "regel 3: ankers en verwijzingen (&, *) worden niet ondersteund"


def yaml_headers(login, upn: str = ADMIN) -> dict[str, str]:
    return {**login(upn), "Content-Type": "application/yaml"}


@pytest.mark.parametrize(
    ("path", "text", "code"),
    [
        ("/api/v1/quicksteps", SMALL_BOMB, "invalid_quicksteps"),
        ("/api/v1/templates", TEMPLATE_BOMB, "invalid_templates"),
    ],
)
async def test_a_yaml_bomb_is_refused_with_its_line_and_nothing_is_stored(
    api: httpx.AsyncClient, login, path: str, text: str, code: str
) -> None:
    before = (await api.get(f"{path}/versions", headers=login(ADMIN))).json()
    resp = await api.put(path, content=text, headers=yaml_headers(login))
    assert resp.status_code == 422
    error = resp.json()["error"]
    assert error["code"] == code and REFUSED in error["message"] and error["request_id"]
    assert (await api.get(f"{path}/versions", headers=login(ADMIN))).json() == before


@pytest.mark.parametrize("path", ["/api/v1/quicksteps", "/api/v1/templates"])
async def test_a_value_yaml_cannot_construct_is_a_clear_refusal_not_a_500(
    api: httpx.AsyncClient, login, path: str
) -> None:
    text = "format: 1\nsteps: !onbekend x\n" if "quick" in path else "format: !!binary zz\n"
    resp = await api.put(path, content=text, headers=yaml_headers(login))
    assert resp.status_code == 422, resp.text
    assert "ongeldige waarde" in resp.json()["error"]["message"]


async def test_the_beheer_pane_refuses_a_yaml_bomb_and_lists_the_line(
    api: httpx.AsyncClient, login
) -> None:
    before = (await api.get("/api/v1/quicksteps/versions", headers=login(ADMIN))).json()
    resp = await api.post(
        "/pane/beheer/snelle-stappen", json={"text": SMALL_BOMB}, headers=login(ADMIN)
    )
    assert resp.status_code == 400
    line, problem = REFUSED.removeprefix("regel ").split(": ", 1)  # the line beside its text
    assert f'data-regel="{line}"' in resp.text and escape(problem) in resp.text
    assert (await api.get("/api/v1/quicksteps/versions", headers=login(ADMIN))).json() == before


# --- Values from outside mail are escaped where they land in HTML, and only there ---------------

HOSTILE = "<b>Vet</b><script>alert(1)</script> & co"
FORWARD_AND_TELL = f"""format: 1
steps:
  - name: Doorsturen met uitleg
    actions:
      - action: forward
        to: [{COLLEAGUE}]
        comment: "Over {{{{ subject }}}} van {{{{ sender_name }}}}"
  - name: Melden
    actions:
      - action: new_message
        to: [{COLLEAGUE}]
        subject: "Ter info: {{{{ subject }}}}"
        body: "Onderwerp: {{{{ subject }}}}"
        send: true
"""


async def hostile_message(tenant: Tenant) -> str:
    return await mail(tenant, SENDER, f"{HOSTILE} [{uuid.uuid4().hex[:6]}]")


async def publish(api: httpx.AsyncClient, login, text: str) -> httpx.Response:
    return await api.put("/api/v1/quicksteps", content=text.encode(), headers=yaml_headers(login))


async def test_a_forward_comment_escapes_the_subject_the_colleague_receives(
    api: httpx.AsyncClient, login, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    comments: list[str] = []
    forward_draft = compose.forward_draft

    def recording(original: dict[str, Any], *, comment: str) -> dict[str, Any]:
        comments.append(comment)  # the comment as Graph got it: Graph puts it in HTML
        return forward_draft(original, comment=comment)

    monkeypatch.setattr(compose, "forward_draft", recording)
    assert (await publish(api, login, FORWARD_AND_TELL)).status_code == 201
    message_id = await hostile_message(tenant)
    resp = await apply(api, login, "Doorsturen met uitleg", [message_id])
    assert resp.status_code == 200, resp.text

    [comment] = comments
    assert "<b>" not in comment and "<script>" not in comment
    assert "Over &lt;b&gt;Vet&lt;/b&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in comment
    subject = (await graph_get(tenant, f"/users/{BURGEMEESTER}/messages/{message_id}"))["subject"]
    wanted = quote(f"FW: {subject}".replace("'", "''"), safe="")
    received = await graph_get(
        tenant,
        f"/users/{COLLEAGUE}/mailFolders/inbox/messages?$filter=subject eq '{wanted}'"
        "&$select=subject,body",
        upn=COLLEAGUE,
    )
    [forwarded] = received["value"]
    assert "<script>" not in forwarded["body"]["content"]
    assert "<b>Vet" not in forwarded["body"]["content"]


async def test_plain_text_targets_carry_the_subject_as_it_was(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    assert (await publish(api, login, FORWARD_AND_TELL)).status_code == 201
    message_id = await hostile_message(tenant)
    subject = (await graph_get(tenant, f"/users/{BURGEMEESTER}/messages/{message_id}"))["subject"]
    resp = await apply(api, login, "Melden", [message_id])
    assert resp.status_code == 200, resp.text
    sent = await graph_get(
        tenant,
        f"/users/{BURGEMEESTER}/mailFolders/sentitems/messages?$select=subject,body"
        "&$orderby=sentDateTime desc&$top=5",
    )
    [told] = [m for m in sent["value"] if m["subject"] == f"Ter info: {subject}"]
    assert told["body"] == {"contentType": "text", "content": f"Onderwerp: {subject}"}


# --- Templates that break: refused at publication, a clear 422 when applied -------------------

OVERFLOW = "{{ range(100001)|length }}"


async def test_a_quickstep_template_over_the_sandbox_range_is_refused_with_its_line(
    api: httpx.AsyncClient, login
) -> None:
    text = f"""format: 1
steps:
  - name: Te groot
    actions:
      - action: forward
        to: [{COLLEAGUE}]
        comment: |
          Zie onder.
          {OVERFLOW}
"""
    resp = await publish(api, login, text)
    assert resp.status_code == 422
    error = resp.json()["error"]
    assert error["code"] == "invalid_quicksteps"
    assert "regel 9, steps[0].actions[0].comment (stap 'Te groot'): te groot" in error["message"]


async def test_a_reply_template_over_the_sandbox_range_is_refused_with_its_line(
    api: httpx.AsyncClient, login
) -> None:
    text = f"""format: 1
templates:
  - name: Te groot
    body: |
      <p>Geachte heer,</p>
      <p>{OVERFLOW}</p>
"""
    resp = await api.put("/api/v1/templates", content=text.encode(), headers=yaml_headers(login))
    assert resp.status_code == 422
    error = resp.json()["error"]
    assert error["code"] == "invalid_templates"
    assert "regel 6, templates[0].body (Te groot): te groot" in error["message"]


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("Beste {{ sender.name }}", "regel 8, steps[0].actions[0].body (stap 'Kapot'):"
         " onbekende variabele 'sender'"),
        ("{{ subject.naam }}", "regel 8, steps[0].actions[0].body (stap 'Kapot'):"
         " onbekende waarde"),
        ("{{ subject|truncate(-5) }}", "regel 8, steps[0].actions[0].body (stap 'Kapot'):"
         " kan niet worden opgemaakt"),
    ],
)  # fmt: skip
async def test_a_template_that_would_fail_on_every_message_is_refused(
    api: httpx.AsyncClient, login, template: str, problem: str
) -> None:
    text = f"""format: 1
steps:
  - name: Kapot
    actions:
      - action: reply_draft
        body: |
          Hallo,
          {template}
"""
    resp = await publish(api, login, text)
    assert resp.status_code == 422, resp.text
    assert problem in resp.json()["error"]["message"]


async def test_a_template_that_fails_on_this_message_is_a_clear_422(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    # Fine for the sample message at publication; over the sandbox's range for a long subject.
    text = f"""format: 1
steps:
  - name: Lengte
    actions:
      - action: forward
        to: [{COLLEAGUE}]
        comment: "{{{{ range(subject|length * 3000)|length }}}}"
"""
    assert (await publish(api, login, text)).status_code == 201
    message_id = await new_message(tenant, "Een wat langer onderwerp voor de proef")
    resp = await apply(api, login, "Lengte", [message_id])
    assert resp.status_code == 422, resp.text
    error = resp.json()["error"]
    assert error["code"] == "quickstep_template_failed"
    assert "kan niet worden opgemaakt" in error["message"] and "te groot" in error["message"]


async def test_a_published_file_is_checked_off_the_event_loop(
    api: httpx.AsyncClient, login, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[int] = []
    validate = QuickStepSet.model_validate

    def recording(data: Any) -> QuickStepSet:
        threads.append(threading.get_ident())
        return validate(data)

    monkeypatch.setattr(QuickStepSet, "model_validate", recording)
    name = f"Gelezen {uuid.uuid4().hex[:6]}"  # a text never parsed before (parses are cached)
    text = f"format: 1\nsteps:\n  - name: {name}\n    actions: [{{action: mark_read}}]\n"
    assert (await publish(api, login, text)).status_code == 201
    assert threads and threading.get_ident() not in threads
