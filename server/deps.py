"""``Annotated`` dependency aliases so routes read like signatures."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.dates import AMSTERDAM
from automations.graph import GraphGateway, GraphSession
from automations.journal import Journal
from automations.roster.models import Roster
from automations.roster.service import snapshot
from server.auth import Principal, TokenValidator
from server.settings import Settings

__all__ = [
    "ClearGraph",
    "CurrentUser",
    "JournalDep",
    "Now",
    "RosterDep",
    "SessionDep",
    "SessionsDep",
    "SettingsDep",
    "Today",
    "UserGraph",
    "now",
    "today",
]


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _validator(request: Request) -> TokenValidator:
    return request.app.state.validator


def _journal(request: Request) -> Journal:
    return request.app.state.journal


def _sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    return request.app.state.sessions


async def _current_user(request: Request) -> Principal:
    return await _validator(request).validate(request.headers.get("authorization"))


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    async with _sessions(request)() as session:
        yield session


async def _user_graph(
    request: Request, user: Annotated[Principal, Depends(_current_user)]
) -> AsyncIterator[GraphSession]:
    """Graph on behalf of the signed-in user (on-behalf-of her validated token)."""
    gateway: GraphGateway = request.app.state.gateway
    async with gateway.for_user(user.token, upn=user.upn) as session:
        yield session


async def _clear_graph(
    request: Request, user: Annotated[Principal, Depends(_current_user)]
) -> AsyncIterator[GraphSession]:
    """For a calamity clear: a secretary through her own delegate rights, an admin (who has
    none on the executives' mailboxes) with the app's identity, scoped to the executives."""
    gateway: GraphGateway = request.app.state.gateway
    async with _sessions(request)() as session:
        role = (await snapshot(session)).role(user.upn)
    if role == "admin":
        async with gateway.for_app() as session:
            yield session
        return
    async with gateway.for_user(user.token, upn=user.upn) as session:
        yield session


async def _roster(request: Request) -> Roster:
    """Read in a session of its own, closed at once: a request that then waits on Graph for
    seconds must not hold a database connection meanwhile."""
    async with _sessions(request)() as session:
        return await snapshot(session)


def today() -> dt.date:
    """The municipality's date (the roster's weekdays are Dutch weekdays)."""
    return dt.datetime.now(AMSTERDAM).date()


def now() -> dt.datetime:
    """The moment in the municipality (the pane's "rest of today" starts here)."""
    return dt.datetime.now(AMSTERDAM)


SettingsDep = Annotated[Settings, Depends(_settings)]
Now = Annotated[dt.datetime, Depends(now)]
Today = Annotated[dt.date, Depends(today)]
CurrentUser = Annotated[Principal, Depends(_current_user)]
SessionsDep = Annotated[async_sessionmaker[AsyncSession], Depends(_sessions)]
SessionDep = Annotated[AsyncSession, Depends(_session)]
RosterDep = Annotated[Roster, Depends(_roster)]
UserGraph = Annotated[GraphSession, Depends(_user_graph)]
ClearGraph = Annotated[GraphSession, Depends(_clear_graph)]
JournalDep = Annotated[Journal, Depends(_journal)]
