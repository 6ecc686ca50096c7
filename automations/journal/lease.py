"""The heartbeat that keeps a live worker's lease on an operation, and only a live one's.

Why short leases with a heartbeat: a lease that must outlast the slowest step (minutes) also
keeps a killed worker's operation locked for minutes; anyone who runs it again meanwhile is
told it is "being run by another worker". So the lease is short (``DEFAULT_LEASE``) and a
background task renews it every third of its length while the run is alive. A killed
process renews nothing, and its operation can be finished by another within seconds.

The heartbeat never cancels database work: ``stop`` lets a renewal that is under way finish,
and only the wait between renewals is interrupted. When a renewal finds the lease taken
over, the heartbeat stops; the run itself stops at its next step transition, which checks
the lease again (``OperationInProgress``).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import SQLAlchemyError

__all__ = ["DEFAULT_LEASE", "Heartbeat", "Sleep"]

log = logging.getLogger(__name__)

DEFAULT_LEASE = dt.timedelta(seconds=15)

Sleep = Callable[[float], Awaitable[None]]


class Heartbeat:
    """Calls ``renew`` every ``interval`` until stopped or until ``renew`` says the lease is
    no longer ours (returns False). Use as ``async with``."""

    def __init__(
        self, operation_id: str, renew: Callable[[], Awaitable[bool]], *, interval: float,
        sleep: Sleep,
    ) -> None:  # fmt: skip
        self._operation_id = operation_id
        self._renew = renew
        self._interval = interval
        self._sleep = sleep
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Heartbeat:
        self._task = asyncio.ensure_future(self._beat())
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _beat(self) -> None:
        while not self._stop.is_set():
            if not await self._wait():
                return
            try:
                if not await self._renew():
                    log.info("operation %s: lease no longer ours; heartbeat stops",
                             self._operation_id)  # fmt: skip
                    return
            except SQLAlchemyError as exc:  # the store hiccupped: the next beat tries again
                log.warning("operation %s: lease not renewed: %s", self._operation_id, exc)
            except Exception:  # never let the heartbeat fail a run whose steps succeeded
                log.exception("operation %s: heartbeat stops", self._operation_id)
                return

    async def _wait(self) -> bool:
        """Sleep one interval; False when stopped meanwhile."""
        sleeping = asyncio.ensure_future(self._sleep(self._interval))
        stopped = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait({sleeping, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in (sleeping, stopped):
                waiting.cancel()
            await asyncio.gather(sleeping, stopped, return_exceptions=True)
        return not self._stop.is_set()
