"""The tasks workers run. Each names a journaled operation and who started it; the flow it
calls finishes what is missing and repeats nothing, so a retry (its worker died, Graph asked
to wait, another worker still held the operation's lease) is always safe.

A task acts with the delegated rights of the secretary who clicked (``for_delegate``), never
with the app's: the arguments carry her UPN, her tokens stay sealed in the store.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from procrastinate import App, JobContext, RetryDecision, RetryStrategy
from procrastinate.jobs import Job

from automations.calamity import flows as calamity
from automations.errors import Throttled, Unavailable
from automations.jobs import runner as jobs_runner
from automations.jobs.catalog import JOBS
from automations.journal.errors import OperationInProgress
from automations.quicksteps import flows as quicksteps
from automations.tasks.runtime import Runtime

__all__ = ["RUNTIME", "register"]

log = logging.getLogger(__name__)

RUNTIME = "runtime"  # the key of the worker's ``Runtime`` in the jobs' context


class _Retry(RetryStrategy):
    """Another worker's lease (15 s), Graph's Retry-After and a lost connection all pass: the
    waits grow 1, 2, 3 ... s, about six minutes in all before the task is given up on. A task
    cancelled because its worker is shutting down (a deployment, after its grace period) goes
    back to the queue at once, whatever its count: another worker resumes the operation."""

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if isinstance(exception, asyncio.CancelledError):
            return RetryDecision(retry_in={"seconds": 0})
        return super().get_retry_decision(exception=exception, job=job)


_RETRY = _Retry(
    max_attempts=25,
    wait=1,
    linear_wait=1,
    retry_exceptions={OperationInProgress, Throttled, Unavailable},
)


def _runtime(context: JobContext) -> Runtime:
    extra: dict[str, Any] = context.additional_context or {}
    runtime = extra.get(RUNTIME)
    if not isinstance(runtime, Runtime):
        raise RuntimeError("this worker was started without a Runtime")
    return runtime


async def finish_clear(context: JobContext, *, operation_id: str, actor: str, via: str) -> None:
    runtime = _runtime(context)
    log.info("worker %s finishes clear %s", context.worker_name, operation_id)
    who = await runtime.actor(actor, via)
    async with runtime.gateway.for_delegate(who.upn, runtime.vault) as graph:
        await calamity.finish_clear(runtime.deps, graph, who, operation_id=operation_id)


async def finish_step(
    context: JobContext, *, mailbox: str, step: str, messages: list[str], operation_id: str,
    choices: dict[str, str], actor: str, via: str,
) -> None:  # fmt: skip
    runtime = _runtime(context)
    log.info("worker %s applies quick step %s", context.worker_name, operation_id)
    who = await runtime.actor(actor, via)
    async with runtime.gateway.for_delegate(who.upn, runtime.vault) as graph:
        await quicksteps.finish_step(
            runtime.deps, graph, who, mailbox=mailbox, step=step, messages=messages,
            operation_id=operation_id, choices=choices,
        )  # fmt: skip


async def job_mailbox(context: JobContext, *, run_id: str, mailbox: str) -> None:
    """One mailbox of a scheduled job's run. Jobs act as the app: nobody clicked, and RBAC
    for Applications keeps the app to the executives' mailboxes (docs/workers.md)."""
    runtime = _runtime(context)
    async with runtime.gateway.for_app() as graph:
        await jobs_runner.run_mailbox(JOBS, runtime.deps.sessions, graph, runtime.job_settings,
                                 run_id=run_id, mailbox=mailbox)  # fmt: skip


# A calamity clear never waits behind a night's job run of 500 mailboxes: workers take the
# highest priority first.
CLICK_URGENT, CLICK, BACKGROUND = 20, 10, 0


def register(app: App) -> None:
    """Every task on ``app`` (each App its own copies: Procrastinate binds a task to one)."""
    app.task(name=calamity.FINISH_TASK, pass_context=True, retry=_RETRY,
             priority=CLICK_URGENT)(finish_clear)  # fmt: skip
    app.task(name=quicksteps.APPLY_TASK, pass_context=True, retry=_RETRY,
             priority=CLICK)(finish_step)  # fmt: skip
    app.task(name=jobs_runner.MAILBOX_TASK, pass_context=True, retry=_RETRY,
             priority=BACKGROUND)(job_mailbox)  # fmt: skip
