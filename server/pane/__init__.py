"""The task pane's HTML: one autoescaping Jinja2 environment, Dutch formatting, static files.

Everything from mail reaches a template as data and is escaped there; no view builds HTML by
string concatenation, and no template marks mail content ``|safe``. Every value a template
prints also loses its bidirectional controls (``automations.text``): a subject with a
right-to-left override cannot make the pane read backwards.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime, format_time
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from automations.dates import AMSTERDAM
from automations.plural import counted
from automations.text import without_bidi

__all__ = ["STATIC_DIR", "VENDOR_DIR", "templates"]

PANE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PANE_DIR / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
LOCALE = "nl_NL"


def _local(value: dt.datetime | dt.time) -> dt.datetime | dt.time:
    """The store keeps UTC; the pane shows Dutch time (Babel would print the UTC hour)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(AMSTERDAM)
    return value


def nl_datetime(value: dt.datetime | None) -> str:
    """``di 24 nov. 14:05``: short enough for a 320 px pane, unambiguous for a Dutch reader."""
    return format_datetime(_local(value), "EEE d MMM HH:mm", locale=LOCALE) if value else ""


def nl_date(value: dt.date | dt.datetime | None, style: str = "full") -> str:
    return format_date(value, style, locale=LOCALE) if value else ""


def nl_time(value: dt.datetime | dt.time | None) -> str:
    return format_time(_local(value), "HH:mm", locale=LOCALE) if value else ""


def nl_day(value: str | dt.date | None) -> str:
    """``dinsdag 24 november`` for an ISO date or date-time string (the clear's items)."""
    if not value:
        return ""
    day = dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return format_date(day, "EEEE d MMMM", locale=LOCALE)


def neutral(value: Any) -> Any:
    """What ``{{ … }}`` prints, without bidirectional controls (the environment's finalize)."""
    if isinstance(value, Markup) or hasattr(value, "__html__"):
        return Markup(without_bidi(str(value.__html__())))
    if isinstance(value, str):
        return without_bidi(value)
    if value is None or isinstance(value, int | float):
        return value
    return without_bidi(str(value))


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(PANE_DIR / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=neutral,
    )
    env.filters.update(nl_datetime=nl_datetime, nl_date=nl_date, nl_time=nl_time, nl_day=nl_day)
    env.filters["counted"] = counted  # {{ n | counted("stuk", "stukken") }}: "1 stuk"
    return env


templates = Jinja2Templates(env=_environment())
