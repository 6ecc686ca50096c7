"""HTML that came from people (mail bodies, edits in the pane) made safe to show and to store.

nh3 (Rust's ammonia) keeps a small allow-list of formatting and drops everything else:
scripts, styles, event handlers, forms, remote images (web beacons) and ``javascript:`` links.
"""

from __future__ import annotations

import html as htmllib
import re

import nh3

__all__ = ["MAX_HTML", "clean", "prepend_to_body", "text_of"]

MAX_HTML = 200_000

TAGS = {
    "a", "b", "blockquote", "br", "div", "em", "font", "h1", "h2", "h3", "h4", "hr", "i",
    "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
_BODY = re.compile(r"<body[^>]*>", re.IGNORECASE)


def clean(html: str) -> str:
    """Only the allowed tags and attributes; links get ``rel=noopener noreferrer``."""
    return nh3.clean(
        html[:MAX_HTML], tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https", "mailto"}
    )


def prepend_to_body(document: str, fragment: str) -> str:
    """``fragment`` as the first thing in ``document``'s body, above the quoted original."""
    found = _BODY.search(document)
    if found is None:
        return fragment + document
    return document[: found.end()] + "\n" + fragment + document[found.end() :]


def text_of(html: str) -> str:
    """A short plain-text version (for lists and notifications)."""
    return " ".join(htmllib.unescape(nh3.clean(html, tags=set())).split())
