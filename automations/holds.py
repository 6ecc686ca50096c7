"""What a hold ("optie") is, for the whole product: the planner places them, the
``expired-holds`` job releases them when their date has passed, the calamity clear leaves
them alone, and the conflict check does not count them as double bookings of the same plan.

A hold is an appointment the executive organises, shown as tentative, whose subject starts
with "Optie" and says until when it holds: "Optie: bestuurlijk overleg haven (tot
26-11-2026)". Whoever placed it writes "Geplaatst door: <address>" in its text; she is told
when it is released. The planner also tags its holds with the planning request
(``PLANNING_PROPERTY``) so it finds its own again; a hold typed by hand in Outlook is a hold
all the same.

Pure functions; nothing here talks to Graph.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "HOLD",
    "PLACED_BY",
    "PLANNING_PROPERTY",
    "hold_subject",
    "hold_until",
    "is_hold",
    "planning_tag",
]

HOLD = re.compile(r"^\s*optie\b.*?\btot\s+(\d{1,2})-(\d{1,2})-(\d{4})", re.IGNORECASE)
PLACED_BY = re.compile(r"geplaatst door:?\s*([^\s<>@]+@[^\s<>]+)", re.IGNORECASE)
# The planning request a hold (or the booked meeting) belongs to: "planning/<id>".
PLANNING_PROPERTY = "String {1f6cbb2e-7d3a-4b8c-9a57-3f1f8f0d9a11} Name SecretariaatPlanning"


def hold_until(event: Mapping[str, Any]) -> dt.date | None:
    """The last day a hold holds, from its subject; None when the event is no hold."""
    found = HOLD.search(event.get("subject") or "")
    if not found:
        return None
    day, month, year = (int(g) for g in found.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def is_hold(event: Mapping[str, Any]) -> bool:
    return hold_until(event) is not None


def hold_subject(title: str, until: dt.date) -> str:
    """The subject that makes an appointment a hold (``hold_until`` reads it back)."""
    return f"Optie: {title.strip()} (tot {until:%d-%m-%Y})"


def planning_tag(request_id: str) -> str:
    return f"planning/{request_id}"
