"""``create_app(settings)``: the backend's FastAPI app, built from explicit settings."""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

from automations.clock import Clock
from automations.context import Deps
from automations.directory import Identities
from automations.graph import GraphGateway, token_source_for
from automations.graph.shared_limits import shared_slots_for
from automations.inbox.service import InboxWatcher
from automations.metrics import use_pseudonym_key
from automations.queue.events import broadcaster_for
from automations.store import create_engine, session_factory
from automations.tasks import Runtime, TaskQueue, queue_app
from server.addin.manifest import ADDIN_DIR
from server.auth import TokenValidator
from server.docs import install_docs
from server.errors import error_response, install_error_handlers
from server.logs import request_id_var
from server.openapi import install_openapi
from server.pane import STATIC_DIR
from server.routes import (
    access,
    addin,
    approvals,
    audit,
    calamity,
    dispatches,
    doctor,
    guest_page,
    harness,
    health,
    mail_notifications,
    mailboxes,
    me,
    meetings,
    metrics,
    pane,
    pane_access,
    pane_admin,
    pane_agenda,
    pane_approvals,
    pane_calamity,
    pane_meetings,
    pane_message,
    pane_planning,
    pane_processing,
    pane_queue,
    pane_selection,
    planning,
    processing,
    queue,
    quicksteps,
    recent,
    roster,
    templates,
)
from server.scheduler import start_mail_watch, start_scheduler
from server.settings import Identity, Settings, is_loopback
from server.startup import graph_config, token_vault

__all__ = ["create_app"]

log = logging.getLogger(__name__)

# Our pages run our scripts and Office.js from Microsoft's CDN, nothing else; mail shown in them
# is escaped text, and this is the second line of defence if that ever failed.
PAGE_POLICY = (
    "script-src 'self' https://appsforoffice.microsoft.com; object-src 'none'; base-uri 'none'"
)
# Who may put a page of ours in a frame. The task pane: Outlook on the web (settings'
# pane_frame_ancestors) and ourselves (/dev/outlook frames it). The phone's approval page:
# ourselves only (MSAL renews its token in a hidden iframe of that page). Anything else: no one.
PANE_PREFIX = "/pane"
SELF_FRAMED = ("/goedkeuren",)
NO_FRAMING = "frame-ancestors 'none'"
DOCS_URL = "/api/docs"
OPENAPI_URL = "/api/v1/openapi.json"


def create_app(
    settings: Settings, *, clock: Clock | None = None, wall: Callable[[], float] = time.time
) -> FastAPI:
    """The app; ``clock`` overrides the settings' clock (tests hand in theirs). ``wall`` is the
    machine's Unix time that tokens' ``exp`` is compared against (PyJWT reads the same), which
    the product clock may not be; tests hand in one they move by hand."""
    identity = settings.identity()
    use_pseudonym_key(settings.pseudonym_secret(identity))  # mailboxes in metrics and logs

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _announce(settings, identity)
        app.state.scheduler = start_scheduler(app, settings)
        app.state.mail_watch = start_mail_watch(app, settings)
        await app.state.tasks.start()
        yield
        await app.state.tasks.aclose()
        if app.state.scheduler is not None:
            app.state.scheduler.shutdown(wait=False)
        await app.state.mail_watch.aclose()
        await app.state.inbox.aclose()
        await app.state.events.aclose()
        await app.state.validator.aclose()
        await app.state.gateway.aclose()
        await app.state.engine.dispose()

    app = FastAPI(
        title="Secretariaat",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # our own page: install_docs below
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        openapi_url=OPENAPI_URL,
    )
    app.state.settings = settings
    app.state.identity = identity
    app.state.validator = TokenValidator(identity)
    config = graph_config(identity)
    app.state.gateway = GraphGateway(
        config,
        token_source_for(config),
        shared_slots=shared_slots_for(settings.database_url, config.client_id),
    )
    app.state.engine = create_engine(settings.database_url)
    app.state.clock = clock or settings.make_clock()
    app.state.wall = wall
    app.state.identities = Identities(app.state.gateway.for_user)  # oid -> UPN, per token
    app.state.sessions = session_factory(app.state.engine, clock=app.state.clock)
    app.state.events = broadcaster_for(settings.database_url)
    # Long work goes to workers (this process's own, or `secretariaat worker`s), which act
    # with the delegation a click sealed in the vault (docs/workers.md).
    app.state.tasks = TaskQueue(
        queue_app(settings.database_url), in_process=settings.worker_in_process,
        settings=settings.worker_settings(),
    )  # fmt: skip
    app.state.vault = token_vault(settings, identity, app.state.sessions, app.state.clock)
    app.state.deps = Deps(
        sessions=app.state.sessions,
        clock=app.state.clock,
        events=app.state.events,
        claim_ttl=dt.timedelta(minutes=settings.claim_minutes),
        base_url=settings.base_url,
        tasks=app.state.tasks,
    )
    runtime = Runtime(app.state.deps, app.state.gateway, app.state.vault, settings.job_settings())
    app.state.tasks.bind(runtime)
    app.state.journal = app.state.deps.journal
    # Mail as it arrives: Inbox deltas for Graph's notifications or the poller (scheduler).
    app.state.inbox = InboxWatcher(
        deps=app.state.deps, graph=app.state.gateway.for_app,
        webhook_url=settings.mail_webhook_url(),
    )  # fmt: skip
    install_error_handlers(app)
    pane_framing = "frame-ancestors 'self' " + " ".join(settings.pane_frame_ancestors)
    sandbox = settings.mode == "sandbox"

    @app.middleware("http")
    async def request_id(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Every response carries a request id (a caller's own id is kept if it sent one) and
        our security headers, and is timed for /metrics; in sandbox mode only requests over
        loopback are served."""
        started = time.perf_counter()
        rid = request.headers.get("x-request-id") or str(uuid.uuid4())
        if len(rid) > 128 or not rid.isprintable():
            rid = str(uuid.uuid4())  # a caller's id goes into logs: keep it short and plain
        request.state.request_id = rid
        token = request_id_var.set(rid)
        try:
            outside = _not_loopback(request) if sandbox else None
            if outside is not None:
                log.warning("sandbox mode: refused a request over %s (loopback only)", outside)
                response = error_response(
                    request, 403, "sandbox_loopback_only",
                    "De sandbox-modus is alleen bereikbaar vanaf deze computer (127.0.0.1).",
                )  # fmt: skip
            else:
                response = await call_next(request)
        finally:
            request_id_var.reset(token)
        metrics.record_request(request, response.status_code, time.perf_counter() - started)
        response.headers["X-Request-Id"] = rid
        path = request.url.path
        if _under(path, PANE_PREFIX):
            framing = pane_framing
        elif any(_under(path, prefix) for prefix in SELF_FRAMED):
            framing = "frame-ancestors 'self'"
        else:
            framing = NO_FRAMING
        html = response.headers.get("content-type", "").startswith("text/html")
        response.headers.setdefault(
            "Content-Security-Policy", f"{PAGE_POLICY}; {framing}" if html else framing
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    for module in (
        health,
        metrics,
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
        processing,
        addin,
        pane_message,
        pane_agenda,
        pane_admin,
        pane_approvals,
        pane_calamity,
        pane_meetings,
        pane_queue,
        pane_processing,
        pane_planning,
        pane_selection,
        planning,
        guest_page,
        recent,
        pane,
        harness,
        mail_notifications,
        doctor,
        access,
        pane_access,
    ):
        app.include_router(module.router)
    install_docs(app, docs_url=DOCS_URL, openapi_url=OPENAPI_URL)
    install_openapi(app)
    app.mount("/addin/icons", StaticFiles(directory=ADDIN_DIR / "icons"), name="addin-icons")
    app.mount("/pane/static", StaticFiles(directory=STATIC_DIR), name="pane-static")
    return app


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def _not_loopback(request: Request) -> str | None:
    """The address, if this request came or arrived over something other than loopback.

    ``server`` is the address the connection arrived on, ``client`` where it came from; a
    name rather than an address (an in-process test client's) is not a network at all.
    """
    for end in (request.scope.get("server"), request.scope.get("client")):
        host = end[0] if end else None
        if host and _is_address(host) and not is_loopback(host):
            return str(host)
    return None


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _announce(settings: Settings, identity: Identity) -> None:
    """Say loudly, once at start, whose data this process serves."""
    if settings.mode == "tenant":
        log.warning(
            "TENANT MODE: serving tenant %s (authority %s, app %s, Graph %s)",
            identity.tenant_id, identity.authority, identity.client_id, identity.graph_url,
        )  # fmt: skip
    else:
        log.info(
            "sandbox mode: demo tenant %s; anyone may sign in as anyone, loopback only",
            identity.tenant_id,
        )
