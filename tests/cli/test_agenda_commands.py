"""``secretariaat agenda clear``: a preview and a clear from a script, and a clear killed
halfway (the process gone, not just an exception) that a second run finishes exactly once."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import time
import uuid

import httpx

from automations.clock import SetClock
from tests.cli.commands import CLI, secretariaat
from tests.dates import day_window, seed_day
from tests.sandbox.graphclients import DEFAULT_LIMITS, Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, SECRETARY_B
from tests.server.test_calamity_api import LATER_WINDOW, cancellations, find_all, sixty_meetings

BAS = "bas.kuipers@zeeveen.nl"


async def told(tenant: Tenant, label: str) -> int:
    """How many cancellations reached Bas so far (his mailbox: not hers, whose slots are busy)."""
    url = (
        f"/users/{BAS}/messages?$filter=startswith(subject,'Canceled: {label}')&$select=id&$top=100"
    )
    async with tenant.raw(BAS) as graph:
        resp = await graph.get(url)
    return len(resp.json()["value"]) if resp.status_code == 200 else 0


# The seed's Friday (a visit and an opening in her calendar).
FRIDAY = ["--start", day_window(seed_day("fri"))[0], "--end", day_window(seed_day("fri"))[1]]


def test_dry_run_lists_every_item_with_its_action_and_changes_nothing(env: dict[str, str]) -> None:
    args = ["agenda", "clear", "--mailbox", BURGEMEESTER, *FRIDAY, "--actor", SECRETARY_A]
    shown = secretariaat(env, *args, "--dry-run", "--json")
    assert shown.returncode == 0, shown.stderr
    report = json.loads(shown.stdout)
    assert {"operation_id", "items"} <= report.keys()
    first = report["items"][0]
    assert {"id", "subject", "start", "end", "action", "reason", "status"} <= first.keys()
    again = json.loads(secretariaat(env, *args, "--dry-run", "--json").stdout)
    assert [i["id"] for i in again["items"]] == [i["id"] for i in report["items"]]  # unchanged
    refused = secretariaat(env, "agenda", "clear", "--mailbox", BURGEMEESTER, *FRIDAY,
                           "--actor", SECRETARY_B, "--dry-run")  # fmt: skip
    assert refused.returncode == 3 and refused.stderr.count("\n") == 1
    bad = secretariaat(env, "agenda", "clear", "--mailbox", BURGEMEESTER, "--start", "gisteren",
                       "--end", seed_day("sat").isoformat(), "--actor", SECRETARY_A)  # fmt: skip
    assert bad.returncode == 2 and bad.stderr.startswith("fout: --start")


async def test_a_clear_killed_halfway_is_finished_by_the_next_run_exactly_once(
    env: dict[str, str], tenant: Tenant, admin: httpx.Client, clock: SetClock
) -> None:
    label = "Afgebroken"
    await sixty_meetings(tenant, label, BAS)
    window = ["--start", LATER_WINDOW[0], "--end", LATER_WINDOW[1]]  # where sixty_meetings are
    operation = str(uuid.uuid4())
    args = ["agenda", "clear", "--mailbox", BURGEMEESTER, *window, "--actor", SECRETARY_A,
            "--operation-id", operation, "--json"]  # fmt: skip
    admin.post("/limits", json={"latency_ms": 150}).raise_for_status()
    try:
        process = subprocess.Popen([*CLI, *args], env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, start_new_session=True)  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # kill it once some, not all, are cancelled
            if 10 <= await told(tenant, label) < 50:
                break
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        admin.post("/limits", json=DEFAULT_LIMITS).raise_for_status()
    left = [e for e in await find_all(tenant, BURGEMEESTER, window[1], window[3])
            if e["subject"].startswith(label)]  # fmt: skip
    assert 0 < len(left) < 60, len(left)  # really halfway

    # The next run comes after the killed run's lease (15 s) ran out: its clock says so.
    later = {**env, "SECRETARIAAT_CLOCK": (clock.now() + dt.timedelta(minutes=1)).isoformat()}
    finished = secretariaat(later, *args)
    report = json.loads(finished.stdout)
    assert finished.returncode == 0, finished.stderr
    assert report["status"] == "done"
    assert {i["status"] for i in report["items"] if i["subject"].startswith(label)} == {"done"}
    for n in range(60):
        assert await cancellations(tenant, BAS, f"{label} {n:02d}") == 1, n
