"""What the meeting folders hand out: meetings, agenda items, documents and push results.

Plain frozen dataclasses, so every adapter renders the same values (JSON with ``asdict``, the
pane's templates by attribute) and none of them sees a store row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from automations.store.models import MeetingDocumentRow

__all__ = ["AgendaItem", "Document", "Meeting", "PushResult", "PushStatus", "document_of"]

PushStatus = Literal["stored", "new_version", "duplicate"]


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
    source_mailbox: str = ""  # whose mail it came from: who serves her may open it


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

    def missing(self) -> list[int]:
        """The agenda items' numbers that have no documents yet (the overview's warning)."""
        return [i.number for i in self.items if not i.documents]


@dataclass(frozen=True)
class PushResult:
    original: str
    file_name: str
    size: int
    sha256: str
    status: PushStatus
    version: int
    renamed: bool  # the safe name differs from the original


def document_of(row: MeetingDocumentRow) -> Document:
    return Document(
        id=row.id, file_name=row.file_name, original_name=row.original_name,
        display_name=row.display_name, size=row.size, sha256=row.sha256, version=row.version,
        confidential=row.confidential, placed_by=row.placed_by, placed_at=row.placed_at,
        target=row.target, target_ref=row.target_ref, source_mailbox=row.source_mailbox,
    )  # fmt: skip
