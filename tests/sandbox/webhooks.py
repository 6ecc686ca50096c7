"""A webhook receiver for change notification tests: a small Starlette app in its own thread.

It serves HTTPS with the sandbox's own server certificate (as the product's backend does in
development), so the sandbox reaches it the way Graph reaches a notification URL. Every POST
is recorded; tests wait on the record (a condition variable), never on the clock.

The first path segment names an endpoint; how it answers is set per endpoint:
``validation[name]`` is ``echo`` (default), ``wrong`` (another body), ``json`` (the token as
JSON) or a status code; ``status[name]`` is the status notifications get (default 202).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from sandbox.server import free_port

WAIT_S = 30.0  # a safety net for a broken run, not a timer: waits end when the hit arrives


@dataclass(frozen=True)
class Hit:
    endpoint: str
    query: dict[str, str]
    content_type: str
    body: Any  # parsed JSON, or the text of a validation request

    @property
    def validation(self) -> bool:
        return "validationToken" in self.query


@dataclass
class Receiver:
    base_url: str = ""
    hits: list[Hit] = field(default_factory=list)
    validation: dict[str, str] = field(default_factory=dict)
    status: dict[str, int] = field(default_factory=dict)
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def url(self, endpoint: str, query: str = "") -> str:
        return f"{self.base_url}/{endpoint}{'?' + query if query else ''}"

    def app(self) -> Starlette:
        async def receive(request: Request) -> Response:
            endpoint = request.path_params["endpoint"]
            raw = await request.body()
            query = dict(request.query_params)
            token = query.get("validationToken")
            ctype = request.headers.get("content-type", "")
            body: Any = raw.decode() if token is not None else json.loads(raw or b"null")
            with self._cond:
                self.hits.append(Hit(endpoint, query, ctype, body))
                self._cond.notify_all()
            # No keep-alive: the module's receiver stops without waiting for idle connections.
            close = {"Connection": "close"}
            if token is not None:
                mode = self.validation.get(endpoint, "echo")
                if mode == "echo":
                    return PlainTextResponse(token, headers=close)
                if mode == "wrong":
                    return PlainTextResponse(token + " (wrong)", headers=close)
                if mode == "json":
                    return JSONResponse(token, headers=close)
                return Response(status_code=int(mode), headers=close)
            return Response(status_code=self.status.get(endpoint, 202), headers=close)

        return Starlette(routes=[Route("/{endpoint}", receive, methods=["POST"])])

    def received(self, endpoint: str) -> list[dict[str, Any]]:
        """The notifications (``value`` items) that reached ``endpoint``, in order."""
        with self._cond:
            hits = [h for h in self.hits if h.endpoint == endpoint and not h.validation]
        return [item for h in hits for item in h.body["value"]]

    def validations(self, endpoint: str) -> list[Hit]:
        with self._cond:
            return [h for h in self.hits if h.endpoint == endpoint and h.validation]

    def wait(self, endpoint: str, count: int = 1) -> list[dict[str, Any]]:
        """Block until ``endpoint`` has received ``count`` notifications; return them all."""
        deadline = time.monotonic() + WAIT_S
        with self._cond:
            while len(self.received(endpoint)) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"{endpoint}: {self.received(endpoint)} (wanted {count})"
                self._cond.wait(left)
        return self.received(endpoint)


def eventually(check: Callable[[], Any]) -> Any:
    """Poll ``check`` until it returns something truthy (the sandbox's state, not time)."""
    deadline = time.monotonic() + WAIT_S
    while not (result := check()):
        assert time.monotonic() < deadline, "condition never became true"
        time.sleep(0.02)
    return result


async def until(check: Callable[[], Awaitable[Any]]) -> Any:
    """``eventually`` for a check that itself calls Graph (on the test's event loop)."""
    deadline = time.monotonic() + WAIT_S
    while not (result := await check()):
        assert time.monotonic() < deadline, "condition never became true"
        await asyncio.sleep(0.02)
    return result


@contextmanager
def serve(receiver: Receiver, tls_dir: Path | None) -> Iterator[Receiver]:
    """Run ``receiver`` on 127.0.0.1: HTTPS with the certificate in ``tls_dir``, else http."""
    port = free_port()
    tls = (
        {
            "ssl_certfile": str(tls_dir / "server.pem"),
            "ssl_keyfile": str(tls_dir / "server-key.pem"),
        }
        if tls_dir is not None
        else {}
    )
    config = uvicorn.Config(
        receiver.app(), host="127.0.0.1", port=port, log_level="warning", lifespan="off",
        access_log=False, timeout_graceful_shutdown=1, **tls,  # type: ignore[arg-type]
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="webhook-receiver", daemon=True)
    thread.start()
    eventually(lambda: server.started)
    receiver.base_url = f"{'https' if tls_dir else 'http'}://127.0.0.1:{port}"
    try:
        yield receiver
    finally:
        server.should_exit = True
        thread.join(timeout=5)
