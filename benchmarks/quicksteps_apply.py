"""Applying a 5-action quick step to 1, 5, 20 and 50 messages at 100 ms simulated latency.

Compares the product's apply (journaled, property changes merged into one PATCH, each
message's requests in order and the messages side by side, four in flight per mailbox) with a
naive loop that sends one request per action per message, in the same run against the same
sandbox. Prints wall time, HTTP round trips and Graph sub-requests, and the floor set by
Exchange's 4 concurrent requests per mailbox.

The floor counts the requests any apply must make, not the ones ours happened to make (so
extra or retried requests cannot raise it): per message one read (the categories to add to,
and undo's before-state), one PATCH (Graph takes the four property changes at once) and the
move; per apply the folder's and the master categories' look-ups. Those run at most four at a
time, and one message's three run one after the other (read, then PATCH, then move), so the
floor is ``max(ceil(requests / 4), 3) * latency``. Usage:
``python -m benchmarks.quicksteps_apply``.
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
import uuid
from pathlib import Path

import httpx
from pydantic import SecretStr

from automations.clock import SetClock
from automations.graph import GraphConfig, GraphGateway, record_calls, token_source_for
from automations.journal import Journal
from automations.quicksteps import apply as quicksteps
from automations.quicksteps.service import active, publish
from automations.roster.models import Roster
from automations.roster.service import load_roster_file
from automations.store import create_engine, session_factory, upgrade_async
from benchmarks.sandbox_overhead import app_token
from sandbox.app import SandboxConfig
from sandbox.limits import LimitSettings
from sandbox.server import start_in_thread

EXECUTIVE = "ingrid.zwanenburg@zeeveen.nl"
ACTOR = "monique.verschuren@zeeveen.nl"
ROSTER = Path(__file__).resolve().parents[1] / "automations" / "roster" / "demo.yaml"
STEP = """format: 1
steps:
  - name: Bench
    actions:
      - {action: categorize, categories: [Backoffice]}
      - {action: flag, due: tomorrow}
      - {action: mark_read}
      - {action: importance, level: high}
      - {action: move, folder: Inbox/Bench}
"""
TODAY = dt.date(2026, 11, 24)
PER_MESSAGE = 3  # read -> one merged PATCH -> move, one after the other
PER_APPLY = 2  # the folder's look-up, the master categories' look-up


def floor_s(messages: int, latency_ms: float) -> float:
    """The least time any apply needs: its requests four at a time, a message's in order."""
    requests = PER_MESSAGE * messages + PER_APPLY
    return max(math.ceil(requests / 4), PER_MESSAGE) * latency_ms / 1000


async def naive(client: httpx.AsyncClient, ids: list[str], folder_id: str) -> int:
    """One request per action per message, one after the other, as a simple script would."""
    start = {"dateTime": "2026-11-24T00:00:00", "timeZone": "W. Europe Standard Time"}
    due = {"dateTime": "2026-11-25T00:00:00", "timeZone": "W. Europe Standard Time"}
    count = 0
    for message_id in ids:
        url = f"/users/{EXECUTIVE}/messages/{message_id}"
        current = (await client.get(url, params={"$select": "categories"})).json()
        for body in (
            {"categories": [*current["categories"], "Backoffice"]},
            {"flag": {"flagStatus": "flagged", "startDateTime": start, "dueDateTime": due}},
            {"isRead": True},
            {"importance": "high"},
        ):
            (await client.patch(url, json=body)).raise_for_status()
        (await client.post(f"{url}/move", json={"destinationId": folder_id})).raise_for_status()
        count += 6
    return count


async def _fill_inbox(client: httpx.AsyncClient, count: int) -> None:
    """Mail from the gemeentesecretaris to the burgemeester, ``count`` messages (untimed)."""
    sender = "maarten.oosterveld@zeeveen.nl"
    sends = [
        {
            "id": str(i),
            "method": "POST",
            "url": f"/users/{sender}/sendMail",
            "headers": {"Content-Type": "application/json"},
            "body": {
                "message": {
                    "subject": f"Bench {i:03d}",
                    "body": {"contentType": "text", "content": "Ter info."},
                    "toRecipients": [{"emailAddress": {"address": EXECUTIVE}}],
                }
            },
        }
        for i in range(count)
    ]
    for start in range(0, count, 20):
        resp = await client.post("/$batch", json={"requests": sends[start : start + 20]})
        assert all(r["status"] == 202 for r in resp.json()["responses"]), resp.text


async def run(latency_ms: float, sizes: list[int]) -> dict:
    state = Path(tempfile.mkdtemp(prefix="sandbox-bench-"))
    limits = LimitSettings(latency_ms=latency_ms)
    running = start_in_thread(SandboxConfig(state_dir=state, today=TODAY, limits=limits))
    info = running.info
    store = Path(tempfile.mkdtemp(prefix="store-bench-")) / "store.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{store}")
    await upgrade_async(engine)
    sessions = session_factory(engine, clock=SetClock.on_day(TODAY))
    async with sessions() as session, session.begin():
        await publish(session, STEP, author=ACTOR)
    async with sessions() as session:
        steps = await active(session)
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
    try:
        async with (
            GraphGateway(config, token_source_for(config)) as gateway,
            gateway.for_app() as graph,
            httpx.AsyncClient(base_url=info["graph_url"], headers=headers, verify=tls) as client,
        ):
            needed = 2 * sum(sizes) + 1
            await _fill_inbox(client, needed)
            listing = await client.get(
                f"/users/{EXECUTIVE}/mailFolders/inbox/messages",
                params={"$top": str(needed), "$filter": "startswith(subject,'Bench ')"},
            )
            all_ids = [m["id"] for m in listing.json()["value"]]
            assert len(all_ids) == needed, len(all_ids)
            # Warm up: the app token, the folder and the category exist before timing starts.
            await quicksteps.apply(
                graph=graph,
                journal=Journal(sessions),
                sessions=sessions,
                roster=roster,
                actor=ACTOR,
                mailbox=EXECUTIVE,
                steps=steps,
                name="Bench",
                message_ids=[all_ids.pop()],
                operation_id=str(uuid.uuid4()),
                today=TODAY,
            )
            folder = await client.post(
                f"/users/{EXECUTIVE}/mailFolders/inbox/childFolders",
                json={"displayName": "Naief"},
            )
            folder_id = folder.json()["id"]
            offset = 0
            for size in sizes:
                ours_ids = all_ids[offset : offset + size]
                naive_ids = all_ids[offset + size : offset + 2 * size]
                offset += 2 * size
                counters = running.app.state.sandbox.limits
                before = counters.total
                with record_calls() as calls:
                    t0 = time.perf_counter()
                    results = await quicksteps.apply(
                        graph=graph,
                        journal=Journal(sessions),
                        sessions=sessions,
                        roster=roster,
                        actor=ACTOR,
                        mailbox=EXECUTIVE,
                        steps=steps,
                        name="Bench",
                        message_ids=ours_ids,
                        operation_id=str(uuid.uuid4()),
                        today=TODAY,
                    )
                    ours = time.perf_counter() - t0
                bad = [(r.subject, a) for r in results for a in r.actions if a.status != "done"]
                assert not bad, bad
                posts = sum(1 for c in calls if c.path == "/$batch")
                sub_requests = counters.total - before - posts  # all but the $batch posts
                t0 = time.perf_counter()
                naive_requests = await naive(client, naive_ids, folder_id)
                naive_s = time.perf_counter() - t0
                floor = floor_s(size, latency_ms)
                out["runs"].append(
                    {
                        "messages": size,
                        "ours_s": round(ours, 3),
                        "ours_round_trips": len(calls),
                        "ours_sub_requests": sub_requests,
                        "naive_s": round(naive_s, 3),
                        "naive_round_trips": naive_requests,
                        "speedup_vs_naive": round(naive_s / ours, 2),
                        "floor_requests": PER_MESSAGE * size + PER_APPLY,
                        "floor_4_per_mailbox_s": round(floor, 3),
                        "ours_vs_floor": round(ours / floor, 2),
                    }
                )
    finally:
        await engine.dispose()
        running.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 5, 20, 50])
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.latency_ms, args.sizes)), indent=2))  # noqa: T201


if __name__ == "__main__":
    main()
