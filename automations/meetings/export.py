"""A meeting as one ZIP for systems that import packages: the agenda items' folders with the
newest version of each file, ``index.csv`` (semicolons, as Dutch Excel expects) and
``index.json``. Files are copied from the target in blocks, never held whole. ``index.csv`` goes
through the product's one CSV writer: attachment names from outside mail that look like
formulas (``=cmd|' /C calc'!A0.csv``) are defused there."""

from __future__ import annotations

import io
import zipfile
from typing import IO

from automations.csvfile import CsvWriter
from automations.meetings.folders import folders_of, index_json, item_folder
from automations.meetings.models import Meeting
from automations.meetings.targets import Target
from automations.meetings.types import MeetingType

__all__ = ["HEADER", "write_zip"]

HEADER = ["agendapunt", "titel", "bestand", "origineel", "grootte", "sha256", "versie",
          "vertrouwelijk"]  # fmt: skip


async def write_zip(meeting: Meeting, kind: MeetingType, target: Target, sink: IO[bytes]) -> None:
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as zf:
        rows = io.StringIO()
        writer = CsvWriter(rows, delimiter=";")
        writer.writerow(HEADER)
        for item in meeting.items:
            folder = item_folder(item)
            newest = {d.file_name: d for d in item.documents}  # ordered by version
            for doc in newest.values():
                with zf.open(f"{folder}/{doc.file_name}", "w", force_zip64=True) as out:
                    await target.read(folders_of(kind, meeting, item), doc.file_name, out)
                writer.writerow([item.number, item.title, doc.file_name, doc.original_name,
                                 doc.size, doc.sha256, doc.version,
                                 "ja" if doc.confidential else "nee"])  # fmt: skip
        zf.writestr("index.csv", rows.getvalue())
        zf.writestr("index.json", index_json(meeting))
