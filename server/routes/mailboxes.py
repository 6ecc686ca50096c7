"""The executives' mailboxes the signed-in user works in: counts, messages, calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query

from automations.dates import AMSTERDAM
from automations.mailboxes.reading import (
    MAX_TOP,
    calendar_view,
    get_event,
    get_message,
    list_messages,
)
from automations.mailboxes.service import get_mailbox, list_mailboxes
from server.deps import CurrentUser, RosterDep, UserGraph
from server.fields import IsoDateTimeQuery

router = APIRouter(prefix="/api/v1", tags=["mailboxes"])


@router.get("/mailboxes", operation_id="list_mailboxes")
async def mailboxes(user: CurrentUser, roster: RosterDep, graph: UserGraph) -> dict[str, Any]:
    """The mailboxes I may open, with unread and total counts of their Inboxes."""
    found = await list_mailboxes(graph=graph, roster=roster, actor=user.upn)
    return {"mailboxes": [asdict(m) for m in found]}


@router.get("/mailboxes/{upn}", operation_id="get_mailbox")
async def mailbox(
    upn: str, user: CurrentUser, roster: RosterDep, graph: UserGraph
) -> dict[str, Any]:
    """One mailbox; 403 when the roster says I do not work for its owner."""
    return asdict(await get_mailbox(graph=graph, roster=roster, actor=user.upn, mailbox=upn))


@router.get("/mailboxes/{upn}/messages", operation_id="list_messages")
async def messages(
    upn: str,
    user: CurrentUser,
    roster: RosterDep,
    graph: UserGraph,
    folder: Annotated[str, Query(max_length=40)] = "inbox",
    top: Annotated[int, Query(ge=1, le=MAX_TOP)] = 25,
) -> dict[str, Any]:
    """The newest messages of a well-known folder (inbox, drafts, sentitems, …)."""
    found = await list_messages(
        graph=graph, roster=roster, actor=user.upn, mailbox=upn, folder=folder, top=top
    )
    return {"messages": [asdict(m) for m in found]}


@router.get("/mailboxes/{upn}/messages/{message_id}", operation_id="get_message")
async def message(
    upn: str, message_id: str, user: CurrentUser, roster: RosterDep, graph: UserGraph
) -> dict[str, Any]:
    """One message, its body as plain text."""
    found = await get_message(
        graph=graph, roster=roster, actor=user.upn, mailbox=upn, message_id=message_id
    )
    return asdict(found)


@router.get("/mailboxes/{upn}/calendar", operation_id="calendar_view")
async def calendar(
    upn: str,
    user: CurrentUser,
    roster: RosterDep,
    graph: UserGraph,
    start: IsoDateTimeQuery,
    end: IsoDateTimeQuery,
) -> dict[str, Any]:
    """Everything in the calendar between ``start`` and ``end`` (local time if no offset)."""
    found = await calendar_view(
        graph=graph,
        roster=roster,
        actor=user.upn,
        mailbox=upn,
        start=_aware(start),
        end=_aware(end),
    )
    return {"events": [asdict(e) for e in found]}


@router.get("/mailboxes/{upn}/events/{event_id}", operation_id="get_event")
async def event(
    upn: str, event_id: str, user: CurrentUser, roster: RosterDep, graph: UserGraph
) -> dict[str, Any]:
    found = await get_event(
        graph=graph, roster=roster, actor=user.upn, mailbox=upn, event_id=event_id
    )
    return asdict(found)


def _aware(moment: dt.datetime) -> dt.datetime:
    """A time without an offset is the municipality's local time, not UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=AMSTERDAM)
