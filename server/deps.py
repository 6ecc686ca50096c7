"""``Annotated`` dependency aliases so routes read like signatures."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.clock import Clock, local_now, local_today
from automations.context import Actor, Deps, Via
from automations.directory import Identities
from automations.graph import GraphGateway, GraphSession
from automations.journal import Journal
from automations.roster.models import Roster
from automations.roster.service import snapshot
from server.auth import Principal, TokenValidator
from server.settings import Settings

__all__ = [
    "ClearGraph",
    "ClockDep",
    "CurrentUser",
    "FlowDeps",
    "HandingOver",
    "KeepDelegation",
    "JournalDep",
    "Me",
    "Now",
    "RosterDep",
    "SessionDep",
    "SessionsDep",
    "SettingsDep",
    "Today",
    "UserGraph",
    "WallClock",
    "now",
    "today",
]


# Starlette's ``app.state`` is untyped (every attribute is Any): each reader names what
# ``server.app`` put there.
def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _validator(request: Request) -> TokenValidator:
    validator: TokenValidator = request.app.state.validator
    return validator


def _journal(request: Request) -> Journal:
    journal: Journal = request.app.state.journal
    return journal


def _sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions
    return sessions


def _identities(request: Request) -> Identities:
    """The oid -> UPN cache (reads ``/me`` on behalf of the caller)."""
    identities: Identities = request.app.state.identities
    return identities


async def _current_user(request: Request) -> Principal:
    """The token's user, known by her stable ``tid`` + ``oid``; her UPN (the roster's key) is
    the one the directory has for that object id, never the token's ``preferred_username``.
    Not (or no longer) in the directory, or disabled: 403."""
    token_user = await _validator(request).validate(request.headers.get("authorization"))
    found = await _identities(request).resolve(
        tenant=token_user.tenant, oid=token_user.oid, token=token_user.token
    )
    return dataclasses.replace(token_user, upn=found.upn)


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
    if await _acts_as_app(request, user):
        async with gateway.for_app() as session:
            yield session
        return
    async with gateway.for_user(user.token, upn=user.upn) as session:
        yield session


async def _keeper(
    request: Request, user: Annotated[Principal, Depends(_current_user)]
) -> Callable[[], Awaitable[None]]:
    """Seals her delegation in the store when called, so a worker in any process acts with
    her rights, not more (docs/workers.md): for a click whose work a worker finishes."""
    gateway: GraphGateway = request.app.state.gateway

    async def keep() -> None:
        await gateway.tokens.keep_delegation(user.token, user.upn, request.app.state.vault)

    return keep


async def _handing_over(
    request: Request,
    user: Annotated[Principal, Depends(_current_user)],
    keep: Annotated[Callable[[], Awaitable[None]], Depends(_keeper)],
) -> AsyncIterator[GraphSession]:
    """For a calamity clear a worker carries out: Graph as ``ClearGraph``, her delegation
    kept first. An admin's clear is the app's already (RBAC for Applications)."""
    if await _acts_as_app(request, user):
        async with request.app.state.gateway.for_app() as session:
            yield session
        return
    await keep()
    async with request.app.state.gateway.for_user(user.token, upn=user.upn) as session:
        yield session


async def _acts_as_app(request: Request, user: Principal) -> bool:
    """An admin has no delegate rights on the executives' mailboxes: her clears are the
    app's, scoped to the executives."""
    async with _sessions(request)() as session:
        return (await snapshot(session)).role(user.upn) == "admin"


async def _roster(request: Request) -> Roster:
    """Read in a session of its own, closed at once: a request that then waits on Graph for
    seconds must not hold a database connection meanwhile."""
    async with _sessions(request)() as session:
        return await snapshot(session)


def _clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def _wall(request: Request) -> Callable[[], float]:
    """The machine's Unix time, as tokens' ``exp`` is read (not the product clock)."""
    wall: Callable[[], float] = request.app.state.wall
    return wall


def today(request: Request) -> dt.date:
    """The municipality's date (the roster's weekdays are Dutch weekdays)."""
    return local_today(_clock(request))


def now(request: Request) -> dt.datetime:
    """The moment in the municipality (the pane's "rest of today" starts here)."""
    return local_now(_clock(request))


def _deps(request: Request) -> Deps:
    deps: Deps = request.app.state.deps
    return deps


async def _actor(
    request: Request,
    user: Annotated[Principal, Depends(_current_user)],
    roster: Annotated[Roster, Depends(_roster)],
) -> Actor:
    """The signed-in user as the flows see her; the pane's routes are the pane's door."""
    via: Via = "pane" if request.url.path.startswith("/pane") else "api"
    return Actor(user.upn, roster, via)


SettingsDep = Annotated[Settings, Depends(_settings)]
Now = Annotated[dt.datetime, Depends(now)]
Today = Annotated[dt.date, Depends(today)]
CurrentUser = Annotated[Principal, Depends(_current_user)]
SessionsDep = Annotated[async_sessionmaker[AsyncSession], Depends(_sessions)]
SessionDep = Annotated[AsyncSession, Depends(_session)]
RosterDep = Annotated[Roster, Depends(_roster)]
UserGraph = Annotated[GraphSession, Depends(_user_graph)]
ClockDep = Annotated[Clock, Depends(_clock)]
WallClock = Annotated[Callable[[], float], Depends(_wall)]
ClearGraph = Annotated[GraphSession, Depends(_clear_graph)]
HandingOver = Annotated[GraphSession, Depends(_handing_over)]
KeepDelegation = Annotated[Callable[[], Awaitable[None]], Depends(_keeper)]
JournalDep = Annotated[Journal, Depends(_journal)]
FlowDeps = Annotated[Deps, Depends(_deps)]
Me = Annotated[Actor, Depends(_actor)]
