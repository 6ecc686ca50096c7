"""The pane's meeting folders (Bericht → Naar vergadermap): choose the meeting (upcoming ones
first, from the calendar without typing) and the agenda item (or a new one), tick attachments,
push; then the meeting's overview with what is still missing."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from automations.errors import BadRequest
from automations.graph import BatchRequest
from automations.meetings import service
from automations.roster.policy import Action, authorize
from server.deps import (
    CurrentUser,
    JournalDep,
    RosterDep,
    SessionsDep,
    SettingsDep,
    Today,
    UserGraph,
)
from server.routes.meetings import TargetFactory, _staff, meeting_types, upcoming_from_calendar
from server.routes.pane import fragment

router = APIRouter(include_in_schema=False)

MailboxField = Annotated[str, Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")]
ItemField = Annotated[str, Field(min_length=1, max_length=512)]


class ChooseRequest(BaseModel):
    mailbox: MailboxField
    message: ItemField
    meeting: str | None = Field(default=None, max_length=600)  # "m:<id>" or "e:<event id>"


@router.post("/pane/vergadermap/kiezen", response_class=HTMLResponse)
async def choose(
    request: Request,
    body: ChooseRequest,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    graph: UserGraph,
    settings: SettingsDep,
    today: Today,
) -> HTMLResponse:
    _staff(roster, user.upn)
    authorize(roster, user.upn, Action.ACT_ON_MAILBOX, body.mailbox)
    kinds = meeting_types(settings)
    async with sessions() as session:
        meetings = await service.list_meetings(session, kinds, since=today)
    known = {m.event_id for m in meetings if m.event_id}
    offered = [
        o
        for o in await upcoming_from_calendar(graph, kinds, body.mailbox, today)
        if o["event_id"] not in known
    ]
    [listed] = await graph.batch(
        [
            BatchRequest(
                "GET",
                f"/users/{body.mailbox}/messages/{body.message}/attachments"
                "?$select=id,name,size,isInline",
            )
        ]
    )
    listed.raise_for_status()
    attachments = [
        a for a in listed.body["value"]
        if a.get("@odata.type") == "#microsoft.graph.fileAttachment"
    ]  # fmt: skip
    chosen = body.meeting or (f"m:{meetings[0].id}" if meetings else "nieuw")
    current = next((m for m in meetings if f"m:{m.id}" == chosen), None)
    return fragment(
        request,
        "views/vergadermap_kiezen.html",
        meetings=meetings,
        offered=offered,
        chosen=chosen,
        current=current,
        attachments=attachments,
        operation_id=str(uuid.uuid4()),
        types=kinds.types,
        today=today,
    )


class NewMeeting(BaseModel):
    type: str = Field(min_length=1, max_length=40)
    date: dt.date
    title: str = Field(min_length=1, max_length=200)


class PlaceRequest(BaseModel):
    mailbox: MailboxField
    message: ItemField
    meeting: str = Field(min_length=3, max_length=600)  # "m:<id>", "e:<event id>" or "nieuw"
    new_meeting: NewMeeting | None = None
    agenda_item: str | None = Field(default=None, max_length=36)
    new_item: str | None = Field(default=None, max_length=200)
    attachments: list[ItemField] = Field(default_factory=list, max_length=50)
    include_mail: bool = False
    confidential: bool = False
    operation_id: str = Field(pattern=r"^[A-Za-z0-9\-_]{8,64}$")


@router.post("/pane/vergadermap/plaatsen", response_class=HTMLResponse)
async def place(
    request: Request,
    body: PlaceRequest,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    journal: JournalDep,
    graph: UserGraph,
    settings: SettingsDep,
    today: Today,
) -> HTMLResponse:
    _staff(roster, user.upn)
    kinds = meeting_types(settings)
    meeting_id = await _meeting_id(body, graph, sessions, kinds, user.upn, today)
    item_id = body.agenda_item
    if body.new_item and body.new_item.strip():
        async with sessions() as session, session.begin():
            item = await service.add_agenda_item(
                session, meeting_id=meeting_id, title=body.new_item, number=None,
                confidential=body.confidential, actor=user.upn,
            )  # fmt: skip
        item_id = item.id
    if not item_id:
        raise BadRequest("Kies een agendapunt of geef een nieuw agendapunt.")
    if not body.attachments and not body.include_mail:
        raise BadRequest("Kies een of meer bijlagen, of het bericht zelf.")
    factory = TargetFactory(settings, kinds, graph)
    await factory.prepare(await service.agenda_place(sessions, kinds, item_id))
    results = await service.push(
        graph, sessions, journal, roster=roster, types=kinds, target_for=factory,
        actor=user.upn, mailbox=body.mailbox, message_id=body.message, agenda_item_id=item_id,
        attachment_ids=body.attachments, include_mail=body.include_mail,
        confidential=body.confidential, operation_id=body.operation_id,
    )  # fmt: skip
    return fragment(
        request, "views/vergadermap_uitkomst.html", results=results, meeting_id=meeting_id
    )


async def _meeting_id(body: PlaceRequest, graph, sessions, kinds, actor: str, today) -> str:  # noqa: ANN001
    """The chosen meeting; one offered from the calendar is made now (once per event)."""
    if body.meeting.startswith("m:"):
        return body.meeting[2:]
    if body.meeting == "nieuw":
        if body.new_meeting is None:
            raise BadRequest("Geef soort, datum en titel van de nieuwe vergadering.")
        async with sessions() as session, session.begin():
            made = await service.create_meeting(
                session, kinds, type_key=body.new_meeting.type, date=body.new_meeting.date,
                title=body.new_meeting.title, location="", event_id=None, actor=actor,
            )  # fmt: skip
        return made.id
    event_id = body.meeting[2:]
    offered = await upcoming_from_calendar(graph, kinds, body.mailbox, today)
    match = next((o for o in offered if o["event_id"] == event_id), None)
    if match is None:
        raise BadRequest("Deze vergadering staat niet (meer) in de agenda.")
    async with sessions() as session, session.begin():
        made = await service.create_meeting(
            session, kinds, type_key=match["type"], date=dt.date.fromisoformat(match["date"]),
            title=match["title"], location=match["location"], event_id=event_id, actor=actor,
        )  # fmt: skip
    return made.id


@router.get("/pane/vergadermap/{meeting_id}/overzicht", response_class=HTMLResponse)
async def overview(
    request: Request,
    meeting_id: str,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    settings: SettingsDep,
) -> HTMLResponse:
    _staff(roster, user.upn)
    async with sessions() as session:
        meeting = await service.get_meeting(session, meeting_types(settings), meeting_id)
    return fragment(request, "views/vergadermap_overzicht.html", meeting=meeting)
