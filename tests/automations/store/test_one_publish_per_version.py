"""Two admins change the team's quick steps at once: the later publish, started from a version
that is no longer active, is refused with who published in between — on both backends, also
when both publishes race — and migration 0012 fills ``replaces`` for versions stored before."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.quicksteps.service import active, publish
from automations.store.db import create_engine
from automations.store.migrate import upgrade_async
from automations.versions import Superseded

ADMIN, OTHER = "dennis.vos@zeeveen.nl", "ellen.dijkhuis@zeeveen.nl"
NAMES = {ADMIN: "Dennis Vos", OTHER: "Ellen Dijkhuis"}


def steps(name: str) -> str:
    return f"format: 1\nsteps:\n  - name: {name}\n    actions:\n      - action: mark_read\n"


async def _publish(sessions: async_sessionmaker[AsyncSession], body: str, author: str,
                   based_on: int | None) -> int:  # fmt: skip
    async with sessions() as session, session.begin():
        info = await publish(session, body, author=author, based_on=based_on, names=NAMES)
        return info.version


async def _active_version(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        found = await active(session)
    return found.info.version if found else 0


async def test_a_publish_started_from_an_older_version_is_refused_and_names_who_came_first(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    start = await _active_version(sessions)
    first = await _publish(sessions, steps("Eerste"), OTHER, based_on=start)
    with pytest.raises(Superseded) as refused:
        await _publish(sessions, steps("Tweede"), ADMIN, based_on=start)
    assert f"Ellen Dijkhuis versie {first}" in refused.value.message
    async with sessions() as session:
        found = await active(session)
    assert found is not None and found.info.version == first and "Eerste" in found.text
    # Started again from the active version, it goes through.
    assert await _publish(sessions, steps("Tweede"), ADMIN, based_on=first) > first


async def test_two_publishes_racing_on_one_version_let_exactly_one_in(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    start = await _active_version(sessions)
    outcomes = await asyncio.gather(
        *(_publish(sessions, steps(f"Race {n}"), ADMIN, based_on=start) for n in range(4)),
        return_exceptions=True,
    )
    won = [o for o in outcomes if isinstance(o, int)]
    lost = [o for o in outcomes if not isinstance(o, int)]
    assert len(won) == 1, outcomes
    assert lost and all(isinstance(o, Superseded) for o in lost), outcomes
    assert await _active_version(sessions) == won[0]


async def test_a_publish_without_a_base_still_takes_its_turn(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """The API's PUT without ``based_on`` (a script replacing the whole file) is not refused."""
    before = await _active_version(sessions)
    after = await _publish(sessions, steps("Zonder basis"), ADMIN, based_on=None)
    assert after > before


async def test_migration_0012_links_each_stored_version_to_the_one_before(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    await upgrade_async(url, "0011")
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            for n in (1, 2, 4):  # a gap, as a sequence can leave one
                await connection.execute(
                    text("INSERT INTO quickstep_versions (version, document, sha256, author_upn,"
                         " created_at) VALUES (:v, 'format: 1', 'x', :a, '2026-11-24 08:00:00')"),
                    {"v": n, "a": ADMIN},
                )  # fmt: skip
        await engine.dispose()
        await upgrade_async(url)
        engine = create_engine(url)
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT version, replaces FROM quickstep_versions ORDER BY version")
            )
            assert [tuple(r) for r in rows] == [(1, 0), (2, 1), (4, 2)]
    finally:
        await engine.dispose()
