"""Pushing a 40 MB attachment into a meeting folder: throughput and peak memory.

The sandbox runs in this process; each push runs in a fresh child process. Compared: the
product's push to the local target and to the SharePoint library (streamed through a spooled
file, 10 MiB ranges sent in 64 KiB pieces), and a naive push that reads the attachment whole
and uploads it from memory, all against the same sandbox at ``--latency-ms`` per request.
``peak_python_mb`` is the most Python held during the push (tracemalloc); ``peak_rss_mb`` the
child's resident peak, against a child that only sets up. ``python -m benchmarks.meetings_push``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import datetime as dt
import json
import multiprocessing
import os
import resource
import ssl
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from automations.clock import SystemClock
from automations.graph import BatchRequest, GraphConfig, GraphGateway, token_source_for
from automations.journal import Journal
from automations.meetings import service
from automations.meetings.targets import LocalFolderTarget, SharePointTarget, library_drive
from automations.meetings.types import DEMO, load_types
from automations.roster.models import Roster
from automations.roster.service import load_roster_file
from automations.store import create_engine, session_factory, upgrade_async
from benchmarks.sandbox_overhead import app_token
from sandbox.app import SandboxConfig
from sandbox.limits import LimitSettings
from sandbox.server import start_in_thread

EXECUTIVE = "ingrid.zwanenburg@zeeveen.nl"
SENDER = "maarten.oosterveld@zeeveen.nl"  # in the app's RBAC scope, as she is
ACTOR = "monique.verschuren@zeeveen.nl"
ROSTER = Path(__file__).resolve().parents[1] / "automations" / "roster" / "demo.yaml"
MB = 1024 * 1024


def _config(info: dict[str, Any]) -> GraphConfig:
    return GraphConfig(
        graph_url=info["graph_url"], authority=info["authority"], client_id=info["client_id"],
        client_secret=SecretStr(info["client_secret"]), ca_cert=Path(info["ca_cert"]),
        api_audience=f"api://{info['client_id']}",
    )  # fmt: skip


async def _message(info: dict[str, Any], size: int) -> str:
    """A message in her Inbox with one attachment of ``size`` bytes (upload session)."""
    tls = ssl.create_default_context(cafile=info["ca_cert"])
    headers = {"Authorization": f"Bearer {app_token(info)}", "Prefer": 'IdType="ImmutableId"'}
    subject = f"Bench {uuid.uuid4().hex[:6]}"
    async with httpx.AsyncClient(base_url=info["graph_url"], headers=headers, verify=tls,
                                 timeout=120) as graph:  # fmt: skip
        draft = (
            await graph.post(
                f"/users/{SENDER}/messages",
                json={
                    "subject": subject,
                    "toRecipients": [{"emailAddress": {"address": EXECUTIVE}}],
                },
            )
        ).json()
        url = f"/users/{SENDER}/messages/{draft['id']}/attachments/createUploadSession"
        session = (
            await graph.post(
                url,
                json={
                    "AttachmentItem": {
                        "attachmentType": "file",
                        "name": "Bijlagenboek begroting.pdf",
                        "size": size,
                    }
                },
            )
        ).json()
        data = b"%PDF-1.7\n" + os.urandom(size - 9)
        async with httpx.AsyncClient(verify=tls, timeout=120) as anonymous:
            for start in range(0, size, 4 * MB):
                part = data[start : start + 4 * MB]
                rng = f"bytes {start}-{start + len(part) - 1}/{size}"
                (
                    await anonymous.put(
                        session["uploadUrl"], content=part, headers={"Content-Range": rng}
                    )
                ).raise_for_status()
        (await graph.post(f"/users/{SENDER}/messages/{draft['id']}/send")).raise_for_status()
        found = await graph.get(
            f"/users/{EXECUTIVE}/mailFolders/inbox/messages",
            params={"$filter": f"subject eq '{subject}'", "$select": "id"},
        )
        return found.json()["value"][0]["id"]  # fmt: skip


async def _push(mode: str, info: dict[str, Any], database: str, root: str, message: str) -> dict:
    engine = create_engine(database)
    sessions = session_factory(engine, clock=SystemClock())
    types = load_types(DEMO)
    roster = Roster.from_document(load_roster_file(ROSTER))
    config = _config(info)
    try:
        async with (
            GraphGateway(config, token_source_for(config)) as gateway,
            gateway.for_app() as graph,
        ):
            kind = "directie" if mode == "ours-local" else "college"
            async with sessions() as session, session.begin():
                meeting = await service.create_meeting(
                    session,
                    types,
                    type_key=kind,
                    date=dt.date(2027, 2, 2),
                    title=f"Bench {mode}",
                    location="",
                    event_id=None,
                    actor=ACTOR,
                )
                item = await service.add_agenda_item(
                    session, meeting_id=meeting.id, title="Begroting", number=None,
                    confidential=False, actor=ACTOR)  # fmt: skip
            drive = await library_drive(graph, "Bestuursondersteuning", "Vergaderstukken")
            await graph.batch([])  # warm: token and connection
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            if mode == "baseline":
                return {"mode": mode, "s": 0.0, "peak_rss_mb": rss_before / 1024}
            tracemalloc.start()
            t0 = time.perf_counter()
            if mode == "naive-sharepoint":
                base = f"/users/{EXECUTIVE}/messages/{message}/attachments"
                [listed] = await graph.batch([BatchRequest("GET", f"{base}?$select=id")])
                att = listed.body["value"][0]["id"]
                [whole] = await graph.batch([BatchRequest("GET", f"{base}/{att}")])
                data = base64.b64decode(whole.body["contentBytes"])  # all of it, in memory
                path = f"/drives/{drive}/root:/Bench naive/{uuid.uuid4().hex}.pdf:/content"
                await graph.put_content(path, data, "application/pdf")
            else:
                target = (
                    LocalFolderTarget(Path(root))
                    if mode == "ours-local"
                    else SharePointTarget(graph, drive)
                )
                await service.push(
                    graph, sessions, Journal(sessions), roster=roster, types=types,
                    target_for=lambda _kind: target, actor=ACTOR, mailbox=EXECUTIVE,
                    message_ids=[message], agenda_item_id=item.id, attachment_ids=None,
                    include_mail=False, confidential=False, operation_id=str(uuid.uuid4()),
                )  # fmt: skip
            elapsed = time.perf_counter() - t0
            _, traced = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            return {"mode": mode, "s": round(elapsed, 2), "peak_rss_mb": round(peak / 1024, 1),
                    "peak_python_mb": round(traced / MB, 1)}  # fmt: skip
    finally:
        await engine.dispose()


def _child(mode: str, info: dict, database: str, root: str, message: str, out: Any) -> None:
    out.put(asyncio.run(_push(mode, info, database, root, message)))


async def run(latency_ms: float, size_mb: int) -> dict:
    state = Path(tempfile.mkdtemp(prefix="sandbox-bench-"))
    running = start_in_thread(SandboxConfig(state_dir=state, today=dt.date(2026, 11, 24),
                                            limits=LimitSettings(latency_ms=0)))  # fmt: skip
    info = running.info
    store = Path(tempfile.mkdtemp(prefix="store-bench-")) / "store.sqlite3"
    database = f"sqlite+aiosqlite:///{store}"
    engine = create_engine(database)
    await upgrade_async(engine)
    await engine.dispose()
    root = tempfile.mkdtemp(prefix="mappen-bench-")
    size = size_mb * MB
    out: dict = {"latency_ms": latency_ms, "file_mb": size_mb, "runs": []}
    try:
        message = await _message(info, size)
        running.app.state.sandbox.limits.configure(latency_ms=latency_ms)
        spawn = multiprocessing.get_context("spawn")
        results = {}
        for mode in ("baseline", "ours-local", "ours-sharepoint", "naive-sharepoint"):
            queue = spawn.Queue()
            child = spawn.Process(target=_child, args=(mode, info, database, root, message, queue))
            child.start()
            results[mode] = queue.get(timeout=600)
            child.join()
        base = results["baseline"]["peak_rss_mb"]
        for mode in ("ours-local", "ours-sharepoint", "naive-sharepoint"):
            r = results[mode]
            out["runs"].append({
                **r,
                "mb_per_s": round(size_mb / r["s"], 1) if r["s"] else None,
                "peak_above_baseline_mb": round(r["peak_rss_mb"] - base, 1),
            })  # fmt: skip
        out["baseline_rss_mb"] = round(base, 1)
    finally:
        running.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--size-mb", type=int, default=40)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.latency_ms, args.size_mb)), indent=2))  # noqa: T201


if __name__ == "__main__":
    main()
