"""How to reach Microsoft Graph: one frozen value, built by the settings module, never from env.

The same fields describe the sandbox (its base URL, authority and CA) and a real tenant
(DESIGN principle 8: only base URLs, authority and CA differ). The app proves who it is with
a client secret or a certificate (``ClientCertificate``: a PEM file with its private key);
with both, the certificate signs in.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

__all__ = ["GRAPH_SCOPES", "PREFER", "ClientCertificate", "GraphConfig"]

# App-only and on-behalf-of both ask for Graph's statically consented permissions.
GRAPH_SCOPES = ("https://graph.microsoft.com/.default",)

# Sent with every request and every $batch sub-request: ids that survive a move (principle 1)
# and times in the municipality's zone.
PREFER = ('IdType="ImmutableId"', 'outlook.timezone="W. Europe Standard Time"')


@dataclass(frozen=True)
class GraphConfig:
    graph_url: str  # https://graph.microsoft.com/v1.0, or the sandbox's /v1.0
    authority: str  # https://login.microsoftonline.com/{tenant}
    client_id: str
    client_secret: SecretStr | None  # repr() shows '**********'; None: the certificate only
    ca_cert: Path | None = None  # the sandbox CA; None: the system trust store
    api_audience: str | None = None  # api://{client_id}: what the task pane's token is for
    timeout_s: float = 30.0  # per attempt: connect, read, write, pool
    max_in_flight_per_mailbox: int = 4  # Exchange: 4 concurrent requests per app and mailbox
    max_retries: int = 5  # after the first attempt
    max_retry_after_s: float = 30.0  # a longer Retry-After is handed to the caller (Throttled)
    backoff_base_s: float = 0.25  # exponential backoff with full jitter when no Retry-After
    backoff_max_s: float = 8.0
    scopes: tuple[str, ...] = GRAPH_SCOPES
    # How the gateway waits (Retry-After, backoff): injected so a test sees what was waited
    # for instead of timing it, and a benchmark can run against real waits.
    sleep: Callable[[float], Awaitable[None]] = field(
        default=asyncio.sleep, repr=False, compare=False
    )
    # The app's certificate credential (its key never in repr); preferred over the secret.
    client_certificate: ClientCertificate | None = None

    def __post_init__(self) -> None:
        if self.client_secret is None and self.client_certificate is None:
            raise ValueError("GraphConfig needs a client_secret or a client_certificate")
        if not 1 <= self.max_in_flight_per_mailbox <= 4:
            raise ValueError("max_in_flight_per_mailbox must be 1..4 (Exchange allows 4)")
        if self.timeout_s <= 0 or self.max_retries < 0:
            raise ValueError("timeout_s must be positive and max_retries not negative")

    @property
    def host(self) -> str:
        """The only host that ever gets a Graph token."""
        return urlsplit(self.graph_url).hostname or ""


_PEM_CERTIFICATE = re.compile(
    rb"-----BEGIN CERTIFICATE-----\r?\n.+?\r?\n-----END CERTIFICATE-----", re.DOTALL
)


@dataclass(frozen=True)
class ClientCertificate:
    """The app's certificate credential: its private key and the certificate uploaded to the
    app registration, read once from one PEM file (``load``). Hashable, so a ``GraphConfig``
    holding it stays a dictionary key; ``repr`` never shows the key.

    ``private_key`` is the key re-encoded as unencrypted PKCS#8 PEM, whatever form the file
    held it in, so the same key always gives the same text (the token vault derives its key
    from it when no client secret is set: a certificate renewed over the same key keeps the
    sealed delegations readable).
    """

    private_key: SecretStr  # PKCS#8 PEM
    certificate: str  # the PEM certificate that belongs to the key
    sha1_thumbprint: str  # hex of SHA-1 over the DER certificate (the portal's "Thumbprint")
    sha256_thumbprint: str  # hex of SHA-256 over the DER certificate (x5t#S256)
    not_after: dt.datetime

    @classmethod
    def load(cls, path: Path, *, now: dt.datetime) -> ClientCertificate:
        """Read ``path`` (the private key and its certificate, PEM). A ``ValueError`` in one
        line names what is wrong (missing, unreadable, not PEM, no key, another key's
        certificate, expired at ``now``) and never quotes the file's content."""
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise ValueError(f"{path} does not exist") from None
        except OSError as exc:
            raise ValueError(
                f"{path} cannot be read ({exc.strerror or type(exc).__name__})"
            ) from None
        certificates = _certificates(path, data)
        key = _private_key(path, data)
        public = key.public_key().public_numbers()
        mine = [c for c in certificates if _public_numbers(c) == public]
        if not mine:
            raise ValueError(f"{path}: the private key does not belong to its certificate")
        cert = mine[0]
        if cert.not_valid_after_utc <= now:
            day = cert.not_valid_after_utc.date().isoformat()
            raise ValueError(f"{path}: the certificate expired on {day}; upload and use a new one")
        if cert.not_valid_before_utc > now:
            day = cert.not_valid_before_utc.date().isoformat()
            raise ValueError(f"{path}: the certificate is not valid before {day}")
        pkcs8 = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return cls(
            private_key=SecretStr(pkcs8.decode()),
            certificate=cert.public_bytes(serialization.Encoding.PEM).decode(),
            sha1_thumbprint=cert.fingerprint(hashes.SHA1()).hex().upper(),  # noqa: S303 - Entra's thumbprint
            sha256_thumbprint=cert.fingerprint(hashes.SHA256()).hex().upper(),
            not_after=cert.not_valid_after_utc,
        )


def _certificates(path: Path, data: bytes) -> list[x509.Certificate]:
    blocks = _PEM_CERTIFICATE.findall(data)
    if not blocks:
        if b"-----BEGIN " not in data:
            raise ValueError(f"{path} is not a PEM file (a private key and a certificate)")
        raise ValueError(f"{path} holds no certificate (PEM 'BEGIN CERTIFICATE')")
    try:
        return [x509.load_pem_x509_certificate(block) for block in blocks]
    except ValueError:
        raise ValueError(f"{path}: a certificate in it is damaged") from None


def _private_key(path: Path, data: bytes) -> rsa.RSAPrivateKey:
    found = re.search(
        rb"-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----.+?-----END \1-----",
        data,
        re.DOTALL,
    )
    if found is None:
        raise ValueError(f"{path} holds no private key (PEM 'BEGIN PRIVATE KEY')")
    if found.group(1) == b"ENCRYPTED PRIVATE KEY":
        raise ValueError(f"{path}: the private key is encrypted; give it unencrypted")
    try:
        key = serialization.load_pem_private_key(found.group(0), password=None)
    except TypeError:  # a passphrase-protected key in the old OpenSSL form
        raise ValueError(f"{path}: the private key is encrypted; give it unencrypted") from None
    except ValueError:  # the library's message may quote the key's bytes: not repeated here
        raise ValueError(f"{path}: the private key is damaged") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(
            f"{path}: the private key is not RSA (Entra ID signs client assertions with"
            " RS256 or PS256)"
        )
    return key


def _public_numbers(cert: x509.Certificate) -> rsa.RSAPublicNumbers | None:
    public = cert.public_key()
    return public.public_numbers() if isinstance(public, rsa.RSAPublicKey) else None
