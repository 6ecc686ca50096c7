"""A stand-in for the Graph side of an operation: counts calls, remembers effects, can fail.

``calls`` counts executor invocations per step name; ``effects`` counts how often a step
actually changed something (the thing that must never happen twice). ``verify`` answers from
``effects``, as a real verifier would by looking for the operation's tag in the mailbox.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter

from automations.clock import SetClock
from automations.errors import Unavailable
from automations.journal import Journal, StepContext, StepOutcome, StepPlan
from tests.conftest import TODAY

STEPS = [
    StepPlan("create_draft", {"subject": "Raadsvragen over de kermis"}),
    StepPlan("add_category", {"category": "Ter goedkeuring"}),
    StepPlan("send", {"to": "wethouder@gemeente.example"}),
]


class Crash(BaseException):
    """The process dies: not an ``Exception``, so the journal writes nothing more."""


class FakeGraph:
    def __init__(self, *, delay: float = 0.0) -> None:
        self.calls: Counter[str] = Counter()
        self.effects: Counter[str] = Counter()
        self.verified: Counter[str] = Counter()
        self.order: list[str] = []
        self.delay = delay
        self.fail_before_effect: set[str] = set()
        self.crash_before_effect: set[str] = set()
        self.crash_after_effect: set[str] = set()

    async def __call__(self, step: StepContext) -> StepOutcome:
        self.calls[step.name] += 1
        self.order.append(step.name)
        if self.delay:
            await asyncio.sleep(self.delay)
        if step.name in self.fail_before_effect:
            self.fail_before_effect.discard(step.name)
            raise Unavailable("Graph did not answer", request_id=f"req-fail-{step.name}")
        if step.name in self.crash_before_effect:
            self.crash_before_effect.discard(step.name)
            raise Crash(step.name)
        self.effects[step.name] += 1
        if step.name in self.crash_after_effect:
            self.crash_after_effect.discard(step.name)
            raise Crash(step.name)
        return StepOutcome({"step": step.name, **step.params}, f"req-{step.name}-{step.attempt}")

    async def verify(self, step: StepContext) -> StepOutcome | None:
        self.verified[step.name] += 1
        if self.effects[step.name]:
            return StepOutcome({"step": step.name, "verified": True}, f"req-verify-{step.name}")
        return None


def later(minutes: int = 10) -> SetClock:
    """A clock for a worker that starts after a dead worker's lease has run out (the stores'
    sessions run on ``SetClock.on_day(TODAY)``)."""
    clock = SetClock.on_day(TODAY)
    clock.advance(dt.timedelta(minutes=minutes))
    return clock


async def plan(journal: Journal, operation_id: str, mailbox: str = "wethouder@gemeente.example"):
    return await journal.plan(
        operation_id=operation_id,
        kind="quick_step",
        actor="secretaris@gemeente.example",
        on_behalf_of="wethouder@gemeente.example",
        mailbox=mailbox,
        steps=STEPS,
    )
