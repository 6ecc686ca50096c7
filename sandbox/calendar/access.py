"""Who may change a calendar, finding events (and occurrences) in it, and rendering choices.

An id from another mailbox is answered exactly like one that does not exist; an occurrence id
names its series master and the occurrence's original start, and resolves only while that
occurrence exists (not deleted, not outside the pattern).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox import odata
from sandbox.calendar import render
from sandbox.calendar.fields import READ_ONLY, WRITABLE
from sandbox.calendar.recurrence import expand, parse_occurrence_id
from sandbox.calendar.service import stamp_of
from sandbox.context import Ctx
from sandbox.errors import ErrorAccessDenied, ErrorItemNotFound, GraphError
from sandbox.store import Record
from sandbox.timezones import format_graph_datetime, parse_graph_datetime, parse_iso_instant

__all__ = ["Found", "check_query", "find", "headers", "rendered", "require_write", "window", "zone"]

_ID = re.compile(r"^[A-Za-z0-9_\-+/]{20,}={0,2}$")
KNOWN_EVENT = {*WRITABLE, *READ_ONLY}


def check_query(ctx: Ctx) -> None:
    """$select names must be event properties, refused as Outlook does (RequestBroker--ParseUri)."""
    try:
        odata.parse_query(ctx.request.query, known=KNOWN_EVENT, entity_type="microsoft.graph.event")
    except odata.ODataError as exc:
        raise GraphError(exc.message, code=exc.code) from exc


def require_write(ctx: Ctx) -> None:
    """Editor rights for a delegate (the permission itself is the dispatcher's check)."""
    if not ctx.services.can_write(ctx.caller, ctx.mailbox_id, "calendar"):
        raise ErrorAccessDenied()


@dataclass
class Found:
    """An event record, and for an occurrence id its (stamp, start, end) and view item."""

    rec: Record
    occurrence: tuple[str, dict[str, Any], dict[str, Any]] | None = None
    item: render.Item | None = None


def find(ctx: Ctx, event_id: str) -> Found:
    if not _ID.match(event_id):
        raise GraphError("Id is malformed.", code="ErrorInvalidIdMalformed")
    parsed = parse_occurrence_id(event_id)
    if parsed is None:
        rec = ctx.store.get(event_id, "event")
        if rec is None or rec.mailbox != ctx.mailbox_id:
            raise ErrorItemNotFound()
        return Found(rec)
    master_id, original = parsed
    rec = ctx.store.get(master_id, "event")
    if rec is None or rec.mailbox != ctx.mailbox_id or not rec.data.get("recurrence"):
        raise ErrorItemNotFound()
    stamp = stamp_of(original)
    if stamp in (rec.data.get("_removed") or []):
        raise ErrorItemNotFound()
    change = (rec.data.get("_exceptions") or {}).get(stamp, {})
    zone_start = rec.data["start"].get("timeZone") or "UTC"
    zone_end = rec.data["end"].get("timeZone") or zone_start
    if "start" in change:
        start = parse_graph_datetime(change["start"]).astimezone(UTC)
        end = parse_graph_datetime(change["end"]).astimezone(UTC)
    else:
        hits = [
            o
            for o in expand(
                start=rec.data["start"],
                end=rec.data["end"],
                recurrence=rec.data["recurrence"],
                window_start=original,
                window_end=original + timedelta(seconds=1),
            )
            if o.original_start == original
        ]
        if not hits:
            raise ErrorItemNotFound()
        start, end = hits[0].start.astimezone(UTC), hits[0].end.astimezone(UTC)
    occurrence = (
        stamp,
        format_graph_datetime(start, zone_start),
        format_graph_datetime(end, zone_end),
    )
    return Found(rec, occurrence, render.Item(rec.data, start, end, original))


def zone(ctx: Ctx) -> str:
    return render.output_zone(ctx.timezone)


def headers(ctx: Ctx) -> dict[str, str]:
    """Preference-Applied for the Prefer values honoured."""
    applied = []
    if ctx.timezone and zone(ctx) == ctx.timezone:
        applied.append(f'outlook.timezone="{ctx.timezone}"')
    if ctx.body_content_type:
        applied.append(f'outlook.body-content-type="{ctx.body_content_type}"')
    return {"Preference-Applied": ", ".join(applied)} if applied else {}


def rendered(ctx: Ctx, found: Found) -> dict[str, Any]:
    text = ctx.body_content_type == "text"
    if found.item is not None:
        return render.item_json(found.item, zone(ctx), text_body=text)
    return render.event_json(found.rec.data, zone(ctx), text_body=text)


_WINDOW = (
    "This request requires a time window specified by the query string parameters"
    " StartDateTime and EndDateTime."
)


def window(query: dict[str, str]) -> tuple[datetime, datetime]:
    """startDateTime/endDateTime (names case-insensitive), or Graph's ErrorInvalidParameter."""
    lowered = {k.lower(): v for k, v in query.items()}
    raw_start, raw_end = lowered.get("startdatetime"), lowered.get("enddatetime")
    if not raw_start or not raw_end:
        raise GraphError(_WINDOW, code="ErrorInvalidParameter")
    out = []
    for name, raw in (("StartDateTime", raw_start), ("EndDateTime", raw_end)):
        try:
            out.append(parse_iso_instant(raw))
        except ValueError:
            raise GraphError(
                f"The value '{raw}' of parameter '{name}' is invalid.", code="ErrorInvalidParameter"
            ) from None
    return out[0], out[1]
