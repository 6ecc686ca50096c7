"""Where a meeting's files go in a target and what it says about them: the folder path
``<type>/<YYYY-MM-DD title>/<NN agenda item>`` (every part made safe) and ``index.json``."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.meetings.models import Meeting
from automations.meetings.names import folder_name
from automations.meetings.reading import get_meeting
from automations.meetings.targets import Target
from automations.meetings.types import MeetingType, MeetingTypes

__all__ = ["folders_of", "index_json", "item_folder", "meeting_folder", "write_index"]


# Read-only members (properties), so frozen dataclasses and rows alike fit.
class _Dated(Protocol):
    @property
    def date(self) -> dt.date: ...
    @property
    def title(self) -> str: ...


class _Numbered(Protocol):
    @property
    def number(self) -> int: ...
    @property
    def title(self) -> str: ...


def meeting_folder(meeting: _Dated) -> str:
    """``<YYYY-MM-DD title>``: sorts by date in any file browser (and names the ZIP)."""
    return folder_name(f"{meeting.date:%Y-%m-%d} {meeting.title}")


def item_folder(item: _Numbered) -> str:
    """``<NN title>``: sorts in agenda order up to 99 items."""
    return folder_name(f"{item.number:02d} {item.title}")


def folders_of(kind: MeetingType, meeting: _Dated, item: _Numbered | None = None) -> list[str]:
    """``<type>/<YYYY-MM-DD title>[/<NN agenda item>]``, every part made safe."""
    parts = [folder_name(kind.folder), meeting_folder(meeting)]
    if item is not None:
        parts.append(item_folder(item))
    return parts


async def write_index(
    sessions: async_sessionmaker[AsyncSession], types: MeetingTypes, target: Target,
    meeting_id: str,
) -> None:  # fmt: skip
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
