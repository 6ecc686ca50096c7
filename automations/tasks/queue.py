"""The task queue: Procrastinate on the store's PostgreSQL, or in memory for the embedded
default.

Why Procrastinate: the store already is PostgreSQL in production, so the queue needs no
broker to install, back up or secure; a deferred task and the journal live in one database;
its workers send heartbeats, so a task whose worker died is found and run again; and its
locks (``lock``: one at a time, ``queueing_lock``: one waiting) are what "nothing done twice"
asks of a queue. With SQLite (``make demo``, the tests) the same App runs on Procrastinate's
in-memory connector with a worker inside the server's event loop: the same tasks and the
same code path, no second process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.testing import InMemoryConnector
from sqlalchemy.engine import make_url

from automations.tasks.catalog import RUNTIME, register
from automations.tasks.runtime import Runtime

__all__ = ["QUEUE_SCHEMA", "TaskQueue", "WorkerSettings", "queue_app"]

log = logging.getLogger(__name__)

QUEUE_SCHEMA = "procrastinate"  # migration 0016 puts the queue's tables in their own schema
BATCH = 200  # tasks deferred in one insert


@dataclass(frozen=True)
class WorkerSettings:
    concurrency: int = 4  # tasks at a time per worker (Graph's limit per mailbox holds anyway)
    heartbeat_s: float = 5.0  # how often a live worker says so
    stalled_s: float = 30.0  # a worker silent this long is dead: its tasks run again
    recover_every_s: float = 5.0  # how often a worker looks for such tasks
    # Stopping (a deployment): tasks under way get this long to finish, then go back to the
    # queue for another worker, which resumes their operations.
    grace_s: float = 10.0


def queue_app(database_url: str) -> procrastinate.App:
    """The Procrastinate App for the store at ``database_url`` (its tasks registered)."""
    url = make_url(database_url)
    connector: Any
    if url.get_backend_name() == "postgresql":
        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        connector = procrastinate.PsycopgConnector(
            conninfo=conninfo, kwargs={"options": f"-c search_path={QUEUE_SCHEMA}"}
        )
    else:
        connector = InMemoryConnector()
    app = procrastinate.App(connector=connector)
    register(app)
    return app


class TaskQueue:
    """Defers tasks; runs a worker when asked (``run_worker``) or, in-process, from the first
    task on (``in_process``: the embedded default, where no other process would run it)."""

    def __init__(
        self, app: procrastinate.App, *, in_process: bool, settings: WorkerSettings | None = None
    ) -> None:
        self.app = app
        self.in_process = in_process
        self.settings = settings or WorkerSettings()
        self._runtime: Runtime | None = None
        self._opened = False
        self._worker: asyncio.Task[None] | None = None

    @property
    def in_memory(self) -> bool:
        return isinstance(self.app.connector, InMemoryConnector)

    def bind(self, runtime: Runtime) -> None:
        """What this process's worker runs tasks with (set once the runtime exists)."""
        self._runtime = runtime

    async def open(self) -> None:
        if not self._opened:
            await self.app.open_async()
            self._opened = True

    async def defer(self, task: str, *, lock: str, **args: Any) -> None:
        """Queue ``task``; a copy already waiting under ``lock`` is enough (a second click).
        Two copies never run one operation at once: the journal's lease refuses the second,
        which tries again later (so no Procrastinate ``lock``, which a dead worker's task
        would hold until it is found stalled)."""
        await self.open()
        try:
            await self.app.configure_task(task, queueing_lock=lock).defer_async(**args)
        except AlreadyEnqueued:
            log.info("task %s for %s is already waiting", task, lock)
        if self.in_process:
            self._start_in_process()

    async def defer_each(self, task: str, each: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """Queue many copies of ``task`` in a few round trips (a job run's mailboxes: one
        insert per ``BATCH``, not per mailbox). A batch that meets a waiting copy goes one by
        one, so the others still get in."""
        await self.open()
        for start in range(0, len(each), BATCH):
            chunk = each[start : start + BATCH]
            jobs = [
                self.app.configure_task(task, queueing_lock=lock, task_kwargs=args).job
                for lock, args in chunk
            ]
            try:
                await self.app.job_manager.batch_defer_jobs_async(jobs)
            except AlreadyEnqueued:
                for lock, args in chunk:
                    await self.defer(task, lock=lock, **args)
        if self.in_process and each:
            self._start_in_process()

    def _start_in_process(self) -> None:
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(
                self.run_worker(name=f"in-process:{os.getpid()}"), name="task-worker"
            )

    async def start(self) -> None:
        """Start the in-process worker now (server start-up), if this process runs one."""
        if self.in_process:
            await self.open()
            self._start_in_process()

    async def run_worker(self, *, name: str | None = None) -> None:
        """Run tasks until cancelled, and run again the tasks of workers that died."""
        if self._runtime is None:
            raise RuntimeError("bind a Runtime before running a worker")
        await self.open()
        s = self.settings
        recovering = asyncio.create_task(self._recover(), name="task-recovery")
        try:
            await self.app.run_worker_async(
                name=name or f"{socket.gethostname()}:{os.getpid()}",
                concurrency=s.concurrency,
                install_signal_handlers=False,
                update_heartbeat_interval=s.heartbeat_s,
                stalled_worker_timeout=s.stalled_s,
                additional_context={RUNTIME: self._runtime},
                shutdown_graceful_timeout=s.grace_s,
                delete_jobs="successful",
            )
        finally:
            recovering.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await recovering

    async def _recover(self) -> None:
        """Tasks left "doing" by a worker whose heartbeat stopped go back to the queue. Every
        worker looks; a task put back twice is still one job (its row), run once."""
        manager = self.app.job_manager
        while True:
            await asyncio.sleep(self.settings.recover_every_s)
            try:
                stalled = await manager.get_stalled_jobs(
                    seconds_since_heartbeat=self.settings.stalled_s
                )
                for job in stalled:
                    log.warning("task %s (%s) lost its worker: running it again",
                                job.id, job.task_name)  # fmt: skip
                    with contextlib.suppress(Exception):  # another worker put it back first
                        await manager.retry_job(job)
                await manager.prune_stalled_workers(self.settings.stalled_s)
            except Exception:  # the store hiccupped: look again next time
                log.exception("looking for stalled tasks failed")

    @property
    def worker(self) -> asyncio.Task[None] | None:
        """This process's own worker while it runs (in-process mode)."""
        return self._worker

    async def aclose(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        if self._opened:
            await self.app.close_async()
            self._opened = False
