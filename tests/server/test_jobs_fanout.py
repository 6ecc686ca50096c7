"""A scheduled job fans out over the workers: one task per mailbox, claimed once however many
schedulers fire the trigger, each mailbox's outcome its own."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from automations.jobs.catalog import JOBS
from automations.jobs.registry import Job, JobContext, MailboxResult
from automations.jobs.runner import start_run
from automations.roster.service import snapshot
from automations.store.models import JobRunRow
from server.operator import run_named_job

SLOT = "schedule:2026-11-24T07:00:00+01:00"


async def closed(app: FastAPI, run_id: str) -> JobRunRow:
    """The run once its last mailbox is in (the in-process worker runs the tasks)."""
    for _ in range(3000):
        async with app.state.sessions() as session:
            run = await session.get(JobRunRow, run_id)
        assert run is not None
        if run.status != "running":
            return run
        await asyncio.sleep(0.01)
    raise AssertionError("the run never closed")


async def test_a_trigger_fired_by_two_schedulers_runs_once_for_every_executive(
    backend: FastAPI,
) -> None:
    async with backend.state.sessions() as session:
        roster = await snapshot(session)
    executives = sorted(u for u, role in roster.roles.items() if role == "executive")

    async def fire() -> Any:
        async with backend.state.gateway.for_app() as graph:
            return await run_named_job(
                graph, backend.state.sessions, roster, backend.state.settings,
                "cancelled-leftovers", trigger="schedule", slot=SLOT, tasks=backend.state.tasks,
            )  # fmt: skip

    reports = await asyncio.gather(fire(), fire())
    [report] = [r for r in reports if r is not None]  # the other found the slot taken
    assert report.status == "running"
    run = await closed(backend, report.id)
    assert run.status == "done", run.mailboxes
    assert sorted(m["mailbox"] for m in run.mailboxes) == executives
    async with backend.state.sessions() as session:
        runs = (await session.scalars(select(JobRunRow).where(JobRunRow.slot == SLOT))).all()
    assert len(runs) == 1


async def test_two_hundred_mailboxes_fan_out_and_one_failing_stops_no_other(
    backend: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    mailboxes = [f"bestuurder{n:03d}@zeeveen.nl" for n in range(200)]
    ran: list[str] = []

    async def count(ctx: JobContext, mailbox: str, result: MailboxResult) -> None:
        ran.append(mailbox)
        if mailbox == mailboxes[7]:
            raise RuntimeError("dit postvak breekt")
        result.count("bekeken")

    job = Job("proef", "Telt postvakken", "0 7 * * *", count)
    monkeypatch.setitem(JOBS, job.name, job)
    report = await start_run(job, backend.state.sessions, mailboxes, backend.state.tasks,
                             trigger="schedule", slot=SLOT)  # fmt: skip
    assert report is not None
    run = await closed(backend, report.id)

    assert sorted(ran) == mailboxes  # each once
    assert run.status == "partial"
    assert run.counts == {"bekeken": 199, "mailboxes": 200, "failed": 1}
    [broken] = [m for m in run.mailboxes if m["status"] != "ok"]
    assert broken["mailbox"] == mailboxes[7] and "dit postvak breekt" in broken["error"]
