"""The sandbox's authorization code flow with PKCE, as MSAL.js's standard client runs it.

The browser suite drives the whole flow through MSAL.js; these tests pin the protocol details
Entra ID enforces: registered redirect URIs, S256 PKCE, single-use codes, the nonce.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest

from sandbox.server import RunningSandbox
from tests.sandbox.people import SECRETARY_A

REDIRECT = "https://127.0.0.1:8443/pane/aanmelden/dialoog"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@pytest.fixture
def idp(running: RunningSandbox, tenant) -> httpx.Client:
    with httpx.Client(base_url=running.info["authority"], verify=tenant.tls) as client:
        yield client


def authorize_params(running: RunningSandbox, challenge: str, **extra: str) -> dict[str, str]:
    return {
        "client_id": running.info["client_id"],
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": f"api://{running.info['client_id']}/access_as_user openid profile",
        "state": "s-123",
        "nonce": "n-456",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "response_mode": "fragment",
        **extra,
    }


def sign_in(idp: httpx.Client, params: dict[str, str], upn: str) -> dict[str, str]:
    """Choose the user on the sign-in page; return what the redirect hands the app."""
    page = idp.get("/oauth2/v2.0/authorize", params=params)
    assert page.status_code == 200 and upn in page.text
    answer = idp.post("/oauth2/v2.0/authorize", data={**params, "username": upn})
    assert answer.status_code == 302
    location = urlsplit(answer.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    return {k: v[0] for k, v in parse_qs(location.fragment).items()}


def redeem(idp: httpx.Client, running: RunningSandbox, code: str, verifier: str) -> httpx.Response:
    return idp.post(
        "/oauth2/v2.0/token",
        data={
            "client_id": running.info["client_id"],
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
        headers={"Origin": "https://127.0.0.1:8443"},
    )


def test_a_single_page_app_signs_in_with_code_and_pkce(
    idp: httpx.Client, running: RunningSandbox
) -> None:
    verifier, challenge = pkce()
    answer = sign_in(idp, authorize_params(running, challenge), SECRETARY_A)
    assert answer["state"] == "s-123"

    resp = redeem(idp, running, answer["code"], verifier)

    assert resp.status_code == 200
    assert resp.headers["access-control-allow-origin"] == "https://127.0.0.1:8443"
    body = resp.json()
    access = jwt.decode(body["access_token"], options={"verify_signature": False})
    ident = jwt.decode(body["id_token"], options={"verify_signature": False})
    assert access["aud"] == running.info["client_id"] and access["scp"] == "access_as_user"
    assert access["preferred_username"] == SECRETARY_A
    assert ident["nonce"] == "n-456" and ident["aud"] == running.info["client_id"]
    assert body["client_info"] == answer["client_info"]


def test_a_code_works_once(idp: httpx.Client, running: RunningSandbox) -> None:
    verifier, challenge = pkce()
    code = sign_in(idp, authorize_params(running, challenge), SECRETARY_A)["code"]
    assert redeem(idp, running, code, verifier).status_code == 200
    again = redeem(idp, running, code, verifier)
    assert again.status_code == 400 and again.json()["error_codes"] == [54005]


def test_the_verifier_must_match_the_challenge(idp: httpx.Client, running: RunningSandbox) -> None:
    _, challenge = pkce()
    code = sign_in(idp, authorize_params(running, challenge), SECRETARY_A)["code"]
    wrong = redeem(idp, running, code, pkce()[0])
    assert wrong.status_code == 400 and wrong.json()["error_codes"] == [501481]


@pytest.mark.parametrize(
    ("change", "aadsts"),
    [
        ({"redirect_uri": "https://evil.test/pane/aanmelden/dialoog"}, 50011),
        ({"redirect_uri": "https://127.0.0.1:8443/elders"}, 50011),
        ({"redirect_uri": "http://127.0.0.1:8443/pane/aanmelden/dialoog"}, 50011),
        ({"redirect_uri": "https://evil.test\\@127.0.0.1/pane/aanmelden/dialoog"}, 50011),
        ({"redirect_uri": "https://x@127.0.0.1/pane/aanmelden/dialoog"}, 50011),
        ({"redirect_uri": "https://127.0.0.1:99999/pane/aanmelden/dialoog"}, 50011),
        ({"redirect_uri": "https://127.0.0.1/pane/aanmelden/dialoog?next=x"}, 50011),
        ({"client_id": "00000000-0000-0000-0000-000000000000"}, 700016),
    ],
)
def test_an_untrusted_client_or_redirect_gets_entras_error_page(
    idp: httpx.Client, running: RunningSandbox, change: dict[str, str], aadsts: int
) -> None:
    params = authorize_params(running, pkce()[1]) | change
    resp = idp.get("/oauth2/v2.0/authorize", params=params)
    assert resp.status_code == 400  # never a redirect to where the request pointed
    assert resp.json()["error_codes"] == [aadsts]


@pytest.mark.parametrize(
    ("change", "error", "aadsts"),
    [
        ({"code_challenge_method": "plain"}, "invalid_request", 9002325),
        ({"response_type": "token"}, "unsupported_response_type", 900144),
        ({"scope": ""}, "invalid_request", 900144),
    ],
)
def test_a_bad_request_from_a_trusted_app_goes_back_to_its_redirect(
    idp: httpx.Client, running: RunningSandbox, change: dict[str, str], error: str, aadsts: int
) -> None:
    params = authorize_params(running, pkce()[1]) | change
    resp = idp.get("/oauth2/v2.0/authorize", params=params)
    assert resp.status_code == 302
    answer = {k: v[0] for k, v in parse_qs(urlsplit(resp.headers["location"]).fragment).items()}
    assert answer["error"] == error and f"AADSTS{aadsts}" in answer["error_description"]
    assert answer["state"] == "s-123"


def test_cancelling_the_sign_in_tells_the_app(idp: httpx.Client, running: RunningSandbox) -> None:
    params = authorize_params(running, pkce()[1])
    resp = idp.post("/oauth2/v2.0/authorize", data={**params, "cancel": "1"})
    answer = {k: v[0] for k, v in parse_qs(urlsplit(resp.headers["location"]).fragment).items()}
    assert resp.status_code == 302 and answer["error"] == "access_denied"


def test_a_loopback_redirect_matches_any_port(idp: httpx.Client, running: RunningSandbox) -> None:
    verifier, challenge = pkce()
    elsewhere = "https://127.0.0.1:54321/pane/aanmelden/dialoog"
    params = authorize_params(running, challenge) | {"redirect_uri": elsewhere}
    page = idp.get("/oauth2/v2.0/authorize", params=params)
    assert page.status_code == 200
    answer = idp.post("/oauth2/v2.0/authorize", data={**params, "username": SECRETARY_A})
    assert answer.headers["location"].startswith(elsewhere + "#code=")


def test_the_token_endpoint_checks_redirect_origin_and_code(
    idp: httpx.Client, running: RunningSandbox
) -> None:
    verifier, challenge = pkce()
    code = sign_in(idp, authorize_params(running, challenge), SECRETARY_A)["code"]
    form = {
        "client_id": running.info["client_id"],
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
    }
    no_origin = idp.post("/oauth2/v2.0/token", data=form)
    assert no_origin.json()["error_codes"] == [9002327]
    origin = {"Origin": "https://127.0.0.1:8443"}
    other = idp.post(
        "/oauth2/v2.0/token", data=form | {"redirect_uri": REDIRECT + "x"}, headers=origin
    )
    assert other.json()["error_codes"] == [50148]  # and the code is spent, as in Entra
    for _ in range(2):
        bogus = idp.post("/oauth2/v2.0/token", data=form | {"code": "bogus"}, headers=origin)
        assert bogus.json()["error_codes"] == [70008]


def test_cors_answers_only_pages_on_this_machine(
    idp: httpx.Client, running: RunningSandbox
) -> None:
    verifier, challenge = pkce()
    code = sign_in(idp, authorize_params(running, challenge), SECRETARY_A)["code"]
    local = redeem(idp, running, code, verifier)
    assert local.headers["access-control-allow-origin"] == "https://127.0.0.1:8443"
    signin = idp.post(
        "/sandbox/signin",
        data={"username": SECRETARY_A, "client_id": running.info["client_id"]},
        headers={"Origin": "https://evil.test"},
    )
    assert "access-control-allow-origin" not in signin.headers
