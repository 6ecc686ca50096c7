"""The audit log exported for the municipality's Logboek Dataverwerkingen (LDV): one line per
row, an operation as one trace, the executive as a pseudonymous data subject."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.audit import AuditEntry, AuditFilter, record
from automations.audit.ldv import SUBJECT_TYPE, Activities, export_ldv
from automations.metrics import pseudonym
from tests.conftest import TODAY

REGISTER = "https://register.zeeveen.nl/verwerkingen/agendabeheer-bestuurders"


async def _lines(
    sessions: async_sessionmaker[AsyncSession], mailbox: str, activities: Activities
) -> list[dict]:
    chunks = [
        c
        async for c in export_ldv(
            sessions, AuditFilter(mailbox=mailbox), activities=activities, version="1.2.3"
        )
    ]
    assert all(c.endswith("\n") and c.count("\n") == 1 for c in chunks)  # JSON lines
    return [json.loads(c) for c in chunks]


async def test_a_calamity_clear_is_one_trace_with_a_span_per_row(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    mailbox = f"ldv-{uuid.uuid4().hex[:8]}@zeeveen.nl"
    operation = str(uuid.uuid4())
    at = dt.datetime.combine(TODAY, dt.time(9, 30, 15, 250_000), dt.UTC)
    async with sessions() as session, session.begin():
        for action, outcome in [
            ("calamity.cancel", "success"),
            ("calamity.decline", "failure"),
            ("calamity.clear", "denied"),
        ]:
            await record(session, AuditEntry(
                actor="karin.molenaar@zeeveen.nl", on_behalf_of=mailbox, mailbox=mailbox,
                action=action, outcome=outcome, operation_id=operation, at=at,
                details={"subject": "Overleg met de provincie"},
            ))  # fmt: skip

    lines = await _lines(sessions, mailbox, Activities({"calamity": REGISTER}))

    assert [line["name"] for line in lines] == [
        "calamity.cancel", "calamity.decline", "calamity.clear",
    ]  # fmt: skip
    assert {line["trace_id"] for line in lines} == {uuid.UUID(operation).hex}
    spans = [line["span_id"] for line in lines]
    assert len(set(spans)) == 3 and all(len(s) == 16 and int(s, 16) for s in spans)
    assert [line["status"] for line in lines] == ["Ok", "Error", "Unset"]
    first = lines[0]
    assert first["start_time"] == first["end_time"] == f"{TODAY}T09:30:15.250Z"
    assert first["resource"] == {
        "attributes": {"service.name": "secretariaat", "service.version": "1.2.3"}
    }
    assert first["attributes"] == {
        "dpl.core.processing_activity_id": REGISTER,
        "dpl.core.data_subject_id": pseudonym(mailbox),
        "dpl.core.data_subject_id_type": SUBJECT_TYPE,
    }
    text = json.dumps(lines)
    for personal in (mailbox, "karin.molenaar", "provincie"):  # names and mail stay out
        assert personal not in text


async def test_a_row_outside_an_operation_is_a_trace_of_its_own_and_unmapped_families_get_a_urn(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    mailbox = f"ldv-{uuid.uuid4().hex[:8]}@zeeveen.nl"
    async with sessions() as session, session.begin():
        for _ in range(2):
            await record(session, AuditEntry(
                actor="ingrid.zwanenburg@zeeveen.nl", mailbox=mailbox, action="roster.import",
                outcome="success",
            ))  # fmt: skip

    lines = await _lines(sessions, mailbox, Activities({"calamity": REGISTER}))

    assert len(lines) == 2 and lines[0]["trace_id"] != lines[1]["trace_id"]
    assert all(len(line["trace_id"]) == 32 for line in lines)
    assert lines[0]["attributes"]["dpl.core.processing_activity_id"] == (
        "urn:secretariaat:verwerkingsactiviteit:roster"
    )
