"""What the commands share: the --actor and --json options, failing in one line, the settings."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

if TYPE_CHECKING:  # imported lazily at run time: ``secretariaat --help`` stays fast
    from server.operator import Operator
    from server.settings import Settings

T = TypeVar("T")

ActorOption = Annotated[str, typer.Option(help="UPN of the person on whose behalf you act.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``fout: MESSAGE`` as the one line on stderr and exit with CODE."""
    typer.echo(f"fout: {message}", err=True)
    raise typer.Exit(code)


def echo_json(data: Any, *, indent: int | None = 2) -> None:
    """Print DATA as JSON; values JSON has no type for (dates, times) as their text."""
    typer.echo(json.dumps(data, indent=indent, default=str))


def backend_settings(state: Path | None = None) -> Settings:
    """The backend's settings (SECRETARIAAT_*); an invalid one fails with its first problem."""
    from pydantic import ValidationError

    from server.settings import Settings

    try:
        return Settings(sandbox_state=state) if state else Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        fail(f"configuratie ongeldig: {first.get('msg')}")


def run_as_app(work: Callable[..., Awaitable[T]]) -> T:
    """Run ``work(sessions, roster, graph, settings)`` with the app's identity; errors as one line.

    Exit code 3 when the roster refuses (403), 4 on a conflict (409), 2 for anything else.
    """
    import asyncio

    from automations.errors import AppError
    from server.operator import operator_graph

    settings = backend_settings()

    async def run() -> T:
        async with operator_graph(settings) as (sessions, roster, graph):
            return await work(sessions, roster, graph, settings)

    try:
        return asyncio.run(run())
    except AppError as exc:
        fail(exc.message, code=3 if exc.status == 403 else (4 if exc.status == 409 else 2))


def run_flow(work: Callable[[Operator], Awaitable[T]]) -> T:
    """Run ``work(op)`` — flows with the app's identity, acting as ``op.actor(upn)`` — with the
    same exit codes as ``run_as_app``."""
    import asyncio

    from automations.errors import AppError
    from server.operator import operator

    settings = backend_settings()

    async def run() -> T:
        async with operator(settings) as op:
            return await work(op)

    try:
        return asyncio.run(run())
    except AppError as exc:
        fail(exc.message, code=3 if exc.status == 403 else (4 if exc.status == 409 else 2))


def validate_file(
    file: Path, parse: Callable[[str], T], refused: type[Exception], count: Callable[[T], str]
) -> None:
    """``secretariaat … validate FILE``: every problem with its line on stderr (exit 1), or
    ``in orde`` with what the file holds; an unreadable file is one ``fout:`` line (exit 2)."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"kan {file} niet lezen: {getattr(exc, 'strerror', None) or exc}")
    try:
        found = parse(text)
    except refused as exc:
        for problem in getattr(exc, "problems", [str(exc)]):
            typer.echo(f"{file}: {problem}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{file}: in orde, {count(found)}")
