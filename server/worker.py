"""``secretariaat worker``: a process that runs the task queue's tasks and nothing else.

Built from the same settings as the server, with the same parts a flow needs (store, clock,
Graph gateway with the shared per-mailbox limit, the vault of delegations, and the event
publisher, so open panes on any instance see the progress). Several workers on several
machines share the queue in PostgreSQL; a worker that dies leaves its tasks to the others.
SIGTERM and SIGINT stop it after the tasks it runs reach a step boundary or are cancelled
(the journal finishes them elsewhere).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import signal
import socket

from automations.context import Deps
from automations.graph import GraphGateway, token_source_for
from automations.graph.shared_limits import shared_slots_for
from automations.metrics import use_pseudonym_key
from automations.queue.events import broadcaster_for
from automations.store import create_engine, session_factory
from automations.tasks import Runtime, TaskQueue, queue_app
from server.settings import Settings
from server.startup import graph_config, token_vault

__all__ = ["run_worker"]

log = logging.getLogger(__name__)


async def run_worker(settings: Settings, *, name: str | None = None) -> None:
    """Run tasks until SIGTERM/SIGINT."""
    identity = settings.identity()
    use_pseudonym_key(settings.pseudonym_secret(identity))  # the same pseudonyms as the API's
    config = graph_config(identity)
    clock = settings.make_clock()
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine, clock=clock)
    events = broadcaster_for(settings.database_url)
    slots = shared_slots_for(settings.database_url, config.client_id)  # 4 per mailbox, in all
    gateway = GraphGateway(config, token_source_for(config), shared_slots=slots)
    queue = TaskQueue(queue_app(settings.database_url), in_process=False,
                      settings=settings.worker_settings())  # fmt: skip
    deps = Deps(
        sessions=sessions, clock=clock, events=events,
        claim_ttl=dt.timedelta(minutes=settings.claim_minutes), base_url=settings.base_url,
        tasks=queue,
    )  # fmt: skip
    vault = token_vault(settings, identity, sessions, clock)
    queue.bind(Runtime(deps, gateway, vault, settings.job_settings()))
    name = name or f"{socket.gethostname()}:{os.getpid()}"
    running = asyncio.create_task(queue.run_worker(name=name), name="worker")
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, running.cancel)
    log.info("worker %s runs tasks from %s", name, "PostgreSQL")
    try:
        with contextlib.suppress(asyncio.CancelledError):
            await running
    finally:
        await queue.aclose()
        await events.aclose()
        await gateway.aclose()
        await engine.dispose()
