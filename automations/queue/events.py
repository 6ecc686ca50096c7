"""Live updates for open panes: a small in-process broadcaster of queue events.

Each open Werkvoorraad subscribes; a claim, a release or a "neem over" is published once and
reaches every subscriber of that mailbox. With several server instances the events of one do
not reach the panes of another; PostgreSQL's LISTEN/NOTIFY would carry them (not built yet).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

__all__ = ["Broadcaster"]


class Broadcaster:
    def __init__(self, backlog: int = 100) -> None:
        self._subscribers: set[asyncio.Queue[dict[str, Any]]] = set()
        self._backlog = backlog

    def publish(self, event: dict[str, Any]) -> None:
        for queue in list(self._subscribers):
            with contextlib.suppress(asyncio.QueueFull):  # a stalled pane misses an update
                queue.put_nowait(event)

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(self._backlog)
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)

    @property
    def listeners(self) -> int:
        return len(self._subscribers)
