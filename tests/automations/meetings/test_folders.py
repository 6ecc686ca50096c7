"""Folder paths and the index a meeting folder carries: the same for every target."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pytest

from automations.meetings.folders import folders_of, index_json, item_folder, meeting_folder
from automations.meetings.models import AgendaItem, Document, Meeting
from automations.meetings.types import DEMO, load_types

TYPES = load_types(DEMO)
PLACED = dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC)


@dataclass
class Dated:
    date: dt.date
    title: str


@dataclass
class Numbered:
    number: int
    title: str


@pytest.mark.parametrize(
    ("type_key", "title", "item", "path"),
    [
        ("college", "Collegevergadering", None,
         ["College van B&W", "2026-12-01 Collegevergadering"]),
        ("directie", "MT-overleg", Numbered(2, "Begroting 2027"),
         ["Directie", "2026-12-01 MT-overleg", "02 Begroting 2027"]),
        ("raad", "Raad/../../etc", Numbered(12, "Motie: *vreemd*?"),
         ["Gemeenteraad", "2026-12-01 Raad_.._.._etc", "12 Motie_ _vreemd__"]),
        ("directie", "MT...", Numbered(100, "Rondvraag "),
         ["Directie", "2026-12-01 MT", "100 Rondvraag"]),
    ],
)  # fmt: skip
def test_folders_of(type_key: str, title: str, item: Numbered | None, path: list[str]) -> None:
    meeting = Dated(dt.date(2026, 12, 1), title)
    assert folders_of(TYPES.get(type_key), meeting, item) == path


def test_no_part_of_a_path_can_leave_the_tree() -> None:
    for part in folders_of(TYPES.get("raad"), Dated(dt.date(2026, 1, 2), "../.."),
                           Numbered(1, "/..\\..")):  # fmt: skip
        assert "/" not in part and "\\" not in part and part not in ("", ".", "..")


def test_the_zip_and_the_folder_share_a_name() -> None:
    assert (
        meeting_folder(Dated(dt.date(2027, 1, 5), "College: extra")) == "2027-01-05 College_ extra"
    )
    assert item_folder(Numbered(7, "Vaststelling notulen")) == "07 Vaststelling notulen"


def test_the_index_lists_every_item_and_document_version() -> None:
    doc = Document(id="d1", file_name="01-Notulen-notulen.pdf", original_name="notulen.pdf",
                   display_name="notulen.pdf", size=1234, sha256="ab" * 32, version=2,
                   confidential=True, placed_by="monique.verschuren@zeeveen.nl",
                   placed_at=PLACED, target="local", target_ref="x")  # fmt: skip
    items = [
        AgendaItem("i1", 1, "Notulen", False, [doc]),
        AgendaItem("i2", 2, "Rondvraag", True, []),
    ]
    meeting = Meeting(id="m1", type_key="directie", type_name="Directieoverleg",
                      date=dt.date(2026, 12, 1), title="MT-overleg", location="Raadhuis",
                      event_id=None, items=items)  # fmt: skip
    index = json.loads(index_json(meeting))
    assert index["meeting"] == {"type": "Directieoverleg", "date": "2026-12-01",
                                "title": "MT-overleg", "location": "Raadhuis"}  # fmt: skip
    assert [(i["number"], i["confidential"], len(i["documents"])) for i in index["items"]] == [
        (1, False, 1), (2, True, 0)
    ]  # fmt: skip
    assert index["items"][0]["documents"][0] == {
        "file": "01-Notulen-notulen.pdf", "original": "notulen.pdf", "size": 1234,
        "sha256": "ab" * 32, "version": 2, "confidential": True,
        "placed_by": "monique.verschuren@zeeveen.nl", "placed_at": PLACED.isoformat(),
    }  # fmt: skip
    assert meeting.missing() == [2]
