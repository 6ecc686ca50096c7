"""The work queue for a whole team: 10 executives, 2,000 open items, on SQLite and PostgreSQL.

The store is filled directly (approvals waiting and rejected, dispatches of which some overdue,
reschedule backlog, conflicts, flagged mail, meetings with empty agenda items, and live claims
on a tenth of the items); the roster has one secretary serving all ten executives, so her
queue is the team's. Timed through the API in-process (``httpx.ASGITransport``: token
validation against the sandbox, the roster, the queries, the JSON), so only the network is
left out. Printed per store: p50/p95 of ``GET /api/v1/queue``, of the same with ``mine=true``,
and of the pane's Werkvoorraad HTML; and the store work alone against a naive baseline that
reads per executive and per kind and looks up each item's claim on its own (N+1).
Target: p95 < 300 ms for the API. ``python -m benchmarks.queue_load``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import secrets
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import yaml

from automations.clock import SetClock
from automations.dates import AMSTERDAM
from automations.queue import claims
from automations.queue.service import build_queue
from automations.roster.models import Roster
from automations.roster.service import snapshot
from automations.store import create_engine, session_factory
from automations.store.models import (
    AgendaItemRow,
    ApprovalRow,
    ClaimRow,
    DispatchRow,
    JobFindingRow,
    MeetingRow,
    RescheduleRow,
)
from sandbox.app import SandboxConfig
from sandbox.server import start_in_thread
from server.app import create_app
from server.settings import Settings
from server.startup import prepare_store
from tests.sandbox.graphclients import Tenant

TODAY = dt.date(2026, 11, 24)
NOON = dt.datetime.combine(TODAY, dt.time(12), AMSTERDAM)
SECRETARY = "monique.verschuren@zeeveen.nl"
COLLEAGUE = "ellen.dijkhuis@zeeveen.nl"
DEMO_EXECUTIVES = [
    "ingrid.zwanenburg@zeeveen.nl",
    "maarten.oosterveld@zeeveen.nl",
    "joost.brinkhorst@zeeveen.nl",
    "fatima.elamrani@zeeveen.nl",
    "pieterjan.hoekstra@zeeveen.nl",
]
PG = "127.0.0.1:5432"
# How the 2,000 items are spread over the kinds (the rest are empty agenda items).
SHARE = {"approval": 0.2, "rejected": 0.05, "dispatch": 0.25, "backlog": 0.2, "conflict": 0.15,
         "flagged": 0.1}  # fmt: skip


def roster_file(executives: list[str], directory: Path) -> Path:
    """Monique serves all of them (front office Monday to Thursday, Ellen on Friday)."""
    members = [{"upn": e, "display_name": e.split("@")[0].title(), "role": "executive"}
               for e in executives]  # fmt: skip
    members += [
        {"upn": SECRETARY, "display_name": "Monique Verschuren", "role": "secretary"},
        {"upn": COLLEAGUE, "display_name": "Ellen Dijkhuis", "role": "secretary"},
    ]
    week = {d: SECRETARY for d in ("mon", "tue", "wed", "thu")} | {
        "fri": "ellen.dijkhuis@zeeveen.nl"
    }
    doc = {
        "members": members,
        "serves": {SECRETARY: executives, COLLEAGUE: executives},
        "front_office": {e: week for e in executives},
    }
    path = directory / "roster.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def _id() -> str:
    return str(uuid.uuid4())


async def fill(sessions: Any, executives: list[str], total: int) -> int:
    """``total`` open items over the executives, and live claims on every tenth."""
    stamp = NOON.astimezone(dt.UTC) - dt.timedelta(days=2)
    counts = {k: int(total * share) for k, share in SHARE.items()}
    empty_items = total - sum(counts.values())
    rows: list[Any] = []
    keys: list[tuple[str, str]] = []
    for n in range(counts["approval"] + counts["rejected"]):
        mb = executives[n % len(executives)]
        waiting = n < counts["approval"]
        row = ApprovalRow(
            id=_id(), mailbox=mb, draft_id=f"draft-{n}", message_id=f"msg-a{n}",
            subject=f"Antwoord op vraag {n}", change_key="ck", requested_by=SECRETARY,
            requested_at=stamp, status="waiting" if waiting else "rejected",
            comment=None if waiting else "Graag korter.",
        )  # fmt: skip
        rows.append(row)
        keys.append((f"approval:{row.id}", mb))
    for n in range(counts["dispatch"]):
        mb = executives[n % len(executives)]
        row = DispatchRow(
            id=_id(), tag=f"bench/{n}", mailbox=mb, message_id=f"msg-d{n}",
            conversation_id=f"conv-{n}", subject=f"Vraag {n}", department_key="ro",
            department_name="Ruimtelijke Ordening", address="ro@zeeveen.nl",
            deadline=TODAY + dt.timedelta(days=(n % 10) - 3), dispatched_by=SECRETARY,
            dispatched_at=stamp,
        )  # fmt: skip
        rows.append(row)
        keys.append((f"dispatch:{row.id}", mb))
    for n in range(counts["backlog"]):
        mb = executives[n % len(executives)]
        start = stamp + dt.timedelta(days=3, hours=n % 8)
        row = RescheduleRow(
            id=_id(), operation_id=f"op-{n // 50}", mailbox=mb, event_id=f"ev-{n}",
            action="cancel", subject=f"Overleg {n}", start=start,
            end=start + dt.timedelta(hours=1), created_at=stamp,
        )  # fmt: skip
        rows.append(row)
        keys.append((f"backlog:{row.id}", mb))
    for n in range(counts["conflict"] + counts["flagged"]):
        mb = executives[n % len(executives)]
        flagged = n >= counts["conflict"]
        details = ({"message": f"msg-f{n}", "received": stamp.isoformat(), "due": None}
                   if flagged else {"events": [f"ev-x{n}", f"ev-y{n}"]})  # fmt: skip
        row = JobFindingRow(
            id=_id(), job="flagged-mail" if flagged else "conflicts", key=f"bench-{n}",
            mailbox=mb, kind="flagged" if flagged else "double", summary=f"Bevinding {n}",
            details=details, owner=SECRETARY, created_at=stamp,
        )  # fmt: skip
        rows.append(row)
        keys.append((f"message:msg-f{n}" if flagged else f"conflict:{row.id}", mb))
    per_meeting = 5
    for m in range(-(-empty_items // per_meeting)):
        meeting = MeetingRow(id=_id(), type_key="college", date=TODAY + dt.timedelta(days=m % 7),
                             title=f"College {m}", created_by=SECRETARY)  # fmt: skip
        rows.append(meeting)
        for i in range(min(per_meeting, empty_items - m * per_meeting)):
            rows.append(AgendaItemRow(id=_id(), meeting_id=meeting.id, number=i + 1,
                                      title=f"Punt {i + 1}", created_at=stamp))  # fmt: skip
    expires = NOON.astimezone(dt.UTC) + dt.timedelta(minutes=30)
    for key, mb in keys[::10]:
        rows.append(ClaimRow(key=key, mailbox=mb, claimed_by="ellen.dijkhuis@zeeveen.nl",
                             since=NOON.astimezone(dt.UTC), expires_at=expires))  # fmt: skip
    async with sessions() as session, session.begin():
        session.add_all([r for r in rows if isinstance(r, MeetingRow)])
        await session.flush()
        session.add_all([r for r in rows if not isinstance(r, MeetingRow)])
    return len(keys) + empty_items


async def naive(sessions: Any, roster: Roster, executives: list[str]) -> int:
    """The obvious first version: per executive, per kind, and each item's claim on its own."""
    from sqlalchemy import select

    found = 0
    async with sessions() as session:
        for mb in executives:
            for model, statuses in ((ApprovalRow, ("waiting", "rejected")),
                                    (DispatchRow, ("open",)), (RescheduleRow, ("open",)),
                                    (JobFindingRow, ("open",))):  # fmt: skip
                rows = list(await session.scalars(
                    select(model).where(model.mailbox == mb, model.status.in_(statuses))
                ))  # fmt: skip
                for row in rows:
                    await session.get(ClaimRow, f"x:{row.id}")
                    found += 1
        for meeting in await session.scalars(select(MeetingRow).where(MeetingRow.date >= TODAY)):
            items = await session.scalars(
                select(AgendaItemRow).where(AgendaItemRow.meeting_id == meeting.id)
            )
            found += len(list(items))
    return found


async def ours(sessions: Any, roster: Roster, executives: list[str]) -> int:
    async with sessions() as session:
        items = await build_queue(session, roster=roster, mailboxes=executives, today=TODAY,
                                  now=NOON.astimezone(dt.UTC))  # fmt: skip
        await claims.current_claims(session, mailboxes=executives, now=NOON.astimezone(dt.UTC))
    return len(items)


async def timed(call: Callable[[], Awaitable[Any]], runs: int) -> list[float]:
    for _ in range(3):
        await call()  # warm: connections, statement caches
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        await call()
        out.append((time.perf_counter() - t) * 1000)
    return out


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100)[int(p) - 1] if len(values) > 1 else values[0]


async def measure(url: str, label: str, tenant: Tenant, state: Path, executives: list[str],
                  total: int, runs: int, directory: Path) -> dict[str, Any]:  # fmt: skip
    settings = Settings(sandbox_state=state, database_url=url,
                        roster_file=roster_file(executives, directory))  # fmt: skip
    await prepare_store(settings)
    engine = create_engine(url)
    clock = SetClock(NOON, running=False)
    sessions = session_factory(engine, clock=clock)
    items = await fill(sessions, executives, total)
    async with sessions() as session:
        roster = await snapshot(session)
    app = create_app(settings, clock=clock)
    headers = {"Authorization": f"Bearer {tenant.user_token(SECRETARY)}"}
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="https://b.test") as api:
            first = await api.get("/api/v1/queue", headers=headers)
            first.raise_for_status()
            shown = first.json()["counts"]["total"]
            mine = await api.get("/api/v1/queue?mine=true", headers=headers)
            pane_params = {"mailbox": SECRETARY}

            async def get_all() -> None:
                (await api.get("/api/v1/queue", headers=headers)).raise_for_status()

            async def get_mine() -> None:
                (await api.get("/api/v1/queue?mine=true", headers=headers)).raise_for_status()

            async def get_pane() -> None:
                resp = await api.get("/pane/werkvoorraad/inhoud", params=pane_params,
                                     headers={**headers, "Accept": "text/html"})  # fmt: skip
                resp.raise_for_status()

            all_ms = await timed(get_all, runs)
            mine_ms = await timed(get_mine, runs)
            pane_ms = await timed(get_pane, max(runs // 3, 5))
        base_ms = await timed(lambda: naive(sessions, roster, executives), max(runs // 3, 5))
        our_ms = await timed(lambda: ours(sessions, roster, executives), runs)
    finally:
        await app.state.validator.aclose()
        await app.state.gateway.aclose()
        await app.state.engine.dispose()
        await engine.dispose()
    figures = {name: {"p50_ms": round(pct(ms, 50), 1), "p95_ms": round(pct(ms, 95), 1),
                      "n": len(ms)}
               for name, ms in (("api_queue", all_ms), ("api_queue_mine", mine_ms),
                                ("pane_werkvoorraad_html", pane_ms))}  # fmt: skip
    return {
        "store": label, "open_items": items, "executives": len(executives),
        "in_her_queue": shown, "hers": len(mine.json()["items"]), **figures,
        "store_only_p50_ms": round(statistics.median(our_ms), 1),
        "naive_n_plus_1_p50_ms": round(statistics.median(base_ms), 1),
        "ratio_naive_to_ours": round(statistics.median(base_ms) / statistics.median(our_ms), 1),
        "target_p95_under_300ms": pct(all_ms, 95) < 300,
    }  # fmt: skip


async def pg_database() -> tuple[str, str]:
    name = f"secretariaat_bench_{secrets.token_hex(4)}"
    conn = await asyncpg.connect(f"postgresql://postgres@{PG}/postgres", timeout=10)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return f"postgresql+asyncpg://postgres@{PG}/{name}", name


async def pg_drop(name: str) -> None:
    conn = await asyncpg.connect(f"postgresql://postgres@{PG}/postgres", timeout=10)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--executives", type=int, default=10)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    extra = args.executives - len(DEMO_EXECUTIVES)
    executives = DEMO_EXECUTIVES + [f"bestuurder{n:02d}@zeeveen.nl" for n in range(extra)]
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        sandbox = start_in_thread(SandboxConfig(state_dir=directory / "sandbox", today=TODAY))
        tenant = Tenant(sandbox.info)
        state = Path(sandbox.info["ca_cert"]).parent
        results: list[dict[str, Any]] = []
        try:
            sqlite = f"sqlite+aiosqlite:///{directory / 'store.sqlite3'}"
            results.append(asyncio.run(measure(sqlite, "SQLite", tenant, state, executives,
                                               args.items, args.runs, directory)))  # fmt: skip
            if not args.no_postgres:
                url, name = asyncio.run(pg_database())
                try:
                    results.append(asyncio.run(measure(url, "PostgreSQL", tenant, state,
                                   executives, args.items, args.runs, directory)))  # fmt: skip
                finally:
                    asyncio.run(pg_drop(name))
        finally:
            sandbox.stop()
    print(json.dumps({"cores": os.cpu_count(), "runs": args.runs, "results": results}, indent=2))  # noqa: T201


if __name__ == "__main__":
    main()
