"""At most four requests in flight per mailbox, for the whole process (DESIGN principle 4).

Exchange allows 4 concurrent requests per app and mailbox and answers a fifth with 429; the
app-only identity and every delegated user share that app, so one limiter per gateway counts
them all. The mailbox is the ``/users/{id}`` segment of the URL (``/me`` counts as the
session's own user). A ``$batch`` holds ``min(4, n)`` slots of each mailbox it has ``n``
sub-requests for, because Graph runs up to four of its sub-requests at once: a full batch
therefore has its mailbox to itself while it runs, and plain requests and other batches wait.
Waiters are served first come, first served, so a batch is not starved by single requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections import deque
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from urllib.parse import unquote

__all__ = ["MailboxLimiter", "batch_weights", "current_me", "mailbox_key"]

_USER = re.compile(r"^/users/([^/?]+)/", re.IGNORECASE)
_ME = re.compile(r"^/me(?:/|$)", re.IGNORECASE)

# The mailbox ``/me`` stands for, set by the session that sends the request.
current_me: ContextVar[str] = ContextVar("graph_current_me", default="me")


def mailbox_key(path: str) -> str | None:
    """The mailbox a Graph path (relative to /v1.0) addresses, or None for tenant-wide calls.

    Directory look-ups (``/users/{id}`` alone) do not touch a mailbox and are not counted.
    """
    if _ME.match(path):
        return current_me.get()
    match = _USER.match(path)
    return unquote(match.group(1)).lower() if match else None


def batch_weights(body: bytes, capacity: int) -> dict[str, int]:
    """Slots a ``$batch`` body needs: per mailbox, ``min(capacity, its sub-requests)``."""
    try:
        requests = json.loads(body or b"{}").get("requests") or []
    except (ValueError, AttributeError):
        return {}
    counts: dict[str, int] = {}
    for item in requests:
        url = item.get("url") if isinstance(item, dict) else None
        key = mailbox_key("/" + url.lstrip("/")) if isinstance(url, str) else None
        if key is not None:
            counts[key] = counts.get(key, 0) + 1
    return {key: min(capacity, n) for key, n in counts.items()}


class _Gate:
    """A FIFO semaphore whose waiters may take several permits at once."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.free = capacity
        self.waiters: deque[tuple[int, asyncio.Future[None]]] = deque()

    @property
    def idle(self) -> bool:
        return self.free == self.capacity and not self.waiters

    async def acquire(self, n: int) -> None:
        if not self.waiters and self.free >= n:
            self.free -= n
            return
        entry = (n, asyncio.get_running_loop().create_future())
        self.waiters.append(entry)
        try:
            await entry[1]
        except asyncio.CancelledError:
            if entry[1].done() and not entry[1].cancelled():
                self.release(n)  # granted just as we were cancelled: hand it back
            else:
                with contextlib.suppress(ValueError):  # ``_wake`` may have dropped it already
                    self.waiters.remove(entry)
                self._wake()  # a smaller waiter behind us may fit now
            raise

    def release(self, n: int) -> None:
        self.free += n
        self._wake()

    def _wake(self) -> None:
        """Grant permits in order; a waiter cancelled in this same loop turn (its future done,
        its ``except`` not yet run) is skipped, not granted: its permits would be lost."""
        while self.waiters:
            n, fut = self.waiters[0]
            if fut.done():
                self.waiters.popleft()
                continue
            if n > self.free:
                return
            self.waiters.popleft()
            self.free -= n
            fut.set_result(None)


class MailboxLimiter:
    """Permits per mailbox; ``hold({mailbox: n})`` for the duration of one attempt."""

    def __init__(self, capacity: int = 4) -> None:
        self.capacity = capacity
        self._gates: dict[str, _Gate] = {}

    def in_flight(self, key: str) -> int:
        gate = self._gates.get(key)
        return 0 if gate is None else gate.capacity - gate.free

    @asynccontextmanager
    async def hold(self, weights: Mapping[str, int]) -> AsyncIterator[None]:
        # Always in sorted order, so two batches over the same mailboxes cannot deadlock.
        held: list[tuple[str, int]] = []
        try:
            for key in sorted(weights):
                n = max(1, min(self.capacity, weights[key]))
                gate = self._gates.setdefault(key, _Gate(self.capacity))
                await gate.acquire(n)
                held.append((key, n))
            yield
        finally:
            for key, n in reversed(held):
                gate = self._gates[key]
                gate.release(n)
                if gate.idle:
                    del self._gates[key]
