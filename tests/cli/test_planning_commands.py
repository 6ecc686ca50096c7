"""``secretariaat plan``: the back office plans an overleg for the wethouders from a script —
a request, its candidates, options held, who can when, booked once — and a refusal is one
line with its own exit code."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from automations.clock import SetClock, local_today
from tests.automations.planning.test_flows import (
    FATIMA,
    JOOST,
    KARIN,
    PIETERJAN,
    events_called,
    holds_of,
)
from tests.cli.commands import secretariaat
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import SECRETARY_A


def run_json(env: dict[str, str], *args: str) -> dict:
    done = secretariaat(env, *args, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


async def test_plan_from_a_script(env: dict[str, str], tenant: Tenant, clock: SetClock) -> None:
    today = local_today(clock)
    none = secretariaat(env, "plan", "list", "--actor", SECRETARY_A)  # Monique plans nothing
    assert none.returncode == 0 and none.stdout == "Geen open planningsverzoeken.\n"
    title = f"Bestuurlijk overleg regiodeal {uuid.uuid4().hex[:4]}"
    made = run_json(
        env, "plan", "new", "--actor", KARIN, "--title", title, "--executive", JOOST,
        "--executive", FATIMA, "--executive", PIETERJAN, "--internal", "bas.kuipers@zeeveen.nl",
        "--internal", "anouk.smits@zeeveen.nl:optioneel", "--duration", "60",  # a room
        "--from", (today + dt.timedelta(days=14)).isoformat(),
        "--to", (today + dt.timedelta(days=35)).isoformat(), "--not-on", "di",
    )  # fmt: skip
    assert made["status"] == "open" and len(made["participants"]) == 5
    found = run_json(env, "plan", "candidates", made["id"], "--actor", KARIN, "--count", "3")
    starts = [c["start"] for c in found["candidates"]]
    assert len(starts) == 3
    assert all(dt.datetime.fromisoformat(s).weekday() != 1 for s in starts)
    held = run_json(env, "plan", "hold", made["id"], "--actor", KARIN,
                    *[a for s in starts[:2] for a in ("--start", s)])  # fmt: skip
    assert held["status"] == "holding" and len(held["options"]) == 2
    assert len(await holds_of(tenant, FATIMA, title)) == 2
    shown = secretariaat(env, "plan", "show", made["id"], "--actor", KARIN)
    assert shown.returncode == 0 and "Bas Kuipers: free" in shown.stdout
    option, op = held["options"][0]["id"], str(uuid.uuid4())
    booked = run_json(env, "plan", "book", made["id"], "--actor", KARIN, "--option", option,
                      "--operation-id", op)  # fmt: skip
    again = run_json(env, "plan", "book", made["id"], "--actor", KARIN, "--option", option,
                     "--operation-id", op)  # fmt: skip
    assert booked == again and booked["status"] == "booked"
    assert booked["options"][0]["room"], "in the town hall: a room was chosen and invited"
    for who in (JOOST, FATIMA, PIETERJAN):
        assert await holds_of(tenant, who, title) == []
        assert len(await events_called(tenant, who, title)) == 1


def test_another_team_is_refused_in_one_line(env: dict[str, str], clock: SetClock) -> None:
    today = local_today(clock)
    refused = secretariaat(
        env, "plan", "new", "--actor", SECRETARY_A, "--title", "Overleg", "--executive", JOOST,
        "--duration", "60", "--from", (today + dt.timedelta(days=7)).isoformat(),
        "--to", (today + dt.timedelta(days=14)).isoformat(),
    )  # fmt: skip
    assert refused.returncode == 3
    assert refused.stderr.count("\n") == 1 and refused.stderr.startswith("fout: ")
    bad = secretariaat(env, "plan", "new", "--actor", KARIN, "--title", "Overleg",
                       "--executive", JOOST, "--duration", "60", "--from", "morgen",
                       "--to", "2027-01-01")  # fmt: skip
    assert bad.returncode == 2 and "geen datum" in bad.stderr
