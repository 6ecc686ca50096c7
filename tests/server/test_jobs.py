"""Scheduled jobs with the app's identity: what they do to the calendars in the sandbox, what
they cost (read from the sandbox's counters), and that a trigger runs once across instances."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from automations.jobs.catalog import JOBS
from automations.jobs.registry import JobContext
from automations.jobs.runner import run_job
from automations.store import create_engine, session_factory
from automations.store.models import DeltaLinkRow
from sandbox.server import RunningSandbox
from server.operator import operator_graph, run_job_as_app
from server.settings import Settings
from tests.automations.store.databases import database_url  # noqa: F401 - both backends
from tests.conftest import TODAY
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, GEMEENTESECRETARIS, WETHOUDERS
from tests.server.test_calamity_api import find, invite

BAS = "bas.kuipers@zeeveen.nl"
EXECUTIVES = 5


@pytest.fixture
def settings(running: RunningSandbox, tmp_path: Path) -> Settings:
    return Settings(
        sandbox_state=Path(running.info["ca_cert"]).parent,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'store.sqlite3'}",
    )


async def run(settings: Settings, name: str, **extra) -> dict:
    report = await run_job_as_app(settings, name, today_is=TODAY, **extra)
    assert report is not None
    return {m["mailbox"]: m for m in report.mailboxes} | {"_report": report}


def sandbox_requests(admin: httpx.Client) -> int:
    return admin.get("/counters").json()["total"]


async def test_a_meeting_its_organizer_cancelled_leaves_her_calendar_once_checked(
    settings: Settings, tenant: Tenant
) -> None:
    window = ("2026-11-25T00:00:00+01:00", "2026-11-26T00:00:00+01:00")
    made = await invite(tenant, BAS, "Rondleiding bouwplaats", "2026-11-25", "10:00",
                        [BURGEMEESTER, WETHOUDERS[0]])  # fmt: skip
    async with tenant.raw(BAS) as graph:
        resp = await graph.post(
            f"/users/{BAS}/events/{made['id']}/cancel", json={"comment": "Afgelast"}
        )
        resp.raise_for_status()
    [leftover] = await find(tenant, BURGEMEESTER, "Canceled: Rondleiding bouwplaats", *window)
    assert leftover["isCancelled"] is True

    dry = await run(settings, "cancelled-leftovers", mailbox=BURGEMEESTER, dry_run=True)
    assert dry[BURGEMEESTER]["actions"] == [
        "verwijderen: Canceled: Rondleiding bouwplaats, 2026-11-25 10:00"
    ]
    assert await find(tenant, BURGEMEESTER, "Canceled: Rondleiding bouwplaats", *window)

    done = await run(settings, "cancelled-leftovers")
    assert done[BURGEMEESTER]["counts"]["removed"] == 1
    assert done[WETHOUDERS[0]]["counts"]["removed"] == 1
    assert done["_report"].status == "done" and len(done["_report"].mailboxes) == EXECUTIVES
    assert await find(tenant, BURGEMEESTER, "Canceled: Rondleiding bouwplaats", *window) == []
    assert await find(tenant, BURGEMEESTER, "Dagstart", *window)  # the rest stays


async def test_the_second_run_costs_one_delta_request_per_mailbox_and_sees_one_change(
    settings: Settings, tenant: Tenant, admin: httpx.Client
) -> None:
    first = await run(settings, "cancelled-leftovers", dry_run=True)
    assert all(first[m]["counts"]["full_reads"] == 1 for m in first if m != "_report")

    before = sandbox_requests(admin)
    second = await run(settings, "cancelled-leftovers", dry_run=True)
    spent = sandbox_requests(admin) - before
    assert spent <= 2 * EXECUTIVES, spent  # one delta page per mailbox ($batch + its request)
    assert all(second[m]["counts"].get("full_reads", 0) == 0 for m in second if m != "_report")
    assert all(second[m]["counts"]["changed"] == 0 for m in second if m != "_report")

    await invite(tenant, BAS, "Nieuw overleg haven", "2026-11-27", "11:00", [GEMEENTESECRETARIS])
    third = await run(settings, "cancelled-leftovers", dry_run=True)
    assert third[GEMEENTESECRETARIS]["counts"]["changed"] == 1
    assert third[BURGEMEESTER]["counts"]["changed"] == 0


async def test_a_lost_delta_token_is_recovered_with_one_full_read(
    settings: Settings, tenant: Tenant
) -> None:
    await run(settings, "cancelled-leftovers", mailbox=BURGEMEESTER, dry_run=True)
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            rows = list(
                await session.scalars(
                    select(DeltaLinkRow).where(DeltaLinkRow.mailbox == BURGEMEESTER)
                )
            )
            assert rows
            for row in rows:  # the sync state expired on Graph's side
                row.link = row.link.split("$deltatoken=")[0] + "$deltatoken=verlopen"
    finally:
        await engine.dispose()
    again = await run(settings, "cancelled-leftovers", mailbox=BURGEMEESTER, dry_run=True)
    assert again[BURGEMEESTER]["status"] == "ok"
    assert again[BURGEMEESTER]["counts"]["full_reads"] == 1
    after = await run(settings, "cancelled-leftovers", mailbox=BURGEMEESTER, dry_run=True)
    assert after[BURGEMEESTER]["counts"].get("full_reads", 0) == 0


async def test_two_instances_firing_one_trigger_run_it_once(
    running: RunningSandbox,
    database_url: str,  # noqa: F811
) -> None:
    settings = Settings(
        sandbox_state=Path(running.info["ca_cert"]).parent, database_url=database_url
    )
    slot = f"schedule:{dt.datetime(2026, 11, 24, 7, 30).isoformat()}"
    async with operator_graph(settings) as (sessions, roster, graph):
        other = create_engine(database_url)  # the second instance: its own connections
        try:
            contexts = [
                JobContext(
                    graph=graph,
                    sessions=s,
                    roster=roster,
                    today=TODAY,
                    now=dt.datetime.now(dt.UTC),
                    dry_run=True,
                )  # fmt: skip
                for s in (sessions, session_factory(other))
            ]
            job = JOBS["cancelled-leftovers"]
            reports = await asyncio.gather(
                *(run_job(job, c, [BURGEMEESTER], slot=slot, trigger="schedule") for c in contexts)
            )
        finally:
            await other.dispose()
    assert sorted(r is None for r in reports) == [False, True]
