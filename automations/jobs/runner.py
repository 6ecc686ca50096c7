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

Fanned out (``start_run``, the scheduler's way), the trigger claims the run the same way (one
per job and slot, however many schedulers fire it) and defers one task per mailbox; workers run
them side by side, each mailbox within Graph's limit for it, and each mailbox's outcome is its
own row, so one that fails, times out or is out of scope stops nobody else. Whoever records the
last mailbox closes the run (done, partial or failed) and writes its report. A task that runs
twice (its worker died after the work) only writes its row again: the jobs themselves are
written to be run again.
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

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.clock import local_today
from automations.context import Tasks
from automations.errors import AccessDenied, AppError
from automations.graph import GraphSession
from automations.graph.transport import graph_deadline
from automations.jobs.registry import Job, JobContext, JobSettings, MailboxResult
from automations.metrics import JOB_MAILBOXES, JOB_RUNS, pseudonym
from automations.roster.service import snapshot
from automations.store import clock_of
from automations.store.models import JobRunMailboxRow, JobRunRow

__all__ = [
    "MAILBOX_TASK",
    "PARALLEL",
    "RunReport",
    "mailbox_run",
    "new_run",
    "recent_runs",
    "report_of",
    "run_job",
    "run_mailbox",
    "start_run",
    "summary",
]

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


def report_of(row: JobRunRow) -> RunReport:
    duration = (row.finished_at - row.started_at).total_seconds() if row.finished_at else None
    return RunReport(
        row.id, row.job, row.slot, row.trigger, row.dry_run, row.status, row.started_at,
        row.finished_at, duration, dict(row.counts or {}), list(row.mailboxes or []),
    )  # fmt: skip


async def mailbox_run(job: Job, ctx: JobContext, mailbox: str) -> MailboxResult:
    """The job for one mailbox within its time limit; whatever goes wrong stays its own."""
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
    JOB_MAILBOXES.labels(job.name, result.status).inc()
    return result


def _failed(job: Job, mailbox: str, result: MailboxResult, exc: Exception) -> None:
    log.exception("job %s failed for %s", job.name, pseudonym(mailbox), exc_info=exc)
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
    row = new_run(job, dry_run=ctx.dry_run, slot=slot, trigger=trigger)
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
            return await mailbox_run(job, ctx, mailbox)

    results = await asyncio.gather(*(guarded(m) for m in mailboxes))
    status, counts = summary(results)
    async with ctx.sessions() as session, session.begin():
        stored = await session.get(JobRunRow, row.id)
        assert stored is not None
        stored.status, stored.finished_at = status, clock_of(session).now()
        stored.counts = counts
        stored.mailboxes = [dataclasses.asdict(r) for r in results]
        report = report_of(stored)
    JOB_RUNS.labels(job.name, status).inc()
    log.info("job %s: %s in %.1fs, %s", job.name, status, time.perf_counter() - started, counts)
    return report


def new_run(job: Job, *, dry_run: bool, slot: str | None, trigger: str) -> JobRunRow:
    """A run to claim under ``slot`` (a one-off gets a slot of its own)."""
    return JobRunRow(
        id=str(uuid.uuid4()), job=job.name, slot=slot or f"{trigger}:{uuid.uuid4()}",
        trigger=trigger, dry_run=dry_run, status="running", counts={}, mailboxes=[],
    )  # fmt: skip


def summary(results: Sequence[MailboxResult]) -> tuple[str, dict[str, int]]:
    """The run's status (done, partial, failed) and its counts over the mailboxes."""
    counts: dict[str, int] = {}
    for r in results:
        for k, v in r.counts.items():
            counts[k] = counts.get(k, 0) + v
    failed = [r for r in results if r.status != "ok"]
    status = "done" if not failed else ("failed" if len(failed) == len(results) else "partial")
    return status, {**counts, "mailboxes": len(results), "failed": len(failed)}


async def recent_runs(
    session: AsyncSession, job: str | None = None, limit: int = 20
) -> list[RunReport]:
    query = select(JobRunRow).order_by(JobRunRow.started_at.desc()).limit(limit)
    if job:
        query = query.where(JobRunRow.job == job)
    return [report_of(r) for r in await session.scalars(query)]


MAILBOX_TASK = "tasks.job_mailbox"


async def start_run(
    job: Job, sessions: async_sessionmaker[AsyncSession], mailboxes: Sequence[str],
    tasks: Tasks, *, dry_run: bool = False, slot: str | None = None, trigger: str = "manual",
) -> RunReport | None:  # fmt: skip
    """Claim the run and queue a task per mailbox; None when another already claimed
    ``slot``. The report says ``running`` until the last mailbox is in."""
    row = new_run(job, dry_run=dry_run, slot=slot, trigger=trigger)
    row.counts = {"mailboxes": len(mailboxes)}
    try:
        async with sessions() as session, session.begin():
            session.add(row)
    except IntegrityError:
        log.info("job %s slot %s runs elsewhere", job.name, slot)
        return None
    each = [(f"job:{row.id}:{m}", {"run_id": row.id, "mailbox": m}) for m in mailboxes]
    await tasks.defer_each(MAILBOX_TASK, each)
    if not mailboxes:
        await _close(sessions, row.id)
    log.info("job %s: %d mailboxes queued (run %s)", job.name, len(mailboxes), row.id)
    return report_of(row)


async def run_mailbox(
    jobs: dict[str, Job], sessions: async_sessionmaker[AsyncSession], graph: GraphSession,
    settings: JobSettings, *, run_id: str, mailbox: str,
) -> MailboxResult | None:  # fmt: skip
    """What a worker runs: the job for one mailbox of a claimed run, its outcome recorded;
    the run closed when it was the last. None: the run is gone or already closed."""
    async with sessions() as session:
        run = await session.get(JobRunRow, run_id)
        roster = await snapshot(session)
    if run is None or run.status != "running" or run.job not in jobs:
        log.info("run %s is not running (any more): %s left alone", run_id, pseudonym(mailbox))
        return None
    clock = clock_of(sessions)
    ctx = JobContext(graph=graph, sessions=sessions, roster=roster, today=local_today(clock),
                     now=clock.now(), dry_run=run.dry_run, settings=settings)  # fmt: skip
    result = await mailbox_run(jobs[run.job], ctx, mailbox)
    async with sessions() as session, session.begin():
        stored = await session.get(JobRunMailboxRow, (run_id, mailbox))
        if stored is None:
            session.add(JobRunMailboxRow(run_id=run_id, mailbox=mailbox,
                                         result=dataclasses.asdict(result)))  # fmt: skip
        else:
            stored.result, stored.finished_at = dataclasses.asdict(result), clock.now()
    await _close(sessions, run_id)
    return result


async def _close(sessions: async_sessionmaker[AsyncSession], run_id: str) -> None:
    """Close the run when every mailbox is in; of several workers at it, one wins."""
    async with sessions() as session, session.begin():
        run = await session.get(JobRunRow, run_id)
        if run is None or run.status != "running":
            return
        expected = int((run.counts or {}).get("mailboxes", 0))
        got = await session.scalar(
            select(func.count()).select_from(JobRunMailboxRow)
            .where(JobRunMailboxRow.run_id == run_id)
        )  # fmt: skip
        if (got or 0) < expected:
            return
        rows = await session.scalars(
            select(JobRunMailboxRow).where(JobRunMailboxRow.run_id == run_id)
            .order_by(JobRunMailboxRow.mailbox)
        )  # fmt: skip
        results = [MailboxResult(**r.result) for r in rows]
        status, counts = summary(results)
        closed = await session.execute(
            update(JobRunRow).where(JobRunRow.id == run_id, JobRunRow.status == "running")
            .values(status=status, finished_at=clock_of(session).now(), counts=counts,
                    mailboxes=[dataclasses.asdict(r) for r in results])
            .execution_options(synchronize_session=False)
        )  # fmt: skip
    if closed.rowcount:  # type: ignore[attr-defined]
        JOB_RUNS.labels(run.job, status).inc()
        log.info("job run %s: %s, %s", run_id, status, counts)
