"""The quick-step commands: validate a file, list the set, apply or preview from a script."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.commands import audit_rows, secretariaat
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, SECRETARY_B

DEMO = Path(__file__).resolve().parents[2] / "automations" / "quicksteps" / "demo.yaml"


def test_validate_says_ok_for_the_demo_set(env: dict[str, str]) -> None:
    result = secretariaat(env, "quicksteps", "validate", str(DEMO))
    assert result.returncode == 0 and "in orde, 7 snelle stappen" in result.stdout


def test_validate_names_every_problem_with_its_line(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "stappen.yaml"
    bad.write_text("format: 1\nsteps:\n  - name: X\n    actions:\n      - action: fly\n")
    result = secretariaat(env, "quicksteps", "validate", str(bad))
    assert result.returncode == 1
    assert "regel 5, steps[0].actions[0]: onbekende 'action' 'fly'" in result.stderr
    missing = secretariaat(env, "quicksteps", "validate", str(tmp_path / "weg.yaml"))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1


def test_list_shows_the_active_set(env: dict[str, str]) -> None:
    result = secretariaat(env, "quicksteps", "list", "--json")
    assert result.returncode == 0, result.stderr
    names = [s["name"] for s in json.loads(result.stdout)["steps"]]
    assert names[0] == "Ter afhandeling backoffice"


async def test_apply_previews_then_applies_as_the_actor(
    env: dict[str, str], tenant: Tenant
) -> None:
    async with tenant.raw(BURGEMEESTER) as graph:
        listing = await graph.get(
            f"/users/{BURGEMEESTER}/mailFolders/inbox/messages?$top=1&$select=id,isRead"
        )
    message_id = listing.json()["value"][0]["id"]
    args = ["--mailbox", BURGEMEESTER, "--message", message_id, "--actor", SECRETARY_A]
    preview = secretariaat(env, "quicksteps", "apply", *args, "--step", "Afgehandeld", "--dry-run")
    assert preview.returncode == 0, preview.stderr
    assert "Markering: voltooid" in preview.stdout

    done = secretariaat(env, "quicksteps", "apply", *args, "--step", "Afgehandeld", "--json")
    assert done.returncode == 0, done.stderr
    [result] = json.loads(done.stdout)["messages"]
    assert {a["status"] for a in result["actions"]} == {"done"}
    async with tenant.raw(BURGEMEESTER) as graph:
        after = (await graph.get(f"/users/{BURGEMEESTER}/messages/{message_id}")).json()
    assert "Afgehandeld" in after["categories"] and after["flag"]["flagStatus"] == "complete"
    assert (SECRETARY_A, "quickstep.move", "success") in audit_rows(env)


def test_apply_refuses_another_team_in_one_line(env: dict[str, str]) -> None:
    args = [
        "--mailbox",
        BURGEMEESTER,
        "--message",
        "x",
        "--actor",
        SECRETARY_B,
        "--step",
        "Afgehandeld",
    ]
    result = secretariaat(env, "quicksteps", "apply", *args)
    assert result.returncode == 3 and result.stderr.count("\n") == 1
