"""``Prefer: wait=N`` (RFC 7240) for work handed to a worker: the API answers at once with
202 and the work's state; a caller who would rather have the outcome says how many seconds
it may wait, and gets 200 with the finished state if it came within that time.

The task pane never waits: it polls the progress route and shows each step as it happens.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import TypeVar

__all__ = ["MAX_WAIT_S", "prefer_wait", "waited"]

T = TypeVar("T")

MAX_WAIT_S = 120.0
_WAIT = re.compile(r"(?:^|[,;\s])wait\s*=\s*\"?(\d{1,4})\"?", re.IGNORECASE)
POLL_S = 0.1  # how often the journal is read while a caller waits (machine time)


def prefer_wait(header: str | None) -> float:
    """Seconds the caller will wait (0: answer at once), at most ``MAX_WAIT_S``."""
    match = _WAIT.search(header or "")
    return min(float(match.group(1)), MAX_WAIT_S) if match else 0.0


async def waited(
    read: Callable[[], Awaitable[T]], finished: Callable[[T], bool], seconds: float
) -> T:
    """The state ``read`` gives once ``finished``, or the last one read after ``seconds``."""
    state = await read()
    if seconds <= 0 or finished(state):
        return state
    loop = asyncio.get_running_loop()
    until = loop.time() + seconds
    while not finished(state) and loop.time() < until:
        await asyncio.sleep(min(POLL_S, max(0.0, until - loop.time())))
        state = await read()
    return state
