"""Meetings and agenda items in the store, and pushing a message's attachments (and the mail
itself) into an agenda item.

A push is one journaled operation with a step per file (see ``storing``): each file is stored
under its conventional name (``<NN>-<title>-<original>``), once per content, a new version when
the name exists with other content; the mail itself once per mail (its immutable id: see
``storing``). Who may do what is the flows' business; these functions
take the roster only where they guard a mailbox themselves.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.audit import AuditEntry, record
from automations.errors import BadRequest, Conflict, NotFound
from automations.graph import BatchRequest, GraphSession
from automations.journal import Journal, StepPlan
from automations.meetings.folders import write_index
from automations.meetings.models import AgendaItem, Meeting, PushResult
from automations.meetings.names import document_name, safe_name, unique_name
from automations.meetings.reading import get_agenda_item, get_meeting, place_of
from automations.meetings.storing import executor
from automations.meetings.targets import Target
from automations.meetings.types import MeetingType, MeetingTypes
from automations.roster.models import Roster
from automations.roster.policy import Action, authorize
from automations.store.models import AgendaItemRow, MeetingDocumentRow, MeetingRow

__all__ = [
    "add_agenda_item",
    "agenda_changes",
    "create_meeting",
    "edit_agenda_item",
    "pick_attachments",
    "pick_from_mails",
    "plan_files",
    "push",
    "read_mails",
]

FILE_ATTACHMENT = "#microsoft.graph.fileAttachment"


async def create_meeting(
    session: AsyncSession, types: MeetingTypes, *, type_key: str, date: dt.date, title: str,
    location: str, event_id: str | None, actor: str,
) -> Meeting:  # fmt: skip
    """A meeting (from a calendar item: found again by its event id, or as the meeting of its
    type on its date, never made twice: the identity rule in ``choosing``). By hand, a second
    meeting of a type on one day is her explicit wish."""
    types.get(type_key)
    if event_id:
        found = await session.scalar(
            select(MeetingRow).where(
                MeetingRow.type_key == type_key, MeetingRow.event_id == event_id
            )
        )
        if found is None:  # another attendee's copy, or made by hand: the same meeting
            found = await session.scalar(
                select(MeetingRow)
                .where(MeetingRow.type_key == type_key, MeetingRow.date == date)
                .order_by(MeetingRow.created_at, MeetingRow.id)
                .limit(1)
            )
            if found is not None and found.event_id is None:
                found.event_id = event_id  # the picker finds it by this item from now on
                await session.flush()
        if found is not None:
            return await get_meeting(session, types, found.id)
    row = MeetingRow(
        id=str(uuid.uuid4()), type_key=type_key, date=date, title=title.strip()[:200],
        location=location.strip()[:200], event_id=event_id, created_by=actor.lower(),
    )  # fmt: skip
    session.add(row)
    await session.flush()
    await record(
        session,
        AuditEntry(actor=actor.lower(), action="meetings.create", outcome="success",
                   details={"meeting": row.id, "type": type_key, "date": date.isoformat()}),
    )  # fmt: skip
    return await get_meeting(session, types, row.id)


async def add_agenda_item(
    session: AsyncSession, *, meeting_id: str, title: str, number: int | None,
    confidential: bool, actor: str,
) -> AgendaItem:  # fmt: skip
    """A new agenda item; without a number, after the last one."""
    meeting = await session.get(MeetingRow, meeting_id)
    if meeting is None:
        raise NotFound("Deze vergadering bestaat niet.")
    if number is None:
        highest = await session.scalar(
            select(func.max(AgendaItemRow.number)).where(AgendaItemRow.meeting_id == meeting_id)
        )
        number = (highest or 0) + 1
    row = AgendaItemRow(id=str(uuid.uuid4()), meeting_id=meeting_id, number=number,
                        title=title.strip()[:200], confidential=confidential)  # fmt: skip
    session.add(row)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(f"Agendapunt {number} bestaat al in deze vergadering.") from None
    await record(
        session,
        AuditEntry(actor=actor.lower(), action="meetings.agenda_item", outcome="success",
                   details={"meeting": meeting_id, "number": number}),
    )  # fmt: skip
    return AgendaItem(row.id, row.number, row.title, row.confidential, [])


async def edit_agenda_item(
    session: AsyncSession, *, item_id: str, actor: str, title: str | None = None,
    number: int | None = None, confidential: bool | None = None,
) -> AgendaItem:  # fmt: skip
    """Change an agenda item's title, number or confidentiality (``None``: as it is).

    Title and number name the folder and the files in it, so they are fixed once documents
    are placed. Marking an item confidential marks its documents too, as a push into a
    confidential item does; unmarking leaves documents that were pushed as confidential so.
    """
    row = await session.get(AgendaItemRow, item_id)
    if row is None:
        raise NotFound("Dit agendapunt bestaat niet.")
    before = await get_agenda_item(session, row)
    changes = agenda_changes(before, title=title, number=number, confidential=confidential)
    if not changes:
        return before
    if before.documents and ({"title", "number"} & changes.keys()):
        raise Conflict(
            f"Agendapunt {before.number:02d} heeft al stukken in de vergadermap; titel en"
            " nummer liggen daarmee vast."
        )
    for field, value in changes.items():
        setattr(row, field, value)
    if changes.get("confidential"):
        await session.execute(
            update(MeetingDocumentRow)
            .where(MeetingDocumentRow.agenda_item_id == item_id)
            .values(confidential=True)
        )
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(f"Agendapunt {number} bestaat al in deze vergadering.") from None
    await record(
        session,
        AuditEntry(actor=actor.lower(), action="meetings.agenda_item.edit", outcome="success",
                   details={"meeting": row.meeting_id, "agenda_item": row.id, **changes}),
    )  # fmt: skip
    return await get_agenda_item(session, row)


def agenda_changes(
    item: AgendaItem, *, title: str | None, number: int | None, confidential: bool | None
) -> dict[str, Any]:
    """What an edit really changes (a title as it is stored: trimmed, at most 200)."""
    if title is not None and not title.strip():
        raise BadRequest("Geef het agendapunt een titel.")
    wanted: dict[str, Any] = {
        "title": title.strip()[:200] if title is not None else None,
        "number": number,
        "confidential": confidential,
    }
    return {k: v for k, v in wanted.items() if v is not None and v != getattr(item, k)}


def pick_attachments(
    listed: Sequence[Mapping[str, Any]], wanted: Sequence[str] | None
) -> list[Mapping[str, Any]]:
    """The file attachments to push: the chosen ones, or all but inline images."""
    files = [a for a in listed if a.get("@odata.type") == FILE_ATTACHMENT]
    if wanted is None:
        return [a for a in files if not a.get("isInline")]
    if set(wanted) - {a["id"] for a in files}:
        raise BadRequest("Een gekozen bijlage hoort niet bij dit bericht.")
    return [a for a in files if a["id"] in set(wanted)]


def pick_from_mails(
    listed: Mapping[str, Sequence[Mapping[str, Any]]], wanted: Sequence[str] | None
) -> dict[str, list[Mapping[str, Any]]]:
    """Per mail, its file attachments to push (``pick_attachments``); a chosen id must be one
    of these mails' attachments (Graph's attachment ids name their message: no two alike)."""
    if wanted is not None:
        own = {a["id"] for files in listed.values() for a in files
               if a.get("@odata.type") == FILE_ATTACHMENT}  # fmt: skip
        if set(wanted) - own:
            raise BadRequest("Een gekozen bijlage hoort niet bij deze berichten.")
    return {
        message: pick_attachments(
            files, None if wanted is None else [w for w in wanted if w in {a["id"] for a in files}]
        )
        for message, files in listed.items()
    }


def plan_files(
    base: str, message_id: str, *, number: int, title: str,
    files: Sequence[Mapping[str, Any]], subject: str | None, confidential: bool,
    taken: set[str] | None = None,
) -> list[StepPlan]:  # fmt: skip
    """One ``file`` step per attachment (and one for the mail as ``.eml`` with ``subject``),
    each with its conventional, unique name (unique also among ``taken``, the names other
    mails of the same push got: it is added to)."""
    taken = set() if taken is None else taken

    def step(original: str, path: str, attachment: str | None) -> StepPlan:
        file_name = unique_name(document_name(number, title, original), taken)
        return StepPlan("file", {
            "original": original, "file_name": file_name, "display_name": safe_name(original),
            "path": path, "attachment": attachment, "message": message_id,
            "confidential": confidential,
        })  # fmt: skip

    steps = [step(a["name"] or "bijlage", f"{base}/attachments/{a['id']}/$value", a["id"])
             for a in files]  # fmt: skip
    if subject is not None:  # a subject is no path: "12/3" stays in the name
        text = (subject or "bericht").replace("/", "_").replace("\\", "_")
        steps.append(step(f"{safe_name(text, 'bericht')}.eml", f"{base}/$value", None))
    return steps


async def read_mails(
    graph: GraphSession, mailbox: str, message_ids: Sequence[str]
) -> list[tuple[list[Mapping[str, Any]], Mapping[str, Any]]]:
    """Per mail, in order: its attachments as Graph lists them, and its id, subject, sender
    and categories; two reads a mail, side by side in one ``$batch``."""
    reads = []
    for message_id in message_ids:
        base = f"/users/{mailbox}/messages/{message_id}"
        reads += [
            BatchRequest("GET", f"{base}/attachments?$select=id,name,size,isInline,contentType"),
            BatchRequest("GET", f"{base}?$select=id,subject,from,categories"),
        ]
    answers = await graph.batch(reads)
    for answer in answers:
        answer.raise_for_status()
    return [(answers[2 * i].body["value"], answers[2 * i + 1].body)
            for i in range(len(message_ids))]  # fmt: skip


async def push(
    graph: GraphSession, sessions: async_sessionmaker[AsyncSession], journal: Journal, *,
    roster: Roster, types: MeetingTypes, target_for: Callable[[MeetingType], Target],
    actor: str, mailbox: str, message_ids: Sequence[str], agenda_item_id: str,
    attachment_ids: Sequence[str] | None, include_mail: bool, confidential: bool,
    operation_id: str,
) -> list[PushResult]:  # fmt: skip
    """Put the attachments of one or several mails (all but inline images, or the chosen
    ones) and, if asked, each mail itself as ``.eml`` under the agenda item: one operation,
    once per ``operation_id``; the names unique across the mails."""
    actor, mailbox = actor.lower(), mailbox.lower()
    authorize(roster, actor, Action.ACT_ON_MAILBOX, mailbox)
    message_ids = list(dict.fromkeys(message_ids))
    if not message_ids:
        raise BadRequest("Kies minstens één bericht.")
    async with sessions() as session:
        place = await place_of(session, types, agenda_item_id)
    mails = await read_mails(graph, mailbox, message_ids)
    listed = {m: attachments for m, (attachments, _) in zip(message_ids, mails, strict=True)}
    picked = pick_from_mails(listed, attachment_ids)
    steps: list[StepPlan] = []
    taken: set[str] = set()
    for asked, (_, message) in zip(message_ids, mails, strict=True):
        # The gateway asks for immutable ids: whatever id the caller had (a regular one
        # changes with every move), the documents name the mail by the one that stays.
        message_id = message.get("id") or asked
        subject = (message.get("subject") or "bericht") if include_mail else None
        files = plan_files(
            f"/users/{mailbox}/messages/{asked}", message_id, number=place.item.number,
            title=place.item.title, files=picked[asked], subject=subject,
            confidential=confidential, taken=taken,
        )  # fmt: skip
        if files:
            steps += [*files, StepPlan("label", {"message": message_id})]
    if not steps:
        raise BadRequest(
            "Dit bericht heeft geen bijlagen om in de vergadermap te zetten."
            if len(message_ids) == 1
            else "Deze berichten hebben geen bijlagen om in de vergadermap te zetten."
        )
    target = target_for(place.kind)
    op = await journal.submit(
        kind="meetings.push", actor=actor, mailbox=mailbox, steps=steps,
        executor=executor(graph, sessions, place, target, actor), operation_id=operation_id,
    )  # fmt: skip
    await write_index(sessions, types, target, place.meeting.id)
    return [PushResult(**s.result) for s in op.steps if s.name == "file"]
