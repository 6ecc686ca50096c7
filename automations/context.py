"""What every flow is given (``Deps``) and who acts (``Actor``).

Every way in — the JSON API, the pane's HTML routes, the CLI, scheduled jobs — builds these
two and calls the same flow, so the rules of a use case (who may, whose claim holds, preview
first, what is journaled, audited and announced) are decided once. ``Deps`` holds no request
state: one per process (or per CLI command); ``Actor`` is one per call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.clock import Clock, local_now, local_today
from automations.journal import Journal

if TYPE_CHECKING:  # the roster's package has flows of its own, which import this module
    from automations.roster.models import Roster

__all__ = ["Actor", "Deps", "Publisher", "Tasks", "Via", "nobody_listens", "no_queue"]

Via = Literal["pane", "api", "cli", "job"]


class Publisher(Protocol):
    """Where queue events go (``automations.queue.events``): open panes, other instances."""

    def publish(self, event: dict[str, Any]) -> None: ...


class _Nobody:
    def publish(self, event: dict[str, Any]) -> None:
        """A one-off caller nobody listens to (a benchmark, a unit test)."""


nobody_listens: Publisher = _Nobody()


class Tasks(Protocol):
    """Where long work goes to be run by a worker (``automations.tasks``): any process, and
    another one if the first dies. ``lock`` keeps a second waiting copy out."""

    async def defer(self, task: str, *, lock: str, **args: Any) -> None: ...

    async def defer_each(self, task: str, each: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """Many copies of ``task`` at once, each ``(lock, args)`` (a job's mailboxes)."""


class _NoQueue:
    async def defer(self, task: str, *, lock: str, **args: Any) -> None:
        raise RuntimeError(f"no task queue to run {task!r} on: give Deps a ``tasks``")

    async def defer_each(self, task: str, each: Sequence[tuple[str, dict[str, Any]]]) -> None:
        raise RuntimeError(f"no task queue to run {task!r} on: give Deps a ``tasks``")


no_queue: Tasks = _NoQueue()


# How long "ik pak dit op" holds before a colleague can pick the work up unasked.
CLAIM_TTL = dt.timedelta(minutes=30)


@dataclass(frozen=True, init=False)
class Deps:
    """The store, the journal, the clock, the event publisher and the task queue, passed to
    every flow."""

    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    events: Publisher
    claim_ttl: dt.timedelta
    base_url: str  # links in mails we send (approvals, handover) point here
    journal: Journal
    tasks: Tasks

    # By hand, not generated: ``journal`` may be left out (then it is made from the sessions),
    # yet it is always there afterwards.
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        events: Publisher = nobody_listens,
        claim_ttl: dt.timedelta = CLAIM_TTL,
        base_url: str = "",
        journal: Journal | None = None,
        tasks: Tasks = no_queue,
    ) -> None:
        object.__setattr__(self, "sessions", sessions)
        object.__setattr__(self, "clock", clock)
        object.__setattr__(self, "events", events)
        object.__setattr__(self, "claim_ttl", claim_ttl)
        object.__setattr__(self, "base_url", base_url)
        made = Journal(sessions, clock=clock) if journal is None else journal
        object.__setattr__(self, "journal", made)
        object.__setattr__(self, "tasks", tasks)

    def now(self) -> dt.datetime:
        return self.clock.now()

    def local_now(self) -> dt.datetime:
        return local_now(self.clock)

    def today(self) -> dt.date:
        return local_today(self.clock)

    def publish(self, kind: str, mailbox: str, **data: Any) -> None:
        """Tell open panes (of every instance) that something in ``mailbox`` changed."""
        self.events.publish({"type": kind, "mailbox": mailbox.lower(), **data})


@dataclass(frozen=True)
class Actor:
    """Who acts, with the roster she is judged by, and through which door she came in."""

    upn: str
    roster: Roster
    via: Via = "api"

    def __post_init__(self) -> None:
        object.__setattr__(self, "upn", self.upn.lower())

    def name(self, upn: str | None = None) -> str:
        who = (upn or self.upn).lower()
        return self.roster.names.get(who, who)
