"""What the journal takes and gives back: plans, step contexts, outcomes, snapshots.

Plain frozen dataclasses rather than ORM rows, so callers (use cases, the API, tests) never
hold a live database object and cannot change the journal behind its back.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

__all__ = [
    "Executor",
    "Operation",
    "Recorder",
    "Step",
    "StepContext",
    "StepOutcome",
    "StepPlan",
    "Verifier",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StepPlan:
    """One step to plan: ``name`` says which executor branch runs it, ``params`` its input.

    ``params`` must be JSON-serialisable: it is stored before anything runs and is part of the
    fingerprint that tells a resubmit from a different request under the same id.
    """

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)


class Recorder(Protocol):
    """Commits what a step has done so far, while it runs (``StepContext.record``)."""

    async def __call__(self, result: Any, effects: Sequence[Any] = ()) -> None: ...


@dataclass(frozen=True)
class StepContext:
    """Everything an executor needs to carry out (or verify) one step.

    ``operation_id`` is what non-idempotent Graph calls tag their items with (an extended
    property) so that ``verify`` can later find out whether the call went through.
    ``attempt`` counts the times this step was started, including the current one.

    A step that handles many items one by one calls ``record`` as each item is finished: the
    result so far (JSON, replacing the previous one) and that item's effects are committed at
    once, so a killed worker leaves exactly what it did in the journal. A later attempt of the
    step finds that result in ``progress``; the executor's final outcome replaces it.
    """

    operation_id: str
    kind: str
    actor: str
    on_behalf_of: str | None
    mailbox: str
    index: int
    name: str
    params: Mapping[str, Any]
    attempt: int
    now: dt.datetime  # the journal's clock when the step (or its check) started
    progress: Any = None  # what an earlier attempt recorded, when it did not finish
    record: Recorder | None = None  # given while the step runs (not to ``verify``)


@dataclass(frozen=True)
class StepOutcome:
    """What a step produced: a JSON result, the Graph ``request-id`` for the audit log, and
    the store rows it causes (``journal.effects``), committed together with the step."""

    result: Any = None
    graph_request_id: str | None = None
    effects: tuple[Any, ...] = ()


# An executor carries out one step (usually one Graph call). Returning a mapping is short for
# ``StepOutcome(result=mapping)``; returning None means "done, nothing to report".
Executor = Callable[[StepContext], Awaitable[StepOutcome | Mapping[str, Any] | None]]
# A verifier looks (read-only) whether a step that may have run already took effect: it returns
# the outcome when it did, None when the step must run again.
Verifier = Callable[[StepContext], Awaitable[StepOutcome | Mapping[str, Any] | None]]


@dataclass(frozen=True)
class Step:
    """A journaled step as stored."""

    index: int
    name: str
    params: Mapping[str, Any]
    state: str
    attempts: int
    result: Any
    error: str | None
    graph_request_id: str | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


@dataclass(frozen=True)
class Operation:
    """A journaled operation as stored, with its steps in order."""

    id: str
    kind: str
    actor: str
    on_behalf_of: str | None
    mailbox: str
    status: str
    result: Any
    error: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    finished_at: dt.datetime | None
    steps: tuple[Step, ...]
    lease_expires_at: dt.datetime | None = None  # while a worker holds it
    undoes: str | None = None  # an undo: the operation it takes back (once: ``AlreadyUndone``)

    def interrupted(self, now: dt.datetime) -> bool:
        """Started and not finished, and no worker holds it any more: its worker died (a
        live worker renews its lease every few seconds). Running it again finishes it."""
        if self.status != "running":
            return False
        return self.lease_expires_at is None or self.lease_expires_at < now

    def context(self, step: Step, now: dt.datetime) -> StepContext:
        return StepContext(
            operation_id=self.id,
            kind=self.kind,
            actor=self.actor,
            on_behalf_of=self.on_behalf_of,
            mailbox=self.mailbox,
            index=step.index,
            name=step.name,
            params=MappingProxyType(dict(step.params)),
            attempt=step.attempts,
            now=now,
            progress=None if step.state == "done" else step.result,
        )
