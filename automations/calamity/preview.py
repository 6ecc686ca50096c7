"""The clear's preview: read the window, decide per item, keep what was shown under its
operation id so the clear does exactly that (plus the toggles) without reading again."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from automations.calamity.classify import ClearSettings, Decision, classify
from automations.calamity.models import (
    ClearItem,
    ClearReport,
    checked_window,
    counts_of,
    notices_of,
)
from automations.dates import from_graph
from automations.graph import GraphSession, calendar_view_json
from automations.journal import Journal, OperationNotFound, StepPlan
from automations.roster.models import Roster
from automations.roster.policy import Action, authorize

__all__ = ["preview", "preview_id", "previewed", "read_window", "snapshot", "checked_window"]

PREVIEW_VALID = dt.timedelta(minutes=30)  # executing an older preview reads the calendar again
_FIELDS = (
    "id,subject,start,end,isAllDay,isCancelled,isOrganizer,organizer,attendees,showAs,"
    "sensitivity,categories,type,seriesMasterId,responseStatus,location,isOnlineMeeting,"
    "bodyPreview"
).split(",")


async def read_window(
    graph: GraphSession, mailbox: str, start: dt.datetime, end: dt.datetime
) -> list[dict[str, Any]]:
    """Every item in the window, series occurrences included, following the pages."""
    return await calendar_view_json(graph, mailbox, start, end, select=_FIELDS, top=200)


def decide(
    event: Mapping[str, Any], mailbox: str, settings: ClearSettings, toggled: bool
) -> Decision:
    """The rules' decision, flipped when the secretary toggled the item."""
    decided = classify(event, mailbox, settings)
    if not toggled or event.get("isCancelled"):
        return decided
    if decided.action != "keep":
        return Decision("keep", "op verzoek laten staan")
    loose = ClearSettings(keep_categories=(), remove_appointments=True, include_private=True)
    natural = classify({**event, "isAllDay": False, "showAs": "busy"}, mailbox, loose)
    return Decision(natural.action, f"{natural.reason} (gekozen)")


def item_of(event: Mapping[str, Any], decision: Decision, toggled: bool) -> ClearItem:
    who = (event.get("organizer") or {}).get("emailAddress") or {}
    return ClearItem(
        id=event["id"],
        subject=event.get("subject") or "",
        start=from_graph(event.get("start")).isoformat(),
        end=from_graph(event.get("end")).isoformat(),
        action=decision.action,
        reason=decision.reason,
        status="kept" if decision.action == "keep" else "planned",
        organizer=who.get("name") or who.get("address") or "",
        series=bool(event.get("seriesMasterId")),
        toggled=toggled,
        all_day=bool(event.get("isAllDay")),
    )


def snapshot(event: Mapping[str, Any]) -> dict[str, Any]:
    """What the backlog needs to plan it again (stored with the plan, before anything runs)."""
    who = (event.get("organizer") or {}).get("emailAddress") or {}
    return {
        "organizer": who.get("address") or "",
        "organizer_name": who.get("name") or "",
        "attendees": [
            {
                "address": (a.get("emailAddress") or {}).get("address") or "",
                "name": (a.get("emailAddress") or {}).get("name") or "",
                "type": a.get("type") or "required",
            }
            for a in event.get("attendees") or []
        ],
        "location": ((event.get("location") or {}).get("displayName") or "")[:400],
        "is_online": bool(event.get("isOnlineMeeting")),
        "body": (event.get("bodyPreview") or "")[:4000],
    }


async def preview(
    graph: GraphSession,
    *,
    roster: Roster,
    actor: str,
    mailbox: str,
    start: dt.datetime,
    end: dt.datetime,
    settings: ClearSettings,
    toggled: Sequence[str] = (),
    journal: Journal | None = None,
    operation_id: str | None = None,
) -> ClearReport:
    """What a clear of this window would do to each item; changes nothing in Graph.

    With ``journal``, the items read are kept with the preview's operation id, so executing
    it does exactly what was shown (plus the toggles), without reading the calendar again.
    """
    authorize(roster, actor, Action.CLEAR_AGENDA, mailbox)
    start, end = checked_window(start, end)
    chosen = set(toggled)
    events = await read_window(graph, mailbox, start, end)
    items = [
        item_of(e, decide(e, mailbox, settings, e["id"] in chosen), e["id"] in chosen)
        for e in events
    ]
    operation_id = operation_id or str(uuid.uuid4())
    if journal is not None:
        window = {"start": start.isoformat(), "end": end.isoformat(), "events": events}
        await journal.plan(
            kind="calamity.preview",
            actor=actor,
            mailbox=mailbox,
            steps=[StepPlan("snapshot", window)],
            operation_id=preview_id(operation_id),
        )
    return ClearReport(
        operation_id=operation_id,
        mailbox=mailbox.lower(),
        start=start.isoformat(),
        end=end.isoformat(),
        status="preview",
        items=items,
        counts=counts_of(items),
        notices=notices_of(items),
    )


def preview_id(operation_id: str) -> str:
    """Where the preview shown under ``operation_id`` is kept (what the clear will act on)."""
    return f"{operation_id}-preview"


async def previewed(
    journal: Journal, operation_id: str, mailbox: str, start: dt.datetime, end: dt.datetime
) -> list[dict[str, Any]] | None:
    """The items the preview under this id showed, if it was recent and for this window."""
    try:
        shown = await journal.get(preview_id(operation_id))
    except OperationNotFound:
        return None
    params = shown.steps[0].params
    fresh = journal.clock.now() - shown.created_at < PREVIEW_VALID
    same = (params["start"], params["end"]) == (start.isoformat(), end.isoformat())
    if shown.kind != "calamity.preview" or shown.mailbox != mailbox or not (fresh and same):
        return None
    return list(params["events"])
