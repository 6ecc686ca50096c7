"""The approval commands: a script asks, lists, approves and rejects, and Graph shows the result."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from automations.errors import AccessDenied
from cli.main import app
from tests.cli.commands import audit_rows, secretariaat
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, GEMEENTESECRETARIS, SECRETARY_A
from tests.server.test_approvals_api import in_folder, mail_from_hans
from tests.server.test_quicksteps_api import graph_get

TEMPLATES = Path(__file__).resolve().parents[2] / "automations" / "replies" / "demo.yaml"
SECRETARIAAT = "secretariaat@zeeveen.nl"  # the demo's shared mailbox, in the app's RBAC scope


async def notices(tenant: Tenant, subject: str) -> list[dict[str, Any]]:
    """The notices in the burgemeester's Inbox about the reply to ``subject``, with sender."""
    escaped = f"Ter goedkeuring: RE: {subject}".replace("'", "''")
    url = (
        f"/users/{BURGEMEESTER}/mailFolders/inbox/messages?$filter=subject eq '{escaped}'"
        "&$select=id,subject,from,body"
    )
    found: list[dict[str, Any]] = (await graph_get(tenant, url))["value"]
    return found


def sender_of(message: dict[str, Any]) -> str:
    return str(message["from"]["emailAddress"]["address"]).lower()


async def a_draft(tenant: Tenant, subject: str) -> tuple[str, str, str]:
    """The secretary made a reply draft in Outlook; returns (message, draft, exact subject)."""
    message_id, subject = await mail_from_hans(tenant, subject)
    async with tenant.raw(SECRETARY_A) as graph:
        made = await graph.post(
            f"/users/{BURGEMEESTER}/messages/{message_id}/createReply",
            json={"comment": "Dank voor uw bericht; wij komen erop terug."},
        )
        made.raise_for_status()
    return message_id, made.json()["id"], subject


def test_templates_validate_the_demo_set_and_name_problems(
    env: dict[str, str], tmp_path: Path
) -> None:
    ok = secretariaat(env, "templates", "validate", str(TEMPLATES))
    assert ok.returncode == 0 and "in orde, 4 sjablonen" in ok.stdout
    bad = tmp_path / "sjablonen.yaml"
    bad.write_text(
        "format: 1\ntemplates:\n  - name: X\n    body: |\n      <p>{{ salutation }}</p>\n"
        "      <p>{{ afzender }}</p>\n"
    )
    refused = secretariaat(env, "templates", "validate", str(bad))
    assert refused.returncode == 1
    assert "regel 5, templates[0].body (X): onbekende variabele 'afzender'" in refused.stderr


async def test_request_list_and_approve_from_a_script(env: dict[str, str], tenant: Tenant) -> None:
    message_id, draft_id, subject = await a_draft(tenant, "Via het script")
    asked = secretariaat(
        env, "approvals", "request", "--mailbox", BURGEMEESTER, "--draft", draft_id,
        "--message", message_id, "--actor", SECRETARY_A, "--note", "Graag", "--json",
    )  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    [approval] = json.loads(asked.stdout)["approvals"]
    assert approval["notice_error"] is None
    # The app cannot send as Monique: the notice comes from the secretariat's shared mailbox.
    [notice] = await notices(tenant, subject)
    assert sender_of(notice) == SECRETARIAAT
    assert f"/goedkeuren/{approval['id']}" in notice["body"]["content"]
    assert await in_folder(tenant, SECRETARIAAT, "sentitems", notice["subject"])

    listed = secretariaat(env, "approvals", "list", "--actor", BURGEMEESTER, "--status", "open")
    assert listed.returncode == 0 and approval["id"] in listed.stdout
    none = secretariaat(env, "approvals", "list", "--actor", BURGEMEESTER, "--status", "revised")
    assert none.returncode == 0 and none.stdout == "Geen concepten ter goedkeuring.\n"

    other = secretariaat(env, "approvals", "approve", approval["id"], "--actor", GEMEENTESECRETARIS)
    assert other.returncode == 3 and other.stderr.count("\n") == 1
    done = secretariaat(env, "approvals", "approve", approval["id"], "--actor", BURGEMEESTER)
    assert done.returncode == 0, done.stderr
    assert "Goedgekeurd en verzonden" in done.stdout
    [received] = await in_folder(tenant, "hans.verbeek@zeeveen.nl", "inbox", f"RE: {subject}")
    assert "wij komen erop terug" in received["body"]["content"]
    assert (BURGEMEESTER, "approval.approve", "success") in audit_rows(env)


async def test_reject_from_a_script_and_a_changed_draft_is_refused(
    env: dict[str, str], tenant: Tenant
) -> None:
    message_id, draft_id, subject = await a_draft(tenant, "Afwijzen via script")
    args = ["--mailbox", BURGEMEESTER, "--message", message_id, "--actor", SECRETARY_A]
    asked = secretariaat(env, "approvals", "request", *args, "--draft", draft_id, "--json")
    [approval] = json.loads(asked.stdout)["approvals"]
    async with tenant.raw(SECRETARY_A) as graph:
        url = f"/users/{BURGEMEESTER}/messages/{draft_id}"
        (await graph.patch(url, json={"subject": f"RE: {subject} (aangepast)"})).raise_for_status()
    changed = secretariaat(env, "approvals", "approve", approval["id"], "--actor", BURGEMEESTER)
    assert changed.returncode == 4
    assert changed.stderr.strip() == "fout: Het concept is gewijzigd; bekijk het opnieuw."

    rejected = secretariaat(
        env, "approvals", "reject", approval["id"], "--actor", BURGEMEESTER,
        "--comment", "Niet versturen.", "--json",
    )  # fmt: skip
    assert rejected.returncode == 0, rejected.stderr
    assert json.loads(rejected.stdout)["approvals"][0]["status"] == "rejected"
    [draft] = await in_folder(tenant, BURGEMEESTER, "drafts", f"RE: {subject} (aangepast)")
    assert draft["categories"] == ["Afgekeurd"]


async def test_a_notice_that_cannot_be_sent_is_one_line_exit_5_and_notify_sends_it(
    env: dict[str, str], tenant: Tenant
) -> None:
    """The finding: a notice mailbox outside the app's scope (here Monique's own, as before)
    answers 403; the approval stands, the command says so, the list shows "niet gemeld"."""
    message_id, draft_id, subject = await a_draft(tenant, "Melding mislukt")
    outside = {**env, "SECRETARIAAT_NOTICE_MAILBOX": SECRETARY_A}
    asked = secretariaat(
        outside, "approvals", "request", "--mailbox", BURGEMEESTER, "--draft", draft_id,
        "--message", message_id, "--actor", SECRETARY_A, "--json",
    )  # fmt: skip
    assert asked.returncode == 5
    [line] = asked.stderr.splitlines()
    assert line.startswith("fout: melding niet verstuurd: de app mag niet verzenden uit postvak")
    assert SECRETARY_A in line and "RBAC for Applications" in line
    [approval] = json.loads(asked.stdout)["approvals"]  # it exists, waiting
    assert approval["status"] == "waiting" and approval["id"] in line
    assert approval["notice_error"].startswith("melding niet verstuurd: ")
    assert await notices(tenant, subject) == []
    assert (SECRETARY_A, "approval.notify", "failure") in audit_rows(env)

    listed = secretariaat(env, "approvals", "list", "--actor", SECRETARY_A, "--status", "open")
    [row] = [r for r in listed.stdout.splitlines() if approval["id"] in r]
    assert row.endswith("(niet gemeld)")

    again = secretariaat(env, "approvals", "notify", approval["id"], "--actor", SECRETARY_A)
    assert again.returncode == 0, again.stderr
    [notice] = await notices(tenant, subject)
    assert sender_of(notice) == SECRETARIAAT
    listed = secretariaat(env, "approvals", "list", "--actor", SECRETARY_A, "--status", "open")
    [row] = [r for r in listed.stdout.splitlines() if approval["id"] in r]
    assert "niet gemeld" not in row


async def test_a_rejection_notice_that_cannot_be_sent_is_one_line_exit_5_and_notify_sends_it(
    env: dict[str, str], tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rejection stands, the command says Monique was not told and exits 5, the list
    shows "niet gemeld", and ``notify`` tells her: once, from the burgemeester's mailbox.
    (Sending is refused in process: the app may send from her mailbox, so the sandbox would
    not refuse it.)"""
    message_id, draft_id, subject = await a_draft(tenant, "Afkeuring mislukt")
    asked = secretariaat(
        env, "approvals", "request", "--mailbox", BURGEMEESTER, "--draft", draft_id,
        "--message", message_id, "--actor", SECRETARY_A, "--json",
    )  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    approval_id = json.loads(asked.stdout)["approvals"][0]["id"]

    async def refused(*args: Any, **kwargs: Any) -> None:
        raise AccessDenied("Access is denied. Check credentials and try again.")

    monkeypatch.setattr("automations.replies.approvals.decide.send_tagged_mail", refused)
    args = ["approvals", "reject", approval_id, "--actor", BURGEMEESTER, "--comment", "Korter.",
            "--json"]  # fmt: skip
    rejected = await asyncio.to_thread(CliRunner().invoke, app, args, env=env)
    monkeypatch.undo()
    assert rejected.exit_code == 5, rejected.output
    [line] = rejected.stderr.splitlines()
    assert line == (
        "fout: Afgekeurd, maar de melding aan Monique Verschuren kon niet worden verstuurd:"
        f" geen toegang tot postvak {BURGEMEESTER}; opnieuw melden met 'secretariaat approvals"
        f" notify {approval_id} --actor {BURGEMEESTER}'"
    )
    [approval] = json.loads(rejected.stdout)["approvals"]
    assert approval["status"] == "rejected"
    assert approval["notice_error"].endswith(f"geen toegang tot postvak {BURGEMEESTER}")
    assert (BURGEMEESTER, "approval.notify", "failure") in audit_rows(env)
    listed = secretariaat(env, "approvals", "list", "--actor", SECRETARY_A, "--status", "rejected")
    [row] = [r for r in listed.stdout.splitlines() if approval_id in r]
    assert row.endswith("(niet gemeld)")

    for _ in range(2):  # the second finds her told: nothing more is sent
        again = secretariaat(env, "approvals", "notify", approval_id, "--actor", SECRETARY_A)
        assert again.returncode == 0, again.stderr
        [notice] = await in_folder(tenant, SECRETARY_A, "inbox", f"Afgekeurd: RE: {subject}")
    assert "Korter." in notice["body"]["content"]
    listed = secretariaat(env, "approvals", "list", "--actor", SECRETARY_A, "--status", "rejected")
    [row] = [r for r in listed.stdout.splitlines() if approval_id in r]
    assert "niet gemeld" not in row


def test_tenant_mode_without_a_notice_mailbox_refuses_before_anything_is_done(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECRETARIAAT_")}
    env |= {
        "SECRETARIAAT_MODE": "tenant",
        "SECRETARIAAT_TENANT_ID": "11111111-2222-3333-4444-555555555555",
        "SECRETARIAAT_CLIENT_ID": "66666666-7777-8888-9999-000000000000",
        "SECRETARIAAT_CLIENT_SECRET": "a-real-looking-secret-value",
        "SECRETARIAAT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'store.sqlite3'}",
    }
    refused = secretariaat(
        env, "approvals", "request", "--mailbox", BURGEMEESTER, "--draft", "d", "--message", "m",
        "--actor", SECRETARY_A,
    )  # fmt: skip
    assert refused.returncode == 2
    assert refused.stderr.startswith("fout: SECRETARIAAT_NOTICE_MAILBOX is niet ingesteld")
    assert refused.stderr.count("\n") == 1
    assert not (tmp_path / "store.sqlite3").exists()
