"""CSV export: streamed, correctly escaped, and safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import inspect
import io
import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.audit import CSV_COLUMNS, AuditEntry, AuditFilter, export_csv, record
from tests.conftest import TODAY


async def _export(sessions: async_sessionmaker[AsyncSession], mailbox: str) -> list[list[str]]:
    text = "".join([chunk async for chunk in export_csv(sessions, AuditFilter(mailbox=mailbox))])
    return list(csv.reader(io.StringIO(text, newline="")))


async def _record(sessions: async_sessionmaker[AsyncSession], *entries: AuditEntry) -> None:
    async with sessions() as session, session.begin():
        for entry in entries:
            await record(session, entry)


def _mailbox() -> str:
    return f"export-{uuid.uuid4().hex[:8]}@gemeente.example"


async def test_the_export_is_a_header_then_one_row_per_entry_in_order_of_recording(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    mailbox = _mailbox()
    at = dt.datetime.combine(TODAY, dt.time(8, 15), dt.UTC)
    await _record(
        sessions,
        AuditEntry(
            actor="anna@gemeente.example", mailbox=mailbox, action="a.one", outcome="success", at=at
        ),
        AuditEntry(
            actor="bram@gemeente.example", mailbox=mailbox, action="a.two", outcome="denied", at=at
        ),
    )

    rows = await _export(sessions, mailbox)

    assert rows[0] == list(CSV_COLUMNS)
    assert [(r[2], r[5], r[7]) for r in rows[1:]] == [
        ("anna@gemeente.example", "a.one", "success"),
        ("bram@gemeente.example", "a.two", "denied"),
    ]
    assert rows[1][1] == f"{TODAY}T08:15:00Z"


async def test_commas_quotes_and_line_breaks_survive_the_round_trip(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    mailbox = _mailbox()
    item_id = 'AAMk,"quoted"\r\nsecond line'
    await _record(
        sessions,
        AuditEntry(
            actor="anna@gemeente.example",
            mailbox=mailbox,
            action="message.move",
            outcome="success",
            item_id=item_id,
            details={"subject": 'Re: "Kermis", deel 2\nzie bijlage'},
        ),
    )

    rows = await _export(sessions, mailbox)

    assert rows[1][6] == item_id
    assert rows[1][10] == '{"subject":"Re: \\"Kermis\\", deel 2\\nzie bijlage"}'


async def test_cells_that_a_spreadsheet_would_run_as_a_formula_are_defused(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    mailbox = _mailbox()
    hostile = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "plain"]
    await _record(
        sessions,
        *(
            AuditEntry(
                actor="anna@gemeente.example",
                mailbox=mailbox,
                action="message.move",
                outcome="success",
                item_id=value,
            )
            for value in hostile
        ),
    )

    rows = await _export(sessions, mailbox)

    assert [r[6] for r in rows[1:]] == [
        '\'=HYPERLINK("http://x")',
        "'+1+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\tcmd",
        "plain",
    ]


async def test_the_export_streams_one_chunk_per_entry(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    mailbox = _mailbox()
    await _record(
        sessions,
        *(
            AuditEntry(actor="a@gemeente.example", mailbox=mailbox, action="x", outcome="success")
            for _ in range(5)
        ),
    )

    stream = export_csv(sessions, AuditFilter(mailbox=mailbox))
    chunks = [chunk async for chunk in stream]

    assert inspect.isasyncgen(stream)
    assert len(chunks) == 6 and all(c.endswith("\r\n") for c in chunks)
