"""Time-window reads: calendarView, a series' instances, its delta, and the calendar itself.

calendarView expands series into occurrences and exceptions, ordered by start, and pages
with ``$skip`` like Graph; ``Prefer: odata.maxpagesize`` sets the page size.
"""

from __future__ import annotations

from typing import Any

from sandbox.calendar import access, delta, render
from sandbox.calendar.service import calendar_of
from sandbox.context import Ctx, public
from sandbox.router import GraphResponse, Router

__all__ = ["router"]

router = Router()


def page_size(ctx: Ctx, default: int = 10) -> int:
    raw = ctx.request.prefer().get("odata.maxpagesize", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else default


def _render_all(ctx: Ctx, items: list[render.Item]) -> list[dict[str, Any]]:
    zone, text = access.zone(ctx), ctx.body_content_type == "text"
    return [render.item_json(i, zone, text_body=text) for i in items]


async def calendar_view(ctx: Ctx, user: str) -> GraphResponse:
    access.check_query(ctx)
    start, end = access.window(ctx.request.query)
    items = _render_all(ctx, render.view_items(ctx.store, ctx.mailbox_id, start, end))
    resp = ctx.collection(items, f"{ctx.user_segment()}/calendarView", default_page=page_size(ctx))
    resp.headers.update(access.headers(ctx))
    return resp


async def instances(ctx: Ctx, user: str, event_id: str) -> GraphResponse:
    """Occurrences and exceptions of one series in the window (a single event has none)."""
    access.check_query(ctx)
    start, end = access.window(ctx.request.query)
    found = access.find(ctx, event_id)
    items = []
    if found.occurrence is None and found.rec.data.get("recurrence"):
        items = render.expand_event(found.rec.data, start, end)
        items.sort(key=lambda i: (i.start, i.id))
    fragment = f"{ctx.user_segment()}/events('{found.rec.id}')/instances"
    resp = ctx.collection(_render_all(ctx, items), fragment, default_page=page_size(ctx))
    resp.headers.update(access.headers(ctx))
    return resp


async def calendar_view_delta(ctx: Ctx, user: str) -> GraphResponse:
    return delta.calendar_view_delta(ctx, page_size(ctx))


async def get_calendar(ctx: Ctx, user: str) -> GraphResponse:
    data = public(calendar_of(ctx.store, ctx.mailbox_id).data)
    assert ctx.mailbox is not None
    owner = ctx.mailbox
    data["owner"] = {
        "name": owner["displayName"],
        "address": owner.get("mail") or owner["userPrincipalName"],
    }
    return ctx.entity(data, f"{ctx.user_segment()}/calendar/$entity")


for base in ("/users/{user}", "/users/{user}/calendar"):
    router.route("GET", base + "/calendarView", resource="calendar")(calendar_view)
    for name in ("delta", "delta()"):  # the SDK calls the function form
        router.route("GET", f"{base}/calendarView/{name}", resource="calendar")(calendar_view_delta)
    router.route("GET", base + "/events/{event_id}/instances", resource="calendar")(instances)
router.route("GET", "/users/{user}/calendar", resource="calendar")(get_calendar)
