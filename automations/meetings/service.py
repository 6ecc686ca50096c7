"""Meetings, agenda items and pushing a message's attachments (and the mail itself) into them.

A push is one journaled operation with a step per file. Each step streams the attachment from
Graph into a spooled temporary file (memory stays flat; large files go to disk) while hashing
it, then: the same content already under this agenda item is not stored again; otherwise the
file is stored under its conventional name (``<NN>-<title>-<original>``), a new version when
the name exists with other content. A resumed step finds what an earlier attempt stored by
its hash, in the store or in the target.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import tempfile
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.audit import AuditEntry, record
from automations.errors import BadRequest, Conflict, NotFound
from automations.graph import BatchRequest, GraphSession
from automations.journal import Journal, StepContext, StepPlan
from automations.meetings.names import document_name, folder_name, safe_name
from automations.meetings.targets import Target
from automations.meetings.types import MeetingType, MeetingTypes
from automations.quicksteps.apply import ensure_categories
from automations.roster.models import Roster
from automations.roster.policy import Action, authorize
from automations.store import clock_of
from automations.store.models import AgendaItemRow, MeetingDocumentRow, MeetingRow

__all__ = [
    "CATEGORY",
    "AgendaItem",
    "Document",
    "Meeting",
    "PushResult",
    "add_agenda_item",
    "agenda_place",
    "create_meeting",
    "folders_of",
    "get_meeting",
    "list_meetings",
    "push",
]

CATEGORY = "In vergadermap"
SPOOL = 1024 * 1024  # in memory up to this, then on disk
READ = 1024 * 1024


@dataclass(frozen=True)
class Document:
    id: str
    file_name: str
    original_name: str
    display_name: str
    size: int
    sha256: str
    version: int
    confidential: bool
    placed_by: str
    placed_at: dt.datetime
    target: str
    target_ref: str


@dataclass(frozen=True)
class AgendaItem:
    id: str
    number: int
    title: str
    confidential: bool
    documents: list[Document]


@dataclass(frozen=True)
class Meeting:
    id: str
    type_key: str
    type_name: str
    date: dt.date
    title: str
    location: str
    event_id: str | None
    items: list[AgendaItem]


@dataclass(frozen=True)
class PushResult:
    original: str
    file_name: str
    size: int
    sha256: str
    status: str  # stored | new_version | duplicate
    version: int
    renamed: bool  # the safe name differs from the original


def _document(row: MeetingDocumentRow) -> Document:
    return Document(
        id=row.id, file_name=row.file_name, original_name=row.original_name,
        display_name=row.display_name, size=row.size, sha256=row.sha256, version=row.version,
        confidential=row.confidential, placed_by=row.placed_by, placed_at=row.placed_at,
        target=row.target, target_ref=row.target_ref,
    )  # fmt: skip


def folders_of(kind: MeetingType, meeting: MeetingRow | Meeting, item: Any = None) -> list[str]:
    """``<type>/<YYYY-MM-DD title>[/<NN agenda item>]``, every part made safe."""
    parts = [folder_name(kind.folder), folder_name(f"{meeting.date:%Y-%m-%d} {meeting.title}")]
    if item is not None:
        parts.append(folder_name(f"{item.number:02d} {item.title}"))
    return parts


async def create_meeting(
    session: AsyncSession,
    types: MeetingTypes,
    *,
    type_key: str,
    date: dt.date,
    title: str,
    location: str,
    event_id: str | None,
    actor: str,
) -> Meeting:
    """A meeting (from a calendar item: found again by its event id, never made twice)."""
    types.get(type_key)
    if event_id:
        found = await session.scalar(
            select(MeetingRow).where(
                MeetingRow.type_key == type_key, MeetingRow.event_id == event_id
            )
        )
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
    session: AsyncSession,
    *,
    meeting_id: str,
    title: str,
    number: int | None,
    confidential: bool,
    actor: str,
) -> AgendaItem:
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
        id=meeting.id,
        type_key=meeting.type_key,
        type_name=types.get(meeting.type_key).name,
        date=meeting.date,
        title=meeting.title,
        location=meeting.location,
        event_id=meeting.event_id,
        items=[
            AgendaItem(
                i.id,
                i.number,
                i.title,
                i.confidential,
                [_document(d) for d in docs if d.agenda_item_id == i.id],
            )
            for i in items
        ],  # fmt: skip
    )


async def list_meetings(
    session: AsyncSession, types: MeetingTypes, *, since: dt.date, type_key: str | None = None
) -> list[Meeting]:
    query = select(MeetingRow.id).where(MeetingRow.date >= since)
    if type_key:
        query = query.where(MeetingRow.type_key == type_key)
    ids = list(await session.scalars(query.order_by(MeetingRow.date, MeetingRow.title).limit(200)))
    return [await get_meeting(session, types, i) for i in ids]


async def _spool(graph: GraphSession, path: str) -> tuple[IO[bytes], int, str]:
    """Stream ``path`` into a spooled file, hashing on the way; memory stays at one block."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL)  # noqa: SIM115 - returned to caller
    digest, size = hashlib.sha256(), 0
    try:
        async for block in graph.stream(path, READ):
            spool.write(block)
            digest.update(block)
            size += len(block)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool, size, digest.hexdigest()


@dataclass(frozen=True)
class _Place:
    kind: MeetingType
    meeting: MeetingRow
    item: AgendaItemRow


async def _place(
    sessions: async_sessionmaker[AsyncSession], types: MeetingTypes, item_id: str
) -> _Place:
    async with sessions() as session:
        item = await session.get(AgendaItemRow, item_id)
        if item is None:
            raise NotFound("Dit agendapunt bestaat niet.")
        meeting = await session.get(MeetingRow, item.meeting_id)
        assert meeting is not None
    return _Place(types.get(meeting.type_key), meeting, item)


async def agenda_place(
    sessions: async_sessionmaker[AsyncSession], types: MeetingTypes, item_id: str
) -> MeetingType:
    """The meeting type an agenda item belongs to (which target its files go to)."""
    return (await _place(sessions, types, item_id)).kind


def _executor(
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    place: _Place,
    target: Target,
    actor: str,
) -> Callable[[StepContext], Any]:
    async def execute(ctx: StepContext) -> dict[str, Any]:
        p = ctx.params
        if ctx.name == "label":
            await ensure_categories(graph, ctx.mailbox, {CATEGORY: "preset7"}, create=True)
            url = f"/users/{ctx.mailbox}/messages/{p['message']}"
            [current] = await graph.batch([BatchRequest("GET", f"{url}?$select=categories")])
            current.raise_for_status()
            categories = current.body.get("categories") or []
            if CATEGORY not in categories:
                [done] = await graph.batch(
                    [BatchRequest("PATCH", url, {"categories": [*categories, CATEGORY]})]
                )
                done.raise_for_status()
            return {"label": CATEGORY}
        spool, size, sha256 = await _spool(graph, p["path"])
        try:
            return dataclasses.asdict(
                await _store_one(sessions, place, target, actor, ctx, spool, size, sha256)
            )
        finally:
            spool.close()

    return execute


async def _store_one(
    sessions: async_sessionmaker[AsyncSession],
    place: _Place,
    target: Target,
    actor: str,
    ctx: StepContext,
    spool: IO[bytes],
    size: int,
    sha256: str,
) -> PushResult:
    p = ctx.params
    async with sessions() as session:
        same = await session.scalar(
            select(MeetingDocumentRow).where(
                MeetingDocumentRow.agenda_item_id == place.item.id,
                MeetingDocumentRow.sha256 == sha256,
            )
        )
    if same is not None:  # pushed before (or by an earlier attempt of this step)
        return PushResult(p["original"], same.file_name, size, sha256, "duplicate",
                          same.version, p["file_name"] != p["original"])  # fmt: skip
    folders = folders_of(place.kind, place.meeting, place.item)
    stored = await target.store(folders, p["file_name"], spool, size, sha256)
    async with sessions() as session, session.begin():
        versions = await session.scalar(
            select(func.count()).where(
                MeetingDocumentRow.agenda_item_id == place.item.id,
                MeetingDocumentRow.file_name == p["file_name"],
            )
        )
        row = MeetingDocumentRow(
            id=str(uuid.uuid4()), agenda_item_id=place.item.id, file_name=p["file_name"],
            original_name=p["original"][:400], display_name=p["display_name"][:200], size=size,
            sha256=sha256, version=(versions or 0) + 1,
            confidential=p["confidential"] or place.item.confidential,
            source_mailbox=ctx.mailbox, source_message_id=p["message"],
            source_attachment_id=p.get("attachment"), target=target.kind,
            target_ref=stored.ref[:1000], placed_by=actor, placed_at=clock_of(session).now(),
        )  # fmt: skip
        session.add(row)
        await record(
            session,
            AuditEntry(actor=actor, mailbox=ctx.mailbox, action="meetings.push",
                       outcome="success", item_id=p["message"], operation_id=ctx.operation_id,
                       details={"file": p["file_name"], "sha256": sha256, "size": size,
                                "version": row.version, "agenda_item": place.item.id}),
        )  # fmt: skip
    status = "stored" if row.version == 1 else "new_version"
    return PushResult(p["original"], p["file_name"], size, sha256, status, row.version,
                      p["file_name"] != p["original"])  # fmt: skip


async def push(
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    journal: Journal,
    *,
    roster: Roster,
    types: MeetingTypes,
    target_for: Callable[[MeetingType], Any],
    actor: str,
    mailbox: str,
    message_id: str,
    agenda_item_id: str,
    attachment_ids: Sequence[str] | None,
    include_mail: bool,
    confidential: bool,
    operation_id: str,
) -> list[PushResult]:
    """Put the message's attachments (all but inline images, or the chosen ones) and, if asked,
    the mail itself as ``.eml`` under the agenda item; once per ``operation_id``."""
    actor, mailbox = actor.lower(), mailbox.lower()
    authorize(roster, actor, Action.ACT_ON_MAILBOX, mailbox)
    place = await _place(sessions, types, agenda_item_id)
    base = f"/users/{mailbox}/messages/{message_id}"
    listed, message = await graph.batch(
        [
            BatchRequest("GET", f"{base}/attachments?$select=id,name,size,isInline,contentType"),
            BatchRequest("GET", f"{base}?$select=subject"),
        ]
    )
    listed.raise_for_status()
    message.raise_for_status()
    files = [a for a in listed.body["value"]
             if a.get("@odata.type") == "#microsoft.graph.fileAttachment"]  # fmt: skip
    if attachment_ids is None:
        files = [a for a in files if not a.get("isInline")]
    else:
        wanted = set(attachment_ids)
        unknown = wanted - {a["id"] for a in files}
        if unknown:
            raise BadRequest("Een gekozen bijlage hoort niet bij dit bericht.")
        files = [a for a in files if a["id"] in wanted]
    steps: list[StepPlan] = []
    names: set[str] = set()
    number, title = place.item.number, place.item.title

    def plan(original: str, path: str, attachment: str | None) -> None:
        file_name = document_name(number, title, original)
        stem, dot, ext = file_name.rpartition(".")
        n = 2
        while file_name in names:  # two attachments with one name: keep both
            file_name = f"{stem}-{n}.{ext}" if dot else f"{file_name}-{n}"
            n += 1
        names.add(file_name)
        steps.append(StepPlan("file", {
            "original": original, "file_name": file_name, "display_name": safe_name(original),
            "path": path, "attachment": attachment, "message": message_id,
            "confidential": confidential,
        }))  # fmt: skip

    for a in files:
        plan(a["name"] or "bijlage", f"{base}/attachments/{a['id']}/$value", a["id"])
    if include_mail:
        subject = message.body.get("subject") or "bericht"
        plan(f"{safe_name(subject, 'bericht')}.eml", f"{base}/$value", None)
    if not steps:
        raise BadRequest("Dit bericht heeft geen bijlagen om in de vergadermap te zetten.")
    steps.append(StepPlan("label", {"message": message_id}))
    target = target_for(place.kind)
    op = await journal.submit(
        kind="meetings.push",
        actor=actor,
        mailbox=mailbox,
        steps=steps,
        executor=_executor(graph, sessions, place, target, actor),
        operation_id=operation_id,
    )
    await write_index(sessions, types, target, place.meeting.id)
    return [PushResult(**s.result) for s in op.steps if s.name == "file"]


async def write_index(
    sessions: async_sessionmaker[AsyncSession],
    types: MeetingTypes,
    target: Target,
    meeting_id: str,
) -> None:
    """``index.json`` per meeting: what is where, for people and for importing systems."""
    async with sessions() as session:
        meeting = await get_meeting(session, types, meeting_id)
    kind = types.get(meeting.type_key)
    await target.write_text(folders_of(kind, meeting), "index.json", index_json(meeting))


def index_json(meeting: Meeting) -> str:
    return json.dumps(_index(meeting), ensure_ascii=False, indent=2, default=str)


def _index(meeting: Meeting) -> Mapping[str, Any]:
    return {
        "meeting": {"type": meeting.type_name, "date": meeting.date.isoformat(),
                    "title": meeting.title, "location": meeting.location},
        "items": [
            {"number": i.number, "title": i.title, "confidential": i.confidential,
             "documents": [{"file": d.file_name, "original": d.original_name, "size": d.size,
                            "sha256": d.sha256, "version": d.version,
                            "confidential": d.confidential, "placed_by": d.placed_by,
                            "placed_at": d.placed_at.isoformat()} for d in i.documents]}
            for i in meeting.items
        ],
    }  # fmt: skip
