"""Roster tables: a 4-1 front office week, and the constraints that keep the roster sane."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.store.models import (
    RosterAssignment,
    RosterException,
    RosterFrontOffice,
    RosterMember,
)
from tests.conftest import TODAY


def _member(upn: str, role: str) -> RosterMember:
    return RosterMember(upn=upn, display_name=upn.split("@")[0].title(), role=role)


async def test_a_four_one_split_gives_each_weekday_its_front_office_secretary(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    mayor, anna, bram = "burgemeester@week.example", "anna@week.example", "bram@week.example"
    async with sessions() as session, session.begin():
        session.add_all(
            [_member(mayor, "executive"), _member(anna, "secretary"), _member(bram, "secretary")]
        )
        await session.flush()
        session.add_all(
            [RosterAssignment(secretary_upn=s, executive_upn=mayor) for s in (anna, bram)]
        )
        session.add_all(
            RosterFrontOffice(
                executive_upn=mayor, weekday=day, secretary_upn=bram if day == 4 else anna
            )
            for day in range(5)
        )

    async with sessions() as session:
        week = (
            await session.execute(
                select(RosterFrontOffice.weekday, RosterFrontOffice.secretary_upn)
                .where(RosterFrontOffice.executive_upn == mayor)
                .order_by(RosterFrontOffice.weekday)
            )
        ).all()

    assert [upn for _, upn in week] == [anna, anna, anna, anna, bram]


async def test_serving_someone_who_is_not_on_the_roster_is_refused(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        session.add(_member("carla@fk.example", "secretary"))

    with pytest.raises(IntegrityError):
        async with sessions() as session, session.begin():
            session.add(
                RosterAssignment(
                    secretary_upn="carla@fk.example", executive_upn="nobody@fk.example"
                )
            )


async def test_a_role_outside_secretary_executive_admin_is_refused(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    with pytest.raises(IntegrityError):
        async with sessions() as session, session.begin():
            session.add(_member("stagiair@role.example", "intern"))


async def test_a_front_office_exception_must_name_the_executive(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        session.add(_member("dirk@exception.example", "secretary"))

    with pytest.raises(IntegrityError):
        async with sessions() as session, session.begin():
            session.add(
                RosterException(
                    on_date=TODAY,
                    secretary_upn="dirk@exception.example",
                    kind="front_office",
                )
            )
