"""A worker stops between Graph's answer and the commit of its journal step, at every step of
a quick step and of a calamity clear. The next run finishes the operation; every audit line,
dispatch and backlog entry is in the store once, and every forward and cancellation reached
its recipient once."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from automations.calamity import flows as calamity
from automations.clock import SetClock
from automations.context import Actor, Deps
from automations.journal import Journal, StepOutcome
from automations.quicksteps import flows as quicksteps
from automations.roster.service import snapshot
from automations.store.models import AuditLogRow, DispatchRow, RescheduleRow
from server.routes.calamity import clear_settings
from tests.conftest import TODAY
from tests.dates import local
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A
from tests.server.test_calamity_api import cancellations, graph, when
from tests.server.test_quicksteps_api import graph_get, new_message

BAS = "bas.kuipers@zeeveen.nl"  # Ruimtelijke Ordening: the dispatch goes to him


class Stopped(Exception):
    """The process died: nothing after this point ran."""


class StopsBeforeRecording(Journal):
    """A worker that dies after Graph answered step ``at``, before the step is recorded."""

    def __init__(self, deps: Deps, at: int) -> None:
        super().__init__(deps.sessions, clock=deps.clock)
        self.at = at

    async def _finish(
        self, op_id: str, index: int, attempt: int, owner: str, outcome: StepOutcome
    ) -> None:
        if index == self.at:
            raise Stopped(f"stopped before step {index} was recorded")
        await super()._finish(op_id, index, attempt, owner, outcome)


async def _deps(backend: FastAPI, clock: SetClock, *, stop_at: int | None = None) -> Deps:
    deps = Deps(sessions=backend.state.sessions, clock=clock)
    if stop_at is None:
        return deps
    return Deps(sessions=deps.sessions, clock=clock, journal=StopsBeforeRecording(deps, stop_at))


async def _secretary(backend: FastAPI) -> Actor:
    async with backend.state.sessions() as session:
        return Actor(SECRETARY_A, await snapshot(session), via="api")


async def _audit_of(backend: FastAPI, operation_id: str) -> list[tuple[str, str | None]]:
    async with backend.state.sessions() as session:
        rows = await session.execute(
            select(AuditLogRow.action, AuditLogRow.item_id).where(
                AuditLogRow.operation_id == operation_id
            )
        )
        return [(action, item) for action, item in rows]


async def _count(backend: FastAPI, column, operation_like: str) -> int:  # noqa: ANN001
    async with backend.state.sessions() as session:
        return await session.scalar(select(func.count()).where(column.like(operation_like))) or 0


@pytest.mark.parametrize("stop_at", [0, 1], ids=["first-step", "second-step"])
async def test_a_quick_step_stopped_before_a_step_is_recorded_repeats_nothing(
    backend: FastAPI, tenant: Tenant, clock: SetClock, stop_at: int
) -> None:
    """21 mails dispatched: two journal steps (20 and 1 mails)."""
    subjects, ids = [], []
    for n in range(21):
        subject = f"Eenmaal {stop_at}-{n:02d}"
        ids.append(await new_message(tenant, subject))
        subjects.append(subject)
    me, operation = await _secretary(backend), str(uuid.uuid4())
    step = {"mailbox": BURGEMEESTER, "step": "Uitzetten bij vakafdeling", "messages": ids,
            "operation_id": operation,
            "choices": {"department": "ruimtelijke-ordening"}}  # fmt: skip
    async with backend.state.gateway.for_user(tenant.user_token(SECRETARY_A), upn=SECRETARY_A) as g:
        with pytest.raises(Stopped):
            await quicksteps.apply_step(await _deps(backend, clock, stop_at=stop_at), g, me, **step)
        later = SetClock(clock.now() + dt.timedelta(minutes=5))  # the dead worker's lease ran out
        results = await quicksteps.apply_step(await _deps(backend, later), g, me, **step)

    assert [a.status for r in results for a in r.actions] == ["done"] * 21
    audited = Counter(await _audit_of(backend, operation))
    assert audited == {("quickstep.dispatch", i): 1 for i in ids}
    async with backend.state.sessions() as session:
        rows = await session.scalar(select(func.count()).where(DispatchRow.message_id.in_(ids)))
    assert rows == 21
    for subject in subjects:
        wanted = f"FW: {subject}".replace("'", "''")
        got = await graph_get(tenant, f"/users/{BAS}/messages?$filter=startswith(subject,"
                              f"'{wanted}')&$select=id", upn=BAS)  # fmt: skip
        assert len(got["value"]) == 1, subject


@pytest.mark.parametrize("stop_at", [0, 1, 2], ids=["keep-step", "first-chunk", "second-chunk"])
async def test_a_clear_stopped_before_a_step_is_recorded_writes_each_line_once(
    backend: FastAPI, tenant: Tenant, clock: SetClock, stop_at: int
) -> None:
    """25 meetings she organises on one day: a keep step and two chunks of cancellations."""
    label = f"Eenmalig {stop_at}"
    on = TODAY + dt.timedelta(days=21 + stop_at)
    day = on.isoformat()

    def at(n: int, minutes: int) -> dict[str, str]:  # half-hourly from 07:00, a quarter long
        return when(day, f"{7 + n // 2:02d}:{30 * (n % 2) + minutes:02d}")

    requests = [
        {"id": str(n), "method": "POST", "url": f"/users/{BURGEMEESTER}/events",
         "headers": {"Content-Type": "application/json"},
         "body": {"subject": f"{label} {n:02d}", "start": at(n, 0), "end": at(n, 15),
                  "attendees": [{"emailAddress": {"address": BAS}, "type": "required"}]}}
        for n in range(25)
    ]  # fmt: skip
    for i in range(0, 25, 20):
        await graph(tenant, BURGEMEESTER, "POST", "/$batch", {"requests": requests[i : i + 20]})
    me = await _secretary(backend)
    window = {"mailbox": BURGEMEESTER, "settings": clear_settings(backend.state.settings),
              "start": local(on), "end": local(on, 23, 59)}  # fmt: skip
    async with backend.state.gateway.for_user(tenant.user_token(SECRETARY_A), upn=SECRETARY_A) as g:
        shown = await calamity.preview_clear(await _deps(backend, clock), g, me, **window)
        operation = shown.operation_id
        mine = [i for i in shown.items if i.subject.startswith(label)]
        assert len(mine) == 25 and {i.action for i in mine} == {"cancel"}
        with pytest.raises(Stopped):
            await calamity.execute_clear(await _deps(backend, clock, stop_at=stop_at), g, me,
                                         operation_id=operation, **window)  # fmt: skip
        later = SetClock(clock.now() + dt.timedelta(minutes=5))
        done = await calamity.execute_clear(await _deps(backend, later), g, me,
                                            operation_id=operation, **window)  # fmt: skip
        again = await calamity.execute_clear(await _deps(backend, later), g, me,
                                             operation_id=operation, **window)  # fmt: skip

    assert done.status == again.status == "done"
    audited = Counter(await _audit_of(backend, operation))
    cleared = {i.id: i.action for i in done.items if i.status == "done"}
    assert {i.id for i in mine} <= set(cleared)
    # Hers are cancelled; a seeded series someone else organises that day (which one depends on
    # the weekday) is declined: each line once, under its own action.
    assert audited == {
        ("calamity.clear", None): 2,
        **{(f"calamity.{action}", i): 1 for i, action in cleared.items()},
    }
    assert await _count(backend, RescheduleRow.operation_id, operation) == len(cleared)
    for n in range(25):
        assert await cancellations(tenant, BAS, f"{label} {n:02d}") == 1, n
