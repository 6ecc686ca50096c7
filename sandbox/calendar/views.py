"""Time-window reads: calendarView, a series' instances, its delta, the calendar itself and
who it is shared with (calendarPermissions, from the owner's delegate rights).

calendarView expands series into occurrences and exceptions, ordered by start, and pages
with ``$skip`` like Graph; ``Prefer: odata.maxpagesize`` sets the page size.
"""

from __future__ import annotations

import base64
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


# Exchange's folder permission on the calendar as Graph's calendarRoleType (calendarPermission
# resource page): Editor is "write", Reviewer "read"; Author has no preset of its own.
_ROLES = {"editor": "write", "reviewer": "read", "author": "custom"}
_ALLOWED_INSIDE = [
    "none",
    "freeBusyRead",
    "limitedRead",
    "read",
    "write",
    "delegateWithoutPrivateEventAccess",
    "delegateWithPrivateEventAccess",
]
# "My Organization": what everyone else inside the tenant sees (Exchange's default: free/busy).
_MY_ORGANIZATION = {
    "id": base64.b64encode(b"Default").decode(),
    "isRemovable": False,
    "isInsideOrganization": True,
    "role": "freeBusyRead",
    "allowedRoles": ["none", "freeBusyRead", "limitedRead", "read", "write"],
    "emailAddress": {"name": "My Organization"},
}


async def calendar_permissions(ctx: Ctx, user: str) -> GraphResponse:
    """Who the calendar is shared with or delegated to (calendar-list-calendarpermissions).

    Only the owner (and the app) sees them: "Getting the calendar permissions of a calendar
    on behalf of a sharee or delegate returns an empty calendar permissions collection."
    """
    items: list[dict[str, Any]] = []
    if ctx.caller.is_app_only or ctx.caller.user_id == ctx.mailbox_id:
        items.append(dict(_MY_ORGANIZATION))
        for owner, delegate, rights in ctx.directory.delegations():
            role = _ROLES.get(rights.get("calendar", ""))
            who = ctx.directory.user(delegate) if owner == ctx.mailbox_id else None
            if role is None or who is None:
                continue
            address = who.get("mail") or who["userPrincipalName"]
            items.append(
                {
                    "id": base64.b64encode(f"ExchangePublishedUser.{address}".encode()).decode(),
                    "isRemovable": True,
                    "isInsideOrganization": True,
                    "role": role,
                    "allowedRoles": list(_ALLOWED_INSIDE),
                    "emailAddress": {"name": who["displayName"], "address": address},
                }
            )
    return ctx.collection(
        items, f"{ctx.user_segment()}/calendar/calendarPermissions", default_page=1000
    )


for base in ("/users/{user}", "/users/{user}/calendar"):
    router.route("GET", base + "/calendarView", resource="calendar")(calendar_view)
    for name in ("delta", "delta()"):  # the SDK calls the function form
        router.route("GET", f"{base}/calendarView/{name}", resource="calendar")(calendar_view_delta)
    router.route("GET", base + "/events/{event_id}/instances", resource="calendar")(instances)
router.route("GET", "/users/{user}/calendar", resource="calendar")(get_calendar)
router.route("GET", "/users/{user}/calendar/calendarPermissions", resource="calendar")(
    calendar_permissions
)
