"""What was filed, read back: a meeting's overview, one document, the whole meeting as a ZIP.

Each shows a secretary only the documents she may open (``access.may_open``): what she could
not open one by one is not in her ZIP either, nor in its index.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import IO

from automations.context import Actor, Deps
from automations.errors import AccessDenied, NotFound
from automations.graph import GraphSession
from automations.meetings import reading
from automations.meetings.access import may_open, staff_only
from automations.meetings.export import write_zip
from automations.meetings.folders import folders_of, meeting_folder
from automations.meetings.models import Document, Meeting
from automations.meetings.settings import MeetingSettings
from automations.meetings.targets import LocalFolderTarget, SharePointTarget

__all__ = ["Exported", "Overview", "export_meeting", "meeting_overview", "open_document"]


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
    staff_only(actor)
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


@dataclass(frozen=True)
class Overview:
    meeting: Meeting
    openable: frozenset[str]  # ids of the documents she may open (a download through us)
    web: dict[str, str]  # document id -> where it opens in SharePoint (``webUrl``)


async def meeting_overview(
    deps: Deps, graph: GraphSession, actor: Actor, *, config: MeetingSettings, meeting_id: str
) -> Overview:
    """The agenda with its documents, and which of them she may open, and where."""
    staff_only(actor)
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
    staff_only(actor)
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
