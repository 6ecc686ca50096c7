"""Issue: one limit per mailbox across all processes (``automations.graph.shared_limits``).

Two gateways (two processes as far as PostgreSQL and the sandbox's per-app count know: each its
own token cache, connection pool and, when shared, its own slots connection) hammer one
executive's Inbox at once, ``--requests`` reads each, at ``--latency-ms`` simulated Graph
latency; once with the per-process limit only (``local``) and once with slots shared through
PostgreSQL (``shared``). Each against the sandbox as Exchange is (4 at once per app and
mailbox, a fifth gets 429 with Retry-After 1 s, waited out for real) and against a lenient one
(``--lenient`` at once) where the overlap is counted instead of refused. Printed per run:
requests/s (answered reads over wall time), the peak in flight for the mailbox, the 429s,
and reads that failed in the end.

The cost of sharing: reads of the Inbox one after another at latency 0 (no waiting on
anyone), ``--samples`` times, alternating a gateway without and one with shared slots: p50/p95
per request, and the difference; plus one ``acquire``+``release`` of a slot on its own.

PostgreSQL: a throwaway database on ``--pg`` (created, migrated, dropped).
Usage: ``python -m benchmarks.shared_limits``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import secrets
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
from pydantic import SecretStr

from automations.graph import GraphConfig, GraphGateway, GraphSession, token_source_for
from automations.graph.shared_limits import PostgresSlots
from automations.store.migrate import upgrade_async
from sandbox.app import SandboxConfig
from sandbox.limits import Limits
from sandbox.server import RunningSandbox, start_in_thread

EXECUTIVE = "ingrid.zwanenburg@zeeveen.nl"
TODAY = dt.date(2026, 11, 24)


def percentiles(samples: list[float]) -> dict[str, float]:
    q = statistics.quantiles(sorted(samples), n=100, method="inclusive")
    return {"p50_ms": round(q[49] * 1000, 3), "p95_ms": round(q[94] * 1000, 3)}


def _config(info: dict[str, Any]) -> GraphConfig:
    return GraphConfig(
        graph_url=info["graph_url"], authority=info["authority"], client_id=info["client_id"],
        client_secret=SecretStr(info["client_secret"]), ca_cert=Path(info["ca_cert"]),
        api_audience=f"api://{info['client_id']}",
    )  # fmt: skip


@contextlib.asynccontextmanager
async def database(admin_dsn: str) -> AsyncIterator[str]:
    """A fresh, migrated database; its asyncpg DSN."""
    name = f"secretariaat_bench_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        base = admin_dsn.rsplit("/", 1)[0]
        await upgrade_async(f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/{name}")
        yield f"{base}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@contextlib.asynccontextmanager
async def gateways(
    config: GraphConfig, dsn: str | None, n: int
) -> AsyncIterator[list[GraphSession]]:
    async with contextlib.AsyncExitStack() as stack:
        sessions = []
        for _ in range(n):
            slots = None if dsn is None else PostgresSlots(dsn, config.client_id)
            gateway = GraphGateway(config, token_source_for(config), shared_slots=slots)
            await stack.enter_async_context(gateway)
            graph = await stack.enter_async_context(gateway.for_app())
            await graph.run(graph.sdk.users.by_user_id(EXECUTIVE).get())  # token, connection
            await read(graph)  # and the slots connection
            sessions.append(graph)
        yield sessions


async def read(graph: GraphSession) -> None:
    inbox = graph.sdk.users.by_user_id(EXECUTIVE).mail_folders.by_mail_folder_id("inbox")
    await graph.run(inbox.get())


async def hammer(
    config: GraphConfig, limits: Limits, dsn: str | None, requests: int
) -> dict[str, Any]:
    async with gateways(config, dsn, 2) as graphs:
        limits.reset()
        t0 = time.perf_counter()
        results = await asyncio.gather(
            *(read(g) for g in graphs for _ in range(requests)), return_exceptions=True
        )
        wall = time.perf_counter() - t0
    seen = limits.snapshot()
    answered = sum(1 for r in results if not isinstance(r, BaseException))
    return {
        "requests_per_s": round(answered / wall, 1),
        "wall_s": round(wall, 2),
        "peak_in_flight": max(seen["maxConcurrency"].values(), default=0),
        "throttled_429": sum(seen["throttled"].values()),
        "failed": len(results) - answered,
    }


async def one_by_one(config: GraphConfig, dsn: str, samples: int) -> dict[str, list[float]]:
    """Reads one after another, alternating a gateway without and one with shared slots (so
    drift in the sandbox or the machine falls on both alike)."""
    out: dict[str, list[float]] = {"local": [], "shared": []}
    async with gateways(config, None, 1) as (local,), gateways(config, dsn, 1) as (shared,):
        for _ in range(samples):
            for label, graph in (("local", local), ("shared", shared)):
                t0 = time.perf_counter()
                await read(graph)
                out[label].append(time.perf_counter() - t0)
    return out


async def slot_round_trips(dsn: str, samples: int) -> list[float]:
    slots = PostgresSlots(dsn, "bench")
    try:
        await slots.release(await slots.acquire({EXECUTIVE: 1}))  # connect first
        out = []
        for _ in range(samples):
            t0 = time.perf_counter()
            await slots.release(await slots.acquire({EXECUTIVE: 1}))
            out.append(time.perf_counter() - t0)
    finally:
        await slots.aclose()
    return out


async def run(args: argparse.Namespace) -> dict[str, Any]:
    state = Path(tempfile.mkdtemp(prefix="shared-limits-bench-"))
    running: RunningSandbox = start_in_thread(SandboxConfig(state_dir=state, today=TODAY))
    limits: Limits = running.app.state.sandbox.limits
    config = _config(running.info)
    out: dict[str, Any] = {"latency_ms": args.latency_ms, "requests_per_gateway": args.requests}
    try:
        async with database(args.pg) as dsn:
            for label, concurrency in (
                ("exchange_4", 4),
                (f"lenient_{args.lenient}", args.lenient),
            ):
                limits.configure(latency_ms=args.latency_ms, concurrency=concurrency)
                out[label] = {
                    mode: await hammer(config, limits, shared, args.requests)
                    for mode, shared in (("local", None), ("shared", dsn))
                }
            limits.configure(latency_ms=0, concurrency=4)
            alone = await one_by_one(config, dsn, args.samples)
            lp, sp = percentiles(alone["local"]), percentiles(alone["shared"])
            out["one_request_latency_0"] = {
                "local": lp,
                "shared": sp,
                "added_ms": {k: round(sp[k] - lp[k], 3) for k in lp},
                "slot_acquire_release": percentiles(await slot_round_trips(dsn, args.samples)),
            }
    finally:
        running.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--requests", type=int, default=100, help="reads per gateway")
    parser.add_argument("--lenient", type=int, default=16, help="the lenient sandbox's limit")
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args)), indent=2))  # noqa: T201


if __name__ == "__main__":
    main()
