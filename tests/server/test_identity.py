"""Who a caller is comes from her token's stable ``oid`` and the directory, never from the
token's changeable ``preferred_username``."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from automations.directory import Identities
from automations.graph import GraphSession
from sandbox.server import RunningSandbox
from tests.forgery import claims_of, resign
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import ADMIN, SECRETARY_A, SECRETARY_B

RENAMED = "Monique.Jansen@Zeeveen.nl"  # married; the directory writes it with capitals


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def changed_in_directory(running: RunningSandbox, upn: str, **changes: Any) -> Iterator[None]:
    """The sandbox tenant's directory with one user changed (as an Entra admin would), put
    back afterwards: the sandbox serves the whole module."""
    directory = running.app.state.sandbox.directory
    original = dict(directory.user(upn))
    directory.save_user(original | changes)
    directory.reload()
    try:
        yield
    finally:
        directory.save_user(original)
        directory.reload()


async def test_the_token_says_the_oid_and_the_directory_says_the_upn(
    api: httpx.AsyncClient, tenant: Tenant
) -> None:
    token = tenant.user_token(SECRETARY_A)
    me = (await api.get("/api/v1/me", headers=bearer(token))).json()
    assert me["upn"] == SECRETARY_A and me["role"] == "secretary"


async def test_a_preferred_username_changed_to_the_admins_does_not_make_an_admin(
    api: httpx.AsyncClient, tenant: Tenant, login
) -> None:
    """A validly signed token whose display claims name the admin but whose oid is Karin's."""
    forged = resign(tenant.info, tenant.user_token(SECRETARY_B),
                    preferred_username=ADMIN, upn=ADMIN, name="Dennis Vos")  # fmt: skip
    roster = (await api.get("/api/v1/roster", headers=login(ADMIN))).json()

    me = (await api.get("/api/v1/me", headers=bearer(forged))).json()
    changed = {**roster, "serves": {**roster["serves"], SECRETARY_B: []}}
    resp = await api.put("/api/v1/roster", json=changed, headers=bearer(forged))

    assert me["upn"] == SECRETARY_B and me["role"] == "secretary"
    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "access_denied"
    assert (await api.get("/api/v1/roster", headers=login(ADMIN))).json() == roster


async def test_an_oid_the_directory_does_not_know_is_refused_in_dutch(
    api: httpx.AsyncClient, tenant: Tenant
) -> None:
    stranger = resign(tenant.info, tenant.user_token(ADMIN), oid=str(uuid.uuid4()))
    resp = await api.get("/api/v1/roster", headers=bearer(stranger))
    assert resp.status_code == 403
    error = resp.json()["error"]
    assert error["code"] == "unknown_account" and "gebruikerslijst" in error["message"]


async def test_an_oid_that_is_no_object_id_never_reaches_the_directory(
    api: httpx.AsyncClient, tenant: Tenant
) -> None:
    upn_as_oid = resign(tenant.info, tenant.user_token(SECRETARY_A), oid=ADMIN)
    resp = await api.get("/api/v1/me", headers=bearer(upn_as_oid))
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == "unauthenticated"


async def test_a_disabled_account_is_refused(
    api: httpx.AsyncClient, tenant: Tenant, running: RunningSandbox
) -> None:
    token = tenant.user_token(SECRETARY_A)
    with changed_in_directory(running, SECRETARY_A, accountEnabled=False):
        resp = await api.get("/api/v1/me", headers=bearer(token))
    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "unknown_account"


async def test_a_user_renamed_in_the_directory_keeps_working_by_her_oid(
    api: httpx.AsyncClient, tenant: Tenant, running: RunningSandbox, login
) -> None:
    """Her token still says the old name; the roster is updated to the new one, in another
    case than the directory's; she is who she was."""
    token = tenant.user_token(SECRETARY_A)  # issued before the rename
    assert claims_of(token)["preferred_username"] == SECRETARY_A
    roster = (await api.get("/api/v1/roster", headers=login(ADMIN))).json()
    renamed = json.loads(json.dumps(roster).replace(SECRETARY_A, RENAMED.upper()))
    assert (await api.put("/api/v1/roster", json=renamed, headers=login(ADMIN))).status_code == 200

    with changed_in_directory(running, SECRETARY_A, userPrincipalName=RENAMED):
        me = (await api.get("/api/v1/me", headers=bearer(token))).json()
        mailboxes = await api.get("/api/v1/mailboxes", headers=bearer(token))

    assert me["upn"] == RENAMED.lower() and me["role"] == "secretary"
    assert len(me["serves_today"]) == 2
    assert mailboxes.status_code == 200 and len(mailboxes.json()["mailboxes"]) == 2


async def test_the_directory_is_asked_once_per_user_until_the_answer_is_old(
    backend: FastAPI, tenant: Tenant
) -> None:
    opened, now = [], [0.0]

    @asynccontextmanager
    async def user_graph(token: str) -> AsyncIterator[GraphSession]:
        opened.append(1)
        async with backend.state.gateway.for_user(token) as graph:
            yield graph

    identities = Identities(user_graph, ttl_s=600, max_size=1, clock=lambda: now[0])
    tid = tenant.info["tenant_id"]
    token_a, token_b = tenant.user_token(SECRETARY_A), tenant.user_token(SECRETARY_B)
    oid_a, oid_b = claims_of(token_a)["oid"], claims_of(token_b)["oid"]

    first = await identities.resolve(tenant=tid, oid=oid_a, token=token_a)
    again = await identities.resolve(tenant=tid, oid=oid_a, token=token_a)
    now[0] = 601.0
    later = await identities.resolve(tenant=tid, oid=oid_a, token=token_a)
    await identities.resolve(tenant=tid, oid=oid_b, token=token_b)

    assert first.upn == again.upn == later.upn == SECRETARY_A
    assert len(opened) == 3  # the cached answer, then a fresh one after ten minutes, then B
    assert len(identities) == 1  # bounded: A made room for B
