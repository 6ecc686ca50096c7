"""A certificate instead of a client secret: the token endpoint checks the client assertion
as Entra ID does, and answers a bad one with Entra's code."""

from __future__ import annotations

import base64
import datetime as dt
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import jwt
import msal
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sandbox.identity.credentials import self_signed
from sandbox.server import RunningSandbox
from tests.sandbox.graphclients import GRAPH_DEFAULT, Tenant
from tests.sandbox.people import SECRETARY_A

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def new_certificate(
    *, key: Any = None, valid: tuple[float, float] = (-1, 365)
) -> tuple[Any, x509.Certificate]:
    """A self-signed certificate valid from/to so many days from now (the machine's time)."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    days = [now + dt.timedelta(days=d) for d in valid]
    return key, self_signed(key, "test client", *days)


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def key_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture(scope="module")
def demo_credential(running: RunningSandbox) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """The client certificate the sandbox made for the demo app, beside connection.json."""
    data = Path(running.info["client_certificate"]).read_bytes()
    key = serialization.load_pem_private_key(data, None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key, x509.load_pem_x509_certificate(data)


def token_url(info: dict[str, Any]) -> str:
    return f"{info['authority']}/oauth2/v2.0/token"


def assertion(
    info: dict[str, Any],
    key: Any,
    cert: x509.Certificate,
    *,
    alg: str = "PS256",
    **claims: Any,
) -> str:
    """A client assertion as MSAL makes it (PS256 names the certificate by SHA-256, RS256 by
    SHA-1); a claim given as None is left out."""
    now = time.time()
    body = {
        "aud": token_url(info),
        "iss": info["client_id"],
        "sub": info["client_id"],
        "jti": str(uuid.uuid4()),
        "iat": now,
        "nbf": now,
        "exp": now + 600,
    }
    body.update(claims)
    body = {k: v for k, v in body.items() if v is not None}
    header = (
        {"x5t": b64url(cert.fingerprint(hashes.SHA1()))}  # noqa: S303 - Entra's x5t
        if alg == "RS256"
        else {"x5t#S256": b64url(cert.fingerprint(hashes.SHA256()))}
    )
    return jwt.encode(body, key, algorithm=alg, headers=header)


def ask(tenant: Tenant, signed: str, **form: str) -> httpx.Response:
    data = {
        "client_id": tenant.info["client_id"],
        "grant_type": "client_credentials",
        "scope": GRAPH_DEFAULT[0],
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": signed,
    }
    data.update(form)
    return httpx.post(token_url(tenant.info), data=data, verify=tenant.tls)


def refused(resp: httpx.Response) -> tuple[int, str, int]:
    body = resp.json()
    return resp.status_code, body["error"], body["error_codes"][0]


def msal_with(tenant: Tenant, key: str, cert: str) -> msal.ConfidentialClientApplication:
    return msal.ConfidentialClientApplication(
        tenant.info["client_id"],
        client_credential={"private_key": key, "public_certificate": cert},
        authority=tenant.info["authority"],
        instance_discovery=False,
        http_client=tenant.http_session(),
    )


def claims_of(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def test_the_sandbox_makes_a_client_certificate_for_the_demo_app(running: RunningSandbox) -> None:
    path = Path(running.info["client_certificate"])
    assert path.parent == Path(running.info["ca_cert"]).parent
    assert path.stat().st_mode & 0o077 == 0  # the key's file: the owner's only
    text = path.read_text()
    assert "-----BEGIN PRIVATE KEY-----" in text and "-----BEGIN CERTIFICATE-----" in text


def test_discovery_offers_private_key_jwt(tenant: Tenant) -> None:
    url = f"{tenant.info['authority']}/v2.0/.well-known/openid-configuration"
    doc = httpx.get(url, verify=tenant.tls).json()
    assert "private_key_jwt" in doc["token_endpoint_auth_methods_supported"]


def test_msal_signs_in_with_the_registered_certificate(tenant: Tenant, demo_credential) -> None:
    key, cert = demo_credential
    result = msal_with(tenant, key_pem(key), pem(cert)).acquire_token_for_client(GRAPH_DEFAULT)
    assert "Mail.ReadWrite" in claims_of(result["access_token"])["roles"]


def test_on_behalf_of_works_with_the_certificate(tenant: Tenant, demo_credential) -> None:
    key, cert = demo_credential
    app = msal_with(tenant, key_pem(key), pem(cert))
    result = app.acquire_token_on_behalf_of(tenant.user_token(SECRETARY_A), GRAPH_DEFAULT)
    assert claims_of(result["access_token"])["preferred_username"] == SECRETARY_A


def test_rs256_naming_the_sha1_thumbprint_is_accepted_too(tenant: Tenant, demo_credential) -> None:
    resp = ask(tenant, assertion(tenant.info, *demo_credential, alg="RS256"))
    assert resp.status_code == 200, resp.text


def test_an_unregistered_certificate_is_700027(tenant: Tenant) -> None:
    key, cert = new_certificate()
    resp = ask(tenant, assertion(tenant.info, key, cert))
    assert refused(resp) == (401, "invalid_client", 700027)
    assert "is not registered on application" in resp.json()["error_description"]
    assert cert.fingerprint(hashes.SHA256()).hex().upper() in resp.json()["error_description"]


def test_a_signature_by_another_key_is_700027(tenant: Tenant, demo_credential) -> None:
    _key, cert = demo_credential
    other, _ = new_certificate()
    resp = ask(tenant, assertion(tenant.info, other, cert))  # names the registered certificate
    assert refused(resp) == (401, "invalid_client", 700027)
    assert "did not match the expected signature" in resp.json()["error_description"]


def test_an_unsupported_algorithm_is_700027(tenant: Tenant, demo_credential) -> None:
    _key, cert = demo_credential
    hmac_signed = jwt.encode(
        {"aud": token_url(tenant.info), "iss": tenant.info["client_id"]},
        "a shared secret of at least thirty-two bytes",
        algorithm="HS256",
        headers={"x5t#S256": b64url(cert.fingerprint(hashes.SHA256()))},
    )
    assert refused(ask(tenant, hmac_signed)) == (401, "invalid_client", 700027)


def test_an_expired_assertion_is_700024(tenant: Tenant, demo_credential) -> None:
    now = time.time()
    old = assertion(tenant.info, *demo_credential, iat=now - 1800, nbf=now - 1800, exp=now - 900)
    resp = ask(tenant, old)
    assert refused(resp) == (401, "invalid_client", 700024)
    assert "not within its valid time range" in resp.json()["error_description"]


def test_an_assertion_not_yet_valid_is_700024(tenant: Tenant, demo_credential) -> None:
    now = time.time()
    early = assertion(tenant.info, *demo_credential, nbf=now + 900, exp=now + 1500)
    assert refused(ask(tenant, early)) == (401, "invalid_client", 700024)


def test_a_few_minutes_of_clock_difference_are_allowed(tenant: Tenant, demo_credential) -> None:
    now = time.time()
    late = assertion(tenant.info, *demo_credential, nbf=now - 700, exp=now - 60)
    assert ask(tenant, late).status_code == 200


def test_another_audience_is_700023(tenant: Tenant, demo_credential) -> None:
    other = assertion(tenant.info, *demo_credential, aud="https://login.example/token")
    assert refused(ask(tenant, other)) == (401, "invalid_client", 700023)


def test_another_apps_id_as_issuer_is_700021(tenant: Tenant, demo_credential) -> None:
    stranger = str(uuid.uuid4())
    assert refused(ask(tenant, assertion(tenant.info, *demo_credential, iss=stranger))) == (
        401, "invalid_client", 700021,
    )  # fmt: skip
    assert refused(ask(tenant, assertion(tenant.info, *demo_credential, sub=stranger))) == (
        401, "invalid_client", 700021,
    )  # fmt: skip


@pytest.mark.parametrize("claim", ["jti", "exp", "aud"])
def test_an_assertion_without_a_required_claim_is_malformed(
    tenant: Tenant, demo_credential, claim: str
) -> None:
    lacking = assertion(tenant.info, *demo_credential, **{claim: None})
    assert refused(ask(tenant, lacking)) == (401, "invalid_client", 50027)


def test_a_garbled_assertion_is_malformed(tenant: Tenant) -> None:
    assert refused(ask(tenant, "not.a.jwt")) == (401, "invalid_client", 50027)


def test_another_assertion_type_is_an_invalid_request(tenant: Tenant, demo_credential) -> None:
    signed = assertion(tenant.info, *demo_credential)
    resp = ask(tenant, signed, client_assertion_type="urn:ietf:params:oauth:grant-type:saml2")
    assert refused(resp) == (400, "invalid_request", 90011)
    assert refused(ask(tenant, signed, client_assertion_type="")) == (
        400, "invalid_request", 900144,
    )  # fmt: skip


def test_an_uploaded_certificate_works_until_it_is_removed(
    tenant: Tenant, admin: httpx.Client
) -> None:
    key, cert = new_certificate()
    path = f"/apps/{tenant.info['client_id']}/keyCredentials"
    made = admin.post(path, json={"certificate": pem(cert), "displayName": "rotatie"})
    assert made.status_code == 201, made.text
    registered = made.json()
    assert registered["customKeyIdentifier"] == cert.fingerprint(hashes.SHA1()).hex().upper()  # noqa: S303
    assert "key" not in registered
    assert admin.post(path, json={"certificate": pem(cert)}).json() == registered  # once only
    listed = [k["keyId"] for k in admin.get(path).json()["value"]]
    assert registered["keyId"] in listed and len(listed) >= 2  # beside the demo's own
    assert ask(tenant, assertion(tenant.info, key, cert)).status_code == 200
    assert admin.delete(f"{path}/{registered['keyId']}").status_code == 204
    assert refused(ask(tenant, assertion(tenant.info, key, cert)))[2] == 700027
    assert admin.delete(f"{path}/{registered['keyId']}").status_code == 404


def test_an_expired_registered_certificate_is_700027(tenant: Tenant, admin: httpx.Client) -> None:
    key, cert = new_certificate(valid=(-30, -1))
    path = f"/apps/{tenant.info['client_id']}/keyCredentials"
    registered = admin.post(path, json={"certificate": pem(cert)}).json()
    try:
        resp = ask(tenant, assertion(tenant.info, key, cert))
        assert refused(resp) == (401, "invalid_client", 700027)
        assert "The key used is expired" in resp.json()["error_description"]
    finally:
        admin.delete(f"{path}/{registered['keyId']}")


def test_the_control_plane_refuses_what_is_not_a_certificate(
    tenant: Tenant, admin: httpx.Client
) -> None:
    path = f"/apps/{tenant.info['client_id']}/keyCredentials"
    assert admin.post(path, json={"certificate": "geen certificaat"}).status_code == 400
    assert admin.post(path, json={"cert": "x"}).status_code == 400
    assert admin.get(f"/apps/{uuid.uuid4()}/keyCredentials").status_code == 404


def test_registered_certificates_survive_a_reseed(
    tenant: Tenant, admin: httpx.Client, demo_credential
) -> None:
    admin.post("/reset").raise_for_status()
    assert ask(tenant, assertion(tenant.info, *demo_credential)).status_code == 200
