"""Running a job over the executives' mailboxes: claimed once per trigger, isolated per mailbox.

Several server instances may fire the same trigger; each first inserts the run under the
trigger's slot (job + scheduled minute) and only the one whose insert succeeds runs it — a
unique constraint, so it holds on SQLite and PostgreSQL alike. A mailbox that fails (or that
the app may not reach: RBAC for Applications) is reported and never stops the others.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from automations.errors import AccessDenied, AppError
from automations.jobs.registry import Job, JobContext, MailboxResult
from automations.store import clock_of
from automations.store.models import JobRunRow

__all__ = ["PARALLEL", "RunReport", "recent_runs", "run_job"]

log = logging.getLogger(__name__)
PARALLEL = 8  # mailboxes at a time (each still gets at most four Graph requests in flight)


@dataclass(frozen=True)
class RunReport:
    id: str
    job: str
    slot: str
    trigger: str
    dry_run: bool
    status: str  # done | partial | failed | running
    started_at: Any
    finished_at: Any
    duration_s: float | None
    counts: dict[str, int]
    mailboxes: list[dict[str, Any]]


def _report(row: JobRunRow) -> RunReport:
    duration = (row.finished_at - row.started_at).total_seconds() if row.finished_at else None
    return RunReport(
        row.id, row.job, row.slot, row.trigger, row.dry_run, row.status, row.started_at,
        row.finished_at, duration, dict(row.counts or {}), list(row.mailboxes or []),
    )  # fmt: skip


async def _one(job: Job, ctx: JobContext, mailbox: str) -> MailboxResult:
    result = MailboxResult(mailbox)
    try:
        await job.run(ctx, mailbox, result)
    except AccessDenied as exc:
        result.status = "out_of_scope"
        result.error = (
            "De app mag dit postvak niet bereiken (buiten het bereik van RBAC for"
            f" Applications): {exc.message}"
        )
    except AppError as exc:
        result.status, result.error = "failed", str(exc)
    except Exception as exc:  # a bug in one mailbox's run must not stop the others
        log.exception("job %s failed for %s", job.name, mailbox)
        result.status, result.error = "failed", f"{type(exc).__name__}: {exc}"
    return result


async def run_job(
    job: Job,
    ctx: JobContext,
    mailboxes: Sequence[str],
    *,
    slot: str | None = None,
    trigger: str = "manual",
) -> RunReport | None:
    """Run ``job`` for each mailbox; None when another instance already claimed ``slot``."""
    row = JobRunRow(
        id=str(uuid.uuid4()), job=job.name, slot=slot or f"{trigger}:{uuid.uuid4()}",
        trigger=trigger, dry_run=ctx.dry_run, status="running", counts={}, mailboxes=[],
    )  # fmt: skip
    try:
        async with ctx.sessions() as session, session.begin():
            session.add(row)
    except IntegrityError:
        log.info("job %s slot %s runs elsewhere", job.name, slot)
        return None
    started = time.perf_counter()
    gate = asyncio.Semaphore(PARALLEL)

    async def guarded(mailbox: str) -> MailboxResult:
        async with gate:
            return await _one(job, ctx, mailbox)

    results = await asyncio.gather(*(guarded(m) for m in mailboxes))
    counts: dict[str, int] = {}
    for r in results:
        for k, v in r.counts.items():
            counts[k] = counts.get(k, 0) + v
    failed = [r for r in results if r.status != "ok"]
    status = "done" if not failed else ("failed" if len(failed) == len(results) else "partial")
    async with ctx.sessions() as session, session.begin():
        stored = await session.get(JobRunRow, row.id)
        assert stored is not None
        stored.status, stored.finished_at = status, clock_of(session).now()
        stored.counts = {**counts, "mailboxes": len(results), "failed": len(failed)}
        stored.mailboxes = [dataclasses.asdict(r) for r in results]
        report = _report(stored)
    log.info("job %s: %s in %.1fs, %s", job.name, status, time.perf_counter() - started, counts)
    return report


async def recent_runs(
    session: AsyncSession, job: str | None = None, limit: int = 20
) -> list[RunReport]:
    query = select(JobRunRow).order_by(JobRunRow.started_at.desc()).limit(limit)
    if job:
        query = query.where(JobRunRow.job == job)
    return [_report(r) for r in await session.scalars(query)]
