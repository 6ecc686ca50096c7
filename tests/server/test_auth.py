"""Every API call carries a token the backend checks itself, against the tenant's keys."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.forgery import resign, sign_with_unknown_key, unsigned
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import SECRETARY_A


async def test_a_signed_in_secretary_is_recognised(api: httpx.AsyncClient, tenant: Tenant) -> None:
    token = tenant.user_token(SECRETARY_A)
    resp = await api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200
    assert resp.json()["upn"] == SECRETARY_A
    assert resp.headers["X-Request-Id"]


async def test_a_token_resigned_unchanged_is_still_accepted(
    api: httpx.AsyncClient, tenant: Tenant
) -> None:
    """The control for the cases below: re-signing alone does not make a token bad."""
    token = resign(tenant.info, tenant.user_token(SECRETARY_A))
    resp = await api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200


@pytest.mark.parametrize(
    "bad_token",
    [
        pytest.param(lambda t: t.graph_token(SECRETARY_A), id="graph-audience"),
        pytest.param(
            lambda t: resign(t.info, t.user_token(SECRETARY_A), exp=int(time.time()) - 300),
            id="expired",
        ),
        pytest.param(
            lambda t: resign(t.info, t.user_token(SECRETARY_A), nbf=int(time.time()) + 600),
            id="not-yet-valid",
        ),
        pytest.param(
            lambda t: resign(
                t.info, t.user_token(SECRETARY_A), tid="00000000-0000-0000-0000-000000000001"
            ),
            id="foreign-tenant",
        ),
        pytest.param(
            lambda t: resign(t.info, t.user_token(SECRETARY_A), iss="https://evil.example/v2.0"),
            id="foreign-issuer",
        ),
        pytest.param(
            lambda t: resign(t.info, t.user_token(SECRETARY_A), scp="User.Read"), id="no-scope"
        ),
        pytest.param(lambda t: unsigned(t.user_token(SECRETARY_A)), id="alg-none"),
        pytest.param(lambda t: t.user_token(SECRETARY_A)[:-5] + "AAAAA", id="tampered"),
        pytest.param(lambda t: sign_with_unknown_key(t.user_token(SECRETARY_A)), id="unknown-key"),
        pytest.param(lambda t: "not.a.jwt", id="garbage"),
    ],
)
async def test_a_token_the_backend_must_not_trust_is_refused(
    api: httpx.AsyncClient, tenant: Tenant, bad_token
) -> None:
    resp = await api.get("/api/v1/me", headers={"Authorization": f"Bearer {bad_token(tenant)}"})
    assert resp.status_code == 401
    body = resp.json()["error"]
    assert body["code"] == "unauthenticated" and body["message"] and body["request_id"]
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


async def test_no_token_is_a_challenge(api: httpx.AsyncClient) -> None:
    resp = await api.get("/api/v1/me")
    assert resp.status_code == 401
    assert "error=" not in resp.headers["WWW-Authenticate"]


async def test_health_needs_no_token(api: httpx.AsyncClient) -> None:
    assert (await api.get("/healthz")).json() == {"status": "ok"}
    assert (await api.get("/readyz")).json() == {"status": "ready"}


async def test_a_callers_request_id_is_kept_and_a_hostile_one_replaced(
    api: httpx.AsyncClient,
) -> None:
    kept = await api.get("/healthz", headers={"X-Request-Id": "pane-1234"})
    assert kept.headers["X-Request-Id"] == "pane-1234"
    replaced = await api.get("/healthz", headers={"X-Request-Id": "x" * 500})
    assert len(replaced.headers["X-Request-Id"]) == 36
