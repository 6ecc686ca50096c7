"""The meeting flows as every adapter meets them: who may, what is made (or not), what the
work queue hears, and documents read back from the local tree."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import uuid
import zipfile
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.clock import SetClock
from automations.context import Actor, Deps
from automations.errors import AccessDenied, BadRequest, Conflict, NotFound
from automations.graph import GraphSession
from automations.meetings import flows
from automations.meetings.folders import folders_of
from automations.meetings.settings import MeetingSettings
from automations.meetings.types import DEMO, load_types
from automations.roster.models import Roster
from automations.roster.service import load_roster_file
from automations.store.models import MeetingDocumentRow, MeetingRow
from server.startup import DEMO_ROSTER
from tests.conftest import TODAY
from tests.sandbox.people import (
    ADMIN,
    BURGEMEESTER,
    GEMEENTESECRETARIS,
    SECRETARY_A,
    SECRETARY_B,
    STAFF,
    WETHOUDERS,
)

ROSTER = Roster.from_document(load_roster_file(DEMO_ROSTER))
EXECUTIVES = sorted([BURGEMEESTER, GEMEENTESECRETARIS, *WETHOUDERS])
NO_GRAPH = cast(GraphSession, object())  # the local target never asks Graph


class Heard:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def publish(self, event: dict[str, Any]) -> None:
        self.events.append(event)


@pytest.fixture
def heard() -> Heard:
    return Heard()


@pytest.fixture
def deps(sessions: async_sessionmaker[AsyncSession], heard: Heard) -> Deps:
    return Deps(sessions=sessions, clock=SetClock.on_day(TODAY), events=heard)


@pytest.fixture
def config(tmp_path: Path) -> MeetingSettings:
    return MeetingSettings(root=tmp_path / "mappen")


def actor(upn: str) -> Actor:
    return Actor(upn, ROSTER, "cli")


A = actor(SECRETARY_A)


def _title() -> str:
    return f"Overleg {uuid.uuid4().hex[:8]}"


async def _meetings(deps: Deps) -> int:
    async with deps.sessions() as session:
        return await session.scalar(select(func.count()).select_from(MeetingRow)) or 0


async def _document(deps: Deps, item_id: str, name: str, data: bytes, version: int) -> str:
    row = MeetingDocumentRow(
        id=str(uuid.uuid4()), agenda_item_id=item_id, file_name=name, original_name=name,
        display_name=name, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
        version=version, confidential=False, source_mailbox=BURGEMEESTER,
        source_message_id="m1", source_attachment_id=None, target="local", target_ref=name,
        placed_by=SECRETARY_A,
    )  # fmt: skip
    async with deps.sessions() as session, session.begin():
        session.add(row)
    return row.id


NOBODY = dataclasses.replace(ROSTER, roles={**ROSTER.roles, "nieuw@zeeveen.nl": "secretary"})


@pytest.mark.parametrize(
    ("roster", "maker", "mailboxes"),
    [
        (ROSTER, SECRETARY_A, sorted([BURGEMEESTER, GEMEENTESECRETARIS])),
        (ROSTER, SECRETARY_B.upper(), sorted(WETHOUDERS)),
        (ROSTER, ADMIN, EXECUTIVES),  # an admin's meeting shows in every queue
        (ROSTER, BURGEMEESTER, EXECUTIVES),
        (NOBODY, "nieuw@zeeveen.nl", []),  # a secretary who serves no one: in no queue
    ],
)
def test_queue_mailboxes(roster: Roster, maker: str, mailboxes: list[str]) -> None:
    assert flows.queue_mailboxes(roster, maker) == mailboxes


@pytest.mark.parametrize(
    ("upn", "may"),
    [(SECRETARY_A, True), (SECRETARY_B, True), (ADMIN, True), (BURGEMEESTER, False),
     (STAFF, False)],
)  # fmt: skip
def test_meeting_folders_are_the_secretariats_work(upn: str, may: bool) -> None:
    assert flows.may_work_in_folders(ROSTER, upn) is may


@pytest.mark.parametrize("upn", [BURGEMEESTER, STAFF])
async def test_outside_the_secretariat_every_flow_is_refused(
    deps: Deps, config: MeetingSettings, upn: str
) -> None:
    made = await flows.create_meeting(deps, A, config=config, type_key="directie",
                                      date=TODAY, title=_title())  # fmt: skip
    who = actor(upn)
    attempts = [
        flows.list_meetings(deps, who, config=config),
        flows.get_meeting(deps, who, config=config, meeting_id=made.id),
        flows.create_meeting(deps, who, config=config, type_key="directie", date=TODAY,
                             title=_title()),
        flows.add_agenda_item(deps, who, config=config, meeting_id=made.id, title="Stukken"),
        flows.meeting_choices(deps, NO_GRAPH, who, config=config, mailbox=BURGEMEESTER),
        flows.export_meeting(deps, NO_GRAPH, who, config=config, meeting_id=made.id,
                             sink=io.BytesIO()),
    ]  # fmt: skip
    for attempt in attempts:
        with pytest.raises(AccessDenied) as refused:
            await attempt
        assert refused.value.status == 403


async def test_meetings_are_listed_from_the_clocks_today(
    deps: Deps, config: MeetingSettings
) -> None:
    titles = {}
    for days in (-1, 0, 9):
        made = await flows.create_meeting(
            deps,
            A,
            config=config,
            type_key="raad",
            date=TODAY + dt.timedelta(days=days),
            title=_title(),
        )
        titles[made.title] = days
    listed = await flows.list_meetings(deps, A, config=config, type_key="raad")
    assert sorted(titles[m.title] for m in listed if m.title in titles) == [0, 9]
    assert all(m.type_key == "raad" for m in listed)


async def test_a_new_agenda_item_in_the_coming_week_is_announced_to_the_team_queues(
    deps: Deps, config: MeetingSettings, heard: Heard
) -> None:
    soon = await flows.create_meeting(
        deps,
        A,
        config=config,
        type_key="directie",
        date=TODAY + dt.timedelta(days=3),
        title=_title(),
    )
    later = await flows.create_meeting(
        deps,
        A,
        config=config,
        type_key="directie",
        date=TODAY + dt.timedelta(weeks=3),
        title=_title(),
    )
    assert heard.events == []  # a meeting without items is no work yet
    item = await flows.add_agenda_item(deps, A, config=config, meeting_id=soon.id,
                                       title="Begroting")  # fmt: skip
    assert heard.events == [
        {"type": "changed", "mailbox": m, "key": f"documents:{item.id}"}
        for m in sorted([BURGEMEESTER, GEMEENTESECRETARIS])
    ]
    heard.events.clear()
    await flows.add_agenda_item(deps, A, config=config, meeting_id=later.id, title="Begroting")
    assert heard.events == []  # not in the queue yet
    numbered = await flows.add_agenda_item(deps, A, config=config, meeting_id=soon.id,
                                           title="Rondvraag", number=9)  # fmt: skip
    assert numbered.number == 9
    with pytest.raises(Conflict):
        await flows.add_agenda_item(deps, A, config=config, meeting_id=soon.id, title="x",
                                    number=9)  # fmt: skip


async def test_an_agenda_item_is_renamed_until_documents_name_its_folder(
    deps: Deps, config: MeetingSettings
) -> None:
    made = await flows.create_meeting(
        deps,
        A,
        config=config,
        type_key="directie",
        date=TODAY + dt.timedelta(days=2),
        title=_title(),
    )
    item = await flows.add_agenda_item(deps, A, config=config, meeting_id=made.id, title="Stuk")
    renamed = await flows.edit_agenda_item(
        deps,
        NO_GRAPH,
        A,
        config=config,
        item_id=item.id,
        meeting_id=made.id,
        title="Stukken",
        number=4,
    )
    assert (renamed.title, renamed.number) == ("Stukken", 4)  # fmt: skip
    await _document(deps, item.id, "04-Stukken-a.pdf", b"a", 1)
    with pytest.raises(Conflict) as fixed:
        await flows.edit_agenda_item(deps, NO_GRAPH, A, config=config, item_id=item.id,
                                     title="Iets anders")  # fmt: skip
    assert fixed.value.status == 409
    secret = await flows.edit_agenda_item(deps, NO_GRAPH, A, config=config, item_id=item.id,
                                          confidential=True)  # fmt: skip
    assert secret.confidential and all(d.confidential for d in secret.documents)
    kind = load_types(DEMO).get("directie")
    index = config.root.joinpath(*folders_of(kind, made), "index.json")
    assert '"confidential": true' in index.read_text(encoding="utf-8")
    other = await flows.create_meeting(deps, A, config=config, type_key="directie",
                                       date=TODAY, title=_title())  # fmt: skip
    with pytest.raises(NotFound):
        await flows.edit_agenda_item(deps, NO_GRAPH, A, config=config, item_id=item.id,
                                     meeting_id=other.id, confidential=False)  # fmt: skip


@pytest.mark.parametrize(
    ("who", "click", "error"),
    [
        (SECRETARY_A, {"meeting_id": "x", "new_item": "  "}, BadRequest),  # no agenda item
        (SECRETARY_A, {"new_meeting": None, "new_item": "Stukken", "include_mail": True},
         BadRequest),  # "nieuw" without its type, date and title
        (SECRETARY_A, {"new_item": "Stukken"}, BadRequest),  # nothing ticked
        (SECRETARY_B, {"new_item": "Stukken", "include_mail": True}, AccessDenied),
        (BURGEMEESTER, {"new_item": "Stukken", "include_mail": True}, AccessDenied),
    ],
)  # fmt: skip
async def test_a_refused_or_incomplete_click_makes_nothing(
    deps: Deps, config: MeetingSettings, who: str, click: dict[str, Any], error: type
) -> None:
    before = await _meetings(deps)
    new = flows.NewMeeting("directie", TODAY, _title())
    with pytest.raises(error):
        await flows.file_message(
            deps, NO_GRAPH, actor(who), config=config, mailbox=BURGEMEESTER, message_ids=["m1"],
            operation_id=str(uuid.uuid4()), **{"new_meeting": new, **click},
        )  # fmt: skip
    assert await _meetings(deps) == before


async def test_a_document_is_opened_in_the_version_asked_for(
    deps: Deps, config: MeetingSettings
) -> None:
    made = await flows.create_meeting(deps, A, config=config, type_key="directie",
                                      date=TODAY, title=_title())  # fmt: skip
    item = await flows.add_agenda_item(deps, A, config=config, meeting_id=made.id, title="Notulen")
    folder = config.root.joinpath(*folders_of(load_types(DEMO).get("directie"), made, item))
    (folder / ".versies").mkdir(parents=True)
    (folder / ".versies" / "01-Notulen-n.pdf.v1").write_bytes(b"oud")
    (folder / "01-Notulen-n.pdf").write_bytes(b"nieuw")
    old = await _document(deps, item.id, "01-Notulen-n.pdf", b"oud", 1)
    new = await _document(deps, item.id, "01-Notulen-n.pdf", b"nieuw", 2)
    for document_id, data in ((old, b"oud"), (new, b"nieuw")):
        sink = io.BytesIO()
        found = await flows.open_document(deps, NO_GRAPH, A, config=config,
                                          document_id=document_id, sink=sink)  # fmt: skip
        assert sink.getvalue() == data and found.file_name == "01-Notulen-n.pdf"
    with pytest.raises(NotFound):
        await flows.open_document(deps, NO_GRAPH, A, config=config, document_id="weg",
                                  sink=io.BytesIO())  # fmt: skip
    archive = io.BytesIO()
    done = await flows.export_meeting(deps, NO_GRAPH, A, config=config, meeting_id=made.id,
                                      sink=archive)  # fmt: skip
    assert done.file_name == f"{TODAY:%Y-%m-%d} {made.title}.zip"
    with zipfile.ZipFile(archive) as zf:
        assert zf.read("01 Notulen/01-Notulen-n.pdf") == b"nieuw"  # the newest version only


async def test_a_meeting_from_the_calendar_is_the_one_of_its_type_on_its_day(
    deps: Deps, config: MeetingSettings
) -> None:
    """Another attendee's copy of the item (another event id), or a meeting made by hand the
    same day: the same meeting, not a second folder. By hand, a second one is her wish."""
    day = TODAY + dt.timedelta(days=7)
    by_hand = await flows.create_meeting(deps, A, config=config, type_key="college", date=day,
                                         title="College")  # fmt: skip
    from_mine = await flows.create_meeting(
        deps, A, config=config, type_key="college", date=day, title="Collegevergadering",
        event_id="ev-mine",
    )  # fmt: skip
    from_theirs = await flows.create_meeting(
        deps, A, config=config, type_key="college", date=day, title="Collegevergadering",
        event_id="ev-theirs",
    )  # fmt: skip
    assert from_mine.id == from_theirs.id == by_hand.id
    assert from_mine.event_id == "ev-mine"  # adopted: found by this item from now on
    extra = await flows.create_meeting(deps, A, config=config, type_key="college", date=day,
                                       title="Extra college")  # fmt: skip
    assert extra.id != by_hand.id
