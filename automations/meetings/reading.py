"""Reading the meeting folder index from the store: a meeting with its agenda, the meetings
from a date on, where an agenda item sits, and one stored document."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from automations.errors import NotFound
from automations.meetings.models import AgendaItem, Document, Meeting, document_of
from automations.meetings.types import MeetingType, MeetingTypes
from automations.store.models import AgendaItemRow, MeetingDocumentRow, MeetingRow

__all__ = [
    "LIST_LIMIT",
    "Place",
    "get_agenda_item",
    "get_meeting",
    "list_meetings",
    "place_of",
    "stored_document",
]

LIST_LIMIT = 200  # meetings in one list: months of every type


async def get_meeting(session: AsyncSession, types: MeetingTypes, meeting_id: str) -> Meeting:
    meeting = await session.get(MeetingRow, meeting_id)
    if meeting is None:
        raise NotFound("Deze vergadering bestaat niet.")
    items = list(
        await session.scalars(
            select(AgendaItemRow)
            .where(AgendaItemRow.meeting_id == meeting_id)
            .order_by(AgendaItemRow.number)
        )
    )
    docs = list(
        await session.scalars(
            select(MeetingDocumentRow)
            .where(MeetingDocumentRow.agenda_item_id.in_([i.id for i in items]))
            .order_by(MeetingDocumentRow.file_name, MeetingDocumentRow.version)
        )
    )
    return Meeting(
        id=meeting.id, type_key=meeting.type_key, type_name=types.get(meeting.type_key).name,
        date=meeting.date, title=meeting.title, location=meeting.location,
        event_id=meeting.event_id,
        items=[
            AgendaItem(i.id, i.number, i.title, i.confidential,
                       [document_of(d) for d in docs if d.agenda_item_id == i.id])
            for i in items
        ],
    )  # fmt: skip


async def list_meetings(
    session: AsyncSession, types: MeetingTypes, *, since: dt.date, type_key: str | None = None
) -> list[Meeting]:
    """Meetings on or after ``since`` (of one type), by date and title."""
    query = select(MeetingRow.id).where(MeetingRow.date >= since)
    if type_key:
        query = query.where(MeetingRow.type_key == type_key)
    query = query.order_by(MeetingRow.date, MeetingRow.title).limit(LIST_LIMIT)
    ids = list(await session.scalars(query))
    return [await get_meeting(session, types, i) for i in ids]


async def get_agenda_item(session: AsyncSession, item: AgendaItemRow) -> AgendaItem:
    """An agenda item with its documents (every version, by name)."""
    docs = await session.scalars(
        select(MeetingDocumentRow)
        .where(MeetingDocumentRow.agenda_item_id == item.id)
        .order_by(MeetingDocumentRow.file_name, MeetingDocumentRow.version)
    )
    return AgendaItem(item.id, item.number, item.title, item.confidential,
                      [document_of(d) for d in docs])  # fmt: skip


@dataclass(frozen=True)
class Place:
    """Where an agenda item sits: its meeting type (which target), meeting and the item."""

    kind: MeetingType
    meeting: MeetingRow
    item: AgendaItemRow


async def place_of(session: AsyncSession, types: MeetingTypes, item_id: str) -> Place:
    item = await session.get(AgendaItemRow, item_id)
    if item is None:
        raise NotFound("Dit agendapunt bestaat niet.")
    meeting = await session.get(MeetingRow, item.meeting_id)
    if meeting is None:  # the foreign key cascades; only a concurrent delete gets here
        raise NotFound("Deze vergadering bestaat niet.")
    return Place(types.get(meeting.type_key), meeting, item)


async def stored_document(
    session: AsyncSession, types: MeetingTypes, document_id: str
) -> tuple[Place, Document, bool]:
    """A document, where it sits, and whether it is the newest version of its name (older
    versions are kept apart by the target)."""
    row = await session.get(MeetingDocumentRow, document_id)
    if row is None:
        raise NotFound("Dit stuk bestaat niet (meer).")
    place = await place_of(session, types, row.agenda_item_id)
    newer = await session.scalar(
        select(MeetingDocumentRow.id)
        .where(
            MeetingDocumentRow.agenda_item_id == row.agenda_item_id,
            MeetingDocumentRow.file_name == row.file_name,
            MeetingDocumentRow.version > row.version,
        )
        .limit(1)
    )
    return place, document_of(row), newer is None
