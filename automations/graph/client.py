"""The Graph gateway: msgraph-sdk clients on our own httpx client, for a user or for the app.

    gateway = GraphGateway(config, token_source_for(config))
    async with gateway.for_user(assertion, upn=principal.upn) as graph:
        msg = await graph.run(graph.sdk.users.by_user_id(mailbox).messages.by_message_id(i).get())
        answers = await graph.batch([BatchRequest("GET", f"/users/{mailbox}/messages/{i}")])
    await gateway.aclose()

One gateway per process: it owns the connection pool and the per-mailbox limiter, which must
be shared by every user and job because Exchange counts per app and mailbox. A session is
cheap (an SDK client over the shared pool with that caller's token).

Every call has a total time limit (``call_limit_s``, see ``transport.py``): each request on
the wire, the token it waits for, and a ``batch`` with its rounds of retries; a call that runs
out of it raises ``GraphTimeout``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import IO, Any, TypeVar, cast

import httpx
from kiota_abstractions.api_error import APIError
from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from kiota_http.kiota_client_factory import KiotaClientFactory
from kiota_http.middleware import RetryHandler
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph.graph_request_adapter import options as SDK_OPTIONS
from msgraph.graph_service_client import GraphServiceClient
from msgraph_core import GraphClientFactory
from msgraph_core.middleware import GraphTelemetryHandler
from msgraph_core.middleware.options import GraphTelemetryHandlerOption

from automations.errors import GraphTimeout, Unavailable
from automations.graph.auth import TokenSource
from automations.graph.batch import BatchRequest, BatchResponse, send_batch
from automations.graph.config import GraphConfig
from automations.graph.errors import translate
from automations.graph.limits import MailboxLimiter, current_me
from automations.graph.retry import IDEMPOTENT_METHODS
from automations.graph.shared_limits import SharedSlots
from automations.graph.transport import (
    CALL_LIMIT_S,
    STREAM,
    GraphTransport,
    deadline_after,
    graph_deadline,
)
from automations.graph.vault import TokenVault

__all__ = ["GraphGateway", "GraphSession"]

log = logging.getLogger(__name__)

T = TypeVar("T")

# Idle connections are dropped before a server would close them (uvicorn: 5 s), so a reused
# connection is not cut under a POST we then could not safely repeat.
KEEPALIVE_EXPIRY_S = 4.0
PIECE = 64 * 1024  # what an upload range is read and sent in
DELEGATED_REUSE_S = 60.0  # how long a task's session reuses the token from her sealed cache


def _bounded(fetch: Callable[[], Awaitable[str]], limit_s: float) -> Callable[[], Awaitable[str]]:
    """``fetch`` within the call's time limit. MSAL runs in a worker thread: a token request
    that gets no answer is given up on here (the thread is left to finish on its own)."""

    async def bounded() -> str:
        try:
            async with asyncio.timeout_at(deadline_after(limit_s)) as limit:
                return await fetch()
        except TimeoutError as exc:
            if not limit.expired():
                raise
            raise GraphTimeout(
                detail="No token for Microsoft Graph within the time limit."
            ) from exc

    return bounded


def _reused(fetch: Callable[[], Awaitable[str]], seconds: float) -> Callable[[], Awaitable[str]]:
    """``fetch``'s token, asked again only after ``seconds``: a task's hundred requests need
    not each unseal her cache in the store (a Graph token lives an hour; MSAL renews it five
    minutes before the end, so a minute's reuse never hands out an expired one)."""
    kept: list[tuple[str, float]] = []
    lock = asyncio.Lock()

    async def reused() -> str:
        now = asyncio.get_running_loop().time()
        async with lock:
            if kept and now - kept[0][1] < seconds:
                return kept[0][0]
            token = await fetch()
            kept[:] = [(token, now)]
            return token

    return reused


class _Tokens(AccessTokenProvider):
    """Asks the token source on every request; MSAL's cache makes that cheap."""

    def __init__(self, fetch: Callable[[], Awaitable[str]], host: str) -> None:
        self._fetch = fetch
        self._hosts = AllowedHostsValidator([host])  # a token never leaves for another host

    async def get_authorization_token(
        self, uri: str, additional_authentication_context: dict[str, Any] | None = None
    ) -> str:
        return await self._fetch()

    def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
        return self._hosts


@dataclass
class GraphSession:
    """One caller's view of Graph: the SDK, raw batches, streams, and error translation."""

    sdk: GraphServiceClient
    adapter: GraphRequestAdapter
    config: GraphConfig
    token: Callable[[], Awaitable[str]]
    http: httpx.AsyncClient
    uploads: httpx.AsyncClient  # plain: for pre-authenticated upload URLs (no token, no SDK)
    call_limit_s: float = CALL_LIMIT_S  # a call's total time, retries included
    # For a user's session: the app's own identity, opened only for mailbox settings (below).
    app: Callable[[], AbstractAsyncContextManager[GraphSession]] | None = None

    @asynccontextmanager
    async def mailbox_settings(self) -> AsyncIterator[GraphSession]:
        """The session that may read and change another mailbox's settings (its master
        category list). Exchange opens ``MailboxSettings.*`` to the owner and to the app,
        never to a delegate, so a secretary's session lends the app's identity, which RBAC
        for Applications limits to the executives' mailboxes; the caller has already
        checked that she serves the mailbox."""
        if self.app is None:
            yield self
            return
        async with self.app() as session:
            yield session

    @asynccontextmanager
    async def download(self, path: str) -> AsyncIterator[httpx.Response]:
        """A streamed GET of raw content (``.../$value``, ``.../content``): read it with
        ``aiter_bytes`` so a 40 MB attachment never sits in memory whole."""
        url = f"{self.config.graph_url}{path}"
        headers = {"Authorization": f"Bearer {await self.token()}"}
        stream = self.http.stream(
            "GET", url, headers=headers, follow_redirects=True, extensions={STREAM: True}
        )
        async with stream as resp:
            if resp.status_code >= 400:
                await resp.aread()
                raise translate(_Raw(resp))
            yield resp

    async def stream(self, path: str, block: int = 1024 * 1024) -> AsyncIterator[bytes]:
        """The raw content at ``path`` in blocks; a connection lost midway is ``Unavailable``
        (the caller starts again: nothing half-read is kept)."""
        try:
            async with self.download(path) as resp:
                async for piece in resp.aiter_bytes(block):
                    yield piece
        except httpx.TransportError as exc:
            raise Unavailable(detail=f"Download cut off: {type(exc).__name__}") from exc

    async def put_content(self, path: str, data: bytes, content_type: str) -> Any:
        """A simple upload (``PUT …/content``) of a small file; the new driveItem."""
        headers = {"Authorization": f"Bearer {await self.token()}", "Content-Type": content_type}
        resp = await self.http.put(f"{self.config.graph_url}{path}", content=data, headers=headers)
        if resp.status_code >= 400:
            raise translate(_Raw(resp))
        return resp.json()

    async def upload_status(self, upload_url: str) -> Any:
        """Where an upload session stands (``nextExpectedRanges``), to resume after a fault."""
        resp = await self.uploads.get(upload_url)
        if resp.status_code >= 400:
            raise translate(_Raw(resp))
        return resp.json()

    async def put_range(
        self, upload_url: str, source: IO[bytes], start: int, length: int, total: int
    ) -> Any:
        """One range of ``source`` to a pre-authenticated upload URL, read in small pieces while
        it is sent (never the whole range in memory). The URL carries its own credential, so
        no token goes with it (it may be on another host)."""
        end = start + length - 1
        headers = {"Content-Range": f"bytes {start}-{end}/{total}", "Content-Length": str(length)}

        async def pieces() -> AsyncIterator[bytes]:
            source.seek(start)
            left = length
            while left:
                piece = source.read(min(PIECE, left))
                if not piece:
                    break
                left -= len(piece)
                yield piece

        try:
            resp = await self.uploads.put(upload_url, content=pieces(), headers=headers)
        except httpx.TransportError as exc:  # the range may have arrived: ask the session
            raise Unavailable(detail=f"Upload range lost: {type(exc).__name__}") from exc
        if resp.status_code >= 400:
            raise translate(_Raw(resp))
        return resp

    async def run(self, call: Awaitable[T]) -> T:
        """Await an SDK call; Graph's errors come out as ``automations.errors`` types."""
        try:
            return await call
        except APIError as exc:
            raise translate(exc) from exc

    async def batch(self, requests: Sequence[BatchRequest]) -> list[BatchResponse]:
        """``$batch`` in posts of 20, throttled sub-responses retried, answers in input order;
        all of it within ``call_limit_s`` (a retry that would wait past it is not waited for:
        ``GraphTimeout``, with ``outcome_unknown`` if a request not safe to repeat was sent)."""
        with graph_deadline(self.call_limit_s) as deadline:
            unsafe = any(r.method.upper() not in IDEMPOTENT_METHODS for r in requests)
            sleep = self.config.sleep

            async def wait(delay: float) -> None:
                if asyncio.get_running_loop().time() + delay >= deadline:
                    raise GraphTimeout(
                        "Microsoft 365 vraagt langer te wachten dan de tijd die we hebben. Probeer"
                        " het over een paar minuten opnieuw.",
                        detail="Microsoft Graph kept asking to wait longer than the time limit"
                        " allows.",
                        outcome_unknown=unsafe,
                    )
                await sleep(delay)

            config = dataclasses.replace(self.config, sleep=wait)
            return await send_batch(self.adapter, config, requests)


@dataclass(frozen=True)
class _Raw:
    """An httpx answer in the shape ``translate`` reads."""

    response: httpx.Response

    @property
    def method(self) -> str:
        return self.response.request.method

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def headers(self) -> Any:
        return self.response.headers

    @property
    def body(self) -> Any:
        try:
            return self.response.json()
        except ValueError:
            return None

    @property
    def request_id(self) -> str | None:
        # httpx annotates ``Headers.get`` as Any; a header's value is a str.
        return cast(str | None, self.response.headers.get("request-id"))


class GraphGateway:
    def __init__(
        self,
        config: GraphConfig,
        token_source: TokenSource,
        *,
        call_limit_s: float = CALL_LIMIT_S,
        shared_slots: SharedSlots | None = None,
    ) -> None:
        if call_limit_s <= 0:
            raise ValueError("call_limit_s must be positive")
        self.config = config
        self.tokens = token_source
        self.call_limit_s = call_limit_s
        self.limiter = MailboxLimiter(config.max_in_flight_per_mailbox, shared_slots)
        self.http = _http_client(config, self.limiter, call_limit_s)
        self.uploads = _upload_client(config)

    async def aclose(self) -> None:
        await self.http.aclose()
        await self.uploads.aclose()
        if self.limiter.shared is not None:
            await self.limiter.shared.aclose()

    async def __aenter__(self) -> GraphGateway:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @asynccontextmanager
    async def for_user(
        self, assertion: str, *, upn: str | None = None
    ) -> AsyncIterator[GraphSession]:
        """Act on-behalf-of the user whose API token is ``assertion`` (already validated).

        ``upn`` lets ``/me`` share the limiter with ``/users/{upn}``.
        """
        me = upn.lower() if upn else "me:" + hashlib.sha256(assertion.encode()).hexdigest()[:16]
        async with self._session(
            lambda: self.tokens.user_token(assertion), me, app=self.for_app
        ) as session:
            yield session

    @asynccontextmanager
    async def for_delegate(self, upn: str, vault: TokenVault) -> AsyncIterator[GraphSession]:
        """Act with the delegation ``upn``'s click kept in ``vault`` (a task on a worker):
        exactly her delegated rights, never the app's; a delegation that can no longer give
        a token is ``AuthenticationFailed`` (she opens the task pane again)."""
        fetch = _reused(lambda: self.tokens.delegated_token(upn, vault), DELEGATED_REUSE_S)
        async with self._session(fetch, upn.lower(), app=self.for_app) as session:
            yield session

    @asynccontextmanager
    async def for_app(self) -> AsyncIterator[GraphSession]:
        """Act as the application (scheduled jobs, operator CLI): client credentials."""
        async with self._session(self.tokens.app_token, "me:app") as session:
            yield session

    @asynccontextmanager
    async def _session(
        self,
        fetch: Callable[[], Awaitable[str]],
        me: str,
        app: Callable[[], AbstractAsyncContextManager[GraphSession]] | None = None,
    ) -> AsyncIterator[GraphSession]:
        fetch = _bounded(fetch, self.call_limit_s)
        auth = BaseBearerTokenAuthenticationProvider(_Tokens(fetch, self.config.host))
        adapter = GraphRequestAdapter(auth, client=self.http)
        adapter.base_url = self.config.graph_url
        session = GraphSession(
            GraphServiceClient(request_adapter=adapter),
            adapter,
            self.config,
            fetch,
            self.http,
            self.uploads,
            self.call_limit_s,
            app,
        )
        token = current_me.set(me)
        try:
            yield session
        except APIError as exc:
            raise translate(exc) from exc
        finally:
            current_me.reset(token)


def _upload_client(config: GraphConfig) -> httpx.AsyncClient:
    """For pre-authenticated upload URLs (SharePoint's own host): they carry their credential,
    so neither a token nor the SDK's middleware goes with them, and nothing keeps the ranges
    after they were sent. The caller resumes from the session's state after a fault."""
    tls = ssl.create_default_context(cafile=str(config.ca_cert) if config.ca_cert else None)
    return httpx.AsyncClient(
        verify=tls, timeout=httpx.Timeout(config.timeout_s), trust_env=False, http2=False
    )


def _http_client(
    config: GraphConfig, limiter: MailboxLimiter, call_limit_s: float = CALL_LIMIT_S
) -> httpx.AsyncClient:
    """Our httpx client: explicit CA and timeouts, HTTP/1.1 keep-alive, our transport
    innermost and kiota's middleware (minus its retry handler: ours retries) around it."""
    tls = ssl.create_default_context(cafile=str(config.ca_cert) if config.ca_cert else None)
    wire = httpx.AsyncHTTPTransport(
        verify=tls,
        http1=True,
        http2=False,
        limits=httpx.Limits(
            max_connections=64, max_keepalive_connections=32, keepalive_expiry=KEEPALIVE_EXPIRY_S
        ),
    )
    client = httpx.AsyncClient(
        transport=GraphTransport(config, wire, limiter, call_limit_s=call_limit_s),
        timeout=httpx.Timeout(config.timeout_s),
        follow_redirects=False,
        trust_env=False,  # no proxy mounts that would route around our transport
    )
    middleware = [
        m
        for m in KiotaClientFactory.get_default_middleware(SDK_OPTIONS)
        if not isinstance(m, RetryHandler)
    ]
    telemetry = SDK_OPTIONS[GraphTelemetryHandlerOption.get_key()]
    assert isinstance(telemetry, GraphTelemetryHandlerOption)
    middleware.append(GraphTelemetryHandler(options=telemetry))
    # msgraph_core has no py.typed (mypy sees Any); the factory returns the httpx client.
    return cast(
        httpx.AsyncClient,
        GraphClientFactory.create_with_custom_middleware(middleware=middleware, client=client),
    )
