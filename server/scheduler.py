"""The jobs on their schedules, inside the server process (APScheduler).

Every instance of the server schedules every job; at each trigger all of them fire, and the
first to claim the trigger's slot in the store runs it (``automations.jobs.runner``). On by
default in tenant mode; in sandbox mode (the demo, the tests) only with
``SECRETARIAAT_JOBS_ENABLED=true``. ``secretariaat jobs run NAME`` runs one from system cron or
a Kubernetes CronJob instead.
"""

from __future__ import annotations

import logging
import re

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from fastapi import FastAPI

from automations.clock import local_now
from automations.dates import AMSTERDAM
from automations.jobs.catalog import JOBS
from automations.roster.service import snapshot
from server.operator import run_named_job
from server.settings import Settings

__all__ = ["start_scheduler"]

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
                trigger="schedule", slot=slot,
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
