"""calendarView delta: a full round first, then only what changed since the last deltaLink.

State tokens are opaque to clients; here they carry the window, the mailbox, the change-log
watermark and, within a round, the offset of the next page. An incremental round reads the
calendar's change log: changed events are sent again (every occurrence of a changed series),
deleted ones, removed occurrences and events that left the window come as ``@removed``
(Graph's docs: "Events that are outside the date range ... are returned under @removed").
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sandbox.calendar import access, render
from sandbox.calendar.recurrence import occurrence_id
from sandbox.calendar.service import calendar_of
from sandbox.context import Ctx
from sandbox.errors import GraphError
from sandbox.router import GraphResponse
from sandbox.timezones import parse_iso_instant

__all__ = ["calendar_view_delta"]

log = logging.getLogger(__name__)

_EVENT = "#microsoft.graph.event"
_UNSUPPORTED = ("$filter", "$orderby", "$search", "$expand")


def _encode(state: dict[str, Any]) -> str:
    raw = json.dumps(state, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _gone() -> GraphError:
    """A token this sandbox never issued is answered like an expired one (as mail delta does)."""
    return GraphError(
        "The sync state generation is not found; the delta token is unknown or has expired.",
        code="SyncStateNotFound",
        status=410,
    )


def _decode(token: str, mailbox_id: str) -> dict[str, Any]:
    try:
        state = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(state, dict) or state.get("m") != mailbox_id:
            raise ValueError("not ours")
        parse_iso_instant(state["s"]), parse_iso_instant(state["e"]), int(state["w"])
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise _gone() from None
    return state


def _removed(item_id: str) -> dict[str, Any]:
    return {"@odata.type": _EVENT, "id": item_id, "@removed": {"reason": "deleted"}}


def _changed_entries(
    ctx: Ctx, calendar_id: str, since: int, start: datetime, end: datetime
) -> list[dict]:
    """What changed in the window since ``since``, as delta entries (upserts and @removed)."""
    zone, text = access.zone(ctx), ctx.body_content_type == "text"
    out: list[dict[str, Any]] = []
    for change in ctx.store.changes([calendar_id], since):
        rec = ctx.store.get(change.id, "event") if change.op == "upsert" else None
        if rec is None:
            tomb = ctx.store.get(f"tomb:{change.id}", "eventTombstone")
            gone = render.expand_event(tomb.data, start, end) if tomb else []
            out.extend(_removed(i.id) for i in gone if i.original_start is not None)
            out.append(_removed(change.id))
            continue
        items = render.expand_event(rec.data, start, end)
        if not rec.data.get("recurrence"):
            if items:
                out.append(
                    {"@odata.type": _EVENT, **render.item_json(items[0], zone, text_body=text)}
                )
            else:
                out.append(_removed(rec.id))
            continue
        for stamp in rec.data.get("_removed") or []:
            when = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=start.tzinfo)
            if start <= when < end:
                out.append(_removed(occurrence_id(rec.id, when)))
        out.extend(
            {"@odata.type": _EVENT, **render.item_json(i, zone, text_body=text)} for i in items
        )
    return out


def calendar_view_delta(ctx: Ctx, size: int) -> GraphResponse:
    """GET .../calendarView/delta: pages with $skiptoken, then a $deltatoken."""
    query = {k.lower(): v for k, v in ctx.request.query.items()}
    for name in _UNSUPPORTED:
        if name in query:
            raise GraphError(
                f"The query parameter '{name}' is not supported with delta.", code="BadRequest"
            )
    calendar_id = calendar_of(ctx.store, ctx.mailbox_id).id
    if "$skiptoken" in query:
        state = _decode(query["$skiptoken"], ctx.mailbox_id)
    elif "$deltatoken" in query:
        state = _decode(query["$deltatoken"], ctx.mailbox_id)
        state = {**state, "f": state["w"], "w": ctx.store.watermark(), "k": 0, "r": "incr"}
    else:
        start, end = access.window(ctx.request.query)
        state = {"m": ctx.mailbox_id, "s": start.isoformat(), "e": end.isoformat(),
                 "w": ctx.store.watermark(), "k": 0, "r": "full"}  # fmt: skip
    start, end = parse_iso_instant(state["s"]), parse_iso_instant(state["e"])
    if state.get("r") == "incr":
        entries = _changed_entries(ctx, calendar_id, int(state["f"]), start, end)
    else:
        zone, text = access.zone(ctx), ctx.body_content_type == "text"
        entries = [
            {"@odata.type": _EVENT, **render.item_json(i, zone, text_body=text)}
            for i in render.view_items(ctx.store, ctx.mailbox_id, start, end)
        ]
    offset = int(state.get("k") or 0)
    page = entries[offset : offset + size]
    body: dict[str, Any] = {"@odata.context": ctx.context_url("Collection(event)")}
    link = f"{ctx.base_url}{ctx.request.path}"
    if offset + size < len(entries):
        token = _encode({**state, "k": offset + size})
        body["@odata.nextLink"] = f"{link}?$skiptoken={quote(token)}"
    else:
        token = _encode({"m": state["m"], "s": state["s"], "e": state["e"], "w": state["w"]})
        body["@odata.deltaLink"] = f"{link}?$deltatoken={quote(token)}"
    body["value"] = page
    headers = access.headers(ctx)
    if "odata.maxpagesize" in ctx.request.prefer():
        applied = headers.get("Preference-Applied")
        extra = f"odata.maxpagesize={size}"
        headers["Preference-Applied"] = f"{applied}, {extra}" if applied else extra
    return GraphResponse(body=body, headers=headers)
