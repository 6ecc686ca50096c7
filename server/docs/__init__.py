"""``/api/docs``: Swagger UI served from our own origin, so the page keeps a strict CSP.

FastAPI's own docs page loads Swagger UI from a CDN and starts it with an inline script; our
policy allows neither, and the page stayed blank. Here Swagger UI's files come from the
``fastapi-offline`` package (the same ``swagger-ui-dist`` FastAPI links to, shipped inside a
wheel), and the few lines that start it are a static file of ours (``static/docs.js``), which
reads the schema's address from the page.
"""

from __future__ import annotations

from html import escape
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["DOCS_POLICY", "install_docs"]

SWAGGER_DIR = Path(str(files("fastapi_offline") / "static"))
STATIC_DIR = Path(__file__).resolve().parent / "static"

# Scripts and styles from this origin only (Swagger UI sets element styles through the DOM,
# which style-src does not govern); data: images are its icons; it fetches the schema and
# "Try it out" from this origin. Checked in Chromium: no violation, expanded and executed.
DOCS_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self';"
    " img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none';"
    " base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

PAGE = """<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<title>{title} – API</title>
<link rel="stylesheet" href="{root}{docs}/swagger/swagger-ui.css">
<link rel="icon" href="{root}{docs}/swagger/favicon.png">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{root}{openapi}"></div>
<script src="{root}{docs}/swagger/swagger-ui-bundle.js"></script>
<script src="{root}{docs}/static/docs.js"></script>
</body>
</html>
"""


def install_docs(app: FastAPI, *, docs_url: str, openapi_url: str) -> None:
    """The docs page at ``docs_url``, its files below it (``/swagger``, ``/static``)."""

    @app.get(docs_url, include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        root = escape(request.scope.get("root_path", "").rstrip("/"))
        page = PAGE.format(
            title=escape(app.title), root=root, docs=escape(docs_url), openapi=escape(openapi_url)
        )
        return HTMLResponse(page, headers={"Content-Security-Policy": DOCS_POLICY})

    app.mount(f"{docs_url}/swagger", StaticFiles(directory=SWAGGER_DIR), name="swagger-ui")
    app.mount(f"{docs_url}/static", StaticFiles(directory=STATIC_DIR), name="api-docs")
