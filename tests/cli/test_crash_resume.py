"""Commands killed with SIGKILL halfway (the process gone, not an exception): what they did is
in the journal item by item, the API and the pane call such a clear interrupted, and the same
operation id is accepted again seconds after the death, not minutes.

The backend runs in-process on the command's store, as a restarted server would.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import time
import uuid

import httpx

from automations.clock import SetClock
from tests.cli.commands import CLI, secretariaat
from tests.cli.test_agenda_commands import BAS, told
from tests.sandbox.graphclients import DEFAULT_LIMITS, Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A
from tests.server.conftest import api, backend, login  # noqa: F401 - the backend on this store
from tests.server.test_calamity_api import LATER_WINDOW, cancellations, find_all, sixty_meetings
from tests.server.test_quicksteps_api import graph_get, new_message

# Seconds, not minutes: a dead worker's operation is free again this soon.
PAST_THE_LEASE = dt.timedelta(seconds=20)
COMMUNICATIE = "lotte.vermeulen@zeeveen.nl"


def kill(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def start(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*CLI, *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)  # fmt: skip


def status_of(env: dict[str, str], operation: str) -> str | None:
    path = env["SECRETARIAAT_DATABASE_URL"].split("///", 1)[1]
    try:
        with sqlite3.connect(path, timeout=5) as db:
            row = db.execute("SELECT status FROM operations WHERE id = ?", (operation,)).fetchone()
    except sqlite3.OperationalError:  # the command is still creating the store
        return None
    return row[0] if row else None


async def test_a_clear_killed_halfway_is_interrupted_with_what_it_did_and_finished_in_the_pane(
    env: dict[str, str], tenant: Tenant, admin: httpx.Client, clock: SetClock,
    api: httpx.AsyncClient, login,  # noqa: F811
) -> None:  # fmt: skip
    label = "Doodgeschoten"
    await sixty_meetings(tenant, label, BAS)
    window = ["--start", LATER_WINDOW[0], "--end", LATER_WINDOW[1]]
    operation = str(uuid.uuid4())
    args = ["agenda", "clear", "--mailbox", BURGEMEESTER, *window, "--actor", SECRETARY_A,
            "--operation-id", operation, "--json"]  # fmt: skip
    admin.post("/limits", json={"latency_ms": 150}).raise_for_status()
    try:
        process = start(env, *args)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and await told(tenant, label) < 3:
            time.sleep(0.02)
        kill(process)  # well inside its first chunk of twenty
    finally:
        admin.post("/limits", json=DEFAULT_LIMITS).raise_for_status()

    progress = await api.get(f"/api/v1/calamity/{operation}", headers=login(SECRETARY_A))
    assert progress.status_code == 200, progress.text
    report = progress.json()
    done = {i["id"] for i in report["items"] if i["status"] == "done"}
    left = {e["id"] for e in await find_all(tenant, BURGEMEESTER, *LATER_WINDOW)}
    gone = {i["id"] for i in report["items"]} - left
    # What it committed is what happened; only calls under way when it died are not there.
    assert done and done <= gone and len(gone - done) <= 8, (len(done), len(gone))
    assert len(gone) < 60

    clock.advance(PAST_THE_LEASE)
    progress = await api.get(f"/api/v1/calamity/{operation}", headers=login(SECRETARY_A))
    assert progress.json()["status"] == "interrupted"
    pane = await api.get(
        "/pane/agenda/inhoud", params={"mailbox": BURGEMEESTER}, headers=login(SECRETARY_A)
    )
    assert "onderbroken" in pane.text and f"/pane/agenda/leegmaken/{operation}/afmaken" in pane.text

    finished = await api.post(
        f"/pane/agenda/leegmaken/{operation}/afmaken", headers=login(SECRETARY_A)
    )
    assert finished.status_code == 200 and 'data-status="done"' in finished.text
    for n in range(60):
        assert await cancellations(tenant, BAS, f"{label} {n:02d}") == 1, n
    # The command run again under the same id answers with the finished clear.
    again = secretariaat({**env, "SECRETARIAAT_CLOCK": clock.now().isoformat()}, *args)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["status"] == "done"


async def test_a_quick_step_killed_halfway_is_accepted_again_seconds_later(
    env: dict[str, str], tenant: Tenant, admin: httpx.Client, clock: SetClock,
) -> None:  # fmt: skip
    message_id = await new_message(tenant, "Persvraag stormschade")
    subject = (await graph_get(tenant, f"/users/{BURGEMEESTER}/messages/{message_id}"))["subject"]
    operation = str(uuid.uuid4())
    args = ["quicksteps", "apply", "--mailbox", BURGEMEESTER, "--message", message_id,
            "--actor", SECRETARY_A, "--step", "Persvraag naar Communicatie",
            "--operation-id", operation, "--json"]  # fmt: skip
    admin.post("/limits", json={"latency_ms": 300}).raise_for_status()
    try:
        process = start(env, *args)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and status_of(env, operation) != "running":
            time.sleep(0.02)
        kill(process)  # it holds the operation, mid-step
    finally:
        admin.post("/limits", json=DEFAULT_LIMITS).raise_for_status()
    assert status_of(env, operation) == "running"
    clock.hold()  # the next command starts from the moment of death, however slow we were

    now = {**env, "SECRETARIAAT_CLOCK": clock.now().isoformat()}
    busy = secretariaat(now, *args)
    assert busy.returncode == 4, (busy.stdout, busy.stderr)  # its lease still runs
    later = {**env, "SECRETARIAAT_CLOCK": (clock.now() + PAST_THE_LEASE).isoformat()}
    finished = secretariaat(later, *args)
    assert finished.returncode == 0, finished.stderr
    [result] = json.loads(finished.stdout)["messages"]
    assert {a["status"] for a in result["actions"]} == {"done"}
    forwards = await graph_get(
        tenant,
        f"/users/{COMMUNICATIE}/mailFolders/inbox/messages?$filter=subject eq 'FW: {subject}'",
        upn=COMMUNICATIE,
    )
    assert len(forwards["value"]) == 1
