"""Candidates for a meeting of 8 attendees over 4 weeks at 100 ms simulated Graph latency.

The planner's ``propose`` (everyone's free/busy in one ``getSchedule``, the rooms from
``/places`` when it is not online, ranked in process) against a naive script that asks
``getSchedule`` for one attendee after the other, in the same run against the same sandbox.
Each is run ``--runs`` times; the figures are p50/p95 of the wall time, Graph round trips and
Graph requests, and the time the ranking itself takes. Usage:
``python -m benchmarks.planning_candidates``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import ssl
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from pydantic import SecretStr

from automations.clock import SetClock
from automations.context import Actor, Deps
from automations.dates import AMSTERDAM
from automations.graph import GraphConfig, GraphGateway, record_calls, token_source_for
from automations.planning import flows, service
from automations.planning.candidates import candidate_times, rank, schedule_items
from automations.planning.models import Conditions, Participant
from automations.roster.models import Roster
from automations.roster.service import load_roster_file
from automations.store import create_engine, session_factory, upgrade_async
from benchmarks.sandbox_overhead import app_token
from sandbox import clock as tenant_clocks
from sandbox.app import SandboxConfig
from sandbox.limits import LimitSettings
from sandbox.server import start_in_thread

ROSTER = Path(__file__).resolve().parents[1] / "automations" / "roster" / "demo.yaml"
TODAY = dt.date(2026, 11, 24)
ACTOR = "karin.molenaar@zeeveen.nl"
EXECUTIVES = [
    "joost.brinkhorst@zeeveen.nl",
    "fatima.elamrani@zeeveen.nl",
    "pieterjan.hoekstra@zeeveen.nl",
]
INTERNAL = [
    "ingrid.zwanenburg@zeeveen.nl",
    "maarten.oosterveld@zeeveen.nl",
    "bas.kuipers@zeeveen.nl",
    "anouk.smits@zeeveen.nl",
    "hans.verbeek@zeeveen.nl",
]


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 3)


async def _naive(
    client: httpx.AsyncClient,
    people: list[Participant],
    first: dt.date,
    last: dt.date,
    duration: dt.timedelta,
) -> int:
    """One getSchedule per attendee, one after the other, then the same ranking."""
    start = dt.datetime.combine(first, dt.time(), AMSTERDAM)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), AMSTERDAM)
    busy = {}
    for p in people:
        answer = await client.post(
            f"/users/{EXECUTIVES[0]}/calendar/getSchedule",
            json={
                "schedules": [p.address],
                "availabilityViewInterval": 30,
                "startTime": {"dateTime": start.astimezone(dt.UTC).isoformat(), "timeZone": "UTC"},
                "endTime": {"dateTime": end.astimezone(dt.UTC).isoformat(), "timeZone": "UTC"},
            },
        )
        answer.raise_for_status()
        busy[p.address] = schedule_items(answer.json()["value"][0])
    times = candidate_times(first, last, duration, Conditions(), not_before=start)
    rank(times, busy, people, count=5)
    return len(people)


async def run(latency_ms: float, runs: int, online: bool) -> dict:
    state = Path(tempfile.mkdtemp(prefix="sandbox-bench-"))
    tenant_clock = tenant_clocks.SetClock.on_day(TODAY)
    clock = SetClock(tenant_clock.now())
    running = start_in_thread(
        SandboxConfig(
            state_dir=state,
            today=TODAY,
            clock=tenant_clock,
            limits=LimitSettings(latency_ms=latency_ms),
        )
    )
    info = running.info
    store = Path(tempfile.mkdtemp(prefix="store-bench-")) / "store.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{store}")
    await upgrade_async(engine)
    sessions = session_factory(engine, clock=clock)
    roster = Roster.from_document(load_roster_file(ROSTER))
    config = GraphConfig(
        graph_url=info["graph_url"],
        authority=info["authority"],
        client_id=info["client_id"],
        client_secret=SecretStr(info["client_secret"]),
        ca_cert=Path(info["ca_cert"]),
        api_audience=f"api://{info['client_id']}",
    )
    tls = ssl.create_default_context(cafile=info["ca_cert"])
    headers = {"Authorization": f"Bearer {app_token(info)}"}
    first, last = TODAY + dt.timedelta(days=14), TODAY + dt.timedelta(days=41)
    people = [
        *(Participant(e, e, "executive") for e in EXECUTIVES),
        *(Participant(a, a, "internal") for a in INTERNAL),
    ]
    async with sessions() as session, session.begin():
        request_id = service.create(
            session,
            title="Bench",
            organiser=EXECUTIVES[0],
            participants=people,
            duration=dt.timedelta(minutes=90),
            window=(first, last),
            conditions=Conditions(),
            online=online,
            location="",
            created_by=ACTOR,
            now=clock.now(),
            decide_by=None,
        )
    deps = Deps(sessions=sessions, clock=clock)
    actor = Actor(ACTOR, roster, "cli")
    ours: dict[str, list[float]] = {"s": [], "round_trips": [], "requests": [], "ranking_s": []}
    naive: dict[str, list[float]] = {"s": [], "round_trips": [], "requests": []}
    counters = running.app.state.sandbox.limits
    try:
        async with (
            GraphGateway(config, token_source_for(config)) as gateway,
            gateway.for_app() as graph,
            httpx.AsyncClient(base_url=info["graph_url"], headers=headers, verify=tls) as client,
        ):
            for _ in range(runs):
                before = counters.total
                with record_calls() as calls:
                    t0 = time.perf_counter()
                    found = await flows.propose(deps, graph, actor, request_id=request_id)
                    ours["s"].append(time.perf_counter() - t0)
                ours["round_trips"].append(len(calls))
                ours["requests"].append(counters.total - before)
                assert found.candidates, "no candidate in four weeks"
                busy = {p.address: [] for p in people}
                t0 = time.perf_counter()
                rank(
                    candidate_times(
                        first, last, dt.timedelta(minutes=90), Conditions(), not_before=clock.now()
                    ),
                    busy,
                    people,
                    count=5,
                )
                ours["ranking_s"].append(time.perf_counter() - t0)
                before = counters.total
                t0 = time.perf_counter()
                trips = await _naive(client, people, first, last, dt.timedelta(minutes=90))
                naive["s"].append(time.perf_counter() - t0)
                naive["round_trips"].append(trips)
                naive["requests"].append(counters.total - before)
    finally:
        await engine.dispose()
        running.stop()

    def summary(d: dict[str, list[float]]) -> dict[str, float]:
        return {f"{k}_p50": _p(v, 0.5) for k, v in d.items()} | {
            f"{k}_p95": _p(v, 0.95) for k, v in d.items()
        }

    return {
        "latency_ms": latency_ms,
        "attendees": len(people),
        "weeks": 4,
        "runs": runs,
        "online": online,
        "ours": summary(ours),
        "naive": summary(naive),
        "speedup_p50": round(statistics.median(naive["s"]) / statistics.median(ours["s"]), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--room", action="store_true", help="In a room: /places read too.")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.latency_ms, args.runs, not args.room)), indent=2))  # noqa: T201


if __name__ == "__main__":
    main()
