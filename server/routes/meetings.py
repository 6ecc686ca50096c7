"""Meeting folders: types, meetings (upcoming ones offered from the calendar), agenda items,
pushes from a message, the overview, and a meeting as one ZIP for systems that import it."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import AsyncIterator
from dataclasses import asdict
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from automations.dates import AMSTERDAM
from automations.errors import AccessDenied
from automations.graph import BatchRequest, GraphSession
from automations.meetings import service
from automations.meetings.export import write_zip
from automations.meetings.names import folder_name
from automations.meetings.targets import LocalFolderTarget, SharePointTarget, library_drive
from automations.meetings.types import DEMO, MeetingType, MeetingTypes, load_types
from automations.roster.models import Roster
from automations.roster.policy import Action, authorize
from server.deps import (
    CurrentUser,
    JournalDep,
    RosterDep,
    SessionDep,
    SessionsDep,
    SettingsDep,
    Today,
    UserGraph,
)
from server.settings import Settings

router = APIRouter(prefix="/api/v1/meetings", tags=["meetings"])

Mailbox = Annotated[str, Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")]
ItemId = Annotated[str, Field(min_length=1, max_length=512)]
HORIZON = dt.timedelta(weeks=4)


def meeting_types(settings: Settings) -> MeetingTypes:
    return load_types(settings.meetings_file or DEMO)


def _staff(roster: Roster, actor: str) -> None:
    """Meeting folders are the secretariat's work: secretaries and admins."""
    if roster.role(actor) not in ("secretary", "admin"):
        raise AccessDenied("Alleen het secretariaat werkt in de vergadermappen.")


class TargetFactory:
    """The target of a meeting type; the library's drive id is looked up once per request."""

    def __init__(self, settings: Settings, types: MeetingTypes, graph: GraphSession) -> None:
        self.settings, self.types, self.graph = settings, types, graph
        self._drive: str | None = None

    async def prepare(self, kind: MeetingType) -> None:
        if kind.target == "sharepoint" and self._drive is None:
            assert self.types.sharepoint is not None
            place = self.types.sharepoint
            self._drive = await library_drive(self.graph, place.site, place.library)

    def __call__(self, kind: MeetingType) -> Any:
        if kind.target == "sharepoint":
            assert self._drive is not None, "prepare() first"
            return SharePointTarget(self.graph, self._drive)
        return LocalFolderTarget(self.settings.meetings_root)


class NewMeeting(BaseModel):
    type: str = Field(min_length=1, max_length=40)
    date: dt.date
    title: str = Field(min_length=1, max_length=200)
    location: str = Field(default="", max_length=200)
    event_id: ItemId | None = None


class NewItem(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    number: int | None = Field(default=None, ge=1, le=999)
    confidential: bool = False


class PushRequest(BaseModel):
    mailbox: Mailbox
    message: ItemId
    agenda_item: str = Field(min_length=1, max_length=36)
    attachments: list[ItemId] | None = Field(default=None, max_length=50)  # None: all
    include_mail: bool = False
    confidential: bool = False
    operation_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9\-_]+$")


@router.get("/types", operation_id="list_meeting_types")
async def types(user: CurrentUser, settings: SettingsDep) -> dict[str, Any]:
    return {"types": [t.model_dump() for t in meeting_types(settings).types]}


async def upcoming_from_calendar(
    graph: GraphSession, types: MeetingTypes, mailbox: str, today: dt.date
) -> list[dict[str, Any]]:
    """Calendar items of the coming weeks that belong to a meeting type (offered, not made)."""
    start = dt.datetime.combine(today, dt.time(), AMSTERDAM)
    end = start + HORIZON
    url = (
        f"/users/{mailbox}/calendarView?startDateTime={start.isoformat()}"
        f"&endDateTime={end.isoformat()}&$select=id,subject,start,location,categories"
        "&$orderby=start/dateTime&$top=200"
    ).replace("+", "%2B")
    [page] = await graph.batch([BatchRequest("GET", url)])
    page.raise_for_status()
    offered = []
    for event in page.body["value"]:
        for kind in types.types:
            if kind.calendar.matches(event):
                offered.append(
                    {
                        "type": kind.key,
                        "type_name": kind.name,
                        "date": event["start"]["dateTime"][:10],
                        "title": event.get("subject") or kind.name,
                        "location": (event.get("location") or {}).get("displayName") or "",
                        "event_id": event["id"],
                    }
                )
                break
    return offered


@router.get("", operation_id="list_meetings")
async def list_meetings(
    user: CurrentUser,
    roster: RosterDep,
    session: SessionDep,
    settings: SettingsDep,
    graph: UserGraph,
    today: Today,
    type: Annotated[str | None, Query(max_length=40)] = None,  # noqa: A002
    mailbox: Annotated[str | None, Query(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")] = None,
) -> dict[str, Any]:
    """Meetings from today on; with ``mailbox``, also the calendar's upcoming ones to pick."""
    _staff(roster, user.upn)
    kinds = meeting_types(settings)
    found = await service.list_meetings(session, kinds, since=today, type_key=type)
    offered: list[dict[str, Any]] = []
    if mailbox:
        authorize(roster, user.upn, Action.ACT_ON_MAILBOX, mailbox)
        known = {m.event_id for m in found if m.event_id}
        offered = [
            o
            for o in await upcoming_from_calendar(graph, kinds, mailbox, today)
            if o["event_id"] not in known and (type is None or o["type"] == type)
        ]
    return {"meetings": [asdict(m) for m in found], "from_calendar": offered}


@router.post("", operation_id="create_meeting", status_code=201)
async def create(
    body: NewMeeting, user: CurrentUser, roster: RosterDep, session: SessionDep,
    settings: SettingsDep,
) -> dict[str, Any]:  # fmt: skip
    _staff(roster, user.upn)
    meeting = await service.create_meeting(
        session, meeting_types(settings), type_key=body.type, date=body.date, title=body.title,
        location=body.location, event_id=body.event_id, actor=user.upn,
    )  # fmt: skip
    await session.commit()
    return asdict(meeting)


@router.post("/{meeting_id}/items", operation_id="add_agenda_item", status_code=201)
async def add_item(
    meeting_id: str, body: NewItem, user: CurrentUser, roster: RosterDep, session: SessionDep
) -> dict[str, Any]:
    _staff(roster, user.upn)
    item = await service.add_agenda_item(
        session, meeting_id=meeting_id, title=body.title, number=body.number,
        confidential=body.confidential, actor=user.upn,
    )  # fmt: skip
    await session.commit()
    return asdict(item)


@router.get("/{meeting_id}", operation_id="get_meeting")
async def overview(
    meeting_id: str, user: CurrentUser, roster: RosterDep, session: SessionDep,
    settings: SettingsDep,
) -> dict[str, Any]:  # fmt: skip
    """The agenda with its documents; items without documents are listed as missing."""
    _staff(roster, user.upn)
    meeting = await service.get_meeting(session, meeting_types(settings), meeting_id)
    missing = [i.number for i in meeting.items if not i.documents]
    return {**asdict(meeting), "missing": missing}


@router.post("/push", operation_id="push_to_meeting")
async def push(
    body: PushRequest,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    journal: JournalDep,
    graph: UserGraph,
    settings: SettingsDep,
) -> dict[str, Any]:
    """The message's attachments (and the mail, if asked) into an agenda item, once."""
    _staff(roster, user.upn)
    kinds = meeting_types(settings)
    factory = TargetFactory(settings, kinds, graph)
    place = await service.agenda_place(sessions, kinds, body.agenda_item)
    await factory.prepare(place)
    results = await service.push(
        graph, sessions, journal, roster=roster, types=kinds, target_for=factory,
        actor=user.upn, mailbox=body.mailbox, message_id=body.message,
        agenda_item_id=body.agenda_item, attachment_ids=body.attachments,
        include_mail=body.include_mail, confidential=body.confidential,
        operation_id=body.operation_id,
    )  # fmt: skip
    return {"documents": [asdict(r) for r in results]}


@router.get("/{meeting_id}/export", operation_id="export_meeting")
async def export(
    meeting_id: str,
    request: Request,
    user: CurrentUser,
    roster: RosterDep,
    sessions: SessionsDep,
    graph: UserGraph,
    settings: SettingsDep,
) -> StreamingResponse:
    """One ZIP: the tree, ``index.json`` and ``index.csv`` (built on disk, streamed out)."""
    _staff(roster, user.upn)
    kinds = meeting_types(settings)
    async with sessions() as session:
        meeting = await service.get_meeting(session, kinds, meeting_id)
    kind = kinds.get(meeting.type_key)
    factory = TargetFactory(settings, kinds, graph)
    await factory.prepare(kind)
    target = factory(kind)
    archive = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the stream below
    await write_zip(meeting, kind, target, archive)
    archive.seek(0)

    async def chunks() -> AsyncIterator[bytes]:
        try:
            while block := archive.read(1024 * 1024):
                yield block
        finally:
            archive.close()

    name = folder_name(f"{meeting.date:%Y-%m-%d} {meeting.title}")
    return StreamingResponse(
        chunks(),
        media_type="application/zip",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_rfc5987(name)}.zip"},
    )


def _rfc5987(text: str) -> str:
    return quote(text, safe="")
