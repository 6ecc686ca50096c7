"""Work that survives the machine that started it: two backend instances and three
``secretariaat worker`` processes on one PostgreSQL store, started by the test as an operator
would start them. A worker is killed (SIGKILL) in the middle of a 60-meeting calamity clear;
another worker finishes it without anyone clicking, and every attendee is told once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import ssl
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from automations.clock import SetClock
from sandbox.server import RunningSandbox
from tests.automations.store.databases import _drop, _new_database, postgres_enabled
from tests.cli.commands import CLI
from tests.cli.test_agenda_commands import BAS, told
from tests.sandbox.graphclients import DEFAULT_LIMITS, Tenant
from tests.sandbox.people import BURGEMEESTER, GEMEENTESECRETARIS, SECRETARY_A, WETHOUDERS
from tests.server.test_calamity_api import LATER_WINDOW, cancellations, sixty_meetings
from tests.server.test_quicksteps_api import graph_get, new_message

pytestmark = pytest.mark.skipif(not postgres_enabled(), reason="SECRETARIAAT_TEST_POSTGRES=0")

WORKERS = ("w1", "w2", "w3")
EXECUTIVES = (BURGEMEESTER, GEMEENTESECRETARIS, *WETHOUDERS)
COMMUNICATIE = "lotte.vermeulen@zeeveen.nl"
PSEUDONYM_KEY = "test-pseudonyms-0123456789"
DEADLINE_S = 120.0  # how long anything here may take before the test gives up


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Processes:
    """The product's processes, each in its own session (so a kill takes its children too),
    logging to files (a full pipe would stall a process)."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        out = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen([*CLI, *args], env=self.env, stdout=out, stderr=out,
                                   start_new_session=True)  # fmt: skip
        self.running[name] = process
        return process

    def kill(self, name: str, how: signal.Signals = signal.SIGKILL) -> None:
        process = self.running[name]
        os.killpg(process.pid, how)
        process.wait(timeout=60)

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def stop_all(self) -> None:
        for process in self.running.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.running.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


@pytest.fixture
def pg_url(tmp_path: Path) -> Iterator[str]:
    url, name = _new_database("postgresql", tmp_path)
    try:
        yield url
    finally:
        _drop(name)


@pytest.fixture
def processes(env: dict[str, str], pg_url: str, tmp_path: Path) -> Iterator[Processes]:
    shared = {
        **env,
        "SECRETARIAAT_DATABASE_URL": pg_url,
        "SECRETARIAAT_WORKER_IN_PROCESS": "false",  # instances leave tasks to the workers
        "SECRETARIAAT_WORKER_HEARTBEAT_S": "0.5",
        "SECRETARIAAT_WORKER_STALLED_S": "3",
        # Logs name a mailbox by its pseudonym under this key (tests read who ran what).
        "SECRETARIAAT_PSEUDONYM_KEY": PSEUDONYM_KEY,
    }
    running = Processes(shared, tmp_path)
    try:
        yield running
    finally:
        running.stop_all()


def wait_until_serving(port: int, ca: str, process: subprocess.Popen[bytes]) -> None:
    tls = ssl.create_default_context(cafile=ca)
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        assert process.poll() is None, "the instance exited"
        try:
            if httpx.get(f"https://127.0.0.1:{port}/healthz", verify=tls).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"no instance on port {port}")


def start_cluster(processes: Processes, ca: str) -> list[int]:
    """Two backend instances (tasks left to the workers) and three workers; their ports."""
    ports = [free_port(), free_port()]
    first = processes.start("instance-1", "serve", "--port", str(ports[0]))
    wait_until_serving(ports[0], ca, first)  # the first migrates the store; then the rest
    second = processes.start("instance-2", "serve", "--port", str(ports[1]))
    for worker in WORKERS:
        processes.start(worker, "worker", "--name", worker)
    wait_until_serving(ports[1], ca, second)
    return ports


def worker_of(processes: Processes, operation: str) -> str | None:
    """The worker that took up the operation's task (each says so in its log)."""
    return next((w for w in WORKERS if operation in processes.log(w)), None)


async def until(check: Any, what: str) -> Any:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"waited in vain for {what}")


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["killed", "stopped"])
async def test_a_worker_killed_halfway_through_a_clear_is_replaced_without_a_click(
    processes: Processes, running: RunningSandbox, tenant: Tenant, admin: httpx.Client,
    how: signal.Signals,
) -> None:  # fmt: skip
    """Killed: its heartbeat stops and another worker takes the task over. Stopped (SIGTERM,
    a deployment): its grace period runs out and it puts the task back itself."""
    processes.env["SECRETARIAAT_WORKER_GRACE_S"] = "1"
    ca = running.info["ca_cert"]
    ports = start_cluster(processes, ca)
    label = f"Overgenomen {how.name}"
    await sixty_meetings(tenant, label, BAS)
    me = {"Authorization": f"Bearer {tenant.user_token(SECRETARY_A)}"}
    tls = ssl.create_default_context(cafile=ca)
    one = httpx.AsyncClient(base_url=f"https://127.0.0.1:{ports[0]}", verify=tls, timeout=60)
    two = httpx.AsyncClient(base_url=f"https://127.0.0.1:{ports[1]}", verify=tls, timeout=60)
    async with one, two:
        window = {"mailbox": BURGEMEESTER, "start": LATER_WINDOW[0], "end": LATER_WINDOW[1]}
        preview = await one.post("/api/v1/calamity/preview", json=window, headers=me)
        assert preview.status_code == 200, preview.text
        operation = preview.json()["operation_id"]
        body = {**window, "operation_id": operation, "cancel_message": "Gaat niet door.",
                "decline_message": "Kan niet."}  # fmt: skip
        admin.post("/limits", json={"latency_ms": 150}).raise_for_status()
        try:
            started = await one.post("/api/v1/calamity/execute", json=body, headers=me)
            assert started.status_code == 202, started.text  # handed over, not run here
            assert started.headers["location"] == f"/api/v1/calamity/{operation}"

            async def taken() -> str | None:
                return worker_of(processes, operation)

            name = await until(taken, "a worker to take it")

            async def underway() -> bool:
                return await told(tenant, label) >= 20

            await until(underway, "a third of the attendees told")
            processes.kill(name, how)  # gone mid-clear, its journal lease still held
        finally:
            admin.post("/limits", json=DEFAULT_LIMITS).raise_for_status()
        assert await told(tenant, label) < 60, "the clear finished before the kill"

        async def finished() -> dict[str, Any] | None:
            state = await two.get(f"/api/v1/calamity/{operation}", headers=me)
            assert state.status_code == 200, state.text
            return state.json() if state.json()["status"] == "done" else None

        report = await until(finished, "another worker to finish the clear")

    assert report["counts"].get("status_done", 0) >= 60, report["counts"]
    assert [w for w in WORKERS if w != name and operation in processes.log(w)], "no other took it"
    for n in range(60):
        assert await cancellations(tenant, BAS, f"{label} {n:02d}") == 1, n


async def test_a_worker_killed_halfway_through_a_quick_step_on_20_messages_is_replaced(
    processes: Processes, running: RunningSandbox, tenant: Tenant, admin: httpx.Client
) -> None:
    ca = running.info["ca_cert"]
    ports = start_cluster(processes, ca)
    label = f"Overname {uuid.uuid4().hex[:6]}"
    ids = [await new_message(tenant, f"{label} {n:02d}") for n in range(20)]
    me = {"Authorization": f"Bearer {tenant.user_token(SECRETARY_A)}"}
    tls = ssl.create_default_context(cafile=ca)
    one = httpx.AsyncClient(base_url=f"https://127.0.0.1:{ports[0]}", verify=tls, timeout=60)
    two = httpx.AsyncClient(base_url=f"https://127.0.0.1:{ports[1]}", verify=tls, timeout=60)
    operation = str(uuid.uuid4())
    body = {"mailbox": BURGEMEESTER, "step": "Persvraag naar Communicatie", "messages": ids,
            "operation_id": operation}  # fmt: skip
    async with one, two:
        admin.post("/limits", json={"latency_ms": 300}).raise_for_status()
        try:
            started = await one.post("/api/v1/quicksteps/apply", json=body, headers=me)
            assert started.status_code == 202, started.text

            async def taken() -> str | None:
                return worker_of(processes, operation)

            name = await until(taken, "a worker to take it")

            async def underway() -> bool:
                return len(await forwards(tenant, label)) >= 5

            await until(underway, "a quarter of the forwards")
            processes.kill(name)
        finally:
            admin.post("/limits", json=DEFAULT_LIMITS).raise_for_status()
        assert len(await forwards(tenant, label)) < 20, "the step finished before the kill"

        async def finished() -> dict[str, Any] | None:
            state = await two.get(f"/api/v1/quicksteps/applies/{operation}", headers=me)
            assert state.status_code in (200, 202), state.text
            return state.json() if state.status_code == 200 else None

        outcome = await until(finished, "another worker to finish the quick step")

    assert outcome["status"] == "done", outcome
    subjects = [m["subject"] for m in await forwards(tenant, label)]
    assert len(subjects) == 20 and len(set(subjects)) == 20, subjects  # each mail once
    assert [w for w in WORKERS if w != name and operation in processes.log(w)], "no other took it"


async def forwards(tenant: Tenant, label: str) -> list[dict[str, Any]]:
    """The forwards that reached Communicatie so far."""
    url = (f"/users/{COMMUNICATIE}/mailFolders/inbox/messages"
           f"?$filter=startswith(subject,'FW: {label}')&$select=subject&$top=100")  # fmt: skip
    return list((await graph_get(tenant, url, upn=COMMUNICATIE))["value"])


async def test_a_clear_and_quick_steps_on_one_executive_from_two_instances_share_her_four(
    processes: Processes, running: RunningSandbox, tenant: Tenant, admin: httpx.Client
) -> None:
    """Exchange allows four requests at once per app and mailbox: a clear started on one
    instance and a quick step on twenty of her messages started on the other run in
    different workers (one task at a time each), and together never ask for a fifth (none
    is throttled)."""
    processes.env["SECRETARIAAT_WORKER_CONCURRENCY"] = "1"
    ca = running.info["ca_cert"]
    ports = start_cluster(processes, ca)
    label = f"Samen {uuid.uuid4().hex[:6]}"
    await sixty_meetings(tenant, label, BAS)
    ids = [await new_message(tenant, f"{label} {n:02d}") for n in range(20)]
    me = {"Authorization": f"Bearer {tenant.user_token(SECRETARY_A)}", "Prefer": "wait=120"}
    tls = ssl.create_default_context(cafile=ca)
    one = httpx.AsyncClient(base_url=f"https://127.0.0.1:{ports[0]}", verify=tls, timeout=180)
    two = httpx.AsyncClient(base_url=f"https://127.0.0.1:{ports[1]}", verify=tls, timeout=180)
    async with one, two:
        window = {"mailbox": BURGEMEESTER, "start": LATER_WINDOW[0], "end": LATER_WINDOW[1]}
        preview = await one.post("/api/v1/calamity/preview", json=window, headers=me)
        assert preview.status_code == 200, preview.text
        clear = {**window, "operation_id": preview.json()["operation_id"],
                 "cancel_message": "Gaat niet door.", "decline_message": "Kan niet."}  # fmt: skip
        step = {"mailbox": BURGEMEESTER, "step": "Afgehandeld", "messages": ids,
                "operation_id": str(uuid.uuid4())}  # fmt: skip
        admin.post("/limits", json={"latency_ms": 100}).raise_for_status()  # and resets counts
        try:
            cleared, applied = await asyncio.gather(
                one.post("/api/v1/calamity/execute", json=clear, headers=me),
                two.post("/api/v1/quicksteps/apply", json=step, headers=me),
            )
            counters = admin.get("/counters").json()
        finally:
            admin.post("/limits", json=DEFAULT_LIMITS).raise_for_status()
    assert cleared.status_code == 200 and cleared.json()["status"] == "done", cleared.text
    assert applied.status_code == 200 and applied.json()["status"] == "done", applied.text
    # The sandbox counts by mailbox (her object id); hers is the one both worked in.
    [(hers, requests)] = counters["requests"].items()
    assert requests > 100
    assert counters["maxConcurrency"][hers] == 4  # both at her at once, up to the limit
    assert counters["throttled"] == {}, counters["throttled"]
    [clearer] = [w for w in WORKERS if clear["operation_id"] in processes.log(w)]
    [stepper] = [w for w in WORKERS if step["operation_id"] in processes.log(w)]
    assert clearer != stepper  # two processes, one limit


async def test_a_job_trigger_fired_twice_fans_out_once_over_the_workers(
    processes: Processes, running: RunningSandbox, pg_url: str, clock: SetClock
) -> None:
    """Two schedulers fire the same minute: one run, one task per mailbox taken by the
    workers; a mailbox the app may not reach is reported and stops nobody else."""
    from automations.jobs.catalog import JOBS
    from automations.jobs.runner import start_run
    from automations.store import create_engine, session_factory
    from automations.store.models import JobRunRow
    from automations.tasks import TaskQueue, queue_app

    start_cluster(processes, running.info["ca_cert"])
    engine = create_engine(pg_url)
    sessions = session_factory(engine, clock=clock)
    queue = TaskQueue(queue_app(pg_url), in_process=False)
    mailboxes = [*EXECUTIVES, "niet.bereikbaar@zeeveen.nl"]
    try:
        fired = await asyncio.gather(*(
            start_run(JOBS["cancelled-leftovers"], sessions, mailboxes, queue, dry_run=True,
                      slot="schedule:2026-11-24T07:30:00+01:00", trigger="schedule")
            for _ in range(2)
        ))  # fmt: skip
        [report] = [r for r in fired if r is not None]

        async def closed() -> JobRunRow | None:
            async with sessions() as session:
                run = await session.get(JobRunRow, report.id)
            return run if run is not None and run.status != "running" else None

        run = await until(closed, "the run to close")
    finally:
        await queue.aclose()
        await engine.dispose()
    outcomes = {m["mailbox"]: m["status"] for m in run.mailboxes}
    assert sorted(outcomes) == sorted(mailboxes)  # each mailbox once
    assert run.status == "partial" and outcomes.pop("niet.bereikbaar@zeeveen.nl") != "ok"
    assert set(outcomes.values()) == {"ok"}
    from automations.metrics import pseudonym

    key = PSEUDONYM_KEY.encode()  # the workers' logs name each mailbox by its pseudonym only
    ran = {m: [w for w in WORKERS if f"mailbox='{pseudonym(m, key=key)}'" in processes.log(w)]
           for m in mailboxes}  # fmt: skip
    assert not any(m in processes.log(w) for m in mailboxes for w in WORKERS)
    assert all(len(w) == 1 for w in ran.values()), ran  # each by one worker
