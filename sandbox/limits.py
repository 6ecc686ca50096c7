"""Exchange's limits and the sandbox's fault injection.

Per app and mailbox at most ``concurrency`` requests run at once (more get 429
ApplicationThrottled with Retry-After, as Exchange answers a MailboxConcurrency breach) and at
most ``budget`` requests per ``window`` seconds. Exchange Online's sending limits (messages a
minute, recipients a day, recipients a message; ``sandbox.mail.submission``) are settings here
too, handed to the request being served. Faults are drawn from a seeded generator, so a
run with the same ``--seed`` and the same request order sees the same faults.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import ApplicationThrottled
from sandbox.mail.submission import SendingLimits, current_limits

__all__ = ["ALL_FAULT_KINDS", "FAULT_KINDS", "Limits", "LimitSettings"]

FAULT_KINDS = ("429", "503", "504", "drop")
# Opt-in: the request is carried out, then the connection drops before the answer arrives
# (504 inside a $batch). This is the case that makes send/forward/cancel non-idempotent.
ALL_FAULT_KINDS = (*FAULT_KINDS, "drop_after")


@dataclass
class LimitSettings:
    latency_ms: float = 0.0
    fault_rate: float = 0.0
    seed: int = 0
    concurrency: int = 4
    budget: int = 10_000
    window_s: float = 600.0
    batch_parallel: int = 4
    retry_after_s: int = 1
    fault_kinds: tuple[str, ...] = FAULT_KINDS
    # Exchange Online's sending limits per mailbox, as documented (see sandbox.mail.submission)
    message_rate: int = 30
    recipient_rate: int = 10_000
    recipient_limit: int = 500

    def sending(self) -> SendingLimits:
        return SendingLimits(self.message_rate, self.recipient_rate, self.recipient_limit)


@dataclass
class Limits:
    settings: LimitSettings = field(default_factory=LimitSettings)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._rng = random.Random(self.settings.seed)
        self.in_flight: dict[tuple[str, str], int] = defaultdict(int)
        self.max_in_flight: dict[tuple[str, str], int] = defaultdict(int)
        self.requests: dict[str, int] = defaultdict(int)
        self.throttled: dict[str, int] = defaultdict(int)
        self.faults: dict[str, int] = defaultdict(int)
        self._history: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self.total = 0
        self.delayed_ms = 0.0  # latency added, so a test can see it without timing it

    def configure(self, **changes: Any) -> None:
        """Change settings all at once or not at all; ``ValueError`` names what is wrong."""
        validated = {name: _validated(name, value) for name, value in changes.items()}
        for name, value in validated.items():
            setattr(self.settings, name, value)
        self._rng = random.Random(self.settings.seed)

    def draw_fault(self) -> str | None:
        """One deterministic draw per request: which fault to inject, if any."""
        if self.settings.fault_rate <= 0:
            return None
        roll, kind = self._rng.random(), self._rng.choice(self.settings.fault_kinds)
        if roll >= self.settings.fault_rate:
            return None
        self.faults[kind] += 1
        return kind

    @asynccontextmanager
    async def slot(self, app_id: str, mailbox: str | None) -> AsyncIterator[None]:
        """Hold one of the mailbox's concurrent slots while the request runs (and hand it
        the sending limits in force)."""
        self.total += 1
        current_limits.set(self.settings.sending())
        if mailbox is None:
            await self._latency()
            yield
            return
        key = (app_id, mailbox)
        self.requests[mailbox] += 1
        now = time.monotonic()
        history = self._history[key]
        while history and now - history[0] > self.settings.window_s:
            history.popleft()
        if len(history) >= self.settings.budget:
            self.throttled[mailbox] += 1
            retry = max(1, int(self.settings.window_s - (now - history[0])) + 1)
            raise ApplicationThrottled(
                "Application is over its MailboxConcurrency limit.", retry_after=retry
            )
        if self.in_flight[key] >= self.settings.concurrency:
            self.throttled[mailbox] += 1
            raise ApplicationThrottled(
                "Application is over its MailboxConcurrency limit.",
                retry_after=self.settings.retry_after_s,
            )
        history.append(now)
        self.in_flight[key] += 1
        self.max_in_flight[key] = max(self.max_in_flight[key], self.in_flight[key])
        try:
            await self._latency()
            yield
        finally:
            self.in_flight[key] -= 1

    async def _latency(self) -> None:
        if self.settings.latency_ms > 0:
            self.delayed_ms += self.settings.latency_ms
            await asyncio.sleep(self.settings.latency_ms / 1000)

    def snapshot(self) -> dict[str, Any]:
        per_mailbox: dict[str, int] = defaultdict(int)
        for (_app, mailbox), peak in self.max_in_flight.items():
            per_mailbox[mailbox] = max(per_mailbox[mailbox], peak)
        return {
            "total": self.total,
            "delayedMs": self.delayed_ms,
            "requests": dict(self.requests),
            "maxConcurrency": dict(per_mailbox),
            "throttled": dict(self.throttled),
            "faults": dict(self.faults),
            "settings": {
                "latencyMs": self.settings.latency_ms,
                "faultRate": self.settings.fault_rate,
                "seed": self.settings.seed,
                "concurrency": self.settings.concurrency,
                "budget": self.settings.budget,
                "windowS": self.settings.window_s,
                "batchParallel": self.settings.batch_parallel,
                "retryAfterS": self.settings.retry_after_s,
                "faultKinds": list(self.settings.fault_kinds),
                "messageRate": self.settings.message_rate,
                "recipientRate": self.settings.recipient_rate,
                "recipientLimit": self.settings.recipient_limit,
            },
        }


# Per numeric setting: the JSON types it accepts and its smallest allowed value.
_NUMBERS: dict[str, tuple[type | tuple[type, ...], float]] = {
    "latency_ms": ((int, float), 0),
    "fault_rate": ((int, float), 0),
    "seed": (int, float("-inf")),
    "concurrency": (int, 1),
    "budget": (int, 1),
    "window_s": ((int, float), 0.001),
    "batch_parallel": (int, 1),
    "retry_after_s": (int, 0),
    "message_rate": (int, 1),
    "recipient_rate": (int, 1),
    "recipient_limit": (int, 1),
}


def _validated(name: str, value: Any) -> Any:
    """One setting from JSON, checked for type and range (``bool`` is not a number here)."""
    if name == "fault_kinds":
        if not isinstance(value, list | tuple) or not value:
            raise ValueError("fault_kinds must be a non-empty list of fault kinds")
        unknown = [k for k in value if k not in ALL_FAULT_KINDS]
        if unknown:
            raise ValueError(
                f"unknown fault kinds {unknown!r}; choose from {list(ALL_FAULT_KINDS)}"
            )
        return tuple(value)
    if name not in _NUMBERS:
        raise ValueError(f"unknown limit setting {name!r}")
    kinds, low = _NUMBERS[name]
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise ValueError(f"{name} must be a number, not {type(value).__name__}")
    if value < low or (name == "fault_rate" and value > 1):
        raise ValueError(f"{name} is out of range: {value!r}")
    default = getattr(LimitSettings(), name)
    return type(default)(value)
