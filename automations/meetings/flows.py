"""Meeting folders as the secretariat works with them, one function per thing a user does.

Every adapter (the JSON API, the pane, the CLI's ``--actor``) calls these, so a click and a
script get the same checks in the same order: meeting folders are the secretariat's work
(secretaries and admins), a mailbox only for those who work in it (``roster.policy``), then
the store, the journal and the audit log, and an event where the work queue changes (an agenda
item of the coming week without documents is a queue item). "Today" is the injected clock's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import IO, Any, TypedDict

from sqlalchemy.ext.asyncio import AsyncSession

from automations.context import Actor, Deps
from automations.errors import AccessDenied, BadRequest, NotFound
from automations.graph import BatchRequest, GraphSession
from automations.meetings import reading, service
from automations.meetings.calendar import CalendarMeeting, upcoming_from_calendar
from automations.meetings.choosing import Candidate, MailFacts, choose
from automations.meetings.export import write_zip
from automations.meetings.folders import folders_of, meeting_folder, write_index
from automations.meetings.models import AgendaItem, Document, Meeting, PushResult
from automations.meetings.settings import MeetingSettings
from automations.meetings.targets import LocalFolderTarget, SharePointTarget
from automations.meetings.types import MeetingType, MeetingTypes
from automations.queue.service import MEETING_HORIZON
from automations.roster.models import Roster
from automations.roster.policy import Action, authorize, may
from automations.store.models import MeetingRow

__all__ = [
    "STAFF",
    "Attachment",
    "Candidate",
    "Exported",
    "Filed",
    "MeetingChoices",
    "NewMeeting",
    "Overview",
    "Picker",
    "add_agenda_item",
    "create_meeting",
    "edit_agenda_item",
    "export_meeting",
    "file_message",
    "get_meeting",
    "list_meetings",
    "list_types",
    "may_work_in_folders",
    "may_open",
    "meeting_choices",
    "meeting_overview",
    "open_document",
    "picker",
    "push_message",
    "queue_mailboxes",
]

STAFF = ("secretary", "admin")


def may_work_in_folders(roster: Roster, upn: str) -> bool:
    """Meeting folders are the secretariat's work: secretaries and admins, not executives."""
    return roster.role(upn) in STAFF


def _staff(actor: Actor) -> None:
    if not may_work_in_folders(actor.roster, actor.upn):
        raise AccessDenied("Alleen het secretariaat werkt in de vergadermappen.")


def queue_mailboxes(roster: Roster, created_by: str) -> list[str]:
    """Whose work queues show a meeting's empty agenda items (as ``queue.service`` files
    them): the executives its maker serves; a meeting an admin made, everyone's."""
    served = roster.serves.get(created_by.lower())
    if served:
        return sorted(served)
    if roster.role(created_by) == "secretary":
        return []  # serves no one: the queue shows the meeting nowhere
    return sorted(u for u, role in roster.roles.items() if role == "executive")


def _announce(deps: Deps, actor: Actor, meeting: MeetingRow, kind: str, item_id: str) -> None:
    """Tell open panes an agenda item's queue entry changed, when it is in the queue at all."""
    today = deps.today()
    if not today <= meeting.date <= today + MEETING_HORIZON:
        return
    for mailbox in queue_mailboxes(actor.roster, meeting.created_by):
        deps.publish(kind, mailbox, key=f"documents:{item_id}")


def list_types(config: MeetingSettings) -> list[MeetingType]:
    """The meeting types (they name no one: anyone signed in may read them)."""
    return config.types().types


async def list_meetings(
    deps: Deps, actor: Actor, *, config: MeetingSettings, type_key: str | None = None
) -> list[Meeting]:
    """Meetings from today on (of one type), with their agenda items and documents."""
    _staff(actor)
    async with deps.sessions() as session:
        return await reading.list_meetings(session, config.types(), since=deps.today(),
                                           type_key=type_key)  # fmt: skip


@dataclass(frozen=True)
class MeetingChoices:
    meetings: list[Meeting]  # from today on
    offered: list[CalendarMeeting]  # the calendar's, not yet made (none a stored one's twin)
    candidates: list[Candidate]  # both as one list, one entry per meeting, best first
    preselected: Candidate | None  # with a mail: the first, when its type fits the mail


async def _choices(
    deps: Deps, graph: GraphSession, types: MeetingTypes, mailbox: str, type_key: str | None,
    mail: MailFacts | None = None,
) -> MeetingChoices:  # fmt: skip
    today = deps.today()
    async with deps.sessions() as session:
        found = await reading.list_meetings(session, types, since=today, type_key=type_key)
    offered = [o for o in await upcoming_from_calendar(graph, types, mailbox, today)
               if type_key is None or o.type == type_key]  # fmt: skip
    chosen = choose(found, offered, types, mail)
    events = {c.event_id for c in chosen.candidates if not c.stored}
    return MeetingChoices(found, [o for o in offered if o.event_id in events],
                          chosen.candidates, chosen.preselected)  # fmt: skip


async def _mail_facts(graph: GraphSession, mailbox: str, message_id: str) -> MailFacts:
    url = f"/users/{mailbox}/messages/{message_id}?$select=subject,from,categories"
    [read] = await graph.batch([BatchRequest("GET", url)])
    read.raise_for_status()
    return _facts(read.body)


def _facts(message: Mapping[str, Any]) -> MailFacts:
    sender = ((message.get("from") or {}).get("emailAddress") or {}).get("address") or ""
    return MailFacts(message.get("subject") or "", sender,
                     tuple(message.get("categories") or ()))  # fmt: skip


async def meeting_choices(
    deps: Deps, graph: GraphSession, actor: Actor, *, config: MeetingSettings, mailbox: str,
    type_key: str | None = None, message_id: str | None = None,
) -> MeetingChoices:  # fmt: skip
    """The meetings to choose from: stored ones, her calendar's upcoming ones not made yet,
    and both as one ranked list (with ``message_id``: the ones fitting that mail first, the
    best preselected)."""
    _staff(actor)
    authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, mailbox)
    mail = await _mail_facts(graph, mailbox, message_id) if message_id else None
    return await _choices(deps, graph, config.types(), mailbox, type_key, mail)


class Attachment(TypedDict):
    """A file attachment as Graph lists it (the picker ticks all but inline images)."""

    id: str
    name: str
    size: int
    isInline: bool


@dataclass(frozen=True)
class Picker:
    candidates: list[Candidate]  # one per meeting, best first
    preselected: Candidate | None  # shown with why; None: she chooses
    attachments: list[Attachment]
    types: list[MeetingType]
    today: dt.date


async def picker(
    deps: Deps, graph: GraphSession, actor: Actor, *, config: MeetingSettings, mailbox: str,
    message_id: str,
) -> Picker:  # fmt: skip
    """Everything "Naar vergadermap" asks about a message: the meetings to choose (stored and
    from the calendar as one list, the one fitting the mail preselected), the message's file
    attachments and the types for a new meeting."""
    _staff(actor)
    authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, mailbox)
    types = config.types()
    base = f"/users/{mailbox}/messages/{message_id}"
    listed, message = await graph.batch([
        BatchRequest("GET", f"{base}/attachments?$select=id,name,size,isInline"),
        BatchRequest("GET", f"{base}?$select=subject,from,categories"),
    ])  # fmt: skip
    listed.raise_for_status()
    message.raise_for_status()
    choices = await _choices(deps, graph, types, mailbox, None, _facts(message.body))
    attachments = [
        Attachment(id=a["id"], name=a.get("name") or "", size=a.get("size") or 0,
                   isInline=bool(a.get("isInline")))
        for a in listed.body["value"]
        if a.get("@odata.type") == service.FILE_ATTACHMENT
    ]  # fmt: skip
    return Picker(choices.candidates, choices.preselected, attachments, types.types,
                  deps.today())  # fmt: skip


async def create_meeting(
    deps: Deps, actor: Actor, *, config: MeetingSettings, type_key: str, date: dt.date,
    title: str, location: str = "", event_id: str | None = None,
) -> Meeting:  # fmt: skip
    """A meeting of a type (from a calendar item: made once per event, found after that)."""
    _staff(actor)
    async with deps.sessions() as session, session.begin():
        return await service.create_meeting(
            session, config.types(), type_key=type_key, date=date, title=title,
            location=location, event_id=event_id, actor=actor.upn,
        )  # fmt: skip


async def get_meeting(
    deps: Deps, actor: Actor, *, config: MeetingSettings, meeting_id: str
) -> Meeting:
    """The agenda with its documents (``Meeting.missing()``: items still without any)."""
    _staff(actor)
    async with deps.sessions() as session:
        return await reading.get_meeting(session, config.types(), meeting_id)


async def add_agenda_item(
    deps: Deps, actor: Actor, *, config: MeetingSettings, meeting_id: str, title: str,
    number: int | None = None, confidential: bool = False,
) -> AgendaItem:  # fmt: skip
    """A new agenda item (after the last one unless numbered); in the coming week it is work
    for the back office until its documents are there."""
    _staff(actor)
    async with deps.sessions() as session, session.begin():
        item = await service.add_agenda_item(session, meeting_id=meeting_id, title=title,
                                             number=number, confidential=confidential,
                                             actor=actor.upn)  # fmt: skip
        place = await reading.place_of(session, config.types(), item.id)
    _announce(deps, actor, place.meeting, "changed", item.id)
    return item


async def edit_agenda_item(
    deps: Deps, graph: GraphSession, actor: Actor, *, config: MeetingSettings, item_id: str,
    meeting_id: str | None = None, title: str | None = None, number: int | None = None,
    confidential: bool | None = None,
) -> AgendaItem:  # fmt: skip
    """Another title, number or confidentiality (title and number only while the item has
    no documents: they name its folder and files); the folder's index follows. With
    ``meeting_id``, the item must be one of that meeting's."""
    _staff(actor)
    types = config.types()
    async with deps.sessions() as session, session.begin():
        place = await reading.place_of(session, types, item_id)
        if meeting_id is not None and place.meeting.id != meeting_id:
            raise NotFound("Dit agendapunt hoort niet bij deze vergadering.")
        item = await service.edit_agenda_item(session, item_id=item_id, actor=actor.upn,
                                              title=title, number=number,
                                              confidential=confidential)  # fmt: skip
    if item.documents:
        target = await config.targets(graph, types).of(place.kind)
        await write_index(deps.sessions, types, target, place.meeting.id)
    _announce(deps, actor, place.meeting, "changed", item_id)
    return item


async def push_message(
    deps: Deps, graph: GraphSession, actor: Actor, *, config: MeetingSettings, mailbox: str,
    message_id: str, agenda_item_id: str, attachment_ids: Sequence[str] | None,
    include_mail: bool, confidential: bool, operation_id: str,
) -> list[PushResult]:  # fmt: skip
    """The message's attachments (all but inline images, or the chosen ones) and, if asked,
    the mail as ``.eml`` into an agenda item: journaled, once per ``operation_id``, every file
    audited. Documents placed close the item's "Stukken ontbreken" in the work queue."""
    _staff(actor)
    authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, mailbox)
    types = config.types()
    async with deps.sessions() as session:
        place = await reading.place_of(session, types, agenda_item_id)
    target = await config.targets(graph, types).of(place.kind)
    results = await service.push(
        graph, deps.sessions, deps.journal, roster=actor.roster, types=types,
        target_for=lambda _kind: target, actor=actor.upn, mailbox=mailbox,
        message_id=message_id, agenda_item_id=agenda_item_id, attachment_ids=attachment_ids,
        include_mail=include_mail, confidential=confidential, operation_id=operation_id,
    )  # fmt: skip
    if any(r.status != "duplicate" for r in results):
        _announce(deps, actor, place.meeting, "closed", agenda_item_id)
    return results


@dataclass(frozen=True)
class NewMeeting:
    type_key: str
    date: dt.date
    title: str


@dataclass(frozen=True)
class Filed:
    meeting_id: str  # where the documents went (for the overview)
    results: list[PushResult]


async def file_message(
    deps: Deps, graph: GraphSession, actor: Actor, *, config: MeetingSettings, mailbox: str,
    message_id: str, meeting_id: str | None = None, event_id: str | None = None,
    new_meeting: NewMeeting | None = None, agenda_item_id: str | None = None,
    new_item: str | None = None, attachment_ids: Sequence[str] = (), include_mail: bool = False,
    confidential: bool = False, operation_id: str,
) -> Filed:  # fmt: skip
    """Naar vergadermap in one click: the meeting (chosen, offered by the calendar and made
    now, or new), the agenda item (chosen or new), then the push. Everything is checked
    before anything is made, so a refused or incomplete click leaves nothing behind."""
    _staff(actor)
    authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, mailbox)
    new_item = (new_item or "").strip() or None
    if not agenda_item_id and not new_item:
        raise BadRequest("Kies een agendapunt of geef een nieuw agendapunt.")
    if not attachment_ids and not include_mail:
        raise BadRequest("Kies een of meer bijlagen, of het bericht zelf.")
    types = config.types()
    made: CalendarMeeting | NewMeeting | None = None
    if meeting_id is None and event_id is not None:
        offered = await upcoming_from_calendar(graph, types, mailbox, deps.today())
        made = next((o for o in offered if o.event_id == event_id), None)
        if made is None:
            raise BadRequest("Deze vergadering staat niet (meer) in de agenda.")
    elif meeting_id is None:
        if new_meeting is None:
            raise BadRequest("Geef soort, datum en titel van de nieuwe vergadering.")
        made = new_meeting
    async with deps.sessions() as session, session.begin():
        if made is not None:
            meeting_id = (await _create(session, types, made, actor)).id
        if new_item and meeting_id:
            agenda_item_id = (await service.add_agenda_item(
                session, meeting_id=meeting_id, title=new_item, number=None,
                confidential=confidential, actor=actor.upn,
            )).id  # fmt: skip
    if not (meeting_id and agenda_item_id):  # made above, or given
        raise BadRequest("Kies een vergadering en een agendapunt.")
    results = await push_message(
        deps, graph, actor, config=config, mailbox=mailbox, message_id=message_id,
        agenda_item_id=agenda_item_id, attachment_ids=list(attachment_ids),
        include_mail=include_mail, confidential=confidential, operation_id=operation_id,
    )  # fmt: skip
    return Filed(meeting_id, results)


async def _create(
    session: AsyncSession, types: MeetingTypes, made: CalendarMeeting | NewMeeting, actor: Actor
) -> Meeting:
    """The meeting a click chose to make: one the calendar offers (once per event), or new."""
    if isinstance(made, CalendarMeeting):
        return await service.create_meeting(
            session, types, type_key=made.type, date=made.date, title=made.title,
            location=made.location, event_id=made.event_id, actor=actor.upn,
        )  # fmt: skip
    return await service.create_meeting(
        session, types, type_key=made.type_key, date=made.date, title=made.title, location="",
        event_id=None, actor=actor.upn,
    )  # fmt: skip


@dataclass(frozen=True)
class Exported:
    meeting: Meeting
    file_name: str  # ``<YYYY-MM-DD title>.zip``


async def export_meeting(
    deps: Deps, graph: GraphSession, actor: Actor, *, config: MeetingSettings, meeting_id: str,
    sink: IO[bytes],
) -> Exported:  # fmt: skip
    """The meeting as one ZIP into ``sink``: the agenda items' folders (newest version of each
    file), ``index.csv`` and ``index.json``; of the documents, those she may open (``may_open``:
    what she could not open one by one is not in her ZIP either, nor in its index)."""
    _staff(actor)
    types = config.types()
    async with deps.sessions() as session:
        found = await reading.get_meeting(session, types, meeting_id)
    meeting = replace(found, items=[
        replace(i, documents=[d for d in i.documents if may_open(actor.roster, actor.upn, d)])
        for i in found.items
    ])  # fmt: skip
    kind = types.get(meeting.type_key)
    target = await config.targets(graph, types).of(kind)
    await write_zip(meeting, kind, target, sink)
    return Exported(meeting, f"{meeting_folder(meeting)}.zip")


def may_open(roster: Roster, upn: str, document: Document) -> bool:
    """A stored document opens for whoever works in the mailbox it came from (her
    secretaries, herself) and for admins; others of the secretariat see only its name."""
    if roster.role(upn) == "admin":
        return True
    return may(roster, upn, Action.ACT_ON_MAILBOX, document.source_mailbox)


@dataclass(frozen=True)
class Overview:
    meeting: Meeting
    openable: frozenset[str]  # ids of the documents she may open (a download through us)
    web: dict[str, str]  # document id -> where it opens in SharePoint (``webUrl``)


async def meeting_overview(
    deps: Deps, graph: GraphSession, actor: Actor, *, config: MeetingSettings, meeting_id: str
) -> Overview:
    """The agenda with its documents, and which of them she may open, and where."""
    _staff(actor)
    types = config.types()
    async with deps.sessions() as session:
        meeting = await reading.get_meeting(session, types, meeting_id)
    mine = [d for i in meeting.items for d in i.documents if may_open(actor.roster, actor.upn, d)]
    shared = [d for d in mine if d.target == "sharepoint"]
    web: dict[str, str] = {}
    if shared:
        target = await config.targets(graph, types).of(types.get(meeting.type_key))
        if isinstance(target, SharePointTarget):
            urls = await target.web_urls([d.target_ref for d in shared])
            web = {d.id: urls[d.target_ref] for d in shared if d.target_ref in urls}
    return Overview(meeting, frozenset(d.id for d in mine), web)


async def open_document(
    deps: Deps, graph: GraphSession, actor: Actor, *, config: MeetingSettings, document_id: str,
    sink: IO[bytes],
) -> Document:  # fmt: skip
    """One stored document (this version of it) into ``sink``, for who may open it."""
    _staff(actor)
    types = config.types()
    async with deps.sessions() as session:
        place, document, newest = await reading.stored_document(session, types, document_id)
    if not may_open(actor.roster, actor.upn, document):
        raise AccessDenied("Dit stuk komt uit de mail van een bestuurder voor wie u niet werkt.")
    target = await config.targets(graph, types).of(place.kind)
    folders = folders_of(place.kind, place.meeting, place.item)
    if newest:
        await target.read(folders, document.file_name, sink)
    elif isinstance(target, LocalFolderTarget):
        await target.read_version(folders, document.file_name, document.version, sink)
    else:
        raise NotFound(
            f"Versie {document.version} van {document.file_name} staat in de versiegeschiedenis"
            " van de SharePoint-bibliotheek."
        )
    return document
