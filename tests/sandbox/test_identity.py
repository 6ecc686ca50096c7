"""Entra ID's part of the sandbox, through MSAL exactly as the backend will use it."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from tests.sandbox.graphclients import GRAPH_DEFAULT, Tenant
from tests.sandbox.people import SECRETARY_A

SECRETARY = SECRETARY_A


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def forge(tenant: Tenant, **overrides: object) -> str:
    """A token signed with the tenant's own key, with some claims changed (expiry, tenant)."""
    state = Path(tenant.info["ca_cert"]).parent
    key = serialization.load_pem_private_key((state / "signing-key.pem").read_bytes(), None)
    good = claims_of(tenant.user_token(SECRETARY))
    kid = jwt.get_unverified_header(tenant.user_token(SECRETARY))["kid"]
    good.update(overrides)
    return jwt.encode(good, key, algorithm="RS256", headers={"kid": kid})


def test_discovery_document_points_at_this_tenant(tenant: Tenant) -> None:
    url = f"{tenant.info['authority']}/v2.0/.well-known/openid-configuration"
    doc = httpx.get(url, verify=tenant.tls).json()
    assert doc["issuer"] == f"{tenant.info['authority']}/v2.0"
    assert doc["token_endpoint"] == f"{tenant.info['authority']}/oauth2/v2.0/token"
    keys = httpx.get(doc["jwks_uri"], verify=tenant.tls).json()["keys"]
    assert [k["kty"] for k in keys] == ["RSA"] and keys[0]["alg"] == "RS256"


def test_harness_sign_in_gives_a_v2_token_for_the_backend_api(tenant: Tenant) -> None:
    token = tenant.user_token(SECRETARY)
    url = f"{tenant.info['authority']}/discovery/v2.0/keys"
    jwks = jwt.PyJWKClient(url, ssl_context=tenant.tls)
    key = jwks.get_signing_key_from_jwt(token)
    claims = jwt.decode(
        token,
        key.key,
        algorithms=["RS256"],
        audience=tenant.info["client_id"],
        issuer=f"{tenant.info['authority']}/v2.0",
    )
    assert claims["scp"] == "access_as_user"
    assert claims["preferred_username"] == SECRETARY
    assert claims["tid"] == tenant.info["tenant_id"]
    assert {"oid", "exp", "nbf", "iat", "ver"} <= claims.keys()


def test_client_credentials_through_msal_gives_an_app_token_with_roles(tenant: Tenant) -> None:
    result = tenant.msal_app().acquire_token_for_client(scopes=GRAPH_DEFAULT)
    claims = claims_of(result["access_token"])
    assert claims["aud"] == "https://graph.microsoft.com"
    assert "Mail.ReadWrite" in claims["roles"] and "scp" not in claims
    assert claims["idtyp"] == "app"


def test_on_behalf_of_through_msal_gives_a_delegated_graph_token(tenant: Tenant) -> None:
    assertion = tenant.user_token(SECRETARY)
    result = tenant.msal_app().acquire_token_on_behalf_of(assertion, scopes=GRAPH_DEFAULT)
    claims = claims_of(result["access_token"])
    assert claims["aud"] == "https://graph.microsoft.com"
    assert claims["oid"] == claims_of(assertion)["oid"]
    assert "Mail.ReadWrite.Shared" in claims["scp"].split()


def test_wrong_client_secret_is_refused_as_entra_refuses_it(tenant: Tenant) -> None:
    result = tenant.msal_app("not-the-secret").acquire_token_for_client(scopes=GRAPH_DEFAULT)
    assert result["error"] == "invalid_client"
    assert result["error_codes"] == [7000215]
    assert result["error_description"].startswith("AADSTS7000215")


def test_unknown_client_is_refused(tenant: Tenant) -> None:
    app = tenant.msal_app("x", client_id="11111111-2222-3333-4444-555555555555")
    result = app.acquire_token_for_client(scopes=GRAPH_DEFAULT)
    assert result["error"] == "unauthorized_client" and result["error_codes"] == [700016]


def test_client_credentials_need_a_default_scope(tenant: Tenant) -> None:
    result = tenant.msal_app().acquire_token_for_client(
        scopes=["https://graph.microsoft.com/Mail.Read"]
    )
    assert result["error"] == "invalid_scope"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"aud": "https://graph.microsoft.com"}, 50013),  # a token meant for someone else
        ({"exp": int(time.time()) - 600, "nbf": int(time.time()) - 4200}, 500133),  # expired
        ({"tid": "00000000-0000-0000-0000-000000000001"}, 50013),  # another tenant
    ],
    ids=["wrong-audience", "expired", "foreign-tenant"],
)
def test_on_behalf_of_refuses_a_bad_assertion(tenant: Tenant, change: dict, code: int) -> None:
    result = tenant.msal_app().acquire_token_on_behalf_of(
        forge(tenant, **change), scopes=GRAPH_DEFAULT
    )
    assert result["error"] == "invalid_grant"
    assert result["error_codes"] == [code]
    assert {"error_description", "timestamp", "trace_id", "correlation_id"} <= result.keys()


def test_on_behalf_of_accepts_a_forged_but_unchanged_assertion(tenant: Tenant) -> None:
    """The control for the refusals above: forging alone does not make an assertion bad."""
    result = tenant.msal_app().acquire_token_on_behalf_of(forge(tenant), scopes=GRAPH_DEFAULT)
    assert "access_token" in result, result


def test_on_behalf_of_refuses_a_tampered_assertion(tenant: Tenant) -> None:
    header, payload, signature = tenant.user_token(SECRETARY).split(".")
    tampered = f"{header}.{payload}.{signature[:-6]}AAAAAA"
    result = tenant.msal_app().acquire_token_on_behalf_of(tampered, scopes=GRAPH_DEFAULT)
    assert result["error"] == "invalid_grant" and result["error_codes"] == [50013]


async def graph_get(tenant: Tenant, path: str, authorization: str | None) -> httpx.Response:
    headers = {"Authorization": authorization} if authorization else {}
    async with httpx.AsyncClient(verify=tenant.tls) as client:
        return await client.get(tenant.info["graph_url"] + path, headers=headers)


async def test_graph_without_a_token_answers_401_with_a_challenge(tenant: Tenant) -> None:
    resp = await graph_get(tenant, "/me", None)
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == "InvalidAuthenticationToken"
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "token_of",
    [
        lambda t: t.user_token(SECRETARY),  # a token for the backend, not for Graph
        lambda t: forge(t, aud="https://graph.microsoft.com", exp=int(time.time()) - 60),
        lambda t: jwt.encode(claims_of(t.graph_token(SECRETARY)), key=None, algorithm="none"),
        lambda t: t.graph_token(SECRETARY)[:-4] + "AAAA",
    ],
    ids=["backend-audience", "expired", "alg-none", "tampered"],
)
async def test_graph_refuses_a_token_it_must_not_trust(tenant: Tenant, token_of) -> None:
    resp = await graph_get(tenant, "/me", f"Bearer {token_of(tenant)}")
    assert resp.status_code == 401
    body = resp.json()["error"]
    assert body["code"] == "InvalidAuthenticationToken"
    assert {"request-id", "date", "client-request-id"} <= body["innerError"].keys()


async def test_me_is_the_signed_in_user(tenant: Tenant) -> None:
    me = await tenant.graph(SECRETARY).me.get()
    assert me.user_principal_name == SECRETARY
    assert me.job_title and me.preferred_language == "nl-NL"
    assert set(me.additional_data) <= {"@odata.context"}


async def test_users_list_holds_the_demo_municipality(tenant: Tenant) -> None:
    page = await tenant.graph(SECRETARY).users.get()
    titles = {u.job_title for u in page.value}
    assert "Burgemeester" in titles
    assert any(t and t.startswith("Gemeentesecretaris") for t in titles)
    assert any(t and t.startswith("Wethouder") for t in titles)


async def test_app_only_me_is_a_bad_request(tenant: Tenant) -> None:
    async with tenant.raw(None) as client:
        resp = await client.get("/me")
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "BadRequest"


async def test_unknown_user_is_404_request_resource_not_found(tenant: Tenant) -> None:
    async with tenant.raw(SECRETARY) as client:
        resp = await client.get("/users/nobody@zeeveen.nl")
    assert resp.status_code == 404
    assert resp.json()["error"]["code"] == "Request_ResourceNotFound"


def test_graph_tokens_name_the_user_as_graph_tokens_do(tenant: Tenant) -> None:
    result = tenant.msal_app().acquire_token_on_behalf_of(
        tenant.user_token(SECRETARY), scopes=GRAPH_DEFAULT
    )
    assert claims_of(result["access_token"])["upn"] == SECRETARY


def test_a_refresh_token_from_on_behalf_of_gets_a_new_graph_token(tenant: Tenant) -> None:
    app = tenant.msal_app()
    first = app.acquire_token_on_behalf_of(tenant.user_token(SECRETARY), scopes=GRAPH_DEFAULT)
    renewed = app.acquire_token_by_refresh_token(first["refresh_token"], scopes=GRAPH_DEFAULT)
    assert claims_of(renewed["access_token"])["oid"] == claims_of(first["access_token"])["oid"]


def test_a_forged_refresh_token_is_refused(tenant: Tenant) -> None:
    result = tenant.msal_app().acquire_token_by_refresh_token("not-a-token", scopes=GRAPH_DEFAULT)
    assert result["error"] == "invalid_grant" and result["error_codes"] == [9002313]
