"""``secretariaat``: one entry point for the sandbox, the backend and operator tasks.

Every command exits non-zero with one readable line on bad input.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="Secretariaat: Outlook-add-in en backend voor het bestuurssecretariaat.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

DEFAULT_SANDBOX_STATE = Path("var/sandbox")


def fail(message: str, code: int = 2) -> None:
    typer.echo(f"fout: {message}", err=True)
    raise typer.Exit(code)


@app.command()
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


@app.command("sandbox-info")
def sandbox_info(
    state: Annotated[
        Path, typer.Option(help="State directory of the sandbox.")
    ] = DEFAULT_SANDBOX_STATE,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show where a started sandbox listens (reads connection.json)."""
    path = state / "connection.json"
    if not path.exists():
        fail(f"geen sandbox gevonden: {path} bestaat niet (start eerst 'secretariaat sandbox')")
    info = json.loads(path.read_text())
    public = {k: v for k, v in info.items() if k != "client_secret"}
    if as_json:
        typer.echo(json.dumps(public, indent=2))
    else:
        for key, value in public.items():
            typer.echo(f"{key}: {value}")


if __name__ == "__main__":
    app()
