"""One Inbox delta per mailbox at a time, however many reasons to run one arrive.

Graph posts one notification per change, so a burst of mail brings a burst of posts. Each only
marks its mailbox *changed*; the mailbox's runner waits ``settle_s`` for the rest of the burst,
then runs the delta, and (after settling again) once more if anything was marked while it ran.
So a burst costs one delta per mailbox (two when it straddles a run), and no reason is ever
dropped: a mark made during a run is read by the run after it.

The outcome goes out three ways: ``latest`` (per mailbox, in this process), the ``inbox`` event
on the queue's event stream (open panes and the Werkvoorraad of every instance redraw), and
``subscribe`` (an async hook for features that follow the Inbox in this process). A delta that
fails leaves the delta link where it was; the next reason reads the same changes again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from typing import Any

from automations.context import Deps
from automations.errors import AppError
from automations.graph import GraphSession
from automations.inbox.delta import sync_inbox
from automations.inbox.models import InboxDelta

__all__ = ["EVENT", "SETTLE_S", "InboxWatcher"]

log = logging.getLogger(__name__)

EVENT = "inbox"  # the event's type on the queue's stream
SETTLE_S = 0.25  # how long a runner waits for the rest of a burst before it reads

GraphOpener = Callable[[], AbstractAsyncContextManager[GraphSession]]


class InboxWatcher:
    """Runs the Inbox delta for marked mailboxes, coalesced, with the app's Graph identity.

    ``webhook_url`` is where Graph posts notifications (``None``: polling, no subscriptions).
    """

    def __init__(
        self, *, deps: Deps, graph: GraphOpener, webhook_url: str | None,
        settle_s: float = SETTLE_S,
    ) -> None:  # fmt: skip
        self.deps = deps
        self.graph = graph
        self.webhook_url = webhook_url
        self.settle_s = settle_s
        self.latest: dict[str, InboxDelta] = {}
        self.runs = 0  # deltas run by this watcher (benchmarks, tests)
        self.reported = 0  # arrivals announced: each new mail once, however often notified
        self._marked: dict[str, list[str]] = {}
        self._runners: dict[str, asyncio.Task[None]] = {}
        self._background: set[asyncio.Task[Any]] = set()
        self._hooks: set[asyncio.Queue[InboxDelta]] = set()

    # -- reasons to read -------------------------------------------------------------------
    def changed(self, mailbox: str, reason: str) -> None:
        """Something may have changed in the mailbox's Inbox: read it soon (coalesced)."""
        mailbox = mailbox.lower()
        reasons = self._marked.setdefault(mailbox, [])
        if reason not in reasons:
            reasons.append(reason)
        if mailbox not in self._runners:
            loop = asyncio.get_running_loop()
            self._runners[mailbox] = loop.create_task(self._run(mailbox), name=f"inbox:{mailbox}")

    @property
    def busy(self) -> bool:
        """Whether a read is asked for or under way (or a renewal, a new subscription)."""
        return bool(self._marked or self._runners or self._background)

    async def settled(self, mailboxes: list[str] | None = None) -> None:
        """Until the runners of ``mailboxes`` (all by default) have nothing left to read."""
        while True:
            waiting = [t for m, t in self._runners.items() if mailboxes is None or m in mailboxes]
            if not waiting:
                return
            await asyncio.gather(*waiting, return_exceptions=True)

    def spawn(self, work: Coroutine[Any, Any, Any], name: str) -> None:
        """Background work a notification asked for (renew, recreate): kept until it is done,
        its failure logged, so the webhook can answer Graph at once."""
        task = asyncio.get_running_loop().create_task(self._guard(work, name), name=name)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _guard(self, work: Coroutine[Any, Any, Any], name: str) -> None:
        try:
            await work
        except AppError as exc:
            log.warning("%s failed: %s", name, exc)
        except Exception:
            log.exception("%s failed", name)

    async def idle(self) -> None:
        """Until every runner and background task of this watcher is done."""
        while self._runners or self._background:
            await asyncio.gather(*self._runners.values(), *self._background,
                                 return_exceptions=True)  # fmt: skip

    # -- the runner ------------------------------------------------------------------------
    async def _run(self, mailbox: str) -> None:
        try:
            while mailbox in self._marked:
                # Before every read, also the one after a read that was marked meanwhile: a
                # burst that straddles a read is then one more read, not one per notification.
                if self.settle_s > 0:
                    await asyncio.sleep(self.settle_s)
                reasons = tuple(self._marked.pop(mailbox))
                await self._read(mailbox, reasons)
        finally:
            self._runners.pop(mailbox, None)

    async def _read(self, mailbox: str, reasons: tuple[str, ...]) -> None:
        try:
            async with self.graph() as graph:
                delta = await sync_inbox(graph=graph, sessions=self.deps.sessions,
                                         mailbox=mailbox, reasons=reasons)  # fmt: skip
        except AppError as exc:  # the link stays; the next reason reads these changes again
            log.warning("Inbox delta of %s failed: %s", mailbox, exc)
            return
        except Exception:
            log.exception("Inbox delta of %s failed", mailbox)
            return
        self.runs += 1
        self.reported += len(delta.arrived)
        self.latest[mailbox] = delta
        # An unchanged Inbox is the usual answer to a poll: not worth a line every 30 s.
        level = logging.DEBUG if delta.empty else logging.INFO
        log.log(level, "Inbox of %s (%s): %s", mailbox, ",".join(reasons), delta.counts())
        if delta.empty:
            return
        self.deps.publish(EVENT, mailbox, **delta.counts())
        for hook in list(self._hooks):
            with contextlib.suppress(asyncio.QueueFull):  # a stalled follower misses one
                hook.put_nowait(delta)

    # -- followers -------------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def subscribe(self, backlog: int = 100) -> AsyncIterator[asyncio.Queue[InboxDelta]]:
        """Every non-empty delta from now on, as it is read (in this process)."""
        queue: asyncio.Queue[InboxDelta] = asyncio.Queue(backlog)
        self._hooks.add(queue)
        try:
            yield queue
        finally:
            self._hooks.discard(queue)

    async def aclose(self) -> None:
        for task in [*self._runners.values(), *self._background]:
            task.cancel()
        await asyncio.gather(*self._runners.values(), *self._background, return_exceptions=True)
        self._runners.clear()
        self._background.clear()
