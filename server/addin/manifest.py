"""Render ``addin/manifest.xml`` for one deployment: base URL, client id, API audience, version.

One template serves the demo (``https://127.0.0.1:8443``) and a real tenant. Values are
XML-escaped; the base URL must be an absolute ``https`` origin with an optional path, because
Outlook loads every pane, icon and resource from it.
"""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

__all__ = ["ICON_SIZES", "TEMPLATE", "ManifestError", "check_base_url", "render_manifest"]

# The top-level ``addin`` package's files, wherever it is installed (a wheel's site-packages or
# this source tree); a package is a folder on disk, so this is a real path StaticFiles can serve.
ADDIN_DIR = Path(str(files("addin")))
TEMPLATE = ADDIN_DIR / "manifest.xml"
ICON_SIZES = (16, 32, 64, 80, 128)  # ribbon 16/32/80; IconUrl 64; HighResolutionIconUrl 128

# Characters a base URL may hold: unreserved, '%' escapes, ':' and '/' (no query, no fragment).
_URL_SAFE = re.compile(r"[A-Za-z0-9\-._~%:/\[\]]+")
_VERSION = re.compile(r"[0-9]{1,5}(\.[0-9]{1,5}){0,3}")
_TEMPLATE_NOTE = re.compile(
    r"  This file is a template\. Do not sideload it as is:.*?\n\n", re.DOTALL
)
_PLACEHOLDER = re.compile(r"\{\{[A-Z_]+\}\}")


class ManifestError(ValueError):
    """A value cannot go into the manifest; the message says which and why."""


def check_base_url(value: str) -> tuple[str, str]:
    """The base URL without a trailing slash, and its origin (for ``AppDomain``)."""
    url = value.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme.lower() != "https":
        raise ManifestError(
            f"--base-url moet met https:// beginnen (Outlook eist HTTPS): {value!r}"
        )
    if not parts.hostname:
        raise ManifestError(f"--base-url mist een hostnaam: {value!r}")
    if not _URL_SAFE.fullmatch(url) or parts.query or parts.fragment or "@" in parts.netloc:
        raise ManifestError(
            f"--base-url mag alleen schema, host, poort en pad bevatten (geen ?, #, @, spaties "
            f"of aanhalingstekens): {value!r}"
        )
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise ManifestError(f"--base-url heeft een ongeldige poort: {value!r}") from None
    return url, f"https://{parts.netloc}"


def _text(name: str, value: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise ManifestError(f"{name} is leeg")
    if len(value) > limit:
        raise ManifestError(f"{name} is langer dan {limit} tekens")
    if any(ord(c) < 0x20 for c in value):
        raise ManifestError(f"{name} bevat stuurtekens")
    return escape(value, {'"': "&quot;"})


def render_manifest(*, base_url: str, client_id: str, api_audience: str, version: str) -> str:
    """The manifest for one deployment, ready to sideload; raises ``ManifestError`` on bad input."""
    url, origin = check_base_url(base_url)
    if not _VERSION.fullmatch(version.strip()):
        raise ManifestError(
            f"versie moet 1 tot 4 getallen met punten zijn, zoals 1.0.0.0: {version!r}"
        )
    values = {
        "{{BASE_URL}}": escape(url, {'"': "&quot;"}),
        "{{APP_DOMAIN}}": escape(origin, {'"': "&quot;"}),
        "{{CLIENT_ID}}": _text("client id", client_id, 125),  # bt:ShortString
        "{{API_AUDIENCE}}": _text("API audience", api_audience, 250),  # bt:LongString
        "{{VERSION}}": version.strip(),
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    # The template's own warning ("do not sideload it as is") becomes what this file is.
    # (No value in it: a comment may not hold "--", which a host name such as xn--… has.)
    rendered = "  Rendered by `secretariaat addin manifest`: ready to sideload.\n\n"
    text = _TEMPLATE_NOTE.sub(lambda _m: rendered, text, count=1)
    text = _PLACEHOLDER.sub(lambda m: values[m.group(0)], text)
    return text
