"""The httpx transport under the SDK: every Graph request, SDK or ``$batch``, passes here.

It sits below kiota's middleware (which we run without kiota's own retry handler), so one
place adds our ``Prefer`` preferences, holds the mailbox's slots while the request is on the
wire, retries by the rule in ``retry.py``, and records each call's ``request-id`` for the
audit log. The response body is read while the slots are held, so a connection dropped
halfway through a response is seen (and retried) here, not later in the SDK.

Every request has a total time limit (``CALL_LIMIT_S``: attempts, the waits between them and
the slots), shortened by a caller's ``graph_deadline`` (a job's time per mailbox). No attempt
starts and no retry waits past it; an attempt still on the wire then is abandoned and the
caller gets ``GraphTimeout`` (``outcome_unknown`` when a request not safe to repeat may have
been carried out). Waiting for the mailbox's slots is bounded by the holders' own limits and
is never cancelled from here. A 429 or 503 with ``Retry-After`` that is waited out is also
told to the limiter, so no other request to the mailbox starts before then (in any process,
with shared slots).

Each attempt, throttle and retry is counted (``automations.metrics``) under the request's
method class and its mailbox's pseudonym; log lines and error details name the mailbox by its
pseudonym too (``redact_path``), never by its address.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from automations.errors import GraphTimeout, Unavailable
from automations.graph.config import PREFER, GraphConfig
from automations.graph.limits import MailboxLimiter, batch_weights, mailbox_key
from automations.graph.retry import (
    IDEMPOTENT_METHODS,
    parse_retry_after,
    retry_delay,
    status_is_retryable,
)
from automations.metrics import GRAPH_RETRIES, graph_answered, graph_labels, redact_path

__all__ = [
    "CALL_LIMIT_S",
    "GraphCall",
    "GraphTransport",
    "deadline_after",
    "graph_deadline",
    "merge_prefer",
    "record_calls",
]

log = logging.getLogger(__name__)

# A Graph call's total time: every attempt (each also bounded by ``GraphConfig.timeout_s``),
# the waits between them and for the mailbox's slots.
CALL_LIMIT_S = 60.0

_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_LOST = (
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
    httpx.ReadTimeout,
    httpx.WriteTimeout,
)


@dataclass(frozen=True)
class GraphCall:
    """One attempt that got an answer: what the audit log keeps (no query, no body)."""

    method: str
    path: str
    status: int
    request_id: str | None
    attempt: int


_recorders: ContextVar[tuple[list[GraphCall], ...]] = ContextVar("graph_recorders", default=())


@contextmanager
def record_calls() -> Iterator[list[GraphCall]]:
    """Collect the Graph calls made inside the block (including tasks it starts)."""
    calls: list[GraphCall] = []
    token = _recorders.set((*_recorders.get(), calls))
    try:
        yield calls
    finally:
        _recorders.reset(token)


# The loop time by which the Graph calls of the current task must be done (None: no deadline).
_deadline: ContextVar[float | None] = ContextVar("graph_deadline", default=None)


def deadline_after(seconds: float) -> float:
    """The loop time ``seconds`` from now, or the enclosing ``graph_deadline`` if sooner."""
    at = asyncio.get_running_loop().time() + seconds
    outer = _deadline.get()
    return at if outer is None else min(at, outer)


@contextmanager
def graph_deadline(seconds: float) -> Iterator[float]:
    """Graph calls made inside the block (including tasks it starts) end within ``seconds``:
    a call that would run past it fails with ``GraphTimeout`` (a job's time per mailbox).
    Yields the deadline as loop time."""
    at = deadline_after(seconds)
    token = _deadline.set(at)
    try:
        yield at
    finally:
        _deadline.reset(token)


def merge_prefer(existing: str | None) -> str:
    """The caller's ``Prefer`` plus ours, without repeating a preference already there."""
    parts = [p.strip() for p in (existing or "").split(",") if p.strip()]
    names = {p.split("=", 1)[0].strip().lower() for p in parts}
    parts += [p for p in PREFER if p.split("=", 1)[0].lower() not in names]
    return ", ".join(parts)


_THROTTLED = frozenset({429, 503})  # answers whose Retry-After the whole mailbox waits out

STREAM = "secretariaat.stream"
GATEWAY_TIMEOUT = "GatewayTimeout"  # Graph's 504 to a request not safe to repeat


class GraphTransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        config: GraphConfig,
        inner: httpx.AsyncBaseTransport,
        limiter: MailboxLimiter,
        *,
        call_limit_s: float = CALL_LIMIT_S,
    ) -> None:
        self.config = config
        self.inner = inner
        self.limiter = limiter
        self.call_limit_s = call_limit_s
        self._base_path = urlsplit(config.graph_url).path.rstrip("/")

    async def aclose(self) -> None:
        await self.inner.aclose()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()  # a body we can send again
        request.headers["Prefer"] = merge_prefer(request.headers.get("Prefer"))
        request.headers.setdefault("client-request-id", str(uuid.uuid4()))
        path = self._graph_path(request.url.path)
        weights, idempotent = self._plan(request, path)
        labels = graph_labels(request.method, path, weights)  # metrics: never the address
        loop = asyncio.get_running_loop()
        deadline = deadline_after(self.call_limit_s)
        attempt = 0
        while True:
            try:
                async with self.limiter.hold(weights):
                    response = await self._attempt(request, path, deadline, idempotent)
            except _NOT_SENT as exc:
                graph_answered(labels, None, retry_after=False)
                delay = retry_delay(self.config, attempt, None)
                if delay is None or loop.time() + delay >= deadline:
                    raise _lost(exc, request, path, outcome_unknown=False) from exc
            except _LOST as exc:
                graph_answered(labels, None, retry_after=False)
                delay = retry_delay(self.config, attempt, None) if idempotent else None
                if delay is None or loop.time() + delay >= deadline:
                    raise _lost(exc, request, path, outcome_unknown=not idempotent) from exc
            except httpx.TransportError as exc:  # proxy, protocol: nothing to gain by repeating
                raise _lost(exc, request, path, outcome_unknown=False) from exc
            else:
                self._record(request, path, response, attempt)
                status = response.status_code
                graph_answered(labels, status, "Retry-After" in response.headers)
                if not status_is_retryable(status, idempotent=idempotent):
                    if status == 504 and not idempotent:
                        raise _unknown_outcome(request, path, response)
                    return response
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                delay = retry_delay(self.config, attempt, retry_after)
                if delay is None or loop.time() + delay >= deadline:
                    return response  # the SDK raises; translated into Throttled/Unavailable
                if retry_after and status in _THROTTLED and weights:
                    # Graph's wait holds for every request to these mailboxes, in every process.
                    await self.limiter.throttled(weights, retry_after)
            GRAPH_RETRIES.labels(*labels).inc()
            log.info(
                "graph %s %s: attempt %d failed, retrying in %.2fs",
                request.method,
                redact_path(path),
                attempt + 1,
                delay,
            )
            await self.config.sleep(delay)
            attempt += 1

    async def _attempt(
        self, request: httpx.Request, path: str, deadline: float, idempotent: bool
    ) -> httpx.Response:
        """One attempt, with the mailbox's slots held, abandoned at ``deadline``."""
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:  # the slots (or a retry) came too late: nothing was sent
            raise _out_of_time(request, path, outcome_unknown=False)
        try:
            async with asyncio.timeout(remaining) as limit:
                return await self._send(request)
        except TimeoutError as exc:
            if not limit.expired():
                raise
            raise _out_of_time(request, path, outcome_unknown=not idempotent) from exc

    async def _send(self, request: httpx.Request) -> httpx.Response:
        """One attempt, body included; the result owns its bytes (still content-encoded).

        A download asked for as a stream (``STREAM`` in the request's extensions) comes back
        unread when it succeeded, so a 40 MB attachment passes through in blocks; its mailbox
        slot is given back when the answer starts, not when the last byte is read.
        """
        response = await self.inner.handle_async_request(request)
        if request.extensions.get(STREAM) and response.status_code < 400:
            return response
        try:
            raw = b"".join([chunk async for chunk in response.aiter_raw()])
        finally:
            await response.aclose()
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=httpx.ByteStream(raw),
            request=request,
            extensions={k: v for k, v in response.extensions.items() if k != "network_stream"},
        )

    def _graph_path(self, url_path: str) -> str:
        if self._base_path and url_path.startswith(self._base_path):
            return url_path[len(self._base_path) :] or "/"
        return url_path

    def _plan(self, request: httpx.Request, path: str) -> tuple[dict[str, int], bool]:
        """The slots this request needs, and whether it is safe to send twice."""
        method = request.method.upper()
        if method == "POST" and path.rstrip("/").lower() == "/$batch":
            return batch_weights(request.content, self.limiter.capacity), _batch_idempotent(
                request.content
            )
        key = mailbox_key(path)
        return ({key: 1} if key else {}), method in IDEMPOTENT_METHODS

    def _record(
        self, request: httpx.Request, path: str, response: httpx.Response, attempt: int
    ) -> None:
        call = GraphCall(
            method=request.method,
            path=path,
            status=response.status_code,
            request_id=response.headers.get("request-id"),
            attempt=attempt,
        )
        for calls in _recorders.get():
            calls.append(call)


def _batch_idempotent(body: bytes) -> bool:
    """A batch is safe to send twice only when every sub-request is."""
    try:
        requests = json.loads(body or b"{}").get("requests") or []
        return all(str(r.get("method", "")).upper() in IDEMPOTENT_METHODS for r in requests)
    except (ValueError, AttributeError):
        return False


def _lost(exc: Exception, request: httpx.Request, path: str, *, outcome_unknown: bool) -> Exception:
    """A typed error for a request that got no answer."""
    what = f"{request.method} {redact_path(path)}"
    log.warning("graph %s: no answer (%s)", what, type(exc).__name__)
    if isinstance(exc, httpx.TimeoutException):
        return GraphTimeout(
            detail=f"Microsoft Graph did not answer {what} in time.",
            outcome_unknown=outcome_unknown,
        )
    return Unavailable(
        detail=f"The connection to Microsoft Graph was lost during {what}.",
        outcome_unknown=outcome_unknown,
    )


def _out_of_time(request: httpx.Request, path: str, *, outcome_unknown: bool) -> GraphTimeout:
    """The call's time limit (or its caller's deadline) ran out."""
    what = f"{request.method} {redact_path(path)}"
    log.warning("graph %s: out of time", what)
    return GraphTimeout(
        detail=f"Microsoft Graph did not answer {what} within the time limit.",
        outcome_unknown=outcome_unknown,
    )


def _unknown_outcome(request: httpx.Request, path: str, response: httpx.Response) -> Exception:
    return GraphTimeout(
        "Microsoft 365 antwoordde niet op tijd; misschien is het toch uitgevoerd. Kijk dat na"
        " voordat u het opnieuw probeert.",
        detail=f"Microsoft Graph timed out on {request.method} {redact_path(path)}; it may have"
        " been carried out.",
        outcome_unknown=True,
        graph_code=GATEWAY_TIMEOUT,
        request_id=response.headers.get("request-id"),
    )
