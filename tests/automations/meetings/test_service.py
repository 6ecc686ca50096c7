"""The pure parts of a push and an edit: which attachments go, what each file is called, and
what an edit really changes."""

from __future__ import annotations

from typing import Any

import pytest

from automations.errors import BadRequest
from automations.meetings.models import AgendaItem
from automations.meetings.service import agenda_changes, pick_attachments, plan_files

FILE = "#microsoft.graph.fileAttachment"
LISTED = [
    {"@odata.type": FILE, "id": "a1", "name": "agenda.pdf", "isInline": False},
    {"@odata.type": FILE, "id": "a2", "name": "logo.png", "isInline": True},
    {"@odata.type": "#microsoft.graph.itemAttachment", "id": "a3", "name": "Doorgestuurd"},
    {"@odata.type": FILE, "id": "a4", "name": "bijlage.docx"},
]


@pytest.mark.parametrize(
    ("wanted", "picked"),
    [
        (None, ["a1", "a4"]),  # all but inline images (and never a mail in the mail)
        ([], []),  # the mail itself only
        (["a2"], ["a2"]),  # an inline image when she ticks it
        (["a4", "a1"], ["a1", "a4"]),  # in the mail's order
    ],
)
def test_pick_attachments(wanted: list[str] | None, picked: list[str]) -> None:
    assert [a["id"] for a in pick_attachments(LISTED, wanted)] == picked


@pytest.mark.parametrize("wanted", [["a3"], ["elders"], ["a1", "elders"]])
def test_an_attachment_of_another_message_is_refused(wanted: list[str]) -> None:
    with pytest.raises(BadRequest) as refused:
        pick_attachments(LISTED, wanted)
    assert refused.value.code == "bad_request"


def _plan(files: list[dict[str, Any]], subject: str | None, **kw: Any) -> list[dict[str, Any]]:
    steps = plan_files("/users/x@y.nl/messages/m1", "m1", number=kw.get("number", 2),
                       title=kw.get("title", "Begroting"), files=files, subject=subject,
                       confidential=kw.get("confidential", False))  # fmt: skip
    assert all(s.name == "file" for s in steps)
    return [dict(s.params) for s in steps]


@pytest.mark.parametrize(
    ("names", "subject", "planned"),
    [
        (["agenda.pdf"], None, ["02-Begroting-agenda.pdf"]),
        (["agenda.pdf", "agenda.pdf"], None,
         ["02-Begroting-agenda.pdf", "02-Begroting-agenda-2.pdf"]),
        ([], "Stukken MT", ["02-Begroting-Stukken MT.eml"]),
        ([], "", ["02-Begroting-bericht.eml"]),
        (["a.pdf"], "Re: a/b", ["02-Begroting-a.pdf", "02-Begroting-Re_ a_b.eml"]),
        ([], "Stukken 12\\3", ["02-Begroting-Stukken 12_3.eml"]),  # a subject is no path
        ([None], None, ["02-Begroting-bijlage"]),  # a nameless attachment
    ],
)  # fmt: skip
def test_plan_files_names(names: list[str | None], subject: str | None, planned: list[str]) -> None:
    files = [{"id": f"a{n}", "name": name} for n, name in enumerate(names)]
    assert [p["file_name"] for p in _plan(files, subject)] == planned


def test_plan_files_says_where_each_file_comes_from() -> None:
    [attachment, mail] = _plan([{"id": "a9", "name": "../x.pdf"}], "Onderwerp", confidential=True)
    assert attachment["path"] == "/users/x@y.nl/messages/m1/attachments/a9/$value"
    assert (attachment["attachment"], attachment["original"]) == ("a9", "../x.pdf")
    assert attachment["display_name"] == "x.pdf"
    assert mail["path"] == "/users/x@y.nl/messages/m1/$value" and mail["attachment"] is None
    assert attachment["confidential"] and mail["confidential"]


ITEM = AgendaItem("i1", 3, "Begroting", False, [])


@pytest.mark.parametrize(
    ("change", "changes"),
    [
        ({}, {}),
        ({"title": "Begroting"}, {}),
        ({"title": "  Begroting "}, {}),  # as it is stored: trimmed
        ({"title": "Begroting 2027"}, {"title": "Begroting 2027"}),
        ({"title": "x" * 250}, {"title": "x" * 200}),
        ({"number": 3}, {}),
        ({"number": 4, "confidential": False}, {"number": 4}),
        ({"confidential": True}, {"confidential": True}),
    ],
)
def test_agenda_changes(change: dict[str, Any], changes: dict[str, Any]) -> None:
    asked = {"title": None, "number": None, "confidential": None, **change}
    assert agenda_changes(ITEM, **asked) == changes


def test_an_agenda_item_keeps_a_title() -> None:
    with pytest.raises(BadRequest):
        agenda_changes(ITEM, title="   ", number=None, confidential=None)
