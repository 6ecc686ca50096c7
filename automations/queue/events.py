"""Live updates for open panes: queue events (claims, releases, "neem over", closed items).

Each open Werkvoorraad or Bericht subscribes; an event published once reaches every subscriber
(the SSE route filters by mailbox). ``Broadcaster`` keeps it in the process: enough for one
server. With the store on PostgreSQL, ``PgBroadcaster`` carries events through LISTEN/NOTIFY,
so panes connected to one instance see what was done on another.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import asyncpg

__all__ = ["CHANNEL", "Broadcaster", "PgBroadcaster", "broadcaster_for"]

log = logging.getLogger(__name__)
CHANNEL = "secretariaat_queue"


class Broadcaster:
    def __init__(self, backlog: int = 100) -> None:
        self._subscribers: set[asyncio.Queue[dict[str, Any]]] = set()
        self._backlog = backlog

    def publish(self, event: dict[str, Any]) -> None:
        self._deliver(event)

    def _deliver(self, event: dict[str, Any]) -> None:
        for queue in list(self._subscribers):
            with contextlib.suppress(asyncio.QueueFull):  # a stalled pane misses an update
                queue.put_nowait(event)

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        await self._ready()
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(self._backlog)
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)

    async def _ready(self) -> bool:
        """Nothing to set up in-process."""
        return True

    async def aclose(self) -> None:
        """Nothing to close in-process."""

    @property
    def listeners(self) -> int:
        return len(self._subscribers)


class PgBroadcaster(Broadcaster):
    """Events through PostgreSQL: NOTIFY on publish, one LISTEN connection per process.

    Connections are made on first use (tests build apps without running their lifespan). If
    PostgreSQL cannot be reached the event is delivered in-process only: a pane of another
    instance then learns it at its next reload, which is what it did before live updates.
    """

    def __init__(self, dsn: str, backlog: int = 100) -> None:
        super().__init__(backlog)
        self._dsn = dsn
        self._listen: asyncpg.Connection | None = None
        self._send: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()

    async def _ready(self) -> bool:
        """Listening (or not, when PostgreSQL cannot be reached: then events stay local)."""
        async with self._lock:
            if self._listen is not None and not self._listen.is_closed():
                return True
            try:
                self._listen = await asyncpg.connect(self._dsn, timeout=5)
                await self._listen.add_listener(CHANNEL, self._on_notify)
            except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
                log.warning("not listening for queue events through PostgreSQL: %s", exc)
                self._listen = None
                return False
            return True

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        try:
            self._deliver(json.loads(payload))
        except ValueError:
            log.warning("queue event that is not JSON ignored")

    def publish(self, event: dict[str, Any]) -> None:
        task = asyncio.get_running_loop().create_task(self._notify(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _notify(self, event: dict[str, Any]) -> None:
        if not await self._ready():  # our own listener hears it too: one path for every pane
            self._deliver(event)
            return
        try:
            async with self._lock:
                if self._send is None or self._send.is_closed():
                    self._send = await asyncpg.connect(self._dsn, timeout=5)
                await self._send.execute("SELECT pg_notify($1, $2)", CHANNEL, json.dumps(event))
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            log.warning("queue event not sent through PostgreSQL (%s); delivered here only", exc)
            self._deliver(event)

    async def aclose(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        for conn in (self._listen, self._send):
            if conn is not None and not conn.is_closed():
                await conn.close()
        self._listen = self._send = None


def broadcaster_for(database_url: str) -> Broadcaster:
    """PostgreSQL store → events through it; otherwise in this process."""
    if database_url.startswith("postgresql"):
        return PgBroadcaster("postgresql://" + database_url.split("://", 1)[1])
    return Broadcaster()
