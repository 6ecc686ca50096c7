"""At most four requests in flight per mailbox, for the whole process (DESIGN principle 4).

Exchange allows 4 concurrent requests per app and mailbox and answers a fifth with 429; the
app-only identity and every delegated user share that app, so one limiter per gateway counts
them all. The mailbox is the ``/users/{id}`` segment of the URL (``/me`` counts as the
session's own user). A ``$batch`` holds ``min(4, n)`` slots of each mailbox it has ``n``
sub-requests for, because Graph runs up to four of its sub-requests at once: a full batch
therefore has its mailbox to itself while it runs, and plain requests and other batches wait.
Waiters are served first come, first served, so a batch is not starved by single requests.

Other processes of the app count too: given ``shared`` slots (``shared_limits.py``, on
PostgreSQL), ``hold`` takes this process's gates first and then as many shared slots, so at
most four requests per mailbox are in flight across every process. When Graph answers with
``Retry-After`` the transport calls ``throttled``: until then ``hold`` lets no request to that
mailbox go, here (kept in memory) and, through ``shared``, in every other process.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import random
import re
from collections import deque
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from urllib.parse import unquote

from automations.clock import Clock, SystemClock
from automations.graph.shared_limits import SharedSlots

__all__ = ["MailboxLimiter", "batch_weights", "current_me", "mailbox_key"]

RESUME_SPREAD_S = 0.2  # after a throttle, waiters go over this long, not all at once
_SPREAD_MAX = dt.timedelta(seconds=RESUME_SPREAD_S)

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
    """Permits per mailbox; ``hold({mailbox: n})`` for the duration of one attempt.

    ``shared``: the slots other processes count in too (None: this process is the only one).
    ``clock`` and ``poll_s``: how a throttled mailbox's wait is measured, and the longest
    pause before the clock is asked again (a test moves its clock instead of sleeping).
    """

    def __init__(
        self,
        capacity: int = 4,
        shared: SharedSlots | None = None,
        *,
        clock: Clock | None = None,
        poll_s: float = 1.0,
    ) -> None:
        self.capacity = capacity
        self.shared = shared
        self._gates: dict[str, _Gate] = {}
        self._clock: Clock = clock or SystemClock()
        self._poll_s = poll_s
        self._throttled: dict[str, dt.datetime] = {}

    def in_flight(self, key: str) -> int:
        gate = self._gates.get(key)
        return 0 if gate is None else gate.capacity - gate.free

    async def throttled(self, mailboxes: Iterable[str], delay_s: float) -> None:
        """Graph asked to leave ``mailboxes`` alone for ``delay_s`` (its Retry-After): no
        request to them starts before then, in this process or (through ``shared``) any."""
        if delay_s <= 0:
            return
        now = self._clock.now()
        for key, was in list(self._throttled.items()):  # long over, and never asked about
            if was + _SPREAD_MAX <= now:
                del self._throttled[key]
        until = now + dt.timedelta(seconds=delay_s)
        keys = sorted(set(mailboxes))
        for key in keys:  # before the first await: a request let go meanwhile sees it
            self._throttled[key] = max(self._throttled.get(key, until), until)
        if self.shared is not None:
            for key in keys:
                await self.shared.throttle(key, until)

    @asynccontextmanager
    async def hold(self, weights: Mapping[str, int]) -> AsyncIterator[None]:
        # Always in sorted order, so two batches over the same mailboxes cannot deadlock.
        held: list[tuple[str, int]] = []
        token: object | None = None
        try:
            for key in sorted(weights):
                n = max(1, min(self.capacity, weights[key]))
                gate = self._gates.setdefault(key, _Gate(self.capacity))
                await gate.acquire(n)
                held.append((key, n))
            if held:
                await self._wait_while_throttled([key for key, _n in held])
                if self.shared is not None:  # all or nothing there: no order needed
                    token = await self.shared.acquire(dict(held))
            yield
        finally:
            try:
                if token is not None and self.shared is not None:
                    await self.shared.release(token)
            finally:
                for key, n in reversed(held):
                    gate = self._gates[key]
                    gate.release(n)
                    if gate.idle:
                        del self._gates[key]

    async def _wait_while_throttled(self, keys: list[str]) -> None:
        """Until no mailbox of ``keys`` is throttled here (``shared`` checks every process's
        throttles itself, in the same round trip as its slots), and then a random moment
        more (up to ``RESUME_SPREAD_S``): waiters that all went at the same instant would
        meet another process's requests all at once, and be throttled again together."""
        spread = dt.timedelta(seconds=random.uniform(0, RESUME_SPREAD_S))
        while True:
            now = self._clock.now()
            for key in keys:  # over for every waiter: forgotten
                if key in self._throttled and self._throttled[key] + _SPREAD_MAX <= now:
                    del self._throttled[key]
            until = max((self._throttled[k] for k in keys if k in self._throttled), default=None)
            if until is None or until + spread <= now:
                return
            left = (until + spread - now).total_seconds()
            await asyncio.sleep(min(left, self._poll_s))
