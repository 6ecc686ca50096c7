"""The Graph URL table and the request/response types every resource module uses.

Resource modules register handlers on a ``Router``; the ASGI app and ``$batch`` both dispatch
through it, so a sub-request of a batch takes exactly the code path of a plain request.
Paths are written in their ``/users/{user}/...`` form; ``/me`` is rewritten to the caller.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import ErrorInvalidRequest, GraphError, MethodNotAllowed

__all__ = ["GraphRequest", "GraphResponse", "Route", "Router", "json_response"]


@dataclass
class GraphRequest:
    method: str
    path: str  # below /v1.0, decoded, without the query string
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes = b""
    request_id: str = ""
    in_batch: bool = False

    def json(self) -> dict[str, Any]:
        """The JSON object body, or Graph's 400 for anything else."""
        if not self.body.strip():
            return {}
        try:
            value = json.loads(self.body)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # too deep is unreadable
            raise GraphError(
                f"Unable to read JSON request payload. Please ensure Content-Type header is set"
                f" and payload is of valid JSON format. ({exc})",
                code="BadRequest",
            ) from exc
        if not isinstance(value, dict):
            raise ErrorInvalidRequest("The request payload must be a JSON object.")
        return value

    def prefer(self) -> dict[str, str]:
        """Parse ``Prefer`` into lower-case names -> unquoted values."""
        out: dict[str, str] = {}
        for part in self.headers.get("prefer", "").split(","):
            name, _, value = part.strip().partition("=")
            if name:
                out[name.strip().lower()] = value.strip().strip('"')
        return out


@dataclass
class GraphResponse:
    status: int = 200
    body: Any = None  # JSON-able, or bytes for raw content
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body, ensure_ascii=False, separators=(",", ":")).encode()


def json_response(body: Any, status: int = 200, **headers: str) -> GraphResponse:
    return GraphResponse(status=status, body=body, headers=dict(headers))


Handler = Callable[..., Awaitable[GraphResponse]]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    template: str
    handler: Handler
    resource: str  # "mail" | "calendar" | "drive" | "tasks" | "directory" | "none"


_PARAM = re.compile(r"\{(\w+)(?::path)?\}")


def _compile(template: str) -> re.Pattern[str]:
    out, pos = [], 0
    for m in _PARAM.finditer(template):
        out.append(re.escape(template[pos : m.start()]))
        if m.group(0).endswith(":path}"):
            out.append(f"(?P<{m.group(1)}>.+?)")
        else:
            out.append(f"(?P<{m.group(1)}>[^/]+)")
        pos = m.end()
    out.append(re.escape(template[pos:]))
    return re.compile("^" + "".join(out) + "/?$", re.IGNORECASE)


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def route(self, method: str, template: str, *, resource: str) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            self.routes.append(Route(method, _compile(template), template, fn, resource))
            return fn

        return register

    def include(self, other: Router) -> None:
        self.routes.extend(other.routes)

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        allowed = False
        for r in self.routes:
            m = r.pattern.match(path)
            if m is None:
                continue
            if r.method == method:
                return r, m.groupdict()
            allowed = True
        if allowed:
            raise MethodNotAllowed(f"The HTTP method '{method}' is not allowed for '{path}'.")
        segment = path.rstrip("/").rsplit("/", 1)[-1] or path
        raise GraphError(f"Resource not found for the segment '{segment}'.", code="BadRequest")

    def coverage(self) -> list[str]:
        return sorted({f"{r.method} {r.template}" for r in self.routes})
