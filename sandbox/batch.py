"""JSON batching: ``POST /$batch`` as Microsoft Graph answers it.

Each sub-request goes through ``Sandbox.handle`` with the batch's caller, so it gets the same
routing, authorisation, mailbox slot, latency and fault draw as a plain request (a drawn
connection drop becomes a 504 sub-response). Graph dispatches at most four sub-requests at a
time (``LimitSettings.batch_parallel``); ``dependsOn`` orders them and a failed dependency
turns its dependents into 424. Only the token is inherited from the outer request: Graph does
not pass the batch's own ``Prefer`` header on, a sub-request carries its own headers.
See https://learn.microsoft.com/graph/json-batching.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from sandbox.context import Ctx
from sandbox.errors import GraphError, error_body
from sandbox.router import GraphRequest, GraphResponse, Router, json_response

__all__ = ["MAX_REQUESTS", "router"]

log = logging.getLogger(__name__)

router = Router()

MAX_REQUESTS = 20

INVALID_PAYLOAD = "Invalid batch payload format."

# Response headers that belong to the outer HTTP exchange, not to a sub-response.
_OUTER_ONLY = {"request-id", "client-request-id"}


@dataclass
class Step:
    """One validated sub-request of a batch."""

    id: str
    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    depends_on: list[str] = field(default_factory=list)


@router.route("POST", "/$batch", resource="batch")
async def post_batch(ctx: Ctx) -> GraphResponse:
    steps = parse_batch(ctx.request.body)
    results = await run_steps(ctx, steps)
    return json_response({"responses": results})


# -- validation -------------------------------------------------------------------------------
def parse_batch(raw: bytes) -> list[Step]:
    """The batch's steps, or Graph's 400 for the whole batch."""
    try:
        payload = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise GraphError(INVALID_PAYLOAD) from exc
    requests = payload.get("requests") if isinstance(payload, dict) else None
    if not isinstance(requests, list) or not requests:
        raise GraphError(INVALID_PAYLOAD)
    if len(requests) > MAX_REQUESTS:
        raise GraphError(
            f"The number of requests in the batch exceeds the maximum of {MAX_REQUESTS}."
        )
    steps: list[Step] = []
    seen: set[str] = set()
    for item in requests:
        step = _step(item)
        key = step.id.lower()  # ids are not case-sensitive
        if key in seen:
            raise GraphError(f"Request Id {step.id} has to be unique in a batch.")
        for dep in step.depends_on:
            if dep.lower() not in seen:  # unknown, or not earlier in the array
                raise GraphError(f"Invalid dependency for request Id {step.id}.")
        seen.add(key)
        steps.append(step)
    _check_sequencing(steps)
    return steps


def _step(item: Any) -> Step:
    if not isinstance(item, dict):
        raise GraphError(INVALID_PAYLOAD)
    rid, method, url = item.get("id"), item.get("method"), item.get("url")
    if not all(isinstance(v, str) and v.strip() for v in (rid, method, url)):
        raise GraphError(INVALID_PAYLOAD)
    assert isinstance(rid, str) and isinstance(method, str) and isinstance(url, str)
    headers = {} if item.get("headers") is None else item["headers"]
    depends = [] if item.get("dependsOn") is None else item["dependsOn"]
    if not isinstance(headers, dict) or not isinstance(depends, list):
        raise GraphError(INVALID_PAYLOAD)
    if not all(isinstance(d, str) for d in depends):
        raise GraphError(INVALID_PAYLOAD)
    if "://" in url or url.startswith("//"):
        raise GraphError(
            f"Invalid request URL '{url}' for request Id {rid}: the url must be relative,"
            " for example /me/messages."
        )
    path = url.split("?", 1)[0].rstrip("/").lower()
    if path.endswith("$batch"):
        raise GraphError(f"Request Id {rid}: a batch request cannot contain a nested $batch.")
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    body = item.get("body")
    if body is not None and "content-type" not in lowered:
        raise GraphError(
            f"Content-Type header must be specified for request Id {rid} because it has a body."
        )
    return Step(
        id=rid,
        method=method.upper(),
        url=url,
        headers=lowered,
        body=_body_bytes(body),
        depends_on=list(depends),
    )


def _body_bytes(body: Any) -> bytes:
    """A JSON body as JSON; a string is base64 (binary content), as the docs describe."""
    if body is None:
        return b""
    if isinstance(body, str):
        standard = body.replace("-", "+").replace("_", "/")
        try:
            return base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
        except (binascii.Error, ValueError):
            return body.encode()
    return json.dumps(body, ensure_ascii=False).encode()


def _check_sequencing(steps: list[Step]) -> None:
    """Graph accepts a fully parallel batch or one where every request but the first waits."""
    independent = [s for s in steps if not s.depends_on]
    if len(independent) != len(steps) and len(independent) > 1:
        raise GraphError("Batch should be either fully sequential or fully parallel")


# -- execution --------------------------------------------------------------------------------
async def run_steps(ctx: Ctx, steps: list[Step]) -> list[dict[str, Any]]:
    """Run the steps, at most ``batch_parallel`` at once, dependents after their dependencies."""
    gate = asyncio.Semaphore(max(1, ctx.services.limits.settings.batch_parallel))
    done: dict[str, asyncio.Future[int]] = {
        s.id.lower(): asyncio.get_running_loop().create_future() for s in steps
    }
    results: list[dict[str, Any]] = []

    async def one(step: Step) -> None:
        statuses = [await done[d.lower()] for d in step.depends_on]
        failed = [d for d, status in zip(step.depends_on, statuses, strict=True) if status >= 400]
        if failed:
            resp = _failed_dependency(ctx, step, failed[0])
        else:
            async with gate:
                resp = await _run(ctx, step)
        results.append(_render(step.id, resp))
        done[step.id.lower()].set_result(resp.status)

    await asyncio.gather(*(one(s) for s in steps))
    return results


async def _run(ctx: Ctx, step: Step) -> GraphResponse:
    path, _, qs = step.url.partition("?")
    req = GraphRequest(
        method=step.method,
        path="/" + unquote(path).lstrip("/"),
        query=_query(qs),
        headers=dict(step.headers),
        body=step.body,
        in_batch=True,
    )
    try:
        return await ctx.services.handle(req, caller=ctx.caller)
    except Exception:  # a handler bug must not take the other sub-requests down with it
        log.exception("sub-request %s %s of a batch failed", step.method, step.url)
        err = GraphError("An internal server error occurred.", code="generalException", status=500)
        request_id = str(uuid.uuid4())
        body = error_body(
            err, request_id=request_id, client_request_id=request_id, now=ctx.store.clock.now()
        )
        return GraphResponse(status=500, body=body)


def _failed_dependency(ctx: Ctx, step: Step, dependency: str) -> GraphResponse:
    err = GraphError(
        f"The request depends on request Id {dependency}, which failed.",
        code="FailedDependency",
        status=424,
    )
    request_id = str(uuid.uuid4())
    client_request_id = step.headers.get("client-request-id") or request_id
    body = error_body(
        err, request_id=request_id, client_request_id=client_request_id, now=ctx.store.clock.now()
    )
    return GraphResponse(status=424, body=body)


def _render(rid: str, resp: GraphResponse) -> dict[str, Any]:
    """One entry of ``responses``: JSON bodies inline, binary content base64-encoded."""
    headers = {k: v for k, v in resp.headers.items() if k.lower() not in _OUTER_ONLY}
    headers.setdefault("Cache-Control", "no-cache")
    body: Any = None
    if isinstance(resp.body, bytes):
        body = base64.b64encode(resp.body).decode("ascii") if resp.body else None
        if resp.body:
            headers["Content-Type"] = resp.content_type
    elif resp.body is not None:
        body = resp.body
        headers["OData-Version"] = "4.0"
        headers["Content-Type"] = (
            "application/json;odata.metadata=minimal;odata.streaming=true;"
            "IEEE754Compatible=false;charset=utf-8"
        )
    return {"id": rid, "status": resp.status, "headers": headers, "body": body}


def _query(qs: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in qs.split("&"):
        if part:
            name, _, value = part.partition("=")
            out[unquote(name)] = unquote(value)
    return out
