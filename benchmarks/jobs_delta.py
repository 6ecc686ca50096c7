"""A calendar job over many mailboxes: the first (full) run against the second (delta) run.

The sandbox is seeded with the demo municipality plus extra executives, each with four weeks of
agenda (``--per-day`` appointments a weekday). ``cancelled-leftovers`` runs twice over all
executive mailboxes at ``--latency-ms``; each run happens in a fresh child process so its peak
memory (tracemalloc) is its own. Printed per size: Graph requests (the sandbox's counter), wall
time and peak memory of both runs. Target: the delta run's requests do not grow with the
calendar's size. ``python -m benchmarks.jobs_delta``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import multiprocessing
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path
from typing import Any

import yaml
from pydantic import SecretStr

from automations.clock import SetClock
from automations.graph import GraphConfig, GraphGateway, token_source_for
from automations.jobs.catalog import JOBS
from automations.jobs.registry import JobContext
from automations.jobs.runner import run_job
from automations.roster.models import Roster
from automations.roster.service import load_roster_file
from automations.store import create_engine, session_factory, upgrade_async
from sandbox.app import SandboxConfig
from sandbox.limits import LimitSettings
from sandbox.server import start_in_thread

DEMO = Path(__file__).resolve().parents[1] / "sandbox" / "seed" / "demo.yaml"
ROSTER = Path(__file__).resolve().parents[1] / "automations" / "roster" / "demo.yaml"
TODAY = dt.date(2026, 11, 24)
DAYS = ("mon", "tue", "wed", "thu", "fri")


def seed_file(mailboxes: int, per_day: int, directory: Path) -> tuple[Path, list[str]]:
    """The demo plus executives up to ``mailboxes``, each with four weeks of appointments."""
    doc = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    executives = [u["userPrincipalName"] for u in doc["users"] if u["role"] == "executive"]
    for delegation in doc["delegates"]:  # YAML anchors share lists: give each its own
        delegation["executives"] = list(delegation["executives"])
    for n in range(mailboxes - len(executives)):
        upn = f"bestuurder{n:02d}@zeeveen.nl"
        doc["users"].append({
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, upn)), "displayName": f"Bestuurder {n:02d}",
            "givenName": "Bestuurder", "surname": f"{n:02d}", "mail": upn,
            "userPrincipalName": upn, "jobTitle": "Wethouder", "department": "Bestuur",
            "officeLocation": "Stadhuis", "businessPhones": [], "preferredLanguage": "nl-NL",
            "role": "executive",
        })  # fmt: skip
        executives.append(upn)
        week = next(iter(doc["roster"].values()))  # any front office will do
        doc["roster"][upn] = week
        granted = set()
        for delegation in doc["delegates"]:  # who is on the roster needs delegate rights
            if delegation["secretary"] in week.values() and delegation["secretary"] not in granted:
                delegation["executives"].append(upn)
                granted.add(delegation["secretary"])
    doc["apps"][0]["rbac_scope"] = executives
    for upn in executives:
        for week in range(4):
            for day in DAYS:
                for slot in range(per_day):
                    doc["events"].append({
                        "organizer": upn, "subject": f"Afspraak {week}-{day}-{slot}",
                        "day": day, "week": week, "start": f"{8 + slot:02d}:00",
                        "end": f"{8 + slot:02d}:45",
                    })  # fmt: skip
    path = directory / "seed.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path, executives


def _config(info: dict[str, Any]) -> GraphConfig:
    return GraphConfig(
        graph_url=info["graph_url"], authority=info["authority"], client_id=info["client_id"],
        client_secret=SecretStr(info["client_secret"]), ca_cert=Path(info["ca_cert"]),
        api_audience=f"api://{info['client_id']}",
    )  # fmt: skip


async def _run(info: dict[str, Any], database: str, mailboxes: list[str]) -> dict[str, Any]:
    engine = create_engine(database)
    roster = Roster.from_document(load_roster_file(ROSTER))
    config = _config(info)
    try:
        async with (
            GraphGateway(config, token_source_for(config)) as gateway,
            gateway.for_app() as graph,
        ):
            clock = SetClock.on_day(TODAY)
            ctx = JobContext(graph=graph, sessions=session_factory(engine, clock=clock),
                             roster=roster, today=TODAY, now=clock.now(), dry_run=True)  # fmt: skip
            await graph.batch([])  # warm: the app token
            tracemalloc.start()
            t0 = time.perf_counter()
            report = await run_job(JOBS["cancelled-leftovers"], ctx, mailboxes)
            elapsed = time.perf_counter() - t0
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    finally:
        await engine.dispose()
    assert report is not None and report.status == "done", report
    return {"s": round(elapsed, 2), "peak_mb": round(peak / 2**20, 1),
            "full_reads": report.counts.get("full_reads", 0)}  # fmt: skip


def _child(info: dict, database: str, mailboxes: list[str], out: Any) -> None:
    out.put(asyncio.run(_run(info, database, mailboxes)))


async def measure(mailboxes: int, per_day: int, latency_ms: float) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="jobs-bench-"))
    seed, executives = seed_file(mailboxes, per_day, work)
    config = SandboxConfig(state_dir=work / "sandbox", today=TODAY, seed=seed,
                           limits=LimitSettings(latency_ms=latency_ms))  # fmt: skip
    running = start_in_thread(config)
    database = f"sqlite+aiosqlite:///{work / 'store.sqlite3'}"
    engine = create_engine(database)
    await upgrade_async(engine)
    await engine.dispose()
    counters = running.app.state.sandbox.limits
    out: dict[str, Any] = {"mailboxes": mailboxes, "appointments_per_mailbox": per_day * 20}
    try:
        spawn = multiprocessing.get_context("spawn")
        for label in ("full", "delta"):
            before = counters.total
            queue = spawn.Queue()
            child = spawn.Process(target=_child, args=(running.info, database, executives, queue))
            child.start()
            result = queue.get(timeout=900)
            child.join()
            out[label] = {**result, "requests": counters.total - before}
    finally:
        running.stop()
    out["delta_requests_per_mailbox"] = round(out["delta"]["requests"] / mailboxes, 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--mailboxes", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--per-day", type=int, nargs="+", default=[2, 8])
    args = parser.parse_args()
    runs = []
    for mailboxes in args.mailboxes:
        for per_day in args.per_day:
            runs.append(asyncio.run(measure(mailboxes, per_day, args.latency_ms)))
    print(json.dumps({"latency_ms": args.latency_ms, "runs": runs}, indent=2))  # noqa: T201


if __name__ == "__main__":
    main()
