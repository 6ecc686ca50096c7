"""A push's file step: the mail itself is one document per mail (its immutable id), however
its MIME differs between reads; attachments stay one document per content."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.graph import GraphSession
from automations.journal import StepContext
from automations.meetings import reading, service
from automations.meetings.storing import executor
from automations.meetings.targets import LocalFolderTarget
from automations.meetings.types import DEMO, load_types
from automations.store.models import MeetingDocumentRow
from tests.conftest import TODAY
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A

TYPES = load_types(DEMO)


class Mime:
    """Graph's ``$value``: every read of a mail another boundary, as Exchange converts anew."""

    def __init__(self) -> None:
        self.reads: list[str] = []

    async def stream(self, path: str, block: int) -> AsyncIterator[bytes]:
        self.reads.append(path)
        yield f"--{uuid.uuid4().hex}\r\nSubject: Stukken\r\n".encode()


async def _item(sessions: async_sessionmaker[AsyncSession]) -> str:
    async with sessions() as session, session.begin():
        made = await service.create_meeting(
            session, TYPES, type_key="directie", date=TODAY, title=f"MT {uuid.uuid4().hex[:6]}",
            location="", event_id=None, actor=SECRETARY_A,
        )  # fmt: skip
        item = await service.add_agenda_item(
            session, meeting_id=made.id, title="Stukken", number=None, confidential=False,
            actor=SECRETARY_A,
        )  # fmt: skip
    return item.id


def _step(message: str, attachment: str | None = None, name: str = "Stukken.eml") -> StepContext:
    base = f"/users/{BURGEMEESTER}/messages/{message}"
    params: dict[str, Any] = {
        "original": name, "file_name": f"01-Stukken-{name}", "display_name": name,
        "path": f"{base}/attachments/{attachment}/$value" if attachment else f"{base}/$value",
        "attachment": attachment, "message": message, "confidential": False,
    }  # fmt: skip
    return StepContext(
        operation_id=str(uuid.uuid4()), kind="meetings.push", actor=SECRETARY_A,
        on_behalf_of=None, mailbox=BURGEMEESTER, index=0, name="file", params=params, attempt=1,
        now=dt.datetime.now(dt.UTC),
    )  # fmt: skip


@pytest.fixture
def mime() -> Mime:
    return Mime()


async def _run(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path, mime: Mime, item_id: str,
    ctx: StepContext,
) -> dict[str, Any]:  # fmt: skip
    async with sessions() as session:
        place = await reading.place_of(session, TYPES, item_id)
    run = executor(cast(GraphSession, mime), sessions, place, LocalFolderTarget(tmp_path),
                   SECRETARY_A)  # fmt: skip
    return await run(ctx)


async def _versions(sessions: async_sessionmaker[AsyncSession], item_id: str) -> list[int]:
    async with sessions() as session:
        rows = await session.scalars(
            select(MeetingDocumentRow.version).where(MeetingDocumentRow.agenda_item_id == item_id)
        )
        return sorted(rows)


async def test_the_same_mail_again_is_already_there_and_not_read_again(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path, mime: Mime
) -> None:
    item = await _item(sessions)
    first = await _run(sessions, tmp_path, mime, item, _step("immutable-1"))
    again = await _run(sessions, tmp_path, mime, item, _step("immutable-1"))
    assert (first["status"], again["status"]) == ("stored", "duplicate")
    assert again == first | {"status": "duplicate"}
    assert len(mime.reads) == 1 and await _versions(sessions, item) == [1]


async def test_another_mail_with_the_same_subject_is_a_new_version(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path, mime: Mime
) -> None:
    item = await _item(sessions)
    await _run(sessions, tmp_path, mime, item, _step("immutable-1"))
    other = await _run(sessions, tmp_path, mime, item, _step("immutable-2"))
    assert (other["status"], other["version"]) == ("new_version", 2)


async def test_an_attachment_of_the_mail_is_no_copy_of_the_mail_itself(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path, mime: Mime
) -> None:
    item, elsewhere = await _item(sessions), await _item(sessions)
    await _run(sessions, tmp_path, mime, item, _step("immutable-1", "att-1", "bijlage.txt"))
    mail = await _run(sessions, tmp_path, mime, item, _step("immutable-1"))
    there = await _run(sessions, tmp_path, mime, elsewhere, _step("immutable-1"))
    assert (mail["status"], there["status"]) == ("stored", "stored")  # per agenda item
