"""``create_app(settings)``: the backend's FastAPI app, built from explicit settings."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

from automations.clock import Clock
from automations.context import Deps
from automations.graph import GraphGateway, token_source_for
from automations.queue.events import broadcaster_for
from automations.store import create_engine, session_factory
from server.addin.manifest import ADDIN_DIR
from server.auth import TokenValidator
from server.errors import install_error_handlers
from server.logs import request_id_var
from server.pane import STATIC_DIR
from server.routes import (
    addin,
    approvals,
    audit,
    calamity,
    dispatches,
    harness,
    health,
    mailboxes,
    me,
    meetings,
    pane,
    pane_admin,
    pane_agenda,
    pane_approvals,
    pane_calamity,
    pane_meetings,
    pane_message,
    pane_queue,
    queue,
    quicksteps,
    roster,
    templates,
)
from server.scheduler import start_scheduler
from server.settings import Settings
from server.startup import graph_config

__all__ = ["create_app"]

log = logging.getLogger(__name__)

# Our pages run our scripts and Office.js from Microsoft's CDN, nothing else; mail shown in them
# is escaped text, and this is the second line of defence if that ever failed.
PAGE_POLICY = (
    "script-src 'self' https://appsforoffice.microsoft.com; object-src 'none'; base-uri 'none'"
)


def create_app(settings: Settings, *, clock: Clock | None = None) -> FastAPI:
    """The app; ``clock`` overrides the settings' clock (tests hand in theirs)."""
    identity = settings.identity()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.scheduler = start_scheduler(app, settings)
        yield
        if app.state.scheduler is not None:
            app.state.scheduler.shutdown(wait=False)
        await app.state.events.aclose()
        await app.state.validator.aclose()
        await app.state.gateway.aclose()
        await app.state.engine.dispose()

    app = FastAPI(
        title="Secretariaat",
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/api/docs",
        openapi_url="/api/v1/openapi.json",
    )
    app.state.settings = settings
    app.state.identity = identity
    app.state.validator = TokenValidator(identity)
    config = graph_config(identity)
    app.state.gateway = GraphGateway(config, token_source_for(config))
    app.state.engine = create_engine(settings.database_url)
    app.state.clock = clock or settings.make_clock()
    app.state.sessions = session_factory(app.state.engine, clock=app.state.clock)
    app.state.events = broadcaster_for(settings.database_url)
    app.state.deps = Deps(
        sessions=app.state.sessions,
        clock=app.state.clock,
        events=app.state.events,
        claim_ttl=dt.timedelta(minutes=settings.claim_minutes),
        base_url=settings.base_url,
    )
    app.state.journal = app.state.deps.journal
    install_error_handlers(app)

    @app.middleware("http")
    async def request_id(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Every response carries a request id; a caller's own id is kept if it sent one."""
        rid = request.headers.get("x-request-id") or str(uuid.uuid4())
        if len(rid) > 128 or not rid.isprintable():
            rid = str(uuid.uuid4())  # a caller's id goes into logs: keep it short and plain
        request.state.request_id = rid
        token = request_id_var.set(rid)
        try:
            response = await call_next(request)
        finally:
            request_id_var.reset(token)
        response.headers["X-Request-Id"] = rid
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers.setdefault("Content-Security-Policy", PAGE_POLICY)
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    for module in (
        health,
        me,
        mailboxes,
        roster,
        audit,
        quicksteps,
        dispatches,
        templates,
        approvals,
        calamity,
        meetings,
        queue,
        addin,
        pane_message,
        pane_agenda,
        pane_admin,
        pane_approvals,
        pane_calamity,
        pane_meetings,
        pane_queue,
        pane,
        harness,
    ):
        app.include_router(module.router)
    app.mount("/addin/icons", StaticFiles(directory=ADDIN_DIR / "icons"), name="addin-icons")
    app.mount("/pane/static", StaticFiles(directory=STATIC_DIR), name="pane-static")
    return app
