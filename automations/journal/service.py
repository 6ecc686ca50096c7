"""The operations journal (DESIGN principle 3): plan first, record every step, resume safely.

How it keeps its promises:

- **Written before it runs.** ``plan`` stores the operation and all its steps as 'pending'
  before any executor is called, so a crash at any point leaves a record of what was meant.
- **One runner at a time.** ``run`` first takes a lease on the operation with one conditional
  UPDATE (``WHERE lease_owner IS NULL OR lease_expires_at < now``). Both databases apply such an
  UPDATE atomically (PostgreSQL re-checks the WHERE after waiting for the row lock; SQLite has
  a single writer), so of two workers exactly one wins; the other gets ``OperationInProgress``.
  No database transaction is held open across a Graph call: SQLite would block every other
  writer and PostgreSQL would hold a row lock for seconds.
- **State before and after each call.** A step goes pending -> running (committed) -> executor
  -> done/failed (committed). Each transition is again a conditional UPDATE that also renews
  the lease and checks we still own it, so a worker whose lease was taken over stops. A step
  that handles many items commits each item's outcome as it finishes (``StepContext.record``).
- **A dead worker lets go within seconds.** The lease is short (15 s) and a heartbeat renews
  it while the run is alive (``lease``); a killed process stops renewing, so the operation
  can be run again soon, and until then it reads as ``interrupted``.
- **Resume repeats nothing.** Done steps are skipped. A step found 'running' (the worker died
  during the call) or 'failed' (the call raised) may or may not have taken effect in Graph;
  if the caller passes ``verify``, it is asked first and the step is only run again when
  ``verify`` finds no effect. That is how non-idempotent calls (send, forward, cancel) are
  guarded; without ``verify`` the executor itself must be idempotent.
- **Resubmit returns the first result.** ``submit`` with an existing id and the same request
  (same fingerprint) returns the stored operation without calling anything once it is done;
  a different request under that id is ``OperationConflict``.
- **Undone once.** An undo names what it takes back (``undoes``, a unique column); a second
  undo of the same operation is ``AlreadyUndone`` before anything runs (``undos``).

A crash is anything that is not an ``Exception`` (cancellation, ``SystemExit``, a killed
process): then nothing more is written and the lease simply runs out.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import datetime as dt
import logging
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.clock import Clock
from automations.journal.effects import Effect, write_effects
from automations.journal.errors import (
    IncompleteStep,
    OperationConflict,
    OperationInProgress,
    OperationNotFound,
)
from automations.journal.lease import DEFAULT_LEASE, Heartbeat, Sleep
from automations.journal.models import (
    Executor,
    Operation,
    Recorder,
    Step,
    StepOutcome,
    StepPlan,
    Verifier,
)
from automations.journal.plans import (
    as_json,
    as_outcome,
    check_plan,
    describe_error,
    fingerprint,
    normalise_upn,
    to_operation,
)
from automations.journal.undos import already_undone, check_undoes
from automations.metrics import OPERATIONS, pseudonym
from automations.store import clock_of, rowcount
from automations.store.models import OperationRow, OperationStepRow

__all__ = ["DEFAULT_LEASE", "Journal"]

log = logging.getLogger(__name__)

# Effects committed with an operation's completion (its "done" audit line), given the operation.
Completion = Callable[[Operation], Sequence[Effect]]


class Journal:
    """Plans and runs journaled operations on one database (``sessions``)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        lease: dt.timedelta = DEFAULT_LEASE,
        clock: Clock | None = None,
        heartbeat: dt.timedelta | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        # The lease is renewed at every step transition and, while a run is alive, by its
        # heartbeat (every ``heartbeat``, by default a third of the lease, waiting with
        # ``sleep``); only a worker that stops renewing (a killed one) loses it.
        self._sessions = sessions
        self._lease = lease
        self._heartbeat = heartbeat
        self._sleep = sleep
        # Leases are judged by the sessions' clock unless a worker is given its own.
        self._clock = clock or clock_of(sessions)

    @property
    def clock(self) -> Clock:
        return self._clock

    def with_lease(self, lease: dt.timedelta) -> Journal:
        """The same journal, holding operations for ``lease`` (a short one lets a killed
        worker's operation be finished soon)."""
        other = copy.copy(self)
        other._lease = lease
        return other

    # --- public API -----------------------------------------------------------------------

    async def plan(
        self,
        *,
        kind: str,
        actor: str,
        mailbox: str,
        steps: Sequence[StepPlan],
        operation_id: str | None = None,
        on_behalf_of: str | None = None,
        effects: Sequence[Effect] = (),
        undoes: str | None = None,
    ) -> Operation:
        """Store an operation and its steps as planned; idempotent for the same request.
        ``effects`` (the "planned" audit line) are written only by the call that plans it.
        An undo names the operation it takes back (``undoes``): once, else ``AlreadyUndone``."""
        op_id = operation_id if operation_id is not None else str(uuid.uuid4())
        actor, mailbox = normalise_upn(actor, "actor"), normalise_upn(mailbox, "mailbox")
        on_behalf_of = normalise_upn(on_behalf_of, "on_behalf_of") if on_behalf_of else None
        steps = check_plan(op_id, kind, steps)
        undoes = check_undoes(undoes)
        fp = fingerprint(
            kind=kind, actor=actor, on_behalf_of=on_behalf_of, mailbox=mailbox, steps=steps
        )
        if undoes is not None:  # another undo of it is refused; this one again is a resubmit
            refused = await already_undone(self._sessions, undoes)
            if refused is not None and refused.undo_id != op_id:
                raise refused
        existing = await self._find(op_id)
        if existing is not None:
            return await self._same_request(existing, fp, undoes)
        now = self._clock.now()
        row = OperationRow(
            id=op_id,
            kind=kind,
            actor_upn=actor,
            on_behalf_of=on_behalf_of,
            mailbox=mailbox,
            status="planned",
            fingerprint=fp,
            created_at=now,
            updated_at=now,
            undoes=undoes,
        )
        try:
            async with self._sessions() as session, session.begin():
                session.add(row)
                await session.flush()  # the operation row first: steps reference it
                session.add_all(
                    OperationStepRow(
                        operation_id=op_id,
                        index=i,
                        name=s.name,
                        params=dict(s.params),
                        state="pending",
                        attempts=0,
                    )
                    for i, s in enumerate(steps)
                )
                await write_effects(session, effects)
        except IntegrityError:
            # Another request planned the same id (or another undo of the same operation)
            # between our look-up and our insert.
            existing = await self._find(op_id)
            if existing is not None:
                return await self._same_request(existing, fp, undoes)
            if undoes is not None and (refused := await already_undone(self._sessions, undoes)):
                raise refused from None
            raise
        OPERATIONS.labels(kind, "planned").inc()
        log.info("operation %s planned: %s on %s, %d steps",
                 op_id, kind, pseudonym(mailbox), len(steps))  # fmt: skip
        return await self.get(op_id)

    async def run(
        self,
        operation_id: str,
        executor: Executor,
        *,
        verify: Verifier | None = None,
        on_done: Completion | None = None,
    ) -> Operation:
        """Run (or resume) an operation: every step not done yet, in order, exactly once.
        ``on_done`` gives effects (an audit line) committed with the operation's completion."""
        owner = uuid.uuid4().hex
        if not await self._acquire(operation_id, owner):
            op = await self.get(operation_id)
            if op.status == "done":
                return op
            raise OperationInProgress(f"operation {operation_id} is being run by another worker")
        async with self._beating(operation_id, owner):
            op = await self.get(operation_id)
            OPERATIONS.labels(op.kind, "running").inc()
            done = sum(s.state == "done" for s in op.steps)
            if done:
                log.info("operation %s resumed: %d of %d steps done", op.id, done, len(op.steps))
            for step in op.steps:
                if step.state == "done":
                    continue
                await self._run_step(op, step, owner, executor, verify)
        return await self._complete(op, owner, on_done)

    async def submit(
        self,
        *,
        kind: str,
        actor: str,
        mailbox: str,
        steps: Sequence[StepPlan],
        executor: Executor,
        verify: Verifier | None = None,
        operation_id: str | None = None,
        on_behalf_of: str | None = None,
        on_done: Completion | None = None,
        undoes: str | None = None,
    ) -> Operation:
        """Plan and run; a resubmit of a finished operation returns its first result as is."""
        op = await self.plan(
            kind=kind,
            actor=actor,
            mailbox=mailbox,
            steps=steps,
            operation_id=operation_id,
            on_behalf_of=on_behalf_of,
            undoes=undoes,
        )
        if op.status == "done":
            log.info("operation %s resubmitted: already done, nothing run", op.id)
            return op
        return await self.run(op.id, executor, verify=verify, on_done=on_done)

    async def get(self, operation_id: str) -> Operation:
        op = await self._find(operation_id)
        if op is None:
            raise OperationNotFound(f"no operation {operation_id!r}")
        return op

    async def unfinished(
        self, *, kind: str, mailbox: str, since: dt.datetime, limit: int = 10
    ) -> list[Operation]:
        """Operations of ``kind`` on ``mailbox`` planned since ``since`` that are planned or
        running, newest first; ``Operation.interrupted`` tells which running ones lost their
        worker, ``interrupted_members`` which of a group will never be started."""
        async with self._sessions() as session:
            ids = (
                await session.scalars(
                    select(OperationRow.id)
                    .where(
                        OperationRow.kind == kind,
                        OperationRow.mailbox == mailbox.lower(),
                        OperationRow.status.in_(("planned", "running")),
                        OperationRow.created_at >= since,
                    )
                    .order_by(OperationRow.created_at.desc())
                    .limit(limit)
                )
            ).all()
        found = [await self._find(op_id) for op_id in ids]
        return [op for op in found if op is not None]

    # --- steps ----------------------------------------------------------------------------

    async def _run_step(
        self, op: Operation, step: Step, owner: str, executor: Executor, verify: Verifier | None
    ) -> None:
        if step.state in ("running", "failed") and verify is not None:
            # The call may have gone through before the crash or error: look before redoing.
            try:
                found = await verify(op.context(step, self._clock.now()))
                verified = None if found is None else as_outcome(found)
            except Exception as exc:
                await self._fail(op, step.index, step.attempts, owner, exc)
                raise
            if verified is not None:
                log.info("operation %s step %d (%s) verified done", op.id, step.index, step.name)
                await self._finish(op.id, step.index, step.attempts, owner, verified)
                return
        attempt = await self._start(op.id, step, owner)
        context = dataclasses.replace(
            op.context(step, self._clock.now()),
            attempt=attempt,
            record=self._recorder(op.id, step.index, attempt, owner),
        )
        try:
            outcome = as_outcome(await executor(context))
        except Exception as exc:
            await self._fail(op, step.index, attempt, owner, exc)
            raise
        await self._finish(op.id, step.index, attempt, owner, outcome)

    def _beating(self, op_id: str, owner: str) -> Heartbeat:
        """The run's heartbeat: renews the lease while the run is alive."""

        async def renew() -> bool:
            try:
                async with self._sessions() as session, session.begin():
                    await self._renew(session, op_id, owner, self._clock.now())
            except OperationInProgress:
                return False
            return True

        interval = (self._heartbeat or self._lease / 3).total_seconds()
        return Heartbeat(op_id, renew, interval=interval, sleep=self._sleep)

    def _recorder(self, op_id: str, index: int, attempt: int, owner: str) -> Recorder:
        """``StepContext.record`` for one attempt of a step: commits the result so far with
        the effects of what was just finished. Calls are committed one at a time, in the
        order made; the caller keeps each result a superset of the ones before it."""
        lock = asyncio.Lock()

        async def record(result: Any, effects: Sequence[Effect] = ()) -> None:
            async with lock:
                stored = as_json(result, "step progress")
                async with self._sessions() as session, session.begin():
                    await self._renew(session, op_id, owner, self._clock.now())
                    kept = await session.execute(
                        _step_where(op_id, index, attempt)
                        .where(OperationStepRow.state == "running")
                        .values(result=stored)
                    )
                    if rowcount(kept) != 1:
                        raise OperationInProgress(f"step {index} of {op_id} changed meanwhile")
                    await write_effects(session, effects)

        return record

    async def _acquire(self, op_id: str, owner: str) -> bool:
        now = self._clock.now()
        async with self._sessions() as session, session.begin():
            claimed = await session.execute(
                update(OperationRow)
                .where(
                    OperationRow.id == op_id,
                    OperationRow.status != "done",
                    or_(OperationRow.lease_owner.is_(None), OperationRow.lease_expires_at < now),
                )
                .values(
                    lease_owner=owner,
                    lease_expires_at=now + self._lease,
                    status="running",
                    error=None,
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            )
        return rowcount(claimed) == 1

    async def _renew(self, session: AsyncSession, op_id: str, owner: str, now: dt.datetime) -> None:
        renewed = await session.execute(
            update(OperationRow)
            .where(OperationRow.id == op_id, OperationRow.lease_owner == owner)
            .values(lease_expires_at=now + self._lease, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if rowcount(renewed) != 1:
            raise OperationInProgress(f"operation {op_id} was taken over by another worker")

    async def _start(self, op_id: str, step: Step, owner: str) -> int:
        """Mark the step running (committed before the call); returns the attempt number."""
        now = self._clock.now()
        async with self._sessions() as session, session.begin():
            await self._renew(session, op_id, owner, now)
            started = await session.execute(
                _step_where(op_id, step.index, step.attempts)
                .where(OperationStepRow.state == step.state)
                .values(
                    state="running",
                    attempts=step.attempts + 1,
                    started_at=now,
                    finished_at=None,
                    error=None,
                )
            )
            if rowcount(started) != 1:
                raise OperationInProgress(f"step {step.index} of {op_id} changed meanwhile")
        return step.attempts + 1

    async def _finish(
        self, op_id: str, index: int, attempt: int, owner: str, outcome: StepOutcome
    ) -> None:
        now = self._clock.now()
        async with self._sessions() as session, session.begin():
            await self._renew(session, op_id, owner, now)
            finished = await session.execute(
                _step_where(op_id, index, attempt).values(
                    state="done",
                    result=outcome.result,
                    graph_request_id=outcome.graph_request_id,
                    error=None,
                    finished_at=now,
                )
            )
            if rowcount(finished) != 1:
                raise OperationInProgress(f"step {index} of {op_id} changed meanwhile")
            await write_effects(session, outcome.effects)

    async def _fail(
        self, op: Operation, index: int, attempt: int, owner: str, exc: Exception
    ) -> None:
        """Record the failure and let go of the operation, so a retry can resume it at once."""
        error = describe_error(exc)
        log.warning("operation %s step %d failed: %s", op.id, index, error)
        now = self._clock.now()
        async with self._sessions() as session, session.begin():
            released = await session.execute(
                update(OperationRow)
                .where(OperationRow.id == op.id, OperationRow.lease_owner == owner)
                .values(
                    status="failed",
                    error=f"step {index}: {error}",
                    lease_owner=None,
                    lease_expires_at=None,
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            if rowcount(released) != 1:
                log.warning("operation %s was taken over; failure not recorded", op.id)
                return
            OPERATIONS.labels(op.kind, "failed").inc()
            await session.execute(
                _step_where(op.id, index, attempt).values(
                    state="failed",
                    error=error,
                    graph_request_id=getattr(exc, "request_id", None),
                    finished_at=now,
                )
            )
            if isinstance(exc, IncompleteStep):
                await write_effects(session, exc.effects)

    async def _complete(self, op: Operation, owner: str, on_done: Completion | None) -> Operation:
        now = self._clock.now()
        async with self._sessions() as session, session.begin():
            steps = (
                await session.scalars(
                    select(OperationStepRow)
                    .where(OperationStepRow.operation_id == op.id)
                    .order_by(OperationStepRow.index)
                )
            ).all()
            result = {"steps": [{"name": s.name, "result": s.result} for s in steps]}
            completed = await session.execute(
                update(OperationRow)
                .where(OperationRow.id == op.id, OperationRow.lease_owner == owner)
                .values(
                    status="done",
                    result=result,
                    error=None,
                    lease_owner=None,
                    lease_expires_at=None,
                    updated_at=now,
                    finished_at=now,
                )
                .execution_options(synchronize_session=False)
            )
            if rowcount(completed) != 1:
                raise OperationInProgress(f"operation {op.id} was taken over by another worker")
            if on_done is not None:
                row = await session.get(OperationRow, op.id)
                assert row is not None
                await write_effects(session, on_done(to_operation(row, steps)))
        OPERATIONS.labels(op.kind, "done").inc()
        log.info("operation %s done (%s, %d steps)", op.id, op.kind, len(op.steps))
        return await self.get(op.id)

    # --- reading --------------------------------------------------------------------------

    async def _find(self, op_id: str) -> Operation | None:
        async with self._sessions() as session:
            row = await session.get(OperationRow, op_id)
            if row is None:
                return None
            steps = (
                await session.scalars(
                    select(OperationStepRow)
                    .where(OperationStepRow.operation_id == op_id)
                    .order_by(OperationStepRow.index)
                )
            ).all()
        return to_operation(row, steps)

    async def _same_request(
        self, existing: Operation, fp: str, undoes: str | None = None
    ) -> Operation:
        async with self._sessions() as session:
            stored = await session.scalar(
                select(OperationRow.fingerprint).where(OperationRow.id == existing.id)
            )
        if stored != fp or existing.undoes != undoes:
            # Another undo under the same id (a colleague's click on the same line) is a
            # second undo, refused as such; anything else reusing an id is a conflict.
            if undoes is not None and (refused := await already_undone(self._sessions, undoes)):
                raise refused
            raise OperationConflict(
                f"operation id {existing.id!r} was already used for a different request"
            )
        return existing


def _step_where(op_id: str, index: int, attempts: int) -> Any:
    return (
        update(OperationStepRow)
        .where(
            OperationStepRow.operation_id == op_id,
            OperationStepRow.index == index,
            OperationStepRow.attempts == attempts,
        )
        .execution_options(synchronize_session=False)
    )
