"""JSON batching: many small Graph calls in ``$batch`` posts of at most 20.

Graph answers a batch with 200 even when sub-requests were throttled; the SDK's retry
handler never sees those, so this module retries them itself (DESIGN principle 4): after each
round it sends again only the sub-requests answered 429/503 (and 504 when safe to repeat,
see ``retry.py``), plus those that failed with 424 because of them, after the longest
``Retry-After`` among them.

A round with a single request sends it as the plain request: a ``$batch`` of one costs Graph
a second hop (and us a round trip's worth of latency) for nothing. The transport retries a plain
request by the same rule; an answer it still leaves transient (it stopped at the call's time
limit) goes through the rounds here like a sub-response, so the caller sees the same outcome.

Graph accepts a batch that is fully parallel or one where everything hangs off one first
request, so a group of requests linked by ``depends_on`` always travels in a batch of its
own; a group larger than 20 cannot be batched and is refused. A group with several first
requests is sent as one sequence in input order (so one failure stops the rest).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import httpx
from kiota_abstractions.method import Method
from kiota_abstractions.native_response_handler import NativeResponseHandler
from kiota_abstractions.request_adapter import RequestAdapter
from kiota_abstractions.request_information import RequestInformation
from kiota_http.middleware.options import ResponseHandlerOption

from automations.errors import GraphTimeout
from automations.graph.config import GraphConfig
from automations.graph.errors import translate
from automations.graph.retry import (
    IDEMPOTENT_METHODS,
    parse_retry_after,
    retry_delay,
    status_is_retryable,
)
from automations.graph.transport import GATEWAY_TIMEOUT, merge_prefer

__all__ = ["MAX_BATCH", "BatchRequest", "BatchResponse", "plan_batches", "send_batch"]

log = logging.getLogger(__name__)

MAX_BATCH = 20


@dataclass(frozen=True)
class BatchRequest:
    """One sub-request; ``depends_on`` holds indices of earlier requests in the same list."""

    method: str
    url: str  # relative to the Graph root: /users/{id}/messages/{id}
    body: Any = None  # JSON
    headers: Mapping[str, str] = field(default_factory=dict)
    depends_on: tuple[int, ...] = ()


@dataclass(frozen=True)
class BatchResponse:
    """The final answer to one sub-request, in the position of its request."""

    method: str
    url: str
    status: int
    headers: Mapping[str, str]
    body: Any
    request_id: str | None  # the sub-response's own, else the batch post's

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def raise_for_status(self) -> None:
        """The typed error (``NotFound``, ``Throttled`` ...) when Graph refused this one."""
        if not self.ok:
            raise translate(self)


def plan_batches(requests: Sequence[BatchRequest]) -> list[list[int]]:
    """Indices per ``$batch`` post: linked groups alone, independent requests by twenty."""
    parent = list(range(len(requests)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, req in enumerate(requests):
        for dep in req.depends_on:
            if not 0 <= dep < i:
                raise ValueError(f"request {i} may only depend on an earlier request, not {dep}")
            parent[root(i)] = root(dep)
    groups: dict[int, list[int]] = {}
    for i in range(len(requests)):
        groups.setdefault(root(i), []).append(i)
    batches: list[list[int]] = []
    singles: list[int] = []
    for members in sorted(groups.values()):
        if len(members) == 1:
            singles.append(members[0])
            if len(singles) == MAX_BATCH:
                batches.append(singles)
                singles = []
        elif len(members) > MAX_BATCH:
            raise ValueError(
                f"requests {members[0]}..{members[-1]} depend on each other and are more than"
                f" {MAX_BATCH}: they cannot share one $batch"
            )
        else:
            batches.append(members)
    if singles:
        batches.append(singles)
    return sorted(batches)


async def send_batch(
    adapter: RequestAdapter, config: GraphConfig, requests: Sequence[BatchRequest]
) -> list[BatchResponse]:
    """Send ``requests`` in batches, retry throttled sub-responses, answer in input order."""
    plan_batches(requests)  # refuse an impossible plan before sending anything
    for req in requests:
        if "://" in req.url or not req.url.startswith("/"):
            raise ValueError(f"batch URLs are relative to the Graph root: {req.url!r}")
    results: dict[int, BatchResponse] = {}
    pending = list(range(len(requests)))
    attempt = 0
    while pending:
        chosen = set(pending)
        # Dependencies already answered in an earlier round are satisfied; drop them.
        deps = {i: tuple(d for d in requests[i].depends_on if d in chosen) for i in pending}
        for group in _plan(pending, deps):
            if len(group) == 1:
                [i] = group
                results[i] = await _send_one(adapter, requests[i])
            else:
                results.update(await _post(adapter, requests, group, _sequenced(group, deps)))
        pending, wait = _to_retry(config, requests, results, pending, deps)
        delay = retry_delay(config, attempt, wait) if pending else None
        if delay is None:
            break
        log.info("batch: %d sub-requests throttled, again in %.2fs", len(pending), delay)
        await config.sleep(delay)
        attempt += 1
    return [results[i] for i in range(len(requests))]


def _plan(pending: list[int], deps: dict[int, tuple[int, ...]]) -> list[list[int]]:
    """``plan_batches`` over the pending requests, by their positions in the input."""
    position = {i: n for n, i in enumerate(pending)}
    stand_in = [
        BatchRequest("GET", "/", depends_on=tuple(position[d] for d in deps[i])) for i in pending
    ]
    return [[pending[n] for n in group] for group in plan_batches(stand_in)]


def _sequenced(group: list[int], deps: Mapping[int, tuple[int, ...]]) -> dict[int, tuple[int, ...]]:
    """The dependsOn to send: a linked group with several first requests becomes one chain."""
    linked = {i: deps[i] for i in group}
    if len(group) > 1 and sum(1 for i in group if not linked[i]) > 1 and any(linked.values()):
        for before, i in zip(group, group[1:], strict=False):
            linked[i] = tuple(dict.fromkeys((*linked[i], before)))
    return linked


def _to_retry(
    config: GraphConfig,
    requests: Sequence[BatchRequest],
    results: Mapping[int, BatchResponse],
    pending: list[int],
    deps: Mapping[int, tuple[int, ...]],
) -> tuple[list[int], float | None]:
    """What to send again (throttled ones and their 424 dependents) and how long to wait."""
    again: list[int] = []
    waits: list[float] = []
    for i in pending:  # input order: a dependency is decided before its dependents
        answer = results[i]
        idempotent = requests[i].method.upper() in IDEMPOTENT_METHODS
        if status_is_retryable(answer.status, idempotent=idempotent):
            wait = parse_retry_after(answer.headers.get("Retry-After"))
            if wait is not None and wait > config.max_retry_after_s:
                continue  # too long to wait here: the caller gets Throttled
            again.append(i)
            if wait is not None:
                waits.append(wait)
        elif answer.status == 424 and any(d in again for d in deps[i]):
            again.append(i)
    return again, max(waits) if waits else None


async def _post(
    adapter: RequestAdapter,
    requests: Sequence[BatchRequest],
    group: list[int],
    deps: Mapping[int, tuple[int, ...]],
) -> dict[int, BatchResponse]:
    """One ``$batch`` post through the SDK's adapter (token, middleware, our transport)."""
    payload = {"requests": [_sub_request(i, requests[i], deps[i]) for i in group]}
    info = RequestInformation(Method.POST, "{+baseurl}/$batch")
    info.headers.try_add("Accept", "application/json")
    info.set_stream_content(json.dumps(payload).encode(), "application/json")
    info.add_request_options([ResponseHandlerOption(NativeResponseHandler())])
    # With NativeResponseHandler the adapter hands back the raw httpx.Response, never None; its
    # annotation (an Optional of a free TypeVar) cannot say so.
    response = cast(httpx.Response, await adapter.send_primitive_async(info, "bytes", None))
    outer_id = response.headers.get("request-id")
    body = _json(response.content)
    if response.status_code != 200:
        raise translate(
            BatchResponse("POST", "/$batch", response.status_code, response.headers, body, outer_id)
        )
    answers = {str(a.get("id")): a for a in body.get("responses", [])}
    out: dict[int, BatchResponse] = {}
    for i in group:
        answer = answers.get(str(i)) or {"status": 502, "body": None, "headers": {}}
        out[i] = BatchResponse(
            method=requests[i].method.upper(),
            url=requests[i].url,
            status=int(answer.get("status", 502)),
            headers=answer.get("headers") or {},
            body=answer.get("body"),
            request_id=_inner_request_id(answer.get("body")) or outer_id,
        )
    return out


async def _send_one(adapter: RequestAdapter, req: BatchRequest) -> BatchResponse:
    """One request sent plainly through the SDK's adapter, answered as a sub-response."""
    info = RequestInformation(Method[req.method.upper()])
    info.url = adapter.base_url.rstrip("/") + req.url
    info.headers.try_add("Accept", "application/json")
    for name, value in req.headers.items():
        info.headers.try_add(name, value)
    if req.body is not None:
        content_type = next(
            (v for k, v in req.headers.items() if k.lower() == "content-type"), "application/json"
        )
        info.set_stream_content(json.dumps(req.body).encode(), content_type)
    info.add_request_options([ResponseHandlerOption(NativeResponseHandler())])
    try:
        response = cast(httpx.Response, await adapter.send_primitive_async(info, "bytes", None))
    except GraphTimeout as exc:
        if exc.graph_code != GATEWAY_TIMEOUT:
            raise
        # Graph's 504 to a request not safe to repeat: answered as a sub-response would be,
        # so the caller decides (its ``raise_for_status`` says the outcome is unknown).
        error = {"error": {"code": GATEWAY_TIMEOUT, "message": exc.detail or ""}}
        return BatchResponse(req.method.upper(), req.url, 504, {}, error, exc.request_id)
    return BatchResponse(
        method=req.method.upper(),
        url=req.url,
        status=response.status_code,
        headers=response.headers,  # case-insensitive, as callers read Retry-After
        body=_json(response.content),
        request_id=response.headers.get("request-id") or _inner_request_id(_json(response.content)),
    )


def _sub_request(i: int, req: BatchRequest, deps: tuple[int, ...]) -> dict[str, Any]:
    headers = dict(req.headers)
    prefer_key = next((k for k in headers if k.lower() == "prefer"), "Prefer")
    headers[prefer_key] = merge_prefer(headers.get(prefer_key))  # not inherited from the post
    item: dict[str, Any] = {"id": str(i), "method": req.method.upper(), "url": req.url}
    if req.body is not None:
        item["body"] = req.body
        if not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = "application/json"
    item["headers"] = headers
    if deps:
        item["dependsOn"] = [str(d) for d in deps]
    return item


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _inner_request_id(body: Any) -> str | None:
    error = body.get("error") if isinstance(body, dict) else None
    inner = error.get("innerError") if isinstance(error, dict) else None
    return inner.get("request-id") if isinstance(inner, dict) else None
