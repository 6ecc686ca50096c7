"""The sandbox as one ASGI app: Entra ID's endpoints, Graph under /v1.0, a control plane.

``create_app(config)`` builds everything from explicit configuration; nothing is read at
import time. The same app serves in-process tests (httpx.ASGITransport) and the HTTPS server.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_plus

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send

from sandbox import resources
from sandbox.clock import Clock, ShiftedClock, SystemClock, local_today
from sandbox.directory import Directory
from sandbox.dispatch import DroppedConnection, Sandbox
from sandbox.identity.authorize import (
    AuthorizationCodes,
    AuthorizeRequest,
    RedirectError,
    redirect_with_code,
    sign_in_form,
)
from sandbox.identity.credentials import (
    CLIENT_CERTIFICATE_FILE,
    ensure_client_certificate,
    key_credential_json,
)
from sandbox.identity.keys import SigningKey
from sandbox.identity.tokens import OAuthError, TokenService, client_info_of
from sandbox.limits import Limits, LimitSettings
from sandbox.permissions import PermissionLog
from sandbox.router import GraphRequest
from sandbox.seed import apply as seeding
from sandbox.store import Store

__all__ = ["SandboxConfig", "create_app"]

log = logging.getLogger(__name__)

GRAPH_CONTENT_TYPE = (
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;"
    "charset=utf-8"
)


@dataclass
class SandboxConfig:
    base_url: str = "https://sandbox.test"
    state_dir: Path | None = None  # None: in memory, seeded on start
    limits: LimitSettings = field(default_factory=LimitSettings)
    admin: bool = False
    reset: bool = False
    today: dt.date | None = None  # the demo week's day; without a clock, the real time on it
    seed: Path | None = None  # another seed file than the demo municipality (benchmarks)
    clock: Clock | None = None  # the tenant's "now"; None: from ``today``, else the machine's
    # Where the permissions each request was let in with are recorded (the test suite's list).
    permissions: PermissionLog | None = None

    def make_clock(self) -> Clock:
        """The clock everything Graph shows is stamped with; the demo week is its date."""
        if self.clock is not None:
            if self.today is not None and local_today(self.clock) != self.today:
                raise ValueError(
                    f"today={self.today} but the clock says {local_today(self.clock)}:"
                    " the demo week would not be the tenant's week"
                )
            return self.clock
        if self.today is not None:
            return ShiftedClock.to_day(self.today)
        return SystemClock()


def build_sandbox(config: SandboxConfig) -> Sandbox:
    clock = config.make_clock()
    if config.state_dir is not None:
        config.state_dir.mkdir(parents=True, exist_ok=True)
        store = Store(config.state_dir / "sandbox.sqlite3", clock=clock)
        key = SigningKey.load_or_create(config.state_dir / "signing-key.pem")
    else:
        store, key = Store(clock=clock), SigningKey.generate()
    directory = Directory(store)
    if config.reset or store.get_meta("tenant") is None:
        seeding.seed_demo(store, today=local_today(clock), path=config.seed)
    directory.reload()
    if config.state_dir is not None:  # the demo app's certificate, beside connection.json
        backend = directory.apps()[0]
        pem = ensure_client_certificate(
            config.state_dir / CLIENT_CERTIFICATE_FILE, subject=f"{backend.display_name} (sandbox)"
        )
        directory.add_key_credential(backend.client_id, key_credential_json(pem))
    tokens = TokenService(key=key, directory=directory, base_url=config.base_url)
    return Sandbox(
        store=store,
        directory=directory,
        tokens=tokens,
        limits=Limits(config.limits),
        router=resources.router(),
        base_url=config.base_url.rstrip("/") + "/v1.0",
        admin_enabled=config.admin,
        permissions=config.permissions if config.permissions is not None else PermissionLog(),
    )


def create_app(config: SandboxConfig) -> Starlette:
    sandbox = build_sandbox(config)

    def oauth_error(err: OAuthError) -> JSONResponse:
        return JSONResponse(err.body(sandbox.store.clock.now()), status_code=err.status)

    async def openid_configuration(request: Request) -> Response:
        if request.path_params["tenant"] not in _tenant_names(sandbox):
            return oauth_error(OAuthError(400, "invalid_tenant", 90002, "Tenant not found."))
        return JSONResponse(sandbox.tokens.openid_configuration())

    async def keys(request: Request) -> Response:
        return JSONResponse(sandbox.tokens.jwks())

    async def token(request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        try:
            public = not {"client_secret", "client_assertion"} & form.keys() and (
                _basic_auth(request) is None
            )
            if form.get("grant_type") == "authorization_code" and public:
                _known_tenant(sandbox, request.path_params["tenant"])
                if not request.headers.get("origin"):
                    raise OAuthError(
                        400, "invalid_request", 9002327,
                        "Tokens issued for the 'Single-Page Application' client-type may only be"
                        " redeemed via cross-origin requests.",
                    )  # fmt: skip
                body = codes.redeem(form)  # a single-page app: PKCE instead of a secret
            else:
                body = sandbox.tokens.token_endpoint(
                    request.path_params["tenant"], form, _basic_auth(request)
                )
        except OAuthError as err:
            return oauth_error(err)
        return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    async def sign_in(request: Request) -> Response:
        """Harness sign-in: GET lists the seeded users, POST returns a token for one."""
        if request.method == "GET":
            return HTMLResponse(_sign_in_page(sandbox))
        data = await _json_or_form(request)
        try:
            body = sandbox.tokens.sign_in(
                str(data.get("username", "")),
                client_id=str(data.get("client_id", "")),
                scope=data.get("scope"),
            )
        except OAuthError as err:
            return oauth_error(err)
        return JSONResponse(body)

    async def authorize(request: Request) -> Response:
        """Authorization code + PKCE for MSAL.js: GET shows the sign-in, POST issues a code."""
        try:
            _known_tenant(sandbox, request.path_params["tenant"])
            if request.method == "GET":
                params = dict(request.query_params)
                asked = AuthorizeRequest.parse(params, sandbox.directory)
                page = sign_in_form(asked, sandbox.directory.users(), str(request.url))
                return HTMLResponse(page)
            form = {k: str(v) for k, v in (await request.form()).items()}
            asked = AuthorizeRequest.parse(form, sandbox.directory)
            if form.get("cancel"):
                raise RedirectError(
                    asked.redirect_uri, asked.state, asked.response_mode, "access_denied",
                    65004, "User declined to consent to access the app.",
                )  # fmt: skip
            code = codes.issue(asked, form.get("username", ""))
        except RedirectError as err:
            return RedirectResponse(err.location(), status_code=302)
        except OAuthError as err:
            return oauth_error(err)
        user = sandbox.directory.user(form["username"])
        assert user is not None
        client_info = client_info_of(user["id"], sandbox.tokens.tenant_id)
        return RedirectResponse(redirect_with_code(asked, code, client_info), status_code=302)

    codes = AuthorizationCodes(sandbox.directory, sandbox.tokens)
    routes = [
        Route("/{tenant}/oauth2/v2.0/authorize", authorize, methods=["GET", "POST"]),
        Route("/{tenant}/v2.0/.well-known/openid-configuration", openid_configuration),
        Route("/{tenant}/discovery/v2.0/keys", keys),
        Route("/{tenant}/oauth2/v2.0/token", token, methods=["POST"]),
        Route("/{tenant}/sandbox/signin", sign_in, methods=["GET", "POST"]),
        _graph_mount(sandbox),
    ]
    if config.admin:
        from sandbox.admin import admin_routes

        routes.insert(0, Mount("/_admin", routes=admin_routes(sandbox)))
    # Entra ID and Graph answer browsers' cross-origin requests (single-page apps); so do we.
    # Only pages on this machine (the backend, the harness) get to read answers; a page from
    # anywhere else cannot use the sandbox's token endpoints or Graph from a developer's browser.
    cors = Middleware(
        CORSMiddleware,
        allow_origin_regex=r"https://(127\.0\.0\.1|localhost)(:\d{1,5})?",
        allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
        allow_headers=["*"],
        expose_headers=["request-id", "client-request-id", "Retry-After", "Location"],
    )
    app = Starlette(routes=routes, middleware=[cors])
    app.state.sandbox = sandbox
    return app


def _graph_mount(sandbox: Sandbox) -> Mount:
    """/v1.0 and everything below it, even a path holding a decoded newline (``%0A``), which
    Starlette's ``.*`` would not match, leaving a plain-text 404 instead of Graph's answer."""
    mount = Mount("/v1.0", app=GraphASGI(sandbox))
    mount.path_regex = re.compile(mount.path_regex.pattern, re.DOTALL)
    return mount


class GraphASGI:
    """Raw ASGI for /v1.0 so a fault can cut the connection mid-response."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        raw_path = scope.get("raw_path")
        path = unquote(raw_path.decode().split("?", 1)[0]) if raw_path else scope["path"]
        path = path[len("/v1.0") :] if path.lower().startswith("/v1.0") else scope["path"]
        req = GraphRequest(
            method=scope["method"],
            path=path or "/",
            query=_query(scope.get("query_string", b"").decode("latin-1")),
            headers=headers,
            body=body,
        )
        try:
            resp = await self.sandbox.handle(req)
        except DroppedConnection:
            headers = [(b"content-type", b"application/json"), (b"content-length", b"4096")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": b'{"value": [', "more_body": True})
            raise
        payload = resp.encoded()
        ctype = GRAPH_CONTENT_TYPE if resp.content_type == "application/json" else resp.content_type
        out_headers = [(b"content-length", str(len(payload)).encode())]
        if payload or resp.content_type != "application/json":
            out_headers.append((b"content-type", ctype.encode()))
        if resp.content_type == "application/json" and payload:
            out_headers.append((b"odata-version", b"4.0"))
        for k, v in resp.headers.items():
            out_headers.append((k.lower().encode(), str(v).encode("latin-1")))
        await send({"type": "http.response.start", "status": resp.status, "headers": out_headers})
        await send({"type": "http.response.body", "body": payload})


def _query(qs: str) -> dict[str, str]:
    """Query parameters, decoded as Graph decodes them (``+`` is a space, ``%2B`` a plus)."""
    out: dict[str, str] = {}
    for part in qs.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        out[unquote_plus(name)] = unquote_plus(value)
    return out


def _known_tenant(sandbox: Sandbox, tenant: str) -> None:
    if tenant not in _tenant_names(sandbox):
        raise OAuthError(400, "invalid_tenant", 90002, f"Tenant '{tenant}' not found.")


def _tenant_names(sandbox: Sandbox) -> set[str]:
    t = sandbox.directory.tenant
    return {t.id, t.domain} if t else set()


def _basic_auth(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        user, _, secret = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:
        return None
    return unquote(user), unquote(secret)


async def _json_or_form(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = json.loads(await request.body() or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    return {k: str(v) for k, v in (await request.form()).items()}


def _sign_in_page(sandbox: Sandbox) -> str:
    from html import escape

    rows = "".join(
        f"<li><code>{escape(u['userPrincipalName'])}</code> — {escape(u.get('displayName') or '')}"
        f" ({escape(u.get('jobTitle') or '')})</li>"
        for u in sorted(sandbox.directory.users(), key=lambda u: u["userPrincipalName"])
    )
    return (
        "<!doctype html><html lang='nl'><meta charset='utf-8'><title>Sandbox aanmelden</title>"
        f"<h1>Sandbox: aanmelden als</h1><ul>{rows}</ul>"
        "<p>POST <code>username</code> en <code>client_id</code> naar deze URL voor een token.</p>"
    )
