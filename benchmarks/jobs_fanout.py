"""A scheduled job fanned out over ``secretariaat worker`` processes: 1, 2, 4 workers.

The sandbox is seeded once per size as in ``benchmarks.jobs_delta`` (the demo plus extra
executives, four weeks of ``--per-day`` appointments a weekday) and answers at
``--latency-ms``. Per worker count: a fresh PostgreSQL database, migrated; K worker processes
(``python -m cli.main worker``, each its own store clients, Graph gateway and queue
connection, logging to files); once all K are in Procrastinate's worker table, this process
triggers ``cancelled-leftovers`` (dry run) over every executive with ``runner.start_run``,
one ``jobs.mailbox`` task per mailbox, and polls the run's row until the last mailbox closed
it. Every run is a full read (a fresh store has no delta tokens).

Printed per (mailboxes, workers): wall time from trigger to closed run (and how much of it
went to deferring the tasks), Graph requests (the sandbox's counter), requests a second, the
highest number of requests in flight on one mailbox (Exchange allows four), 429s, the run's
status and failed mailboxes; and CPU: the workers' per mailbox and a wall second (with about
one per worker they, not Graph, set the pace), and this process's a wall second (the
in-thread sandbox: near 1.0 means the sandbox sets it). Wall times follow the machine's
cores and whatever else runs on it; the CPU per mailbox much less so.
``python -m benchmarks.jobs_fanout [--mailboxes 200 500] [--workers 1 2 4]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import select

from automations.clock import SetClock
from automations.jobs.catalog import JOBS
from automations.jobs.runner import start_run
from automations.store import create_engine, session_factory, upgrade_async
from automations.store.models import JobRunRow
from automations.tasks import TaskQueue, WorkerSettings, queue_app
from automations.tasks.queue import QUEUE_SCHEMA
from benchmarks.jobs_delta import TODAY, seed_file
from sandbox.app import SandboxConfig
from sandbox.limits import LimitSettings
from sandbox.server import RunningSandbox, start_in_thread

PG = "127.0.0.1:5432"
READY_S = 120.0  # how long K workers may take to start
RUN_LIMIT_S = 1800.0  # how long one run may take before it counts as timed out
POLL_S = 0.05


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(f"postgresql://postgres@{PG}/postgres", timeout=10)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


class Workers:
    """K ``secretariaat worker`` processes, each in its own session, logging to files."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self, count: int) -> None:
        for n in range(1, count + 1):
            out = (self.logs / f"w{n}.log").open("wb")
            self.running.append(subprocess.Popen(
                [sys.executable, "-m", "cli.main", "worker", "--name", f"w{n}"],
                env=self.env, stdout=out, stderr=out, start_new_session=True,
            ))  # fmt: skip

    def check(self) -> None:
        for n, process in enumerate(self.running, start=1):
            if process.poll() is not None:
                raise RuntimeError(f"worker w{n} exited ({process.returncode}): see {self.logs}")

    def cpu_s(self) -> float:
        """CPU seconds the workers used so far (Linux: utime + stime in /proc)."""
        ticks = 0
        for process in self.running:
            fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        for process in self.running:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.running:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


async def _ready(dsn: str, workers: Workers, count: int) -> float:
    """Seconds until ``count`` workers stand in Procrastinate's worker table."""
    t0 = time.perf_counter()
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        while time.perf_counter() - t0 < READY_S:
            workers.check()
            seen = await conn.fetchval(f"SELECT count(*) FROM {QUEUE_SCHEMA}.procrastinate_workers")
            if seen >= count:
                return time.perf_counter() - t0
            await asyncio.sleep(0.2)
    finally:
        await conn.close()
    raise RuntimeError(f"{count} workers not ready within {READY_S:g} s: see {workers.logs}")


def _in_sandbox(running: RunningSandbox, call: Any) -> Any:
    """``call()`` on the sandbox's own event loop (its counters are that loop's)."""

    async def run() -> Any:
        return call()

    return asyncio.run_coroutine_threadsafe(run(), running.server_loop()).result(timeout=10)


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def one_run(
    running: RunningSandbox, executives: list[str], workers: int, concurrency: int,
    directory: Path,
) -> dict[str, Any]:  # fmt: skip
    name = f"secretariaat_bench_{secrets.token_hex(4)}"
    await _admin(f'CREATE DATABASE "{name}"')
    url = f"postgresql+asyncpg://postgres@{PG}/{name}"
    logs = directory / f"logs-{len(executives)}-{workers}"
    logs.mkdir()
    env = {
        **os.environ,
        "SECRETARIAAT_SANDBOX_STATE": str(Path(running.info["ca_cert"]).parent),
        "SECRETARIAAT_DATABASE_URL": url,
        "SECRETARIAAT_CLOCK": TODAY.isoformat(),
        "SECRETARIAAT_WORKER_IN_PROCESS": "false",
        "SECRETARIAAT_WORKER_CONCURRENCY": str(concurrency),
    }
    processes = Workers(env, logs)
    engine = create_engine(url)
    queue = TaskQueue(queue_app(url), in_process=False)
    limits = running.app.state.sandbox.limits
    try:
        await upgrade_async(engine)
        processes.start(workers)
        ready_s = await _ready(f"postgresql://postgres@{PG}/{name}", processes, workers)
        sessions = session_factory(engine, clock=SetClock.on_day(TODAY))
        await queue.open()  # its connection pool, before the clock starts
        _in_sandbox(running, limits.reset)
        cpu0, workers_cpu0, t0 = _cpu_s(), processes.cpu_s(), time.perf_counter()
        report = await start_run(JOBS["cancelled-leftovers"], sessions, executives, queue,
                                 dry_run=True, trigger="bench")  # fmt: skip
        deferred_s = time.perf_counter() - t0
        assert report is not None, "the run was claimed elsewhere"
        status, counts = "running", {}
        while time.perf_counter() - t0 < RUN_LIMIT_S:
            async with sessions() as session:
                row = (await session.execute(
                    select(JobRunRow.status, JobRunRow.counts).where(JobRunRow.id == report.id)
                )).one()  # fmt: skip
            status, counts = row.status, row.counts or {}
            if status != "running":
                break
            processes.check()
            await asyncio.sleep(POLL_S)
        else:
            status = "timed_out"
        wall = time.perf_counter() - t0
        cpu, workers_cpu = _cpu_s() - cpu0, processes.cpu_s() - workers_cpu0
        requests, peaks, throttled = _in_sandbox(
            running,
            lambda: (limits.total, dict(limits.max_in_flight), sum(limits.throttled.values())),
        )
    finally:
        processes.stop()
        await queue.aclose()
        await engine.dispose()
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return {
        "mailboxes": len(executives), "workers": workers, "workers_ready_s": round(ready_s, 1),
        "wall_s": round(wall, 2), "defer_s": round(deferred_s, 2), "graph_requests": requests,
        "requests_per_s": round(requests / wall, 1),
        "max_mailbox_concurrency": max(peaks.values(), default=0), "throttled_429": throttled,
        "status": status, "failed": counts.get("failed"), "full_reads": counts.get("full_reads"),
        "workers_cpu_ms_per_mailbox": round(workers_cpu * 1000 / len(executives), 1),
        "workers_cpu_per_wall_s": round(workers_cpu / wall, 2),
        "bench_process_cpu_per_wall_s": round(cpu / wall, 2), "logs": str(logs),
    }  # fmt: skip


def measure(
    mailboxes: int, per_day: int, latency_ms: float, workers: list[int], concurrency: int
) -> list[dict[str, Any]]:
    directory = Path(tempfile.mkdtemp(prefix="fanout-bench-"))
    seed, executives = seed_file(mailboxes, per_day, directory)
    config = SandboxConfig(state_dir=directory / "sandbox", today=TODAY, seed=seed,
                           limits=LimitSettings(latency_ms=latency_ms))  # fmt: skip
    running = start_in_thread(config)
    try:
        return [asyncio.run(one_run(running, executives, k, concurrency, directory))
                for k in workers]  # fmt: skip
    finally:
        running.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mailboxes", type=int, nargs="+", default=[200, 500])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--per-day", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=WorkerSettings().concurrency,
                        help="tasks at a time per worker")  # fmt: skip
    args = parser.parse_args()
    runs = []
    for mailboxes in args.mailboxes:
        runs += measure(mailboxes, args.per_day, args.latency_ms, args.workers, args.concurrency)
    out = {"latency_ms": args.latency_ms, "appointments_per_mailbox": args.per_day * 20,
           "tasks_per_worker": args.concurrency, "cores": os.cpu_count(),
           "runs": runs}  # fmt: skip
    print(json.dumps(out, indent=2))  # noqa: T201


if __name__ == "__main__":
    main()
