"""Engines: SQLite gets its pragmas, timestamps come back as aware UTC on both databases."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.store.db import create_engine
from automations.store.models import RosterMember

AMSTERDAM_SUMMER = dt.timezone(dt.timedelta(hours=2))


async def test_a_sqlite_file_gets_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'nested' / 'dir' / 'db.sqlite3'}")
    try:
        async with engine.connect() as connection:
            journal_mode = await connection.scalar(text("PRAGMA journal_mode"))
            foreign_keys = await connection.scalar(text("PRAGMA foreign_keys"))
            busy_timeout = await connection.scalar(text("PRAGMA busy_timeout"))
    finally:
        await engine.dispose()

    assert (journal_mode, foreign_keys) == ("wal", 1)
    assert busy_timeout >= 5000
    assert (tmp_path / "nested" / "dir" / "db.sqlite3").exists()


def test_a_database_we_do_not_support_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported database URL"):
        create_engine("mysql+aiomysql://root@localhost/secretariaat")


async def test_timestamps_come_back_as_the_same_moment_in_utc(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    created = dt.datetime(2026, 6, 1, 9, 30, 15, 123456, tzinfo=AMSTERDAM_SUMMER)
    async with sessions() as session, session.begin():
        session.add(
            RosterMember(
                upn="tijdzone@gemeente.example",
                display_name="Tijd Zone",
                role="secretary",
                created_at=created,
                updated_at=created,
            )
        )

    async with sessions() as session:
        stored = await session.scalar(
            select(RosterMember.created_at).where(RosterMember.upn == "tijdzone@gemeente.example")
        )

    assert stored == created
    assert stored is not None and stored.utcoffset() == dt.timedelta(0)


async def test_a_timestamp_without_time_zone_is_refused(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    naive = dt.datetime(2026, 6, 1, 9, 30)
    with pytest.raises(Exception, match="naive datetime"):
        async with sessions() as session, session.begin():
            session.add(
                RosterMember(
                    upn="naief@gemeente.example",
                    display_name="Naïef",
                    role="secretary",
                    created_at=naive,
                    updated_at=naive,
                )
            )
