"""The sandbox's own overhead per request, so later benchmarks can subtract it.

Runs with latency 0 and prints p50/p95 for: a message GET over HTTPS (keep-alive, the path
the product takes), the same GET handled in-process (no TLS, no HTTP: the sandbox's own work),
a calendarView of a week and a 20-request $batch, and expanding a daily series without end
in a week next year and one 973 years ahead (the far window must not walk every day in
between). Usage: ``python -m benchmarks.sandbox_overhead``.
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
import msal
import requests

from sandbox.app import SandboxConfig
from sandbox.calendar.recurrence import expand
from sandbox.router import GraphRequest
from sandbox.server import start_in_thread

EXECUTIVE = "ingrid.zwanenburg@zeeveen.nl"
PREFER = 'IdType="ImmutableId", outlook.timezone="W. Europe Standard Time"'


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    q = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50_ms": round(q[49] * 1000, 3), "p95_ms": round(q[94] * 1000, 3), "n": len(ordered)}


def app_token(info: dict) -> str:
    session = requests.Session()
    session.trust_env = False
    session.verify = info["ca_cert"]
    app = msal.ConfidentialClientApplication(
        info["client_id"],
        client_credential=info["client_secret"],
        authority=info["authority"],
        instance_discovery=False,
        http_client=session,
    )
    return app.acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])[
        "access_token"
    ]


async def timed(n: int, call) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        await call()
        out.append(time.perf_counter() - t0)
    return out


async def run(n: int) -> dict:
    state = Path(tempfile.mkdtemp(prefix="sandbox-bench-"))
    running = start_in_thread(SandboxConfig(state_dir=state, today=dt.date(2026, 11, 24)))
    info = running.info
    token = app_token(info)
    headers = {"Authorization": f"Bearer {token}", "Prefer": PREFER}
    tls = ssl.create_default_context(cafile=info["ca_cert"])
    results: dict[str, dict] = {}
    async with httpx.AsyncClient(base_url=info["graph_url"], headers=headers, verify=tls) as c:
        listing = (await c.get(f"/users/{EXECUTIVE}/messages", params={"$top": "1"})).json()
        message_id = listing["value"][0]["id"]
        path = f"/users/{EXECUTIVE}/messages/{message_id}"
        for _ in range(20):  # warm up connections and caches
            (await c.get(path)).raise_for_status()

        async def get_message() -> None:
            (await c.get(path)).raise_for_status()

        results["message_get_https"] = percentiles(await timed(n, get_message))

        window = {"startDateTime": "2026-11-23T00:00:00Z", "endDateTime": "2026-11-28T00:00:00Z"}

        async def calendar_view() -> None:
            (await c.get(f"/users/{EXECUTIVE}/calendarView", params=window)).raise_for_status()

        results["calendar_view_week_https"] = percentiles(
            await timed(max(n // 5, 20), calendar_view)
        )

        batch = {
            "requests": [
                {"id": str(i), "method": "GET", "url": f"/users/{EXECUTIVE}/messages/{message_id}"}
                for i in range(20)
            ]
        }

        async def batch20() -> None:
            (await c.post("/$batch", json=batch)).raise_for_status()

        results["batch_of_20_gets_https"] = percentiles(await timed(max(n // 10, 20), batch20))

    # In-process: the sandbox's own work without TLS and HTTP parsing, on its own event loop.
    sandbox = running.app.state.sandbox
    lower = {k.lower(): v for k, v in headers.items()}
    loop_samples: list[float] = []

    async def in_process() -> None:
        for _ in range(n):
            req = GraphRequest(method="GET", path=path, query={}, headers=dict(lower))
            t0 = time.perf_counter()
            resp = await sandbox.handle(req)
            loop_samples.append(time.perf_counter() - t0)
            assert resp.status == 200, resp.body

    fut = asyncio.run_coroutine_threadsafe(in_process(), running.server_loop())
    fut.result(timeout=300)
    results["message_get_in_process"] = percentiles(loop_samples)
    running.stop()
    for label, year in (("expand_daily_next_year", 2027), ("expand_daily_year_2999", 2999)):
        results[label] = percentiles(_expansions(year, max(n // 10, 20)))
    return results


def _expansions(year: int, n: int) -> list[float]:
    """A daily series since 2026 without end, expanded for one week of ``year``."""
    start = {"dateTime": "2026-11-23T09:00:00", "timeZone": "Europe/Amsterdam"}
    end = {"dateTime": "2026-11-23T09:30:00", "timeZone": "Europe/Amsterdam"}
    recurrence = {"pattern": {"type": "daily", "interval": 1},
                  "range": {"type": "noEnd", "startDate": "2026-11-23"}}  # fmt: skip
    first = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        got = expand(start=start, end=end, recurrence=recurrence, window_start=first,
                     window_end=first + dt.timedelta(days=7))  # fmt: skip
        samples.append(time.perf_counter() - t0)
        assert len(got) == 7
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=500, help="requests per measurement")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args()
    results = asyncio.run(run(args.n))
    if args.json:
        print(json.dumps(results))  # noqa: T201
        return
    print("sandbox overhead per request, latency 0 (target: message GET p95 < 5 ms)")  # noqa: T201
    for name, r in results.items():
        print(f"  {name:28s} p50 {r['p50_ms']:7.3f} ms   p95 {r['p95_ms']:7.3f} ms   n={r['n']}")  # noqa: T201


if __name__ == "__main__":
    main()
