"""Querying: each filter narrows to the matching entries; pages are newest first, no gaps."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.audit import AuditEntry, AuditFilter, query, record
from tests.dates import seed_day

MONDAY = dt.datetime.combine(seed_day("mon"), dt.time(9), dt.UTC)  # this week's Monday


async def _seed(sessions: async_sessionmaker[AsyncSession]) -> tuple[str, list[int]]:
    """Four entries in a mailbox of this test's own; returns the mailbox and ids in order."""
    mailbox = f"wethouder-{uuid.uuid4().hex[:8]}@gemeente.example"
    rows = [
        ("anna@gemeente.example", "message.categorize", "success", "op-a", 0),
        ("bram@gemeente.example", "message.forward", "failure", "op-b", 1),
        ("anna@gemeente.example", "event.cancel", "denied", None, 2),
        ("bram@gemeente.example", "message.categorize", "success", "op-b", 3),
    ]
    ids = []
    async with sessions() as session, session.begin():
        for actor, action, outcome, operation_id, day in rows:
            entry = AuditEntry(
                actor=actor,
                mailbox=mailbox,
                action=action,
                outcome=outcome,
                operation_id=operation_id,
                at=MONDAY + dt.timedelta(days=day),
            )
            ids.append((await record(session, entry)).id)
    return mailbox, ids


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"actor": "anna@gemeente.example"}, [0, 2]),
        ({"action": "message.categorize"}, [0, 3]),
        ({"outcome": "failure"}, [1]),
        ({"operation_id": "op-b"}, [1, 3]),
        ({"actor": "bram@gemeente.example", "outcome": "success"}, [3]),
    ],
)
async def test_each_filter_narrows_to_the_matching_entries(
    sessions: async_sessionmaker[AsyncSession], criteria: dict, expected: list[int]
) -> None:
    mailbox, ids = await _seed(sessions)

    async with sessions() as session:
        page = await query(session, AuditFilter(mailbox=mailbox, **criteria))

    assert [e.id for e in page.entries] == [ids[i] for i in reversed(expected)]


async def test_a_time_window_includes_its_start_and_excludes_its_end(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    mailbox, ids = await _seed(sessions)
    window = AuditFilter(
        mailbox=mailbox, since=MONDAY + dt.timedelta(days=1), until=MONDAY + dt.timedelta(days=3)
    )

    async with sessions() as session:
        page = await query(session, window)

    assert [e.id for e in page.entries] == [ids[2], ids[1]]


async def test_a_upn_filter_matches_however_the_name_was_typed(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    mailbox, ids = await _seed(sessions)

    async with sessions() as session:
        page = await query(
            session, AuditFilter(mailbox=mailbox.upper(), actor="Anna@Gemeente.EXAMPLE")
        )

    assert [e.id for e in page.entries] == [ids[2], ids[0]]


async def test_pages_run_newest_first_without_gaps_or_repeats(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    mailbox, ids = await _seed(sessions)
    seen, before = [], None

    async with sessions() as session:
        while True:
            page = await query(session, AuditFilter(mailbox=mailbox), limit=3, before=before)
            seen.append([e.id for e in page.entries])
            if page.next_before is None:
                break
            before = page.next_before

    assert seen == [[ids[3], ids[2], ids[1]], [ids[0]]]


async def test_a_page_size_beyond_the_maximum_is_refused(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        with pytest.raises(ValueError, match="limit"):
            await query(session, limit=10_000)
