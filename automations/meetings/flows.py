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
from dataclasses import dataclass
from typing import Any, TypedDict

from sqlalchemy.ext.asyncio import AsyncSession

from automations.context import Actor, Deps
from automations.errors import BadRequest, NotFound
from automations.graph import BatchRequest, GraphSession
from automations.meetings import reading, service
from automations.meetings.access import STAFF, may_open, may_work_in_folders, staff_only
from automations.meetings.calendar import CalendarMeeting, upcoming_from_calendar
from automations.meetings.choosing import Candidate, MailFacts, choose
from automations.meetings.documents import (
    Exported,
    Overview,
    export_meeting,
    meeting_overview,
    open_document,
)
from automations.meetings.folders import write_index
from automations.meetings.models import AgendaItem, Meeting, PushResult
from automations.meetings.settings import MeetingSettings
from automations.meetings.types import MeetingType, MeetingTypes
from automations.queue.service import MEETING_HORIZON
from automations.roster.models import Roster
from automations.roster.policy import Action, authorize
from automations.store.models import MeetingRow

# Reading filed documents back (``documents``) and who may (``access``) live apart; every
# adapter still finds each use case here.
__all__ = [
    "MAX_MAILS",
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
    staff_only(actor)
    async with deps.sessions() as session:
        return await reading.list_meetings(session, config.types(), since=deps.today(),
                                           type_key=type_key)  # fmt: skip


@dataclass(frozen=True)
class MeetingChoices:
    meetings: list[Meeting]  # from today on
    offered: list[CalendarMeeting]  # the calendar's, not yet made (none a stored one's twin)
    candidates: list[Candidate]  # both as one list, one entry per meeting, best first
    preselected: Candidate | None  # with a mail: the first, when its type fits the mail


MAX_MAILS = 20  # mails into one agenda item at once: two reads each, two $batch calls


def _at_most(message_ids: Sequence[str]) -> list[str]:
    ids = list(dict.fromkeys(message_ids))
    if not ids:
        raise BadRequest("Kies minstens één bericht.")
    if len(ids) > MAX_MAILS:
        raise BadRequest(f"Hooguit {MAX_MAILS} berichten tegelijk naar een vergadermap.")
    return ids


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
    staff_only(actor)
    authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, mailbox)
    mail = await _mail_facts(graph, mailbox, message_id) if message_id else None
    return await _choices(deps, graph, config.types(), mailbox, type_key, mail)


class Attachment(TypedDict):
    """A file attachment as Graph lists it (the picker ticks all but inline images), with the
    mail it came from (``message``: several mails can go into one agenda item)."""

    id: str
    name: str
    size: int
    isInline: bool
    message: str


@dataclass(frozen=True)
class Picker:
    candidates: list[Candidate]  # one per meeting, best first
    preselected: Candidate | None  # shown with why; None: she chooses
    attachments: list[Attachment]
    types: list[MeetingType]
    today: dt.date
    subjects: dict[str, str]  # per mail chosen, its subject


async def picker(
    deps: Deps, graph: GraphSession, actor: Actor, *, config: MeetingSettings, mailbox: str,
    message_ids: Sequence[str],
) -> Picker:  # fmt: skip
    """Everything "Naar vergadermap" asks about one mail or several: the meetings to choose
    (stored and from the calendar as one list, the one fitting the first mail preselected),
    the mails' file attachments and the types for a new meeting."""
    staff_only(actor)
    authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, mailbox)
    message_ids = _at_most(message_ids)
    types = config.types()
    mails = await service.read_mails(graph, mailbox, message_ids)
    choices = await _choices(deps, graph, types, mailbox, None, _facts(mails[0][1]))
    attachments = [
        Attachment(id=a["id"], name=a.get("name") or "", size=a.get("size") or 0,
                   isInline=bool(a.get("isInline")), message=message_id)
        for message_id, (listed, _) in zip(message_ids, mails, strict=True)
        for a in listed
        if a.get("@odata.type") == service.FILE_ATTACHMENT
    ]  # fmt: skip
    subjects = {m: message.get("subject") or ""
                for m, (_, message) in zip(message_ids, mails, strict=True)}  # fmt: skip
    return Picker(choices.candidates, choices.preselected, attachments, types.types,
                  deps.today(), subjects)  # fmt: skip


async def create_meeting(
    deps: Deps, actor: Actor, *, config: MeetingSettings, type_key: str, date: dt.date,
    title: str, location: str = "", event_id: str | None = None,
) -> Meeting:  # fmt: skip
    """A meeting of a type (from a calendar item: made once per event, found after that)."""
    staff_only(actor)
    async with deps.sessions() as session, session.begin():
        return await service.create_meeting(
            session, config.types(), type_key=type_key, date=date, title=title,
            location=location, event_id=event_id, actor=actor.upn,
        )  # fmt: skip


async def get_meeting(
    deps: Deps, actor: Actor, *, config: MeetingSettings, meeting_id: str
) -> Meeting:
    """The agenda with its documents (``Meeting.missing()``: items still without any)."""
    staff_only(actor)
    async with deps.sessions() as session:
        return await reading.get_meeting(session, config.types(), meeting_id)


async def add_agenda_item(
    deps: Deps, actor: Actor, *, config: MeetingSettings, meeting_id: str, title: str,
    number: int | None = None, confidential: bool = False,
) -> AgendaItem:  # fmt: skip
    """A new agenda item (after the last one unless numbered); in the coming week it is work
    for the back office until its documents are there."""
    staff_only(actor)
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
    staff_only(actor)
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
    message_ids: Sequence[str], agenda_item_id: str, attachment_ids: Sequence[str] | None,
    include_mail: bool, confidential: bool, operation_id: str,
) -> list[PushResult]:  # fmt: skip
    """The attachments of one mail or several (all but inline images, or the chosen ones)
    and, if asked, each mail as ``.eml`` into one agenda item: one journaled operation, once
    per ``operation_id``, every file audited. Documents placed close the item's "Stukken
    ontbreken" in the work queue."""
    staff_only(actor)
    authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, mailbox)
    _at_most(message_ids)
    types = config.types()
    async with deps.sessions() as session:
        place = await reading.place_of(session, types, agenda_item_id)
    target = await config.targets(graph, types).of(place.kind)
    results = await service.push(
        graph, deps.sessions, deps.journal, roster=actor.roster, types=types,
        target_for=lambda _kind: target, actor=actor.upn, mailbox=mailbox,
        message_ids=message_ids, agenda_item_id=agenda_item_id, attachment_ids=attachment_ids,
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
    message_ids: Sequence[str], meeting_id: str | None = None, event_id: str | None = None,
    new_meeting: NewMeeting | None = None, agenda_item_id: str | None = None,
    new_item: str | None = None, attachment_ids: Sequence[str] = (), include_mail: bool = False,
    confidential: bool = False, operation_id: str,
) -> Filed:  # fmt: skip
    """Naar vergadermap in one click, for one mail or several: the meeting (chosen, offered by
    the calendar and made now, or new), the agenda item (chosen or new), then the push.
    Everything is checked before anything is made, so a refused or incomplete click leaves
    nothing behind."""
    staff_only(actor)
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
        deps, graph, actor, config=config, mailbox=mailbox, message_ids=message_ids,
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
