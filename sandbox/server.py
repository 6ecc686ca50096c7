"""Run the sandbox over HTTPS and publish ``connection.json`` for the backend and tests."""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from sandbox.app import SandboxConfig, create_app
from sandbox.certs import ensure_tls
from sandbox.dispatch import DroppedConnection
from sandbox.identity.credentials import CLIENT_CERTIFICATE_FILE

__all__ = ["RunningSandbox", "connection_info", "free_port", "serve", "start_in_thread"]


class _HideDroppedConnections(logging.Filter):
    """A deliberately dropped connection is a fault we injected, not an error to log."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DroppedConnection)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def connection_info(app: Any, config: SandboxConfig, ca_cert: Path) -> dict[str, Any]:
    sandbox = app.state.sandbox
    tenant = sandbox.directory.tenant
    backend = sandbox.directory.apps()[0]
    return {
        "graph_url": f"{config.base_url}/v1.0",
        "authority": f"{config.base_url}/{tenant.id}",
        "tenant_id": tenant.id,
        "client_id": backend.client_id,
        "client_secret": sandbox.store.get_meta(f"client_secret:{backend.client_id}"),
        "api_scope": f"{backend.app_id_uri}/access_as_user",
        "ca_cert": str(ca_cert),
        # The demo app's certificate credential (key and certificate, PEM), registered with
        # it: SECRETARIAAT_CLIENT_CERTIFICATE instead of the secret.
        "client_certificate": (
            str(config.state_dir / CLIENT_CERTIFICATE_FILE) if config.state_dir else None
        ),
        "signin_url": f"{config.base_url}/{tenant.id}/sandbox/signin",
        "admin_url": f"{config.base_url}/_admin" if config.admin else None,
    }


def _prepare(config: SandboxConfig, port: int) -> tuple[Any, uvicorn.Config, dict[str, Any]]:
    assert config.state_dir is not None
    tls = ensure_tls(config.state_dir)
    config.base_url = f"https://127.0.0.1:{port}"
    app = create_app(config)
    info = connection_info(app, config, tls.ca_cert)
    path = config.state_dir / "connection.json"
    path.write_text(json.dumps(info, indent=2))
    path.chmod(0o600)
    uv = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        ssl_certfile=str(tls.server_cert),
        ssl_keyfile=str(tls.server_key),
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=2,  # idle keep-alive clients (MSAL, SDKs) must not hold a stop
    )
    logging.getLogger("uvicorn.error").addFilter(_HideDroppedConnections())
    return app, uv, info


def serve(config: SandboxConfig, port: int) -> None:
    """Blocking: run until interrupted; say where it listens once it really does."""
    _app, uv, info = _prepare(config, port)
    server = uvicorn.Server(uv)

    async def run() -> None:
        task = asyncio.create_task(server.serve())
        while not server.started and not task.done():
            await asyncio.sleep(0.01)
        if server.started:
            where = f"Sandbox luistert op {info['graph_url']} (staat in {config.state_dir})"
            print(where, flush=True)  # noqa: T201 - the one line the operator reads
        await task

    asyncio.run(run())


@dataclass
class RunningSandbox:
    app: Any
    info: dict[str, Any]
    server: uvicorn.Server
    thread: threading.Thread
    loop: asyncio.AbstractEventLoop | None = None

    def server_loop(self) -> asyncio.AbstractEventLoop:
        """The event loop the server runs on (for in-process measurements)."""
        assert self.loop is not None
        return self.loop

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=1)
        if self.thread.is_alive():  # keep-alive connections of clients nobody closed
            self.server.force_exit = True
            self.thread.join(timeout=10)


def start_in_thread(config: SandboxConfig, port: int | None = None) -> RunningSandbox:
    """Start the HTTPS sandbox in a background thread (tests, benchmarks, the demo)."""
    port = port or free_port()
    app, uv, info = _prepare(config, port)
    server = uvicorn.Server(uv)
    running = RunningSandbox(app=app, info=info, server=server, thread=None)  # type: ignore[arg-type]

    def run() -> None:
        loop = asyncio.new_event_loop()
        running.loop = loop
        loop.run_until_complete(server.serve())
        loop.close()

    thread = threading.Thread(target=run, name="sandbox", daemon=True)
    running.thread = thread
    thread.start()
    for _ in range(500):
        if server.started:
            break
        if not thread.is_alive():  # uvicorn gave up: its one log line says why (a busy port)
            raise OSError(errno.EADDRINUSE, "al in gebruik of niet te openen")
        threading.Event().wait(0.01)
    else:
        raise RuntimeError("sandbox did not start")
    return running
