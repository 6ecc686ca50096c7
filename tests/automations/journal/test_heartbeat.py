"""Leases of live and dead workers: a live worker's heartbeat keeps its operation however long a
step takes; a dead worker's operation is free again within seconds; and what a step finished
item by item is in the journal even when its worker dies before the step ends.

The heartbeat's sleep is handed in (``Beats``) and the clock stands still unless advanced, so
nothing here waits on real time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.clock import SetClock
from automations.journal import (
    DEFAULT_LEASE,
    Journal,
    OperationInProgress,
    StepContext,
    StepOutcome,
    StepPlan,
)
from tests.automations.journal.fakes import Crash, FakeGraph, plan
from tests.conftest import TODAY

SECOND = dt.timedelta(seconds=1)


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.005)


class Beats:
    """The heartbeat's sleep, driven by the test: ``beat`` ends one sleep and returns once the
    renewal is committed (the heartbeat has begun its next sleep)."""

    def __init__(self) -> None:
        self.intervals: list[float] = []
        self.woken = 0
        self._wake = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        self.intervals.append(seconds)
        await self._wake.wait()
        self._wake.clear()

    async def wake(self) -> None:
        """End the current sleep (the heartbeat renews)."""
        await until(lambda: len(self.intervals) > self.woken)
        self.woken += 1
        self._wake.set()

    async def beat(self) -> None:
        await self.wake()
        await until(lambda: len(self.intervals) > self.woken)


class Held:
    """An executor whose first step holds until released (a long Graph call)."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.graph = FakeGraph()

    async def __call__(self, step: StepContext) -> StepOutcome:
        if step.index == 0:
            self.started.set()
            await self.release.wait()
        return await self.graph(step)


def standing() -> SetClock:
    """A clock that moves only when the test advances it."""
    return SetClock(SetClock.on_day(TODAY).now(), running=False)


async def test_a_live_worker_keeps_its_operation_however_long_its_step_takes(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock, beats, held = standing(), Beats(), Held()
    await plan(Journal(sessions), "beat-live")
    live = Journal(sessions, clock=clock, sleep=beats.sleep)
    running = asyncio.ensure_future(live.run("beat-live", held))
    await asyncio.wait_for(held.started.wait(), 5)

    for _ in range(4):  # a minute into the step, four times the lease
        clock.advance(DEFAULT_LEASE * 0.9)
        await beats.beat()
    with pytest.raises(OperationInProgress):
        await Journal(sessions, clock=clock).run("beat-live", held.graph)
    assert not (await live.get("beat-live")).interrupted(clock.now())

    held.release.set()
    op = await asyncio.wait_for(running, 5)
    assert op.status == "done"
    assert held.graph.calls == {"create_draft": 1, "add_category": 1, "send": 1}
    assert set(beats.intervals) == {DEFAULT_LEASE.total_seconds() / 3}


async def test_a_dead_workers_operation_is_free_again_seconds_later(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock, graph = standing(), FakeGraph()
    graph.crash_after_effect.add("add_category")
    await plan(Journal(sessions), "beat-dead")
    with pytest.raises(Crash):  # the process dies: no step is written, no lease renewed
        await Journal(sessions, clock=clock).run("beat-dead", graph)
    with pytest.raises(OperationInProgress):
        await Journal(sessions, clock=clock).run("beat-dead", graph)
    assert not (await Journal(sessions).get("beat-dead")).interrupted(clock.now())

    clock.advance(DEFAULT_LEASE + SECOND)
    found = await Journal(sessions).get("beat-dead")
    assert found.status == "running" and found.interrupted(clock.now())
    op = await Journal(sessions, clock=clock).run("beat-dead", graph, verify=graph.verify)

    assert op.status == "done" and not op.interrupted(clock.now())
    assert DEFAULT_LEASE <= dt.timedelta(seconds=30)
    assert graph.effects == {"create_draft": 1, "add_category": 1, "send": 1}


async def test_the_heartbeat_stops_when_the_run_ends(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock, beats, graph = standing(), Beats(), FakeGraph()
    graph.fail_before_effect.add("send")
    await plan(Journal(sessions), "beat-stops")
    journal = Journal(sessions, clock=clock, sleep=beats.sleep, heartbeat=2 * SECOND)
    with pytest.raises(Exception, match="Graph did not answer"):
        await journal.run("beat-stops", graph)
    assert (await journal.get("beat-stops")).lease_expires_at is None  # let go at once

    op = await journal.run("beat-stops", graph)
    assert op.status == "done" and op.lease_expires_at is None
    # Each run's heartbeat began one sleep and was stopped in it: no renewal after the end,
    # and no heartbeat left behind.
    assert beats.intervals == [2.0, 2.0] and beats.woken == 0
    assert [t for t in asyncio.all_tasks() if "_beat" in repr(t.get_coro())] == []


async def test_a_worker_whose_lease_was_taken_over_stops_at_its_next_step(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock, beats, held = standing(), Beats(), Held()
    await plan(Journal(sessions), "beat-lost")
    stalled = Journal(sessions, clock=clock, sleep=beats.sleep)
    running = asyncio.ensure_future(stalled.run("beat-lost", held))
    await asyncio.wait_for(held.started.wait(), 5)
    clock.advance(DEFAULT_LEASE + SECOND)  # its heartbeat did not get through in time

    other = FakeGraph()
    taken = await Journal(sessions, clock=clock).run("beat-lost", other)
    await beats.wake()  # its heartbeat finds the lease gone and stops
    await asyncio.sleep(0.05)
    assert len(beats.intervals) == 1
    held.release.set()
    with pytest.raises(OperationInProgress):
        await asyncio.wait_for(running, 5)

    assert taken.status == "done"
    # The stalled worker finished the call under way, and nothing after it.
    assert held.graph.calls == {"create_draft": 1}
    assert other.calls == {"create_draft": 1, "add_category": 1, "send": 1}


async def test_items_recorded_by_a_step_stay_when_its_worker_dies(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock = standing()
    steps = [StepPlan("items", {"items": ["a", "b", "c"]})]
    journal = Journal(sessions, clock=clock)
    await journal.plan(kind="quick_step", actor="secretaris@gemeente.example",
                       mailbox="wethouder@gemeente.example", steps=steps,
                       operation_id="record-dies")  # fmt: skip
    seen: list[object] = []

    async def dies_after_two(ctx: StepContext) -> dict[str, object]:
        seen.append(ctx.progress)
        assert ctx.record is not None
        done = dict((ctx.progress or {}).get("done", {}))
        for item in ctx.params["items"]:
            if item in done:
                continue
            done[item] = ctx.attempt
            await ctx.record({"done": done})
            if len(done) == 2 and ctx.attempt == 1:
                raise Crash("killed after two items")
        return {"done": done}

    with pytest.raises(Crash):
        await journal.run("record-dies", dies_after_two)
    left = await journal.get("record-dies")
    assert left.steps[0].state == "running"
    assert left.steps[0].result == {"done": {"a": 1, "b": 1}}

    clock.advance(DEFAULT_LEASE + SECOND)
    op = await journal.run("record-dies", dies_after_two)
    assert seen == [None, {"done": {"a": 1, "b": 1}}]
    assert op.steps[0].result == {"done": {"a": 1, "b": 1, "c": 2}}
