"""The pane's meeting folders (Bericht → Naar vergadermap): choose the meeting (one list of
stored and calendar meetings, the one fitting the mail preselected and said why) and the agenda
item (or a new one), tick attachments, push (the button names the target); then the meeting's
overview with what is still missing, its documents to open and the meeting as ZIP. Parse, call
``automations.meetings.flows``, render."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from automations.meetings import flows
from server.deps import FlowDeps, Me, UserGraph
from server.fields import ItemId, Mailbox, OperationId
from server.routes.meetings import MeetingConfig, MeetingDate
from server.routes.pane import fragment

router = APIRouter(include_in_schema=False)

NEW = "nieuw"  # the picker's "Nieuwe vergadering…"; others are "m:<meeting id>", "e:<event id>"


class MailsChosen(BaseModel):
    """The mail on Bericht (``message``), or the messages selected together (``messages``)."""

    mailbox: Mailbox
    message: ItemId | None = None
    messages: list[ItemId] = Field(default_factory=list, max_length=flows.MAX_MAILS)

    def message_ids(self) -> list[str]:
        return self.messages or ([self.message] if self.message else [])


class ChooseRequest(MailsChosen):
    # "m:<id>", "e:<event id>", "nieuw"; "": none chosen; absent: the preselection
    meeting: str | None = Field(default=None, max_length=600)


@router.post("/pane/vergadermap/kiezen", response_class=HTMLResponse)
async def choose(
    request: Request, body: ChooseRequest, deps: FlowDeps, me: Me, graph: UserGraph,
    config: MeetingConfig,
) -> HTMLResponse:  # fmt: skip
    found = await flows.picker(deps, graph, me, config=config, mailbox=body.mailbox,
                               message_ids=body.message_ids())  # fmt: skip
    first = found.preselected
    chosen = body.meeting if body.meeting is not None else (first.value if first else "")
    current = next((c for c in found.candidates if c.value == chosen), None)
    return fragment(
        request, "views/vergadermap_kiezen.html", candidates=found.candidates,
        preselected=first, chosen=chosen if current or chosen == NEW else "", current=current,
        attachments=found.attachments, operation_id=str(uuid.uuid4()), types=found.types,
        today=found.today, subjects=found.subjects,
    )  # fmt: skip


class NewMeeting(BaseModel):
    type: str = Field(min_length=1, max_length=40)
    date: MeetingDate
    title: str = Field(min_length=1, max_length=200)


class PlaceRequest(MailsChosen):
    meeting: str = Field(min_length=3, max_length=600)  # "m:<id>", "e:<event id>" or "nieuw"
    new_meeting: NewMeeting | None = None
    agenda_item: str | None = Field(default=None, max_length=36)
    new_item: str | None = Field(default=None, max_length=200)
    attachments: list[ItemId] = Field(default_factory=list, max_length=50)
    include_mail: bool = False
    confidential: bool = False
    operation_id: OperationId


@router.post("/pane/vergadermap/plaatsen", response_class=HTMLResponse)
async def place(
    request: Request, body: PlaceRequest, deps: FlowDeps, me: Me, graph: UserGraph,
    config: MeetingConfig,
) -> HTMLResponse:  # fmt: skip
    prefix, _, chosen = body.meeting.partition(":")
    new = body.new_meeting
    filed = await flows.file_message(
        deps, graph, me, config=config, mailbox=body.mailbox, message_ids=body.message_ids(),
        meeting_id=chosen if prefix == "m" else None,
        event_id=chosen if prefix == "e" else None,
        new_meeting=flows.NewMeeting(new.type, new.date, new.title) if new else None,
        agenda_item_id=body.agenda_item, new_item=body.new_item,
        attachment_ids=body.attachments, include_mail=body.include_mail,
        confidential=body.confidential, operation_id=body.operation_id,
    )  # fmt: skip
    return fragment(request, "views/vergadermap_uitkomst.html", results=filed.results,
                    meeting_id=filed.meeting_id)  # fmt: skip


@router.get(
    "/pane/vergadermap/{meeting_id}/overzicht",
    response_class=HTMLResponse,
    name="pane_meeting_overview",
)
async def overview(
    request: Request, meeting_id: str, deps: FlowDeps, me: Me, graph: UserGraph,
    config: MeetingConfig,
) -> HTMLResponse:  # fmt: skip
    """The agenda, what is missing, links that open the documents she may open (a download
    through the API's authorised route; SharePoint's own page), and the meeting as ZIP."""
    found = await flows.meeting_overview(deps, graph, me, config=config, meeting_id=meeting_id)
    return fragment(request, "views/vergadermap_overzicht.html", meeting=found.meeting,
                    openable=found.openable, web=found.web)  # fmt: skip
