"""A certificate instead of a client secret (SECRETARIAAT_CLIENT_CERTIFICATE): the backend
signs its token requests with the certificate's key, against the sandbox's Entra ID; a
certificate file it cannot use stops it with one clear line."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import requests
from cryptography import x509
from cryptography.fernet import InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pydantic import ValidationError

from automations.clock import SetClock, SystemClock
from automations.errors import AuthenticationFailed
from automations.graph import GraphConfig, GraphGateway, MsalTokenSource, calendar_view_json
from automations.graph.config import ClientCertificate
from sandbox.identity.tokens import TokenService
from sandbox.server import RunningSandbox
from server.settings import Settings, SettingsError
from server.startup import graph_config as config_of
from server.startup import token_vault
from tests.automations.graph.conftest import graph_config
from tests.dates import AMSTERDAM, seed_day
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A
from tests.sandbox.test_client_assertions import new_certificate as self_signed

TENANT_ID = "11111111-2222-3333-4444-555555555555"
CLIENT_ID = "66666666-7777-8888-9999-000000000000"


# -- certificates, made relative to now ---------------------------------------------------------
def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


# The machine's time: the certificates here are made relative to it (as Entra judges them).
NOW = SystemClock().now


def new_certificate(key: Any, *, valid: tuple[float, float] = (-1, 365)) -> x509.Certificate:
    """Self-signed, valid from/to so many days from now."""
    return self_signed(key=key, valid=valid)[1]


def key_pem(
    key: Any, fmt: serialization.PrivateFormat = serialization.PrivateFormat.PKCS8
) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption())


def cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def write_pem(path: Path, *parts: bytes) -> Path:
    path.write_bytes(b"".join(parts))
    return path


class RecordingSession(requests.Session):
    """MSAL's HTTP client, keeping what each token request sent."""

    def __init__(self, ca_cert: str) -> None:
        super().__init__()
        self.trust_env = False
        self.verify = ca_cert
        self.token_forms: list[dict[str, Any]] = []

    def request(self, method: str, url: Any, *args: Any, **kwargs: Any) -> requests.Response:
        if str(url).endswith("/token"):
            self.token_forms.append(dict(kwargs.get("data") or {}))
        return super().request(method, url, *args, **kwargs)


def recording_source(config: GraphConfig) -> tuple[MsalTokenSource, RecordingSession]:
    http = RecordingSession(str(config.ca_cert))
    return MsalTokenSource(config, http_client=http), http


class MemoryVault:
    """A vault's put and get, in memory: the kept delegation without a store."""

    def __init__(self) -> None:
        self.blobs: dict[str, str] = {}

    async def put(self, upn: str, blob: str) -> None:
        self.blobs[upn.lower()] = blob

    async def get(self, upn: str) -> str | None:
        return self.blobs.get(upn.lower())


def claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


@pytest.fixture
def demo_certificate(running: RunningSandbox) -> ClientCertificate:
    """The certificate the sandbox registered with the demo app (connection.json)."""
    return ClientCertificate.load(Path(running.info["client_certificate"]), now=NOW())


@pytest.fixture
def cert_config(running: RunningSandbox, demo_certificate: ClientCertificate) -> GraphConfig:
    """The backend configured with the certificate and no client secret."""
    return graph_config(running, client_secret=None, client_certificate=demo_certificate)


@pytest.fixture
def tenant_wall(running: RunningSandbox) -> Iterator[TokenService]:
    """The sandbox's token service, whose clock for client assertions a test may move."""
    tokens: TokenService = running.app.state.sandbox.tokens
    yield tokens
    tokens.wall = time.time


# -- signing in with the certificate --------------------------------------------------------------
async def test_the_app_token_from_the_certificate_reads_an_executives_calendar(
    cert_config: GraphConfig,
) -> None:
    source, http = recording_source(cert_config)
    start = dt.datetime.combine(seed_day("tue"), dt.time(0), AMSTERDAM)
    async with GraphGateway(cert_config, source) as gateway, gateway.for_app() as graph:
        events = await calendar_view_json(
            graph, BURGEMEESTER, start, start + dt.timedelta(days=1), select=["subject"]
        )
    assert events and all("subject" in e for e in events)
    [form] = http.token_forms
    assert "client_secret" not in form
    assert form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    header = jwt.get_unverified_header(form["client_assertion"])
    assert header["alg"] == "PS256" and "x5t#S256" in header  # MSAL's SHA-256 thumbprint


async def test_on_behalf_of_a_user_works_with_the_certificate(
    cert_config: GraphConfig, tenant: Tenant
) -> None:
    source, http = recording_source(cert_config)
    token = await source.user_token(tenant.user_token(SECRETARY_A))
    assert claims(token)["preferred_username"] == SECRETARY_A
    assert "Mail.ReadWrite.Shared" in claims(token)["scp"].split()
    assert all("client_secret" not in form for form in http.token_forms)


async def test_a_kept_delegation_is_made_and_used_with_the_certificate(
    cert_config: GraphConfig, tenant: Tenant
) -> None:
    vault = MemoryVault()
    await MsalTokenSource(cert_config).keep_delegation(
        tenant.user_token(SECRETARY_A),
        SECRETARY_A,
        vault,  # type: ignore[arg-type]
    )
    worker = MsalTokenSource(cert_config)  # another process: only the vault is shared
    token = await worker.delegated_token(SECRETARY_A, vault)  # type: ignore[arg-type]
    assert claims(token)["preferred_username"] == SECRETARY_A


async def test_both_configured_the_certificate_signs_in(
    running: RunningSandbox, demo_certificate: ClientCertificate
) -> None:
    both = graph_config(running, client_certificate=demo_certificate)
    source, http = recording_source(both)
    await source.app_token()
    assert "client_assertion" in http.token_forms[0]
    assert "client_secret" not in http.token_forms[0]


async def test_the_secret_alone_still_signs_in(config: GraphConfig) -> None:
    assert config.client_certificate is None
    source, http = recording_source(config)
    assert "roles" in claims(await source.app_token())
    assert "client_secret" in http.token_forms[0] and "client_assertion" not in http.token_forms[0]


async def test_an_unregistered_certificate_is_refused_with_entras_code(
    running: RunningSandbox, tmp_path: Path
) -> None:
    key = new_key()
    path = write_pem(tmp_path / "app.pem", key_pem(key), cert_pem(new_certificate(key)))
    stranger = ClientCertificate.load(path, now=NOW())
    source, _http = recording_source(
        graph_config(running, client_secret=None, client_certificate=stranger)
    )
    with pytest.raises(AuthenticationFailed) as caught:
        await source.app_token()
    assert caught.value.graph_code == "invalid_client"
    assert str(caught.value.detail).startswith("AADSTS700027:")
    assert "PRIVATE KEY" not in repr(caught.value) and "PRIVATE KEY" not in repr(stranger)


async def test_an_expired_client_assertion_is_refused_with_entras_code(
    cert_config: GraphConfig, tenant_wall: TokenService
) -> None:
    """The backend's clock an hour behind Entra ID's: its assertion has expired on arrival."""
    tenant_wall.wall = lambda: time.time() + 3600
    source, _http = recording_source(cert_config)
    with pytest.raises(AuthenticationFailed) as caught:
        await source.app_token()
    assert caught.value.graph_code == "invalid_client"
    assert str(caught.value.detail).startswith("AADSTS700024:")


async def test_a_new_certificate_rolls_out_before_the_old_one_is_removed(
    running: RunningSandbox,
    cert_config: GraphConfig,
    admin: httpx.Client,
    tmp_path: Path,
) -> None:
    """Rotation without downtime: both certificates work while the new one rolls out."""
    key = new_key()
    cert = new_certificate(key)
    path = write_pem(tmp_path / "new.pem", key_pem(key), cert_pem(cert))
    new = graph_config(
        running, client_secret=None, client_certificate=ClientCertificate.load(path, now=NOW())
    )
    keys = f"/apps/{running.info['client_id']}/keyCredentials"
    added = admin.post(keys, json={"certificate": cert_pem(cert).decode()})
    assert added.status_code == 201, added.text
    try:
        assert "roles" in claims(await MsalTokenSource(new).app_token())
        assert "roles" in claims(await MsalTokenSource(cert_config).app_token())
    finally:
        assert admin.delete(f"{keys}/{added.json()['keyId']}").status_code == 204
    with pytest.raises(AuthenticationFailed):
        await MsalTokenSource(new).app_token()


# -- the setting ----------------------------------------------------------------------------------
@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CLIENT_SECRET", "CLIENT_CERTIFICATE", "TOKEN_KEYS", "MODE"):
        monkeypatch.delenv(f"SECRETARIAAT_{name}", raising=False)


def tenant_settings(**changes: Any) -> Settings:
    return Settings(mode="tenant", tenant_id=TENANT_ID, client_id=CLIENT_ID, **changes)


def settings_error(**changes: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        tenant_settings(**changes)
    [error] = caught.value.errors()
    return str(error["msg"])


@pytest.mark.usefixtures("environment")
def test_tenant_mode_takes_a_certificate_instead_of_a_secret(tmp_path: Path) -> None:
    key = new_key()
    cert = new_certificate(key)
    # the traditional RSA form too: the key is read as PKCS#8 all the same
    rsa_form = key_pem(key, serialization.PrivateFormat.TraditionalOpenSSL)
    path = write_pem(tmp_path / "app.pem", cert_pem(cert), rsa_form)
    identity = tenant_settings(client_certificate=path).identity()
    assert identity.client_secret is None
    assert identity.client_certificate is not None
    assert (
        identity.client_certificate.sha1_thumbprint == cert.fingerprint(hashes.SHA1()).hex().upper()
    )  # noqa: S303
    config = config_of(identity)
    assert config.client_certificate == identity.client_certificate and config.client_secret is None
    assert hash(config) == hash(config_of(tenant_settings(client_certificate=path).identity()))
    assert "PRIVATE KEY" not in repr(config) and "PRIVATE KEY" not in repr(identity)


@pytest.mark.usefixtures("environment")
def test_tenant_mode_needs_a_secret_or_a_certificate() -> None:
    message = settings_error()
    assert "SECRETARIAAT_CLIENT_SECRET or SECRETARIAAT_CLIENT_CERTIFICATE" in message


@pytest.mark.usefixtures("environment")
def test_a_placeholder_secret_is_refused_beside_a_certificate(tmp_path: Path) -> None:
    key = new_key()
    path = write_pem(tmp_path / "app.pem", key_pem(key), cert_pem(new_certificate(key)))
    assert "placeholder" in settings_error(client_certificate=path, client_secret="changeme")


def bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    key, other = new_key(), new_key()
    encrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"geheim"),
    )
    ec_key = ec.generate_private_key(ec.SECP256R1())
    return {
        "missing": (tmp_path / "absent.pem", "does not exist"),
        "unreadable": (tmp_path, "cannot be read"),  # a directory: whoever runs the tests
        "garbled": (write_pem(tmp_path / "garbled.pem", b"\x00\x01 no PEM here"), "not a PEM"),
        "keyless": (
            write_pem(tmp_path / "keyless.pem", cert_pem(new_certificate(key))),
            "holds no private key",
        ),
        "certless": (write_pem(tmp_path / "certless.pem", key_pem(key)), "holds no certificate"),
        "expired": (
            write_pem(
                tmp_path / "expired.pem",
                key_pem(key),
                cert_pem(new_certificate(key, valid=(-30, -1))),
            ),
            "the certificate expired on",
        ),
        "another key's": (
            write_pem(tmp_path / "mismatch.pem", key_pem(other), cert_pem(new_certificate(key))),
            "does not belong to its certificate",
        ),
        "encrypted": (
            write_pem(tmp_path / "encrypted.pem", encrypted, cert_pem(new_certificate(key))),
            "the private key is encrypted",
        ),
        "damaged key": (
            write_pem(
                tmp_path / "damaged.pem",
                b"-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n",
                cert_pem(new_certificate(key)),
            ),
            "the private key is damaged",
        ),
        "EC": (
            write_pem(tmp_path / "ec.pem", key_pem(ec_key), cert_pem(new_certificate(ec_key))),
            "not RSA",
        ),
    }


@pytest.mark.usefixtures("environment")
@pytest.mark.parametrize(
    "case",
    ["missing", "unreadable", "garbled", "keyless", "certless", "expired", "another key's",
     "encrypted", "damaged key", "EC"],
)  # fmt: skip
def test_a_certificate_file_that_cannot_be_used_is_one_clear_line(
    tmp_path: Path, case: str
) -> None:
    path, expected = bad_files(tmp_path)[case]
    message = settings_error(client_certificate=path)
    assert message.startswith(f"Value error, SECRETARIAAT_CLIENT_CERTIFICATE: {path}")
    assert expected in message
    assert "\n" not in message
    assert "MII" not in message  # no key material: every DER key's base64 begins so
    content = path.read_text(errors="replace").splitlines() if path.is_file() else []
    assert not [line for line in content if len(line) > 8 and line in message]


@pytest.mark.usefixtures("environment")
def test_sandbox_mode_checks_the_certificate_file_too(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="does not exist"):
        Settings(sandbox_state=tmp_path, client_certificate=tmp_path / "absent.pem")


@pytest.mark.usefixtures("environment")
async def test_the_sandboxs_client_certificate_signs_the_backend_in(
    running: RunningSandbox,
) -> None:
    """`secretariaat sandbox` writes client-cert.pem: SECRETARIAAT_CLIENT_CERTIFICATE=it."""
    settings = Settings(
        sandbox_state=Path(running.info["ca_cert"]).parent,
        client_certificate=Path(running.info["client_certificate"]),
    )
    source, http = recording_source(config_of(settings.identity()))
    assert "roles" in claims(await source.app_token())
    assert "client_assertion" in http.token_forms[0]


# -- the token vault's derived key -----------------------------------------------------------------
@pytest.mark.usefixtures("environment")
def test_without_a_secret_the_vault_key_is_derived_from_the_private_key(
    tmp_path: Path, clock: SetClock
) -> None:
    key = new_key()
    first = write_pem(tmp_path / "a.pem", key_pem(key), cert_pem(new_certificate(key)))
    renewed = write_pem(tmp_path / "b.pem", key_pem(key), cert_pem(new_certificate(key)))
    other_key = new_key()
    other = write_pem(tmp_path / "c.pem", key_pem(other_key), cert_pem(new_certificate(other_key)))

    def vault(path: Path, **changes: Any) -> Any:
        settings = tenant_settings(client_certificate=path, **changes)
        return token_vault(settings, settings.identity(), None, clock)  # type: ignore[arg-type]

    sealed = vault(first).seal(b"her cache")
    assert vault(renewed).open(sealed) == b"her cache"  # the same key, a renewed certificate
    with pytest.raises(InvalidToken):
        vault(other).open(sealed)
    with pytest.raises(InvalidToken):  # with a secret beside it, the secret's key as before
        vault(first, client_secret="a-real-looking-secret-value").open(sealed)


def test_a_graph_config_needs_a_credential() -> None:
    with pytest.raises(ValueError, match="client_secret or a client_certificate"):
        GraphConfig(graph_url="https://g/v1.0", authority="https://a/t", client_id="c",
                    client_secret=None)  # fmt: skip


def test_settings_error_is_the_settings_error_type(tmp_path: Path) -> None:
    settings = Settings.model_construct(client_certificate=tmp_path / "absent.pem")
    with pytest.raises(SettingsError, match="SECRETARIAAT_CLIENT_CERTIFICATE"):
        settings.certificate()
