"""Meeting folders: types, meetings (upcoming ones offered from the calendar), agenda items,
pushes from a message, the overview, a stored document, and a meeting as one ZIP for systems
that import it. Each route parses, calls ``automations.meetings.flows`` and renders."""

from __future__ import annotations

import mimetypes
import tempfile
from collections.abc import AsyncIterator
from dataclasses import asdict
from typing import IO, Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from automations.errors import Unprocessable
from automations.meetings import flows
from automations.meetings.settings import MeetingSettings
from server.deps import CurrentUser, FlowDeps, Me, SettingsDep, UserGraph
from server.fields import (
    BoundedIsoDate,
    ItemId,
    Mailbox,
    OperationId,
    OptionalMailboxQuery,
)

__all__ = ["MeetingConfig", "content_disposition", "meeting_settings", "router"]

router = APIRouter(prefix="/api/v1/meetings", tags=["meetings"])
BLOCK = 1024 * 1024


def meeting_settings(settings: SettingsDep) -> MeetingSettings:
    """The types file, the local root (and through the types, the SharePoint library)."""
    return MeetingSettings(root=settings.meetings_root, types_file=settings.meetings_file)


MeetingConfig = Annotated[MeetingSettings, Depends(meeting_settings)]


MeetingDate = BoundedIsoDate  # ISO text, 1900–2999 (the description says so too)


class NewMeeting(BaseModel):
    type: str = Field(min_length=1, max_length=40)
    date: MeetingDate
    title: str = Field(min_length=1, max_length=200)
    location: str = Field(default="", max_length=200)
    event_id: ItemId | None = None


class NewItem(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    number: int | None = Field(default=None, ge=1, le=999)
    confidential: bool = False


class ItemChange(BaseModel):
    """Only what is given changes."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    number: int | None = Field(default=None, ge=1, le=999)
    confidential: bool | None = None


class PushRequest(BaseModel):
    """One mail (``message``) or several (``messages``: their attachments into one item)."""

    mailbox: Mailbox
    message: ItemId | None = None
    messages: list[ItemId] | None = Field(default=None, min_length=1, max_length=flows.MAX_MAILS)
    agenda_item: str = Field(min_length=1, max_length=36)
    attachments: list[ItemId] | None = Field(default=None, max_length=50)  # None: all
    include_mail: bool = False
    confidential: bool = False
    operation_id: OperationId

    def message_ids(self) -> list[str]:
        """A rule the schema cannot say: one of the two (422 ``unprocessable`` otherwise)."""
        if (self.message is None) == (self.messages is None):
            raise Unprocessable("Geef één bericht (message) of meerdere (messages), niet beide.")
        return [self.message] if self.message is not None else list(self.messages or [])


@router.get("/types", operation_id="list_meeting_types")
async def types(user: CurrentUser, config: MeetingConfig) -> dict[str, Any]:
    return {"types": [t.model_dump() for t in flows.list_types(config)]}


@router.get("", operation_id="list_meetings")
async def list_meetings(
    deps: FlowDeps,
    me: Me,
    graph: UserGraph,
    config: MeetingConfig,
    type: Annotated[str | None, Query(max_length=40)] = None,  # noqa: A002
    mailbox: OptionalMailboxQuery = None,
    message: Annotated[str | None, Query(min_length=1, max_length=512)] = None,
) -> dict[str, Any]:
    """Meetings from today on; with ``mailbox``, also the calendar's upcoming ones not made
    yet (``from_calendar``) and both as one list (``candidates``, one entry per meeting);
    with ``message`` too, the meetings fitting that mail first and the best ``preselected``
    with ``why``."""
    if mailbox is None:
        found = await flows.list_meetings(deps, me, config=config, type_key=type)
        return {"meetings": [asdict(m) for m in found], "from_calendar": [], "candidates": [],
                "preselected": None}  # fmt: skip
    choices = await flows.meeting_choices(deps, graph, me, config=config, mailbox=mailbox,
                                          type_key=type, message_id=message)  # fmt: skip
    first = choices.preselected
    return {
        "meetings": [asdict(m) for m in choices.meetings],
        "from_calendar": [asdict(o) for o in choices.offered],
        "candidates": [_candidate(c) for c in choices.candidates],
        "preselected": {"value": first.value, "why": first.why} if first else None,
    }


def _candidate(c: flows.Candidate) -> dict[str, Any]:
    return {"value": c.value, "type": c.type_key, "type_name": c.type_name,
            "date": c.date.isoformat(), "start": c.start.isoformat() if c.start else None,
            "title": c.title, "location": c.location, "stored": c.stored,
            "meeting_id": c.meeting.id if c.meeting else None, "event_id": c.event_id,
            "score": c.fit.score, "why": c.why}  # fmt: skip


@router.post("", operation_id="create_meeting", status_code=201)
async def create(body: NewMeeting, deps: FlowDeps, me: Me, config: MeetingConfig) -> dict[str, Any]:
    """A meeting by hand, or from a calendar item (``event_id``: made once per event)."""
    meeting = await flows.create_meeting(
        deps, me, config=config, type_key=body.type, date=body.date, title=body.title,
        location=body.location, event_id=body.event_id,
    )  # fmt: skip
    return asdict(meeting)


@router.post("/{meeting_id}/items", operation_id="add_agenda_item", status_code=201)
async def add_item(
    meeting_id: str, body: NewItem, deps: FlowDeps, me: Me, config: MeetingConfig
) -> dict[str, Any]:
    item = await flows.add_agenda_item(
        deps, me, config=config, meeting_id=meeting_id, title=body.title, number=body.number,
        confidential=body.confidential,
    )  # fmt: skip
    return asdict(item)


@router.patch("/{meeting_id}/items/{item_id}", operation_id="edit_agenda_item")
async def edit_item(
    meeting_id: str, item_id: str, body: ItemChange, deps: FlowDeps, me: Me, graph: UserGraph,
    config: MeetingConfig,
) -> dict[str, Any]:  # fmt: skip
    """Title and number only while the item has no documents (they name its folder)."""
    item = await flows.edit_agenda_item(
        deps, graph, me, config=config, item_id=item_id, meeting_id=meeting_id,
        title=body.title, number=body.number, confidential=body.confidential,
    )  # fmt: skip
    return asdict(item)


@router.get("/documents/{document_id}", operation_id="open_meeting_document")
async def open_document(
    document_id: str, deps: FlowDeps, me: Me, graph: UserGraph, config: MeetingConfig
) -> StreamingResponse:
    """One stored document (this version of it), as a download: never shown in our origin."""
    sink = tempfile.SpooledTemporaryFile(max_size=BLOCK)  # noqa: SIM115 - closed by the stream
    try:
        doc = await flows.open_document(deps, graph, me, config=config,
                                        document_id=document_id, sink=sink)  # fmt: skip
    except BaseException:
        sink.close()
        raise
    media = mimetypes.guess_type(doc.file_name)[0] or "application/octet-stream"
    return _download(sink, doc.file_name, media)


@router.get("/{meeting_id}", operation_id="get_meeting")
async def overview(
    meeting_id: str, deps: FlowDeps, me: Me, config: MeetingConfig
) -> dict[str, Any]:
    """The agenda with its documents; items without documents are listed as missing."""
    meeting = await flows.get_meeting(deps, me, config=config, meeting_id=meeting_id)
    return {**asdict(meeting), "missing": meeting.missing()}


@router.post("/push", operation_id="push_to_meeting")
async def push(
    body: PushRequest, deps: FlowDeps, me: Me, graph: UserGraph, config: MeetingConfig
) -> dict[str, Any]:
    """The attachments of one mail or several (and the mails, if asked) into an agenda item,
    once per operation id."""
    results = await flows.push_message(
        deps, graph, me, config=config, mailbox=body.mailbox, message_ids=body.message_ids(),
        agenda_item_id=body.agenda_item, attachment_ids=body.attachments,
        include_mail=body.include_mail, confidential=body.confidential,
        operation_id=body.operation_id,
    )  # fmt: skip
    return {"documents": [asdict(r) for r in results]}


@router.get("/{meeting_id}/export", operation_id="export_meeting")
async def export(
    meeting_id: str, deps: FlowDeps, me: Me, graph: UserGraph, config: MeetingConfig
) -> StreamingResponse:
    """One ZIP: the tree, ``index.json`` and ``index.csv`` (built on disk, streamed out)."""
    archive = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the stream
    try:
        done = await flows.export_meeting(deps, graph, me, config=config,
                                          meeting_id=meeting_id, sink=archive)  # fmt: skip
    except BaseException:
        archive.close()
        raise
    return _download(archive, done.file_name, "application/zip")


def content_disposition(name: str) -> str:
    """``attachment`` (never shown in our origin) with the name twice (RFC 6266): plain ASCII
    for old clients (quotes, backslashes and controls replaced), and UTF-8 in ``filename*``."""
    plain = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in name)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def _download(data: IO[bytes], name: str, media_type: str) -> StreamingResponse:
    """``data`` from its start as a download named ``name``; the file is closed afterwards."""
    data.seek(0)

    async def chunks() -> AsyncIterator[bytes]:
        try:
            while block := data.read(BLOCK):
                yield block
        finally:
            data.close()

    headers = {
        "Content-Disposition": content_disposition(name),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",  # meeting documents may be confidential
    }
    return StreamingResponse(chunks(), media_type=media_type, headers=headers)
