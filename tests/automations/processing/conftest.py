"""Postverwerking's flows against the sandbox: the backend's own deps and gateway, so the
flows run with the store, journal and Graph client the server gives them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

import pytest
from fastapi import FastAPI

from automations.context import Actor, Deps
from automations.graph import GraphSession
from automations.roster.service import snapshot
from tests.sandbox.graphclients import Tenant
from tests.server.conftest import backend  # noqa: F401 - the app whose deps the flows get


@pytest.fixture
def deps(backend: FastAPI) -> Deps:  # noqa: F811
    made: Deps = backend.state.deps
    return made


@pytest.fixture
def as_user(
    backend: FastAPI,  # noqa: F811
    tenant: Tenant,
) -> Callable[[str], AbstractAsyncContextManager[GraphSession]]:
    """Graph on behalf of a secretary, as the server's routes get it."""

    def open_for(upn: str) -> AbstractAsyncContextManager[GraphSession]:
        session: AbstractAsyncContextManager[GraphSession] = backend.state.gateway.for_user(
            tenant.user_token(upn), upn=upn
        )
        return session

    return open_for


@pytest.fixture
async def actor(deps: Deps) -> AsyncIterator[Callable[[str], Actor]]:
    async with deps.sessions() as session:
        roster = await snapshot(session)
    yield lambda upn: Actor(upn, roster, "api")
