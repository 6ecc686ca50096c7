"""Graph's event routes: list, create, read, update, delete, and the meeting actions.

Every route exists under ``/events`` and ``/calendar/events`` as in Graph; calendarView,
instances and delta live in ``views`` and are included here.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sandbox.calendar import access, meetings, render, rooms, service, views
from sandbox.context import Ctx
from sandbox.errors import GraphError
from sandbox.router import GraphResponse, Router

__all__ = ["router"]

log = logging.getLogger(__name__)

router = Router()
_BASES = ("/users/{user}/events", "/users/{user}/calendar/events")

# Parameters each action accepts (case-insensitive, as Graph reads action payloads).
_ACTIONS = {
    "accept": ("accepted", {"comment", "sendresponse"}),
    "tentativelyAccept": ("tentativelyAccepted", {"comment", "sendresponse", "proposednewtime"}),
    "decline": ("declined", {"comment", "sendresponse", "proposednewtime"}),
}
_ORGANIZER_CODES = {"accepted": "Accept", "tentativelyAccepted": "Tentative", "declined": "Decline"}
_VERBS = {"accepted": "accept", "tentativelyAccepted": "tentatively accept", "declined": "decline"}


def _fragment(ctx: Ctx, tail: str) -> str:
    """``users('id')/events`` + tail; ``Ctx.entity``/``collection`` add the $select list."""
    return f"{ctx.user_segment()}/events{tail}"


def entity(ctx: Ctx, found: access.Found, *, status: int = 200) -> GraphResponse:
    return ctx.entity(
        access.rendered(ctx, found),
        _fragment(ctx, "/$entity"),
        status=status,
        headers=access.headers(ctx),
    )


def _params(ctx: Ctx, action: str, allowed: set[str]) -> dict[str, Any]:
    """An action's payload, names folded; unknown parameters are refused as Graph does."""
    out: dict[str, Any] = {}
    for name, value in ctx.request.json().items():
        if name.lower() not in allowed:
            raise GraphError(
                f"The parameter '{name}' in the request payload is not a valid parameter for the"
                f" operation '{action}'.",
                code="RequestBodyRead",
            )
        out[name.lower()] = value
    comment = out.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise GraphError(
            "Cannot convert the literal to the expected type 'Edm.String'.", code="RequestBodyRead"
        )
    return out


# -- collection ------------------------------------------------------------------------------
async def list_events(ctx: Ctx, user: str) -> GraphResponse:
    """Single events and series masters, as Graph's /events lists them (no occurrences)."""
    access.check_query(ctx)
    text = ctx.body_content_type == "text"
    zone = access.zone(ctx)
    items = [
        render.event_json(r.data, zone, text_body=text)
        for r in ctx.store.find("event", mailbox=ctx.mailbox_id)
    ]
    resp = ctx.collection(items, _fragment(ctx, ""), max_page=1000)
    resp.headers.update(access.headers(ctx))
    return resp


async def create(ctx: Ctx, user: str) -> GraphResponse:
    access.require_write(ctx)
    body = ctx.request.json()
    rec = service.create_event(ctx.store, ctx.directory, ctx.mailbox_id, body)
    resp = entity(ctx, access.Found(rec), status=201)
    rooms.process(ctx.store, ctx.directory, rec)  # the invited rooms answer after the request
    return resp


# -- one event -------------------------------------------------------------------------------
async def get_event(ctx: Ctx, user: str, event_id: str) -> GraphResponse:
    access.check_query(ctx)
    return entity(ctx, access.find(ctx, event_id))


async def update_event(ctx: Ctx, user: str, event_id: str) -> GraphResponse:
    access.require_write(ctx)
    found = access.find(ctx, event_id)
    patch = ctx.request.json()
    changed = meetings.update(ctx.store, ctx.directory, found.rec, patch, found.occurrence)
    resp = entity(ctx, access.find(ctx, event_id))
    if found.occurrence is None:  # the invited rooms answer the update after the request
        rooms.process(ctx.store, ctx.directory, found.rec, changed)
    return resp


async def delete_event(ctx: Ctx, user: str, event_id: str) -> GraphResponse:
    access.require_write(ctx)
    found = access.find(ctx, event_id)
    meetings.delete(ctx.store, found.rec, found.occurrence)
    return GraphResponse(status=204)


async def cancel_event(ctx: Ctx, user: str, event_id: str) -> GraphResponse:
    access.require_write(ctx)
    found = access.find(ctx, event_id)
    params = _params(ctx, "cancel", {"comment"})
    if not found.rec.data.get("isOrganizer"):
        raise GraphError(
            "Your request can't be completed. You need to be an organizer to cancel a meeting.",
            code="ErrorCalendarIsNotOrganizer",
        )
    meetings.cancel(ctx.store, found.rec, params.get("comment") or "", found.occurrence)
    return GraphResponse(status=202)


def _responder(action: str) -> Callable[..., Awaitable[GraphResponse]]:
    kind, allowed = _ACTIONS[action]

    async def answer(ctx: Ctx, user: str, event_id: str) -> GraphResponse:
        access.require_write(ctx)
        found = access.find(ctx, event_id)
        params = _params(ctx, action, allowed)
        data = found.rec.data
        if data.get("isOrganizer"):
            raise GraphError(
                "The user is the organizer of this meeting, and cannot, therefore,"
                f" {_VERBS[kind]} it.",
                code=f"ErrorCalendarIsOrganizerFor{_ORGANIZER_CODES[kind]}",
            )
        if data.get("isCancelled"):
            raise GraphError(
                f"The meeting has been canceled, and cannot, therefore, be {_VERBS[kind]}ed.",
                code=f"ErrorCalendarIsCancelledFor{_ORGANIZER_CODES[kind]}",
            )
        send = params.get("sendresponse", True)
        if not isinstance(send, bool):
            raise GraphError(
                "Cannot convert the literal to the expected type 'Edm.Boolean'.",
                code="RequestBodyRead",
            )
        proposed = params.get("proposednewtime")
        if proposed is not None:
            if not send:
                raise GraphError(
                    "Your request can't be completed. A proposal for a new time requires"
                    " sendResponse to be true.",
                    code="ErrorInvalidRequest",
                )
            if not data.get("allowNewTimeProposals", True):
                raise GraphError(
                    "Your request can't be completed. The organizer doesn't allow new time"
                    " proposals.",
                    code="ErrorInvalidRequest",
                )
            _check_proposal(proposed)
        meetings.respond(
            ctx.store,
            ctx.directory,
            found.rec,
            kind,
            comment=params.get("comment") or "",
            send=send,
            proposed=proposed,
            occurrence=found.occurrence,
        )
        return GraphResponse(status=202)

    answer.__name__ = f"{action}_event"
    return answer


def _check_proposal(proposed: Any) -> None:
    """proposedNewTime is a timeSlot: start and end dateTimeTimeZone."""
    from sandbox.calendar.fields import parse_times

    if not isinstance(proposed, dict):
        raise GraphError(
            "At least one property failed validation.", code="ErrorPropertyValidationFailure"
        )
    parse_times(proposed)


for base in _BASES:
    router.route("GET", base, resource="calendar")(list_events)
    router.route("POST", base, resource="calendar")(create)
    router.route("GET", base + "/{event_id}", resource="calendar")(get_event)
    router.route("PATCH", base + "/{event_id}", resource="calendar")(update_event)
    router.route("DELETE", base + "/{event_id}", resource="calendar")(delete_event)
    router.route("POST", base + "/{event_id}/cancel", resource="calendar")(cancel_event)
    for name in _ACTIONS:
        router.route("POST", base + "/{event_id}/" + name, resource="calendar")(_responder(name))

router.include(views.router)
