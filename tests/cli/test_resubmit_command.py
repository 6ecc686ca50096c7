"""``secretariaat approvals resubmit``: a script offers a rejected draft again, as revised in
Outlook; the new request replaces the old one and the burgemeester is told with the new text."""

from __future__ import annotations

import json

from tests.cli.commands import audit_rows, secretariaat
from tests.cli.test_approvals_commands import SECRETARIAAT, a_draft, notices, sender_of
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, SECRETARY_B
from tests.server.test_approvals_api import in_folder


async def test_resubmit_a_revised_draft_from_a_script(env: dict[str, str], tenant: Tenant) -> None:
    message_id, draft_id, subject = await a_draft(tenant, "Opnieuw via het script")
    asked = secretariaat(
        env, "approvals", "request", "--mailbox", BURGEMEESTER, "--draft", draft_id,
        "--message", message_id, "--actor", SECRETARY_A, "--json",
    )  # fmt: skip
    [old] = json.loads(asked.stdout)["approvals"]
    rejected = secretariaat(env, "approvals", "reject", old["id"], "--actor", BURGEMEESTER,
                            "--comment", "Noem de termijn.")  # fmt: skip
    assert rejected.returncode == 0, rejected.stderr
    async with tenant.raw(SECRETARY_A) as graph:  # revised in Outlook
        body = {"contentType": "html", "content": "<p>Wij reageren binnen twee weken.</p>"}
        url = f"/users/{BURGEMEESTER}/messages/{draft_id}"
        (await graph.patch(url, json={"body": body})).raise_for_status()

    other_team = secretariaat(env, "approvals", "resubmit", old["id"], "--actor", SECRETARY_B)
    assert other_team.returncode == 3 and other_team.stderr.count("\n") == 1
    args = ["approvals", "resubmit", old["id"], "--actor", SECRETARY_A, "--note", "Termijn erin.",
            "--operation-id", "herzien-1", "--json"]  # fmt: skip
    first = secretariaat(env, *args)
    assert first.returncode == 0, first.stderr
    [new] = json.loads(first.stdout)["approvals"]
    assert new["revises"] == old["id"] and new["status"] == "waiting"
    again = secretariaat(env, *args)  # the same operation: the same request, no new notice
    assert json.loads(again.stdout)["approvals"][0]["id"] == new["id"]

    told = [n for n in await notices(tenant, subject) if new["id"] in n["body"]["content"]]
    assert len(told) == 1 and sender_of(told[0]) == SECRETARIAAT
    assert "Wij reageren binnen twee weken." in told[0]["body"]["content"]
    assert "Termijn erin." in told[0]["body"]["content"]
    listed = secretariaat(env, "approvals", "list", "--actor", BURGEMEESTER, "--status", "open")
    assert new["id"] in listed.stdout and old["id"] not in listed.stdout
    revised = secretariaat(env, "approvals", "list", "--actor", SECRETARY_A, "--status", "revised")
    assert old["id"] in revised.stdout and "Herzien" in revised.stdout

    done = secretariaat(env, "approvals", "approve", new["id"], "--actor", BURGEMEESTER)
    assert done.returncode == 0, done.stderr
    [received] = await in_folder(tenant, "hans.verbeek@zeeveen.nl", "inbox", f"RE: {subject}")
    assert "Wij reageren binnen twee weken." in received["body"]["content"]
    late = secretariaat(env, "approvals", "approve", old["id"], "--actor", BURGEMEESTER)
    assert late.returncode == 4
    assert (SECRETARY_A, "approval.request", "success") in audit_rows(env)
