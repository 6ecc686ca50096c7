"""The places API: the tenant's rooms and room lists (place-list, place-get; v1.0).

- ``GET /places/microsoft.graph.room``: every room, 100 a page by default, ``$top``/``$skip``
  (``@odata.nextLink`` carries ``$skip``), ``$filter``, ``$select``, ``$count=true``.
- ``GET /places/microsoft.graph.roomList``: every room list.
- ``GET /places/{room-list-emailAddress}/microsoft.graph.roomList/rooms``: a list's rooms; the
  list is named by its email address, not its id (place-list: "you must specify the room
  list by its emailAddress property").
- ``GET /places/{id or emailAddress}``: one room or room list, with its ``@odata.type``; cast
  with ``/microsoft.graph.room`` or ``/microsoft.graph.roomList``.

Casts are accepted in both spellings Graph takes, ``microsoft.graph.room`` (the docs) and
``graph.room`` (msgraph-sdk), in any case (``roomlist``, ``roomList``).

A room is listed with the properties the page's example of a real call shows, unset ones null.
An unknown place is a 404 in the places service's wrapped shape (``UnknownError`` with an
``invalid_place`` message, as reported in microsoftgraph/microsoft-graph-docs-contrib#5649).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from sandbox.context import Ctx
from sandbox.errors import GraphError
from sandbox.router import GraphResponse, Router

__all__ = ["ROOM_FIELDS", "ROOM_LIST_FIELDS", "room_json", "room_list_json", "router"]

router = Router()

# In the order of the List places page's third example (a real call's answer).
ROOM_FIELDS = (
    "id displayName address geoCoordinates phone nickname emailAddress building floorNumber"
    " floorLabel label capacity bookingType audioDeviceName videoDeviceName displayDeviceName"
    " isWheelChairAccessible tags"
).split()
ROOM_LIST_FIELDS = "id displayName address geoCoordinates phone emailAddress".split()
_ROOM = "microsoft.graph.room"
_ROOM_LIST = "microsoft.graph.roomList"
_PAGE = 100  # "By default, this operation returns 100 places per page."


def room_json(room: dict[str, Any]) -> dict[str, Any]:
    out = {k: room.get(k) for k in ROOM_FIELDS}
    out["tags"] = list(room.get("tags") or [])
    return out


def room_list_json(room_list: dict[str, Any]) -> dict[str, Any]:
    return {k: room_list.get(k) for k in ROOM_LIST_FIELDS}


def _not_found(key: str) -> GraphError:
    inner = {"code": "invalid_place", "message": f"place {key} not found"}
    return GraphError(json.dumps(inner, separators=(",", ":")), code="UnknownError", status=404)


def _by_name(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda p: (p["displayName"].lower(), p["emailAddress"].lower()))


def _rooms(ctx: Ctx, rooms: list[dict[str, Any]], fragment: str) -> GraphResponse:
    items = [room_json(r) for r in _by_name(rooms)]
    return ctx.collection(items, fragment, default_page=_PAGE, max_page=1000)


async def list_rooms(ctx: Ctx) -> GraphResponse:
    return _rooms(ctx, ctx.directory.rooms(), f"places/{_ROOM}")


async def list_room_lists(ctx: Ctx) -> GraphResponse:
    items = [room_list_json(r) for r in _by_name(ctx.directory.room_lists())]
    return ctx.collection(items, f"places/{_ROOM_LIST}", default_page=_PAGE, max_page=1000)


async def list_rooms_in_list(ctx: Ctx, place: str) -> GraphResponse:
    room_list = ctx.directory.room_list(place) if "@" in place else None
    if room_list is None:
        raise _not_found(place)
    members = [ctx.directory.room(a) for a in room_list.get("_rooms") or []]
    key = quote(room_list["emailAddress"], safe="")
    return _rooms(ctx, [r for r in members if r], f"places('{key}')/{_ROOM_LIST}/rooms")


def _one(ctx: Ctx, place: str, cast: str | None) -> GraphResponse:
    room, room_list = ctx.directory.room(place), ctx.directory.room_list(place)
    if room is not None and cast in (None, _ROOM):
        body = {"@odata.type": f"#{_ROOM}", **room_json(room)}
    elif room_list is not None and cast in (None, _ROOM_LIST):
        body = {"@odata.type": f"#{_ROOM_LIST}", **room_list_json(room_list)}
    else:
        raise _not_found(place)
    return ctx.entity(body, "places/$entity")


async def get_place(ctx: Ctx, place: str) -> GraphResponse:
    return _one(ctx, place, None)


async def get_room(ctx: Ctx, place: str) -> GraphResponse:
    return _one(ctx, place, _ROOM)


async def get_room_list(ctx: Ctx, place: str) -> GraphResponse:
    return _one(ctx, place, _ROOM_LIST)


# The collections first: "/places/{place}" would take "microsoft.graph.room" for a place id.
for _ns in ("microsoft.graph", "graph"):
    router.route("GET", f"/places/{_ns}.room", resource="places")(list_rooms)
    router.route("GET", f"/places/{_ns}.roomList", resource="places")(list_room_lists)
for _ns in ("microsoft.graph", "graph"):
    router.route("GET", f"/places/{{place}}/{_ns}.roomList/rooms", resource="places")(
        list_rooms_in_list
    )
    router.route("GET", f"/places/{{place}}/{_ns}.room", resource="places")(get_room)
    router.route("GET", f"/places/{{place}}/{_ns}.roomList", resource="places")(get_room_list)
router.route("GET", "/places/{place}", resource="places")(get_place)
