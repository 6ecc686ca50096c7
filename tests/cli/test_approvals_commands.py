"""The approval commands: a script asks, lists, approves and rejects, and Graph shows the result."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.commands import audit_rows, secretariaat
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, GEMEENTESECRETARIS, SECRETARY_A
from tests.server.test_approvals_api import in_folder, mail_from_hans

TEMPLATES = Path(__file__).resolve().parents[2] / "automations" / "replies" / "demo.yaml"


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

    listed = secretariaat(env, "approvals", "list", "--actor", BURGEMEESTER, "--status", "open")
    assert listed.returncode == 0 and approval["id"] in listed.stdout

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
