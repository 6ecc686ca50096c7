"""``secretariaat addin``: the Outlook add-in's manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import backend_settings, fail

app = typer.Typer(help="The Outlook add-in: manifest.", no_args_is_help=True)


@app.command("manifest")
def addin_manifest(
    base_url: Annotated[
        str,
        typer.Option("--base-url", help="HTTPS address of the backend, e.g. https://host:8443."),
    ],
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to this file instead of stdout.")
    ] = None,
    client_id: Annotated[
        str | None,
        typer.Option("--client-id", help="App registration's client id (default: settings)."),
    ] = None,
    api_audience: Annotated[
        str | None,
        typer.Option("--api-audience", help="Backend API audience (default: settings)."),
    ] = None,
) -> None:
    """Render addin/manifest.xml for BASE_URL, ready to sideload into Outlook."""
    from importlib.metadata import PackageNotFoundError, version

    from server.addin.manifest import ManifestError, check_base_url, render_manifest
    from server.settings import SettingsError

    try:
        check_base_url(base_url)  # before the settings: a bad URL is the likelier mistake
    except ManifestError as exc:
        fail(str(exc))
    if client_id is None or api_audience is None:
        settings = backend_settings()
        try:
            identity = settings.identity()
        except SettingsError as exc:
            fail(f"{exc} (of geef --client-id en --api-audience op)")
        client_id = client_id or identity.client_id
        api_audience = api_audience or identity.api_audience
    try:
        app_version = version("secretariaat")
    except PackageNotFoundError:
        app_version = "0.0.0"
    try:
        text = render_manifest(
            base_url=base_url, client_id=client_id, api_audience=api_audience, version=app_version
        )
    except ManifestError as exc:
        fail(str(exc))
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"kan {out} niet schrijven: {exc.strerror or exc}")
    typer.echo(f"Manifest geschreven naar {out}", err=True)
