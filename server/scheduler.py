"""The jobs on their schedules, inside the server process (APScheduler).

Every instance of the server schedules every job; at each trigger all of them fire, and the
first to claim the trigger's slot in the store fans the run out: one task per mailbox, run by
the workers side by side (``automations.jobs.fanout``). On by
default in tenant mode; in sandbox mode (the demo, the tests) only with
``SECRETARIAAT_JOBS_ENABLED=true``. ``secretariaat jobs run NAME`` runs one from system cron or
a Kubernetes CronJob instead.

Mail as it arrives (``start_mail_watch``) runs whatever the jobs' setting: polling reads every
executive's Inbox delta each ``SECRETARIAAT_MAIL_POLL_S`` on the app's clock (a test advances
the clock, not the machine's time); with notifications the ``mail-subscriptions`` job runs
once at start (and hourly on the same clock when the scheduler is off), and every Inbox is
read once to catch up on what came in while the backend was down.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import re

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from fastapi import FastAPI

from automations.clock import local_now
from automations.dates import AMSTERDAM
from automations.inbox import flows as inbox_flows
from automations.jobs.catalog import JOBS
from automations.roster.service import snapshot
from server.operator import run_named_job
from server.settings import Settings

__all__ = ["MailWatch", "start_mail_watch", "start_scheduler"]

log = logging.getLogger(__name__)


def enabled(settings: Settings) -> bool:
    if settings.jobs_enabled is not None:
        return settings.jobs_enabled
    return settings.mode == "tenant"


async def _fire(app: FastAPI, name: str) -> None:
    """One trigger: the scheduled minute is the slot every instance agrees on."""
    moment = local_now(app.state.clock).replace(second=0, microsecond=0)
    slot = f"schedule:{moment.isoformat()}"
    try:
        async with app.state.sessions() as session:
            roster = await snapshot(session)
        async with app.state.gateway.for_app() as graph:
            await run_named_job(
                graph, app.state.sessions, roster, app.state.settings, name,
                trigger="schedule", slot=slot, tasks=app.state.tasks,
            )  # fmt: skip
    except Exception:  # the scheduler keeps going; the failure is in the log and job_runs
        log.exception("scheduled job %s failed", name)


_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")  # cron: 0 and 7 are Sunday


def cron_trigger(expression: str) -> CronTrigger:
    """A crontab line read as cron reads it. APScheduler 3's ``from_crontab`` counts weekdays
    from Monday = 0, so "1-5" would run Tuesday to Saturday: the days are named here instead."""
    try:
        minute, hour, day, month, weekdays = expression.split()
    except ValueError:
        raise ValueError(f"not a crontab line of five fields: {expression!r}") from None

    def name(match: re.Match[str]) -> str:
        return _DAYS[int(match.group())]

    named = re.sub(r"\b\d+\b", name, weekdays)
    # A range from Sunday ("0-5") is Monday on, and Sunday: APScheduler's week starts on Monday.
    named = re.sub(r"\bsun-(\w+)", r"mon-\1,sun", named)
    return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=named,
                       timezone=AMSTERDAM)  # fmt: skip


def start_scheduler(app: FastAPI, settings: Settings) -> AsyncIOScheduler | None:
    if not enabled(settings):
        return None
    scheduler = AsyncIOScheduler(timezone=AMSTERDAM)
    for job in JOBS.values():
        cron = settings.jobs_schedule.get(job.name, job.cron)
        scheduler.add_job(
            _fire,
            cron_trigger(cron),
            args=[app, job.name],
            id=job.name,
            name=job.description,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=300,
        )
    scheduler.start()
    log.info("scheduler started: %s", ", ".join(JOBS))
    return scheduler


CHECK_S = 1.0  # how often the watch looks at the app's clock
KEEP_EVERY = dt.timedelta(hours=1)  # the subscriptions' upkeep when the scheduler is off


STOP_GRACE_S = 10.0  # how long a stopping server lets the watch's current turn finish


class MailWatch:
    """The mail watch's task: polling, or the subscriptions' upkeep; ``aclose`` stops it.

    Stopping lets a turn in progress finish (up to ``STOP_GRACE_S``) rather than cancelling
    it mid-query: aiosqlite, cancelled while it opens a connection, leaves its thread a close
    to report to an event loop that may be gone by then."""

    def __init__(self, task: asyncio.Task[None], stopping: asyncio.Event) -> None:
        self.task, self.stopping = task, stopping

    async def aclose(self) -> None:
        self.stopping.set()
        try:
            await asyncio.wait_for(asyncio.shield(self.task), STOP_GRACE_S)
        except TimeoutError:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task


async def _executives(app: FastAPI) -> list[str]:
    async with app.state.sessions() as session:
        roster = await snapshot(session)
    return sorted(u for u, role in roster.roles.items() if role == "executive")


async def _keep_subscriptions(app: FastAPI, settings: Settings, *, first: bool) -> None:
    """The ``mail-subscriptions`` job now, through the path the scheduler and the CLI take."""
    moment = local_now(app.state.clock).replace(second=0, microsecond=0)
    async with app.state.sessions() as session:
        roster = await snapshot(session)
    async with app.state.gateway.for_app() as graph:
        await run_named_job(
            graph, app.state.sessions, roster, settings, "mail-subscriptions",
            trigger="start" if first else "watch",
            slot=None if first else f"watch:{moment.isoformat()}",
        )  # fmt: skip


async def _watch(
    app: FastAPI, settings: Settings, check_every_s: float, stopping: asyncio.Event
) -> None:
    clock, watcher = app.state.clock, app.state.inbox
    polling = settings.mail_watch() == "poll"
    every = dt.timedelta(seconds=settings.mail_poll_s) if polling else KEEP_EVERY
    last: dt.datetime | None = None
    while not stopping.is_set():
        now = clock.now()
        if last is None or now >= last + every or now < last:  # due, or the clock went back
            first, last = last is None, now
            try:
                executives = await _executives(app)
                if polling:
                    await inbox_flows.poll(watcher, executives)
                else:
                    if first or app.state.scheduler is None:
                        await _keep_subscriptions(app, settings, first=first)
                    if first:
                        await inbox_flows.poll(watcher, executives, reason="start")
            except Exception:  # the watch goes on; the next turn tries again
                log.exception("mail watch (%s) failed", "poll" if polling else "webhook")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), check_every_s)


def start_mail_watch(
    app: FastAPI, settings: Settings, *, check_every_s: float = CHECK_S
) -> MailWatch:
    """Start following the executives' Inboxes (in the background: with notifications, Graph
    validates our webhook while the subscriptions are made, so the server must be serving)."""
    mode = settings.mail_watch()
    stopping = asyncio.Event()
    task = asyncio.get_running_loop().create_task(
        _watch(app, settings, check_every_s, stopping), name=f"mail-watch:{mode}"
    )
    if mode == "poll":
        log.info("mail watch: the Inbox delta every %g s", settings.mail_poll_s)
    else:
        log.info("mail watch: notifications to %s", settings.mail_webhook_url())
    return MailWatch(task, stopping)
