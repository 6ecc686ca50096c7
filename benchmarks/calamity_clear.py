"""Clearing 10, 60 and 200 agenda items at 100 ms simulated Graph latency.

The product's clear (preview, then the journaled execute: chunks of twenty, requests side by
side, four in flight per mailbox) against a naive loop that cancels one item after the other,
in the same run against the same sandbox. The execute is timed, as
the secretary waits for it after the preview; the floor is Exchange's limit of four concurrent
requests per mailbox: ``ceil(items / 4) * latency``. Usage: ``python -m benchmarks.calamity_clear``.

Separately from the calendar work (what ``ours_s`` measures), each run reports when its last
cancellation left the executive's Outbox, read from the sandbox's sending ledger: Exchange
sends 30 messages a minute per mailbox and carries the rest over to the following minutes
(``sandbox/mail/submission.py``), so sixty notices take two minutes of tenant time whatever the
clear's speed. The naive loops send from the same mailbox, so a later run's notices may wait
behind an earlier run's.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import ssl
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from pydantic import SecretStr

from automations.calamity.clearing import execute
from automations.calamity.models import ClearSettings
from automations.calamity.preview import preview
from automations.clock import SetClock
from automations.graph import GraphConfig, GraphGateway, record_calls, token_source_for
from automations.journal import Journal
from automations.roster.models import Roster
from automations.roster.service import load_roster_file
from automations.store import create_engine, session_factory, upgrade_async
from benchmarks.sandbox_overhead import app_token
from sandbox import clock as tenant_clocks
from sandbox.app import SandboxConfig
from sandbox.limits import LimitSettings
from sandbox.mail import submission
from sandbox.server import start_in_thread

EXECUTIVE = "ingrid.zwanenburg@zeeveen.nl"
ATTENDEE = "bas.kuipers@zeeveen.nl"
ACTOR = "monique.verschuren@zeeveen.nl"
ROSTER = Path(__file__).resolve().parents[1] / "automations" / "roster" / "demo.yaml"
TODAY = dt.date(2026, 11, 24)
ZONE = ZoneInfo("Europe/Amsterdam")
WINDOWS = "W. Europe Standard Time"


def _day(n: int) -> dt.date:
    """Weekend days far from the demo week: no series of the seed falls on them."""
    return dt.date(2027, 1, 2) + dt.timedelta(days=7 * (n // 2) + n % 2)


async def _fill(client: httpx.AsyncClient, day: dt.date, count: int) -> None:
    """``count`` five-minute meetings with one attendee on ``day`` (untimed)."""
    events = []
    for i in range(count):
        start = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=5 * i)
        events.append(
            {
                "id": str(i),
                "method": "POST",
                "url": f"/users/{EXECUTIVE}/events",
                "headers": {"Content-Type": "application/json"},
                "body": {
                    "subject": f"Bench {day} {i:03d}",
                    "start": {"dateTime": start.isoformat(), "timeZone": WINDOWS},
                    "end": {
                        "dateTime": (start + dt.timedelta(minutes=5)).isoformat(),
                        "timeZone": WINDOWS,
                    },
                    "attendees": [{"emailAddress": {"address": ATTENDEE}, "type": "required"}],
                },
            }
        )
    for first in range(0, count, 20):
        resp = await client.post("/$batch", json={"requests": events[first : first + 20]})
        assert all(r["status"] == 201 for r in resp.json()["responses"]), resp.text


def _window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), ZONE)
    return start, start + dt.timedelta(days=1)


async def naive(client: httpx.AsyncClient, day: dt.date) -> int:
    """Read the day, then cancel each meeting in turn, as a simple script would."""
    start, end = _window(day)
    listing = await client.get(
        f"/users/{EXECUTIVE}/calendarView",
        params={"startDateTime": start.isoformat(), "endDateTime": end.isoformat(),
                "$select": "id", "$top": "500"},
    )  # fmt: skip
    ids = [e["id"] for e in listing.json()["value"]]
    for event_id in ids:
        url = f"/users/{EXECUTIVE}/events/{event_id}/cancel"
        (await client.post(url, json={"comment": "Gaat niet door."})).raise_for_status()
    return len(ids) + 1


async def run(latency_ms: float, sizes: list[int]) -> dict:
    state = Path(tempfile.mkdtemp(prefix="sandbox-bench-"))
    limits = LimitSettings(latency_ms=latency_ms)
    # One moment for tenant and product, moved on an hour before each measured clear: the
    # meetings the fills create send invitations from the same mailbox, and the notices are
    # measured from an Outbox that is empty (what a calamity usually meets).
    tenant_clock = tenant_clocks.SetClock.on_day(TODAY)
    product_clock = SetClock(tenant_clock.now())
    config_ = SandboxConfig(state_dir=state, today=TODAY, limits=limits, clock=tenant_clock)
    running = start_in_thread(config_)
    info = running.info
    store = Path(tempfile.mkdtemp(prefix="store-bench-")) / "store.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{store}")
    await upgrade_async(engine)
    sessions = session_factory(engine, clock=product_clock)
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
    headers = {"Authorization": f"Bearer {app_token(info)}", "Prefer": 'IdType="ImmutableId"'}
    out: dict = {"latency_ms": latency_ms, "runs": []}
    settings = ClearSettings()
    try:
        async with (
            GraphGateway(config, token_source_for(config)) as gateway,
            gateway.for_app() as graph,
            httpx.AsyncClient(base_url=info["graph_url"], headers=headers, verify=tls) as client,
        ):
            journal = Journal(sessions)
            for n, size in enumerate(sizes):
                ours_day, naive_day = _day(2 * n), _day(2 * n + 1)
                await _fill(client, ours_day, size)
                await _fill(client, naive_day, size)
                start, end = _window(ours_day)
                common = {"roster": roster, "actor": ACTOR, "mailbox": EXECUTIVE,
                          "start": start, "end": end, "settings": settings}  # fmt: skip
                shown = await preview(graph, journal=journal, **common)
                assert {i.action for i in shown.items} == {"cancel"}, shown.counts
                tenant = running.app.state.sandbox
                counters = tenant.limits
                before = counters.total
                tenant_clock.advance(dt.timedelta(hours=1))
                product_clock.advance(dt.timedelta(hours=1))
                began = tenant.store.clock.now().replace(microsecond=0)
                with record_calls() as calls:
                    t0 = time.perf_counter()
                    report = await execute(
                        graph, sessions, journal, operation_id=shown.operation_id, **common
                    )
                    ours = time.perf_counter() - t0
                assert report.status == "done" and len(report.items) == size, report.counts
                requests = counters.total - before
                t0 = time.perf_counter()
                naive_round_trips = await naive(client, naive_day)
                naive_s = time.perf_counter() - t0
                floor = math.ceil(size / 4) * latency_ms / 1000
                left = _last_notice(tenant, f"Canceled: Bench {ours_day} ")
                out["runs"].append(
                    {
                        "items": size,
                        "ours_s": round(ours, 3),
                        "ours_round_trips": len(calls),
                        "ours_graph_requests": requests,
                        "naive_s": round(naive_s, 3),
                        "naive_round_trips": naive_round_trips,
                        "speedup_vs_naive": round(naive_s / ours, 2),
                        "floor_4_per_mailbox_s": round(floor, 3),
                        "ours_vs_floor": round(ours / floor, 2) if floor else None,
                        "notices": report.notices,
                        "notice_note": report.notice_note,
                        "last_notice_left_at": left.isoformat() if left else None,
                        "last_notice_left_after_s": (
                            round((left - began).total_seconds(), 1) if left else None
                        ),
                        "last_notice_estimated_at": report.last_notice_at,
                    }
                )
    finally:
        await engine.dispose()
        running.stop()
    return out


def _last_notice(tenant: object, subject: str) -> dt.datetime | None:
    """When the last cancellation with this subject prefix left the executive's Outbox."""
    sandbox = tenant  # the in-process Sandbox (store, directory)
    mailbox = sandbox.directory.user(EXECUTIVE)["id"]  # type: ignore[attr-defined]
    times = [
        dt.datetime.fromisoformat(d["at"].replace("Z", "+00:00"))
        for d in submission.departures(sandbox.store, mailbox)  # type: ignore[attr-defined]
        if d["subject"].startswith(subject)
    ]
    return max(times) if times else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 60, 200])
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.latency_ms, args.sizes)), indent=2))  # noqa: T201


if __name__ == "__main__":
    main()
