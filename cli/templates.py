"""``secretariaat templates``: validate a reply-template file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import fail

app = typer.Typer(help="Reply templates: validate.", no_args_is_help=True)


@app.command("validate")
def templates_validate(
    file: Annotated[Path, typer.Argument(help="A reply-template YAML file.")],
) -> None:
    """Check a template file; prints every problem with its line (exit 1 when there are any)."""
    from automations.replies.service import TemplateError, parse

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"kan {file} niet lezen: {getattr(exc, 'strerror', None) or exc}")
    try:
        found = parse(text)
    except TemplateError as exc:
        for problem in exc.problems:
            typer.echo(f"{file}: {problem}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{file}: in orde, {len(found.templates)} sjablonen")
