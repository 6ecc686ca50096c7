"""Starting things: the sandbox tenant, the backend, both together (demo), and sandbox-info."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Annotated

import typer

from cli.common import JsonOption, backend_settings, echo_json, fail

DEFAULT_SANDBOX_STATE = Path("var/sandbox")


def sandbox(
    port: Annotated[int, typer.Option(help="HTTPS port on 127.0.0.1.", min=1, max=65535)] = 9443,
    state: Annotated[
        Path, typer.Option(help="State directory (SQLite, keys, certificates).")
    ] = DEFAULT_SANDBOX_STATE,
    latency_ms: Annotated[
        float, typer.Option("--latency-ms", help="Latency added to every Graph request.", min=0)
    ] = 0,
    fault_rate: Annotated[
        float,
        typer.Option(
            "--fault-rate",
            help="Share of Graph requests that fail (429/503/504/drop).",
            min=0,
            max=1,
        ),
    ] = 0,
    seed: Annotated[int, typer.Option(help="Seed for fault injection.")] = 0,
    reset: Annotated[
        bool, typer.Option("--reset", help="Wipe and re-seed the demo municipality.")
    ] = False,
    admin: Annotated[
        bool, typer.Option("--admin", help="Enable the /_admin control plane.")
    ] = False,
    today: Annotated[
        str | None, typer.Option(help="Build the demo week around this date (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Start the sandbox tenant (Graph + Entra ID) over HTTPS."""
    from sandbox.app import SandboxConfig
    from sandbox.limits import LimitSettings
    from sandbox.server import serve

    day = None
    if today:
        try:
            day = dt.date.fromisoformat(today)
        except ValueError:
            fail(f"--today verwacht een datum als 2026-11-24, niet {today!r}")
    config = SandboxConfig(
        state_dir=state,
        limits=LimitSettings(latency_ms=latency_ms, fault_rate=fault_rate, seed=seed),
        admin=admin,
        reset=reset,
        today=day,
    )
    try:
        serve(config, port)
    except OSError as exc:
        fail(f"kan niet luisteren op 127.0.0.1:{port}: {exc.strerror or exc}")


def _prepare_store(settings) -> None:  # noqa: ANN001
    import asyncio

    from automations.errors import AppError
    from server.startup import prepare_store

    try:
        asyncio.run(prepare_store(settings))
    except AppError as exc:
        fail(exc.message)
    except OSError as exc:
        fail(f"database niet bereikbaar ({settings.database_url}): {exc}")


def _refuse_unsafe_host(settings, host: str) -> None:  # noqa: ANN001
    """Sandbox mode signs anyone in as anyone: it may listen on this machine only."""
    from server.settings import is_loopback

    if settings.mode == "sandbox" and not is_loopback(host):
        fail(
            f"sandbox-modus luistert alleen op 127.0.0.1, niet op {host} (sandbox mode is"
            " loopback-only; use SECRETARIAAT_MODE=tenant to serve a network)"
        )


def _serve_backend(  # noqa: ANN001
    settings, port: int, tls: tuple[str, str] | None, host: str = "127.0.0.1"
) -> None:
    import uvicorn

    from server.app import create_app
    from server.logs import configure_logging
    from server.settings import SettingsError

    _refuse_unsafe_host(settings, host)  # again here: every way to start the backend passes
    configure_logging(fmt=settings.log_format)
    _prepare_store(settings)
    try:
        app_ = create_app(settings)
    except SettingsError as exc:
        fail(str(exc))
    kwargs = {"ssl_certfile": tls[0], "ssl_keyfile": tls[1]} if tls else {}
    uvicorn.run(
        app_,
        host=host,
        port=port,
        log_level="warning",
        log_config=None,  # uvicorn's lines go through our handler: redacted, text or JSON
        timeout_graceful_shutdown=5,
        **kwargs,
    )


def serve(
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8443,
    host: Annotated[
        str, typer.Option(help="Address to listen on; sandbox mode allows loopback only.")
    ] = "127.0.0.1",
    certfile: Annotated[Path | None, typer.Option(help="TLS certificate (PEM).")] = None,
    keyfile: Annotated[Path | None, typer.Option(help="TLS key (PEM).")] = None,
    plain: Annotated[
        bool,
        typer.Option(
            "--plain-http",
            help="Plain HTTP also in sandbox mode: behind a TLS proxy on this machine.",
        ),
    ] = False,
) -> None:
    """Start the backend (reads SECRETARIAAT_* settings)."""
    settings = backend_settings()
    _refuse_unsafe_host(settings, host)
    tls = None
    if plain and (certfile or keyfile):
        fail("--plain-http gaat niet samen met --certfile/--keyfile")
    if certfile and keyfile:
        tls = (str(certfile), str(keyfile))
    elif settings.mode == "sandbox" and not plain:
        tls = (
            str(settings.sandbox_state / "server.pem"),
            str(settings.sandbox_state / "server-key.pem"),
        )
    scheme, shown = ("https" if tls else "http"), (f"[{host}]" if ":" in host else host)
    typer.echo(f"Backend luistert op {scheme}://{shown}:{port}")
    if settings.mode == "tenant":
        typer.echo(f"Tenant-modus: tenant {settings.tenant_id} via {settings.authority_host}")
    _serve_backend(settings, port, tls, host)


def demo(
    port: Annotated[int, typer.Option(help="Backend port.", min=1, max=65535)] = 8443,
    sandbox_port: Annotated[int, typer.Option(help="Sandbox port.", min=1, max=65535)] = 9443,
    state: Annotated[Path, typer.Option(help="Sandbox state directory.")] = DEFAULT_SANDBOX_STATE,
    reset: Annotated[
        bool, typer.Option("--reset", help="Seed the demo municipality anew.")
    ] = False,
) -> None:
    """Start the sandbox tenant and the backend together, on the demo municipality."""
    from sandbox.app import SandboxConfig
    from sandbox.server import start_in_thread

    try:
        running = start_in_thread(SandboxConfig(state_dir=state, reset=reset), port=sandbox_port)
    except OSError as exc:
        fail(f"sandbox kan niet starten op poort {sandbox_port}: {exc.strerror or exc}")
    settings = backend_settings(state)
    if "SECRETARIAAT_BASE_URL" not in os.environ:  # the pane's links must point at this port
        settings = settings.model_copy(update={"base_url": f"https://127.0.0.1:{port}"})
    typer.echo(f"Outlook (test): https://127.0.0.1:{port}/dev/outlook")
    typer.echo(f"Sandbox-tenant: {running.info['graph_url']}")
    typer.echo(f"Backend-API:    https://127.0.0.1:{port}/api/docs")
    typer.echo(f"Manifest:       https://127.0.0.1:{port}/addin/manifest.xml")
    typer.echo(
        f"CA-certificaat: {running.info['ca_cert']} (vertrouwen, of waarschuwing accepteren)"
    )
    try:
        _serve_backend(settings, port, (str(state / "server.pem"), str(state / "server-key.pem")))
    finally:
        running.stop()


def sandbox_info(
    state: Annotated[
        Path, typer.Option(help="State directory of the sandbox.")
    ] = DEFAULT_SANDBOX_STATE,
    as_json: JsonOption = False,
) -> None:
    """Show where a started sandbox listens (reads connection.json)."""
    path = state / "connection.json"
    if not path.exists():
        fail(f"geen sandbox gevonden: {path} bestaat niet (start eerst 'secretariaat sandbox')")
    info = json.loads(path.read_text())
    public = {k: v for k, v in info.items() if k != "client_secret"}
    if as_json:
        echo_json(public)
    else:
        for key, value in public.items():
            typer.echo(f"{key}: {value}")


def worker(
    name: Annotated[
        str | None, typer.Option(help="The worker's name in the queue (default host:pid).")
    ] = None,
) -> None:
    """Run the task queue's tasks (long work such as a calamity clear) until stopped.

    Needs PostgreSQL (SECRETARIAAT_DATABASE_URL): with SQLite the server runs its own tasks.
    """
    import asyncio

    from automations.store.db import is_sqlite
    from server.logs import configure_logging
    from server.settings import SettingsError
    from server.worker import run_worker

    settings = backend_settings()
    if is_sqlite(settings.database_url):
        fail(
            "een worker heeft PostgreSQL nodig (SECRETARIAAT_DATABASE_URL); met SQLite voert"
            " de server zijn taken zelf uit"
        )
    configure_logging(fmt=settings.log_format)
    _prepare_store(settings)
    try:
        asyncio.run(run_worker(settings, name=name))
    except SettingsError as exc:
        fail(str(exc))
