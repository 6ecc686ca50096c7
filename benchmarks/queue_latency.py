"""What going through the task queue adds to a small calamity clear, click to done.

The in-thread sandbox (demo seed) answers at ``--latency-ms``; the store is a fresh
PostgreSQL database prepared as the server prepares it (``prepare_store``), and the parts are
the server's own (``create_app``, with ``SECRETARIAAT_WORKER_IN_PROCESS`` true: its TaskQueue
runs a Procrastinate worker on PostgreSQL inside this process, started before the first run).
Each run gives the burgemeester two fresh weekend days with five meetings each (one
attendee), previews both as Monique, and clears one each way, the order alternating:

- in-process: ``flows.execute_clear`` returns when the clear is done;
- queued: the click as the API does it (her delegation kept in the vault, then
  ``flows.start_clear``, which plans the clear and defers ``calamity.finish``), then
  ``flows.clear_progress`` every 5 ms until the worker has finished it.

Both open their Graph session inside the clock. A first round of each is untimed (it
connects the queue, starts the worker and fetches tokens) and printed apart as ``cold``.
Printed: p50/p95 of both, of the queued path's parts (keeping the delegation, the click
until it returns, the wait for the worker after it; and from Procrastinate's log records:
from the click until the worker took the task up, the task itself, and when the poll saw
the clear done after the task returned: negative, as the journal says done first),
the differences of p50 and p95, and the Graph requests a clear took each way (the median).
``python -m benchmarks.queue_latency [--runs 5] [--latency-ms 20]``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import secrets
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg

from automations.calamity import flows
from automations.calamity.models import ClearSettings
from automations.context import Actor
from automations.dates import AMSTERDAM
from automations.roster.service import snapshot
from sandbox.app import SandboxConfig
from sandbox.limits import LimitSettings
from sandbox.server import start_in_thread
from server.app import create_app
from server.settings import Settings
from server.startup import prepare_store
from tests.sandbox.graphclients import Tenant
from tests.server.test_calamity_api import invite

TODAY = dt.date(2026, 11, 24)
EXECUTIVE = "ingrid.zwanenburg@zeeveen.nl"  # the burgemeester
SECRETARY = "monique.verschuren@zeeveen.nl"
ATTENDEE = "bas.kuipers@zeeveen.nl"
MEETINGS = 5
PG = "127.0.0.1:5432"
POLL_S = 0.005
DONE_WITHIN_S = 60.0


def _day(n: int) -> dt.date:
    """Weekend days far from the demo week: no series of the seed falls on them."""
    return dt.date(2027, 1, 2) + dt.timedelta(days=7 * (n // 2) + n % 2)


def _window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), AMSTERDAM)
    return start, start + dt.timedelta(days=1)


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(f"postgresql://postgres@{PG}/postgres", timeout=10)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def pct(values: list[float], p: float) -> float:
    """Inclusive: with five runs the p95 stays within what was measured."""
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def _figures(ms: list[float]) -> dict[str, float]:
    return {"p50_ms": round(pct(ms, 50), 1), "p95_ms": round(pct(ms, 95), 1)}


class TaskMarks(logging.Handler):
    """When the in-process worker started and finished its last ``calamity.finish`` task (the
    moment Procrastinate logs it, on this process's clock)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.marks: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        action = getattr(record, "action", None)
        task = (getattr(record, "job", None) or {}).get("task_name")
        if task == flows.FINISH_TASK and action in ("start_job", "job_success"):
            self.marks[action] = time.perf_counter()


class Bench:
    """The server's parts, Monique's token, and a day counter for fresh windows."""

    def __init__(self, app: Any, tenant: Tenant, actor: Actor, marks: TaskMarks,
                 limits: Any) -> None:  # fmt: skip
        self.app, self.tenant, self.actor, self.marks = app, tenant, actor, marks
        self.limits = limits  # the sandbox's counters: Graph requests per clear
        self.token = tenant.user_token(SECRETARY)  # her pane's API token
        self.settings = ClearSettings()
        self.days = 0

    async def previewed(self) -> tuple[str, tuple[dt.datetime, dt.datetime]]:
        """A fresh day with its meetings, previewed: the operation id and the window."""
        day = _day(self.days)
        self.days += 1
        for n in range(MEETINGS):
            await invite(self.tenant, EXECUTIVE, f"Latentie {day} {n}", day.isoformat(),
                         f"{9 + n:02d}:00", [ATTENDEE])  # fmt: skip
        start, end = _window(day)
        async with self.app.state.gateway.for_user(self.token, upn=SECRETARY) as graph:
            shown = await flows.preview_clear(
                self.app.state.deps, graph, self.actor, mailbox=EXECUTIVE, start=start, end=end,
                settings=self.settings,
            )  # fmt: skip
        assert [i.action for i in shown.items] == ["cancel"] * MEETINGS, shown.counts
        return shown.operation_id, (start, end)

    async def in_process(self) -> dict[str, float]:
        operation, (start, end) = await self.previewed()
        before = self.limits.total
        t0 = time.perf_counter()
        async with self.app.state.gateway.for_user(self.token, upn=SECRETARY) as graph:
            report = await flows.execute_clear(
                self.app.state.deps, graph, self.actor, mailbox=EXECUTIVE, start=start,
                end=end, settings=self.settings, operation_id=operation,
            )  # fmt: skip
        elapsed = (time.perf_counter() - t0) * 1000
        assert report.status == "done", report.counts
        return {"total": elapsed, "graph_requests": self.limits.total - before}

    async def queued(self) -> dict[str, float]:
        operation, (start, end) = await self.previewed()
        deps, gateway = self.app.state.deps, self.app.state.gateway
        self.marks.marks.clear()
        before = self.limits.total
        t0 = time.perf_counter()
        await gateway.tokens.keep_delegation(self.token, SECRETARY, self.app.state.vault)
        kept = time.perf_counter()
        async with gateway.for_user(self.token, upn=SECRETARY) as graph:
            await flows.start_clear(
                deps, graph, self.actor, mailbox=EXECUTIVE, start=start, end=end,
                settings=self.settings, operation_id=operation,
            )  # fmt: skip
        clicked = time.perf_counter()
        while True:
            report = await flows.clear_progress(deps, self.actor, operation_id=operation)
            if report.status not in ("running", "interrupted"):
                break
            if time.perf_counter() - clicked > DONE_WITHIN_S:
                raise AssertionError(f"no worker finished {operation} in {DONE_WITHIN_S:g} s")
            await asyncio.sleep(POLL_S)
        done = time.perf_counter()
        requests = self.limits.total - before
        assert report.status == "done", (report.status, report.counts)
        for _ in range(200):  # the journal says done a moment before the task returns
            if "job_success" in self.marks.marks:
                break
            await asyncio.sleep(POLL_S)
        began, ended = self.marks.marks["start_job"], self.marks.marks["job_success"]
        return {"total": (done - t0) * 1000, "keep_delegation": (kept - t0) * 1000,
                "click": (clicked - kept) * 1000, "wait": (done - clicked) * 1000,
                "taken_up": (began - kept) * 1000, "task": (ended - began) * 1000,
                "seen": (done - ended) * 1000, "graph_requests": requests}  # fmt: skip


async def measure(runs: int, latency_ms: float, directory: Path) -> dict[str, Any]:
    sandbox = start_in_thread(SandboxConfig(
        state_dir=directory / "sandbox", today=TODAY, limits=LimitSettings(latency_ms=latency_ms)
    ))  # fmt: skip
    marks = TaskMarks()
    worker_log = logging.getLogger("procrastinate.worker")
    worker_log.setLevel(logging.INFO)
    worker_log.addHandler(marks)
    name = f"secretariaat_bench_{secrets.token_hex(4)}"
    await _admin(f'CREATE DATABASE "{name}"')
    app = None
    try:
        settings = Settings(
            sandbox_state=Path(sandbox.info["ca_cert"]).parent,
            database_url=f"postgresql+asyncpg://postgres@{PG}/{name}",
            clock=TODAY.isoformat(), worker_in_process=True,
        )  # fmt: skip
        await prepare_store(settings)
        app = create_app(settings)
        await app.state.tasks.start()  # what the server's start-up does
        async with app.state.sessions() as session:
            roster = await snapshot(session)
        actor = Actor(upn=SECRETARY, roster=roster, via="api")
        bench = Bench(app, Tenant(sandbox.info), actor, marks, sandbox.app.state.sandbox.limits)
        cold = {"in_process_ms": round((await bench.in_process())["total"], 1),
                "queued_ms": round((await bench.queued())["total"], 1)}  # fmt: skip
        direct: list[dict[str, float]] = []
        queued: list[dict[str, float]] = []
        for n in range(runs):
            if n % 2:
                queued.append(await bench.queued())
                direct.append(await bench.in_process())
            else:
                direct.append(await bench.in_process())
                queued.append(await bench.queued())
    finally:
        if app is not None:
            await app.state.tasks.aclose()
            await app.state.inbox.aclose()
            await app.state.events.aclose()
            await app.state.validator.aclose()
            await app.state.gateway.aclose()
            await app.state.engine.dispose()
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        sandbox.stop()
        worker_log.removeHandler(marks)
    parts = {k: _figures([q[k] for q in queued])
             for k in ("keep_delegation", "click", "wait", "taken_up", "task", "seen")}  # fmt: skip
    return {
        "runs": runs, "latency_ms": latency_ms, "meetings_per_clear": MEETINGS,
        "in_process": _figures([d["total"] for d in direct]),
        "queued": _figures([q["total"] for q in queued]), "queued_parts": parts,
        **{f"added_by_queue_p{p}_ms": round(
            pct([q["total"] for q in queued], p) - pct([d["total"] for d in direct], p), 1
        ) for p in (50, 95)},
        "graph_requests_per_clear": {
            "in_process": statistics.median(d["graph_requests"] for d in direct),
            "queued": statistics.median(q["graph_requests"] for q in queued),
        },
        "cold": cold,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = asyncio.run(measure(args.runs, args.latency_ms, Path(tmp)))
    print(json.dumps(out, indent=2))  # noqa: T201


if __name__ == "__main__":
    main()
