"""The quick-step commands: validate a file, list the set, apply or preview from a script."""

from __future__ import annotations

import json
from pathlib import Path

from automations.clock import SetClock
from automations.context import Actor, Deps
from automations.queue.flows import claim_work
from automations.roster.service import snapshot
from automations.store import create_engine, session_factory
from tests.cli.commands import audit_rows, secretariaat
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, SECRETARY_A_FRIDAY, SECRETARY_B
from tests.server.test_quicksteps_api import new_message

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


async def test_apply_on_mail_a_colleague_picked_up_asks_first_like_a_click(
    env: dict[str, str], tenant: Tenant, clock: SetClock
) -> None:
    """Ellen picked the mail up in her pane; Monique's script is refused with Ellen's name
    (exit 4) and changes nothing, until it says it goes ahead anyway (audited)."""
    message_id = await new_message(tenant, "Door de collega opgepakt")
    assert secretariaat(env, "quicksteps", "list").returncode == 0  # the store is ready
    engine = create_engine(env["SECRETARIAAT_DATABASE_URL"])
    try:
        deps = Deps(sessions=session_factory(engine, clock=clock), clock=clock)
        async with deps.sessions() as session:
            ellen = Actor(SECRETARY_A_FRIDAY, await snapshot(session), via="pane")
        await claim_work(deps, ellen, key=f"message:{message_id}", mailbox=BURGEMEESTER)
    finally:
        await engine.dispose()
    args = ["quicksteps", "apply", "--mailbox", BURGEMEESTER, "--message", message_id,
            "--actor", SECRETARY_A, "--step", "Afgehandeld"]  # fmt: skip

    asked = secretariaat(env, *args)
    assert asked.returncode == 4 and asked.stderr.count("\n") == 1
    assert asked.stderr.startswith("fout: Ellen Dijkhuis is hiermee bezig")
    async with tenant.raw(BURGEMEESTER) as graph:
        before = (await graph.get(f"/users/{BURGEMEESTER}/messages/{message_id}")).json()
    assert "Afgehandeld" not in before["categories"]

    anyway = secretariaat(env, *args, "--despite-claim")
    assert anyway.returncode == 0, anyway.stderr
    async with tenant.raw(BURGEMEESTER) as graph:
        after = (await graph.get(f"/users/{BURGEMEESTER}/messages/{message_id}")).json()
    assert "Afgehandeld" in after["categories"]
    assert (SECRETARY_A, "queue.despite_claim", "success") in audit_rows(env)
