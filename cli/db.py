"""``secretariaat db``: the store's migrations."""

from __future__ import annotations

from pathlib import Path

import typer

from cli.common import JsonOption, backend_settings, echo_json, fail

app = typer.Typer(help="The store: migrations.", no_args_is_help=True)


@app.command("upgrade")
def db_upgrade(as_json: JsonOption = False) -> None:
    """Migrate the database (SECRETARIAAT_DATABASE_URL) to the newest schema."""
    import asyncio

    from automations.store.migrate import current_revision, upgrade

    settings = backend_settings()
    Path("var").mkdir(exist_ok=True)
    try:
        upgrade(settings.database_url)
        revision = asyncio.run(current_revision(settings.database_url))
    except Exception as exc:  # noqa: BLE001 - one readable line for the operator
        fail(f"migratie mislukt ({type(exc).__name__}): {exc}".splitlines()[0])
    if as_json:
        echo_json({"database": _safe_url(settings.database_url), "revision": revision}, indent=None)
    else:
        typer.echo(f"Database bijgewerkt tot revisie {revision}")


def _safe_url(url: str) -> str:
    """The database URL without its password, for output."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
