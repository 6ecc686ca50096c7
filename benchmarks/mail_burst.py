"""Issue 21: 50 new mails in a burst across the 5 executives, at 100 ms simulated Graph latency.

Measured: Graph requests per new mail and the time until every mail is visible, for both ways
the product follows the executives' Inboxes (``automations.inbox``), and for a naive baseline,
all in one run against one sandbox (started in a thread, temp state dir):

- ``naive``: a minimal webhook receiver of this benchmark's own, subscribed to the 5 Inboxes,
  that reads the mailbox's whole Inbox (one GET of the top 50) for every notification.
- ``webhook``: the real backend (``server.app.create_app`` under uvicorn, HTTPS with the
  sandbox's certificate, on a free port, its lifespan on, store on a temp SQLite). Its mail
  watch makes the subscriptions (the ``mail-subscriptions`` job) and reads every Inbox once;
  the sandbox then posts its notifications to ``/graph/notifications``.
- ``poll``: the same backend with ``mail_notifications="poll"`` and ``mail_poll_s=--poll-s``;
  first the idle cost (``--idle-s`` without new mail, as requests per minute), then the burst.

The burst: ``--per-executive`` mails to each roster executive (``automations/roster/demo.yaml``),
sent by the secretariat's mailbox in ``$batch`` posts of 20 sendMails one after the other, as
``benchmarks.quicksteps_apply._fill_inbox`` does (Exchange's 30 messages a minute per sender is
raised in the sandbox: the burst stands for many senders). A mail is "sent" when the ``$batch``
carrying it was posted and "visible" when the product's watcher announced it (its
``subscribe()`` hook: each arrival once) or the naive reader first listed it. The product's
Graph requests are counted twice: by the sandbox (requests on the executives' mailboxes) and by
the product's own transport (``automations.graph.record_calls`` around the server's task); for
``webhook`` until the last notification is handled and the watcher is idle, for ``poll`` until
the poll turn that found the last mail has ended (the timer goes on: that is the idle cost).

Printed as JSON: per mode p50/p95 of per-mail visibility latency, time until all are visible,
requests, requests per mail, delta runs (and how many of them found nothing), notifications;
per product mode also its start (subscriptions, first reads) and its idle cost.
Usage: ``python -m benchmarks.mail_burst``
(``--modes naive webhook poll``, ``--latency-ms 100``, ``--per-executive 10``, ``--poll-s 1``,
``--idle-s 10``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import logging
import math
import ssl
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, Literal

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from automations.clock import SetClock
from automations.graph import record_calls
from automations.inbox.service import SETTLE_S
from automations.roster.models import Roster
from automations.roster.service import load_roster_file
from benchmarks.sandbox_overhead import app_token
from sandbox.app import SandboxConfig
from sandbox.limits import LimitSettings
from sandbox.server import RunningSandbox, free_port, start_in_thread
from server.app import create_app
from server.settings import Settings
from server.startup import prepare_store

ROSTER = Path(__file__).resolve().parents[1] / "automations" / "roster" / "demo.yaml"
SENDER = "secretariaat@zeeveen.nl"  # in the app's RBAC scope, and not a watched Inbox
TODAY = dt.date(2026, 11, 24)
PATIENCE_S = 60.0  # a safety net for a broken run, not a duration
NAIVE_TOP = 50


class _QuietShutdown(logging.Filter):
    """uvicorn's note that the sandbox's idle keep-alive connections outlived a server's
    graceful shutdown (1 s) is expected here, not an error to print."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "timeout graceful shutdown exceeded" not in record.getMessage()


def executives() -> list[str]:
    roster = Roster.from_document(load_roster_file(ROSTER))
    return sorted(u.lower() for u, role in roster.roles.items() if role == "executive")


async def until(check: Callable[[], Any], what: str) -> None:
    """Wait for a state (the watcher's, the sandbox's), not for time."""
    deadline = time.monotonic() + PATIENCE_S
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.02)


def pct(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile, rounded to ms."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)], 3)


@contextlib.asynccontextmanager
async def serving(app: Any, tls_dir: Path, port: int, *, lifespan: str) -> AsyncIterator[None]:
    """``app`` under uvicorn on this event loop, HTTPS with the sandbox's server certificate."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, ssl_certfile=str(tls_dir / "server.pem"),
        ssl_keyfile=str(tls_dir / "server-key.pem"), log_level="warning", access_log=False,
        lifespan=lifespan, timeout_graceful_shutdown=1,  # type: ignore[arg-type]
    )  # fmt: skip
    server = uvicorn.Server(config)
    logging.getLogger("uvicorn.error").addFilter(_QuietShutdown())
    task = asyncio.create_task(server.serve(), name=f"serve:{port}")
    await until(lambda: server.started or task.done(), f"server on {port}")
    if task.done():
        task.result()
    try:
        yield
    finally:
        server.should_exit = True
        await task


async def burst(
    client: httpx.AsyncClient, mailboxes: list[str], per_mailbox: int, tag: str
) -> tuple[dict[str, float], float]:
    """``per_mailbox`` mails to each, round robin, in ``$batch`` posts of 20 sent one after
    the other. Returns when each subject was posted, and when the last post was answered."""
    subjects = [f"{tag} {i:03d}" for i in range(per_mailbox * len(mailboxes))]
    posted: dict[str, float] = {}
    for start in range(0, len(subjects), 20):
        chunk = subjects[start : start + 20]
        sends = [
            {
                "id": str(n),
                "method": "POST",
                "url": f"/users/{SENDER}/sendMail",
                "headers": {"Content-Type": "application/json"},
                "body": {
                    "message": {
                        "subject": subject,
                        "body": {"contentType": "text", "content": "Ter info."},
                        "toRecipients": [
                            {"emailAddress": {"address": mailboxes[(start + n) % len(mailboxes)]}}
                        ],
                    }
                },
            }
            for n, subject in enumerate(chunk)
        ]
        at = time.perf_counter()
        resp = await client.post("/$batch", json={"requests": sends})
        assert all(r["status"] == 202 for r in resp.json()["responses"]), resp.text
        posted.update(dict.fromkeys(chunk, at))
    return posted, time.perf_counter()


async def subjects_of(client: httpx.AsyncClient, mailboxes: list[str], tag: str) -> dict[str, str]:
    """Message id -> subject of this burst's mails (read after the timing, to match them)."""
    found: dict[str, str] = {}
    for mailbox in mailboxes:
        resp = await client.get(
            f"/users/{mailbox}/mailFolders/inbox/messages",
            params={"$filter": f"startswith(subject,'{tag} ')", "$select": "id,subject",
                    "$top": "100"},
        )  # fmt: skip
        resp.raise_for_status()
        found.update({m["id"]: m["subject"] for m in resp.json()["value"]})
    return found


def latencies(
    seen: dict[str, float], ids: dict[str, str], posted: dict[str, float]
) -> tuple[list[float], int]:
    """Per mail of the burst: visible minus posted; and how many seen were not ours."""
    out = [at - posted[ids[mid]] for mid, at in seen.items() if mid in ids]
    return out, sum(1 for mid in seen if mid not in ids)


def figures(
    seen: dict[str, float], ids: dict[str, str], posted: dict[str, float], t0: float, sent: float
) -> dict[str, Any]:
    per_mail, strangers = latencies(seen, ids, posted)
    last = max(seen.values(), default=t0)
    return {
        "mails_visible": len(per_mail),
        "other_arrivals": strangers,
        "burst_sent_s": round(sent - t0, 3),
        "all_visible_s": round(last - t0, 3),
        "after_burst_sent_s": round(last - sent, 3),
        "per_mail_p50_s": pct(per_mail, 50),
        "per_mail_p95_s": pct(per_mail, 95),
        "per_mail_max_s": pct(per_mail, 100),
    }


class Bench:
    """The sandbox, an app-only client on it, and the counters read around each phase."""

    def __init__(self, running: RunningSandbox, client: httpx.AsyncClient, mailboxes: list[str]):
        self.running = running
        self.client = client
        self.mailboxes = mailboxes
        sandbox = running.app.state.sandbox
        self.limits = sandbox.limits
        self.notifier = sandbox.notifications
        self.ids = [sandbox.directory.user(m)["id"] for m in mailboxes]
        self.tls_dir = Path(running.info["ca_cert"]).parent

    def requests(self) -> int:
        """Graph requests on the executives' mailboxes, as the sandbox counted them."""
        return sum(self.limits.requests.get(i, 0) for i in self.ids)

    def delivered(self) -> int:
        return int(self.notifier.counters["delivered"])

    def tenant_now(self) -> dt.datetime:
        now: dt.datetime = self.running.app.state.sandbox.store.clock.now()
        return now

    async def drop_subscriptions(self) -> None:
        listed = (await self.client.get("/subscriptions")).json()["value"]
        for sub in listed:
            (await self.client.delete(f"/subscriptions/{sub['id']}")).raise_for_status()

    # -- naive ------------------------------------------------------------------------------
    async def naive(self, per_mailbox: int) -> dict[str, Any]:
        """One GET of the top 50 of the Inbox per notification, diffed with what it knew."""
        client, total = self.client, per_mailbox * len(self.mailboxes)
        listing = {"$top": str(NAIVE_TOP), "$select": "id,receivedDateTime"}
        known: dict[str, set[str]] = {}
        for mailbox in self.mailboxes:  # untimed: what was there before the burst
            resp = await client.get(f"/users/{mailbox}/mailFolders/inbox/messages", params=listing)
            known[mailbox] = {m["id"] for m in resp.json()["value"]}
        seen: dict[str, float] = {}
        counts = {"notifications": 0, "requests": 0, "throttled": 0}
        done = asyncio.Event()
        reads: set[asyncio.Task[None]] = set()
        by_subscription: dict[str, str] = {}

        async def read(mailbox: str) -> None:
            while True:
                counts["requests"] += 1
                url = f"/users/{mailbox}/mailFolders/inbox/messages"
                resp = await client.get(url, params=listing)
                if resp.status_code != 429:
                    break
                counts["throttled"] += 1
                await asyncio.sleep(float(resp.headers.get("Retry-After", "1")))
            resp.raise_for_status()
            now = time.perf_counter()
            for message in resp.json()["value"]:
                if message["id"] not in known[mailbox]:
                    seen.setdefault(message["id"], now)
            if len(seen) >= total:
                done.set()

        async def receive(request: Request) -> Response:
            token = request.query_params.get("validationToken")
            close = {"Connection": "close"}  # no idle keep-alive to hold the shutdown up
            if token is not None:
                return PlainTextResponse(token, headers=close)
            for item in (await request.json()).get("value", []):
                mailbox = by_subscription.get(item.get("subscriptionId"))
                if mailbox is not None and "lifecycleEvent" not in item:
                    counts["notifications"] += 1
                    task = asyncio.create_task(read(mailbox))
                    reads.add(task)
                    task.add_done_callback(reads.discard)
            return Response(status_code=202, headers=close)

        port = free_port()
        receiver = Starlette(routes=[Route("/naive", receive, methods=["POST"])])
        async with serving(receiver, self.tls_dir, port, lifespan="off"):
            expires = (self.tenant_now() + dt.timedelta(hours=1)).astimezone(dt.UTC)
            for mailbox in self.mailboxes:
                body = {
                    "changeType": "created",
                    "notificationUrl": f"https://127.0.0.1:{port}/naive",
                    "resource": f"users/{mailbox}/mailFolders('inbox')/messages",
                    "expirationDateTime": expires.strftime("%Y-%m-%dT%H:%M:%S.0000000Z"),
                    "latestSupportedTlsVersion": "v1_2",
                }
                made = await client.post("/subscriptions", json=body)
                made.raise_for_status()
                by_subscription[made.json()["id"]] = mailbox
            before = self.requests()
            t0 = time.perf_counter()
            posted, sent = await burst(client, self.mailboxes, per_mailbox, "Naief")
            await asyncio.wait_for(done.wait(), PATIENCE_S)
            await until(lambda: not reads and counts["notifications"] >= total, "naive reads")
            counted = self.requests() - before
            await self.drop_subscriptions()
        ids = await subjects_of(client, self.mailboxes, "Naief")
        return {
            **figures(seen, ids, posted, t0, sent),
            "notifications": counts["notifications"],
            "graph_requests": counts["requests"],
            "sandbox_counted": counted,
            "throttled_429": counts["throttled"],
            "requests_per_mail": round(counts["requests"] / total, 2),
        }

    # -- the product ------------------------------------------------------------------------
    async def product(
        self, mode: Literal["webhook", "poll"], per_mailbox: int, poll_s: float, idle_s: float
    ) -> dict[str, Any]:
        work = Path(tempfile.mkdtemp(prefix=f"mail-burst-{mode}-"))
        port = free_port()
        settings = Settings(
            sandbox_state=self.tls_dir,
            database_url=f"sqlite+aiosqlite:///{work / 'store.sqlite3'}",
            base_url=f"https://127.0.0.1:{port}",
            mail_notifications=mode,
            mail_poll_s=poll_s,
        )
        clock = SetClock(self.tenant_now())  # runs on, as the tenant's does
        await prepare_store(settings, clock=clock)
        app = create_app(settings, clock=clock)
        watcher = app.state.inbox
        total = per_mailbox * len(self.mailboxes)
        out: dict[str, Any] = {}
        if mode == "poll":
            out["poll_s"] = poll_s
        with record_calls() as calls:  # the server's task (and all it starts) inherits it
            t_start = time.perf_counter()
            async with serving(app, self.tls_dir, port, lifespan="on"):
                await until(lambda: set(watcher.latest) == set(self.mailboxes)
                            and not watcher.busy, "the first read of every Inbox")  # fmt: skip
                out["start"] = {
                    "s": round(time.perf_counter() - t_start, 3),
                    "recorded_calls": len(calls),
                    "by_path": _paths(calls),
                }

                # Idle: no new mail. Windows open and close between reads (a poll turn in
                # flight would be counted by the sandbox on one side, by record_calls on the other).
                idle = (lambda: not watcher.busy), "the watcher to be idle"
                await until(*idle)
                r0, c0, runs0, i0 = self.requests(), len(calls), watcher.runs, time.perf_counter()
                await asyncio.sleep(idle_s)
                await until(*idle)
                idle_s = time.perf_counter() - i0
                idle_requests, idle_runs = self.requests() - r0, watcher.runs - runs0
                out["idle"] = {
                    "s": round(idle_s, 2),
                    "graph_requests": idle_requests,
                    "recorded_calls": len(calls) - c0,
                    "delta_runs": idle_runs,
                    "requests_per_minute": round(idle_requests * 60 / idle_s, 1),
                }
                if mode == "poll":
                    turns = idle_runs / len(self.mailboxes)
                    out["idle"]["poll_turns"] = round(turns, 1)
                    out["idle"]["seconds_per_turn"] = round(idle_s / turns, 2) if turns else None
                    default = Settings.model_fields["mail_poll_s"].default
                    out["idle"][f"requests_per_minute_at_default_{default:g}s"] = round(
                        len(self.mailboxes) * 60 / default, 1
                    )

                # The burst.
                await until(*idle)
                async with watcher.subscribe(backlog=10_000) as deltas:
                    r0, c0, runs0, n0 = self.requests(), len(calls), watcher.runs, self.delivered()
                    seen: dict[str, float] = {}
                    found = 0  # deltas that found something (the hook hears no empty one)
                    t0 = time.perf_counter()
                    sending = asyncio.create_task(
                        burst(self.client, self.mailboxes, per_mailbox, mode)
                    )
                    while len(seen) < total:  # read while the burst is still being sent
                        delta = await _next(deltas, sending)
                        now = time.perf_counter()
                        found += 1
                        for message_id in delta.arrived:
                            seen.setdefault(message_id, now)
                    posted, sent = await sending
                    if mode == "webhook":  # the rest of the notifications, and their reads
                        await until(lambda: self.delivered() - n0 >= total, "all notified")
                        await self._quiet(watcher)
                    else:  # the poll turn that made the last one visible, to its end
                        await until(*idle)
                    found += deltas.qsize()
                    # webhook: until quiet; poll: until the turn that found the last mail ended
                    requests, runs = self.requests() - r0, watcher.runs - runs0
                    recorded = calls[c0:]
                    notified = self.delivered() - n0
            ids = await subjects_of(self.client, self.mailboxes, mode)
        out["burst"] = {
            **figures(seen, ids, posted, t0, sent),
            "notifications": notified,
            "delta_runs": runs,
            "delta_runs_that_found_nothing": runs - found,
            "graph_requests": requests,
            "recorded_calls": len(recorded),
            "by_path": _paths(recorded),
            "requests_per_mail": round(requests / total, 2),
        }
        if mode == "webhook":
            await self.drop_subscriptions()  # the next phase's mail must not reach a dead hook
        return out

    async def _quiet(self, watcher: Any) -> None:
        """No notification pending or on its way, and the watcher idle, for a settle period."""

        def calm() -> bool:
            return not watcher.busy and not self.notifier.snapshot()["pending"]

        while True:
            await until(calm, "the watcher to be idle")
            mark, delivered = time.perf_counter(), self.delivered()
            while calm() and self.delivered() == delivered:
                if time.perf_counter() - mark > 2 * SETTLE_S + 0.2:
                    return
                await asyncio.sleep(0.02)


async def _next(deltas: asyncio.Queue[Any], sending: asyncio.Task[Any]) -> Any:
    """The watcher's next delta; the burst's error if sending it failed meanwhile."""
    deadline = time.monotonic() + PATIENCE_S
    while True:
        if sending.done() and sending.exception() is not None:
            sending.result()
        try:
            return await asyncio.wait_for(deltas.get(), 0.5)
        except TimeoutError:
            if time.monotonic() > deadline:
                raise


def _paths(calls: list[Any]) -> dict[str, int]:
    """Recorded calls by method and path, mailbox and ids folded away."""
    out: dict[str, int] = {}
    for call in calls:
        parts = call.path.split("/")
        shape = "/".join("{id}" if len(p) > 30 or "@" in p else p for p in parts)
        key = f"{call.method} {shape}"
        out[key] = out.get(key, 0) + 1
    return out


async def run(
    latency_ms: float, per_mailbox: int, poll_s: float, idle_s: float, modes: list[str]
) -> dict[str, Any]:
    state = Path(tempfile.mkdtemp(prefix="sandbox-bench-"))
    limits = LimitSettings(latency_ms=latency_ms, message_rate=10_000)
    running = start_in_thread(SandboxConfig(state_dir=state, today=TODAY, limits=limits))
    info = running.info
    tls = ssl.create_default_context(cafile=info["ca_cert"])
    headers = {"Authorization": f"Bearer {app_token(info)}", "Prefer": 'IdType="ImmutableId"'}
    mailboxes = executives()
    out: dict[str, Any] = {
        "latency_ms": latency_ms,
        "executives": len(mailboxes),
        "mails": per_mailbox * len(mailboxes),
        "settle_s": SETTLE_S,
    }
    try:
        async with httpx.AsyncClient(
            base_url=info["graph_url"], headers=headers, verify=tls, timeout=30
        ) as client:
            bench = Bench(running, client, mailboxes)
            if "naive" in modes:
                out["naive_get_top50_per_notification"] = await bench.naive(per_mailbox)
            for mode in ("webhook", "poll"):
                if mode in modes:
                    out[mode] = await bench.product(mode, per_mailbox, poll_s, idle_s)
    finally:
        running.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--per-executive", type=int, default=10)
    parser.add_argument("--poll-s", type=float, default=1.0)
    parser.add_argument("--idle-s", type=float, default=10.0)
    parser.add_argument("--modes", nargs="+", default=["naive", "webhook", "poll"],
                        choices=["naive", "webhook", "poll"])  # fmt: skip
    args = parser.parse_args()
    result = asyncio.run(
        run(args.latency_ms, args.per_executive, args.poll_s, args.idle_s, args.modes)
    )
    print(json.dumps(result, indent=2))  # noqa: T201


if __name__ == "__main__":
    main()
