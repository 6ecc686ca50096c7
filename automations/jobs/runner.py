"""Running a job over the executives' mailboxes: claimed once per trigger, isolated per mailbox.

Several server instances may fire the same trigger; each first inserts the run under the
trigger's slot (job + scheduled minute) and only the one whose insert succeeds runs it — a
unique constraint, so it holds on SQLite and PostgreSQL alike. A mailbox that fails (or that
the app may not reach: RBAC for Applications) is reported and never stops the others.

Each mailbox has ``JobSettings.time_limit_s`` (counted from when it gets its turn). Its Graph
calls share that deadline (``graph_deadline``): the first call that would run past it fails
with ``GraphTimeout``, so the job stops at a Graph call, never halfway through a store
transaction, and the mailbox is reported ``timed_out``. A backstop a little later cancels
whatever else still runs (each store transaction then rolls back whole). What a timed-out
mailbox leaves is what a failed one leaves, and the jobs are written so the next run
finishes it exactly once: the mirror and its delta link are stored in one transaction after
the reads; findings are upserted by key and closed only after a complete pass; deletions are
idempotent (404 counts as gone) and the mirror learns of them from the next delta; every
notice is sent once per tag (a send whose answer was lost is found by its tag next time).
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
from automations.graph.transport import graph_deadline
from automations.jobs.registry import Job, JobContext, MailboxResult
from automations.store import clock_of
from automations.store.models import JobRunRow

__all__ = ["PARALLEL", "RunReport", "recent_runs", "run_job"]

log = logging.getLogger(__name__)
PARALLEL = 8  # mailboxes at a time (each still gets at most four Graph requests in flight)
BACKSTOP_S = 30.0  # after a mailbox's time limit, how long its non-Graph work may still take


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
    limit = ctx.settings.time_limit_s
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    try:
        async with asyncio.timeout_at(deadline + min(BACKSTOP_S, limit / 4)) as backstop:
            with graph_deadline(limit):
                await job.run(ctx, mailbox, result)
    except TimeoutError as exc:
        if not backstop.expired():
            _failed(job, mailbox, result, exc)
        else:
            _timed_out(result, limit, None)
    except AccessDenied as exc:
        result.status = "out_of_scope"
        result.error = (
            "De app mag dit postvak niet bereiken (buiten het bereik van RBAC for"
            f" Applications): {exc.message}"
        )
    except AppError as exc:
        if loop.time() >= deadline:  # it stopped because its time was up
            _timed_out(result, limit, exc)
        else:
            result.status, result.error = "failed", str(exc)
    except Exception as exc:  # a bug in one mailbox's run must not stop the others
        _failed(job, mailbox, result, exc)
    return result


def _failed(job: Job, mailbox: str, result: MailboxResult, exc: Exception) -> None:
    log.exception("job %s failed for %s", job.name, mailbox, exc_info=exc)
    result.status, result.error = "failed", f"{type(exc).__name__}: {exc}"


def _timed_out(result: MailboxResult, limit: float, exc: AppError | None) -> None:
    result.status = "timed_out"
    result.count("timed_out")
    detail = f" ({exc})" if exc is not None else ""
    result.error = f"Time-out: niet klaar binnen {limit:g} s; de volgende run maakt het af.{detail}"


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
