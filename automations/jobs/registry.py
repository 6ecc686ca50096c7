"""Jobs are plain async functions with a stable name, run per executive mailbox.

A job gets a ``JobContext`` (Graph with the app's identity, the store, the roster, today, and
whether this is a dry run) and the mailbox, and writes what it did — or in a dry run, what it
would do — into the mailbox's ``MailboxResult``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.graph import GraphSession
from automations.roster.models import Roster

__all__ = ["JOBS", "Job", "JobContext", "JobSettings", "MailboxResult", "job"]


@dataclass(frozen=True)
class JobSettings:
    conflict_days: int = 14
    travel_minutes: int = 15
    approval_reminder_hours: int = 24
    flagged_days: int = 3  # flagged mail older than this goes to the work queue
    base_url: str = "https://127.0.0.1:8443"
    # A job's time per mailbox (its Graph calls and its store work); a mailbox that runs out
    # of it is reported as timed out and finished by the next run (see ``runner``).
    time_limit_s: float = 120.0
    # Where Graph posts Inbox notifications (``mail-subscriptions``); None: the backend polls,
    # and the job removes the subscriptions it made before.
    mail_webhook_url: str | None = None

    def __post_init__(self) -> None:
        if not self.time_limit_s > 0:
            raise ValueError("time_limit_s must be positive")


@dataclass(frozen=True)
class JobContext:
    graph: GraphSession
    sessions: async_sessionmaker[AsyncSession]
    roster: Roster
    today: dt.date
    now: dt.datetime
    dry_run: bool
    settings: JobSettings = JobSettings()


@dataclass
class MailboxResult:
    mailbox: str
    status: str = "ok"  # ok | failed | out_of_scope | timed_out
    counts: dict[str, int] = field(default_factory=dict)
    actions: list[str] = field(default_factory=list)  # what it did (or, dry, would do)
    error: str | None = None

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n


JobFn = Callable[[JobContext, str, MailboxResult], Awaitable[None]]


@dataclass(frozen=True)
class Job:
    name: str
    description: str
    cron: str  # the default schedule; settings may override it
    run: JobFn


JOBS: dict[str, Job] = {}


def job(name: str, description: str, cron: str) -> Callable[[JobFn], JobFn]:
    def register(fn: JobFn) -> JobFn:
        JOBS[name] = Job(name, description, cron, fn)
        return fn

    return register
