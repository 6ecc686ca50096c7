"""An app registration's certificates (Entra ID's ``keyCredentials``), and the client
certificate the sandbox makes for the demo app.

Entra ID keeps a keyCredential per certificate uploaded to an app registration: the public
certificate (``key``, base64 DER), its validity (``startDateTime``, ``endDateTime``) and its
SHA-1 thumbprint (``customKeyIdentifier``). A client assertion names the certificate that
signed it by thumbprint in its header: ``x5t`` (SHA-1) or ``x5t#S256`` (SHA-256), base64url.

``ensure_client_certificate`` writes ``client-cert.pem`` (private key and certificate, mode
0600) into the state directory once, as an administrator would make one with openssl; the
sandbox registers it with the demo app, so the backend can sign in with it
(``SECRETARIAAT_CLIENT_CERTIFICATE``) instead of the client secret.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

__all__ = [
    "CLIENT_CERTIFICATE_FILE",
    "KeyCredential",
    "ensure_client_certificate",
    "key_credential_json",
]

CLIENT_CERTIFICATE_FILE = "client-cert.pem"
CERTIFICATE_DAYS = 730
RENEW_BEFORE = dt.timedelta(days=30)  # a certificate this close to its end is made anew


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class KeyCredential:
    """One certificate registered with an app (what Entra ID checks a client assertion with)."""

    key_id: str
    display_name: str
    certificate: x509.Certificate

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KeyCredential:
        der = base64.b64decode(data["key"])
        return cls(
            key_id=data["keyId"],
            display_name=data.get("displayName") or "",
            certificate=x509.load_der_x509_certificate(der),
        )

    @property
    def start(self) -> dt.datetime:
        return self.certificate.not_valid_before_utc

    @property
    def end(self) -> dt.datetime:
        return self.certificate.not_valid_after_utc

    @property
    def thumbprint(self) -> str:
        """SHA-1 of the DER certificate in upper-case hex, as the portal and errors show it."""
        return self.certificate.fingerprint(hashes.SHA1()).hex().upper()  # noqa: S303 - Entra's thumbprint

    @property
    def x5t(self) -> str:
        return _b64url(self.certificate.fingerprint(hashes.SHA1()))  # noqa: S303 - x5t is SHA-1

    @property
    def x5t_s256(self) -> str:
        return _b64url(self.certificate.fingerprint(hashes.SHA256()))

    def public_key(self) -> rsa.RSAPublicKey:
        key = self.certificate.public_key()
        assert isinstance(key, rsa.RSAPublicKey)  # key_credential_json admits RSA only
        return key

    def found(self) -> str:
        """The key as Entra ID's errors describe it."""
        fmt = "%m/%d/%Y %H:%M:%S"
        return f"Found key 'Start={self.start.strftime(fmt)}, End={self.end.strftime(fmt)}'"


def key_credential_json(certificate: bytes, *, display_name: str | None = None) -> dict[str, Any]:
    """The keyCredential Entra ID keeps for an uploaded certificate (PEM or DER); the public
    certificate only. ``ValueError`` for anything but an RSA X.509 certificate."""
    try:
        cert = (
            x509.load_pem_x509_certificate(certificate)
            if certificate.lstrip().startswith(b"-----BEGIN")
            else x509.load_der_x509_certificate(certificate)
        )
    except ValueError:
        raise ValueError("not an X.509 certificate (PEM or DER)") from None
    if not isinstance(cert.public_key(), rsa.RSAPublicKey):
        raise ValueError("only RSA certificates can sign client assertions (RS256, PS256)")
    subject = cert.subject.rfc4514_string()
    return {
        "keyId": str(uuid.uuid4()),
        "displayName": display_name or subject,
        "type": "AsymmetricX509Cert",
        "usage": "Verify",
        "customKeyIdentifier": cert.fingerprint(hashes.SHA1()).hex().upper(),  # noqa: S303
        "startDateTime": _iso(cert.not_valid_before_utc),
        "endDateTime": _iso(cert.not_valid_after_utc),
        "key": base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode(),
    }


def self_signed(
    key: Any, subject: str, not_before: dt.datetime, not_after: dt.datetime
) -> x509.Certificate:
    """A certificate for ``key`` signed by itself (SHA-256), valid between the two moments."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )


def ensure_client_certificate(path: Path, *, subject: str) -> bytes:
    """The certificate (PEM) in ``path``, made first (a new RSA key, self-signed, two years)
    when the file is missing or its certificate ends within a month. The machine's time, as
    Entra ID checks a certificate's validity on its own clock."""
    now = dt.datetime.now(dt.UTC)
    if path.exists():
        data = path.read_bytes()
        cert = x509.load_pem_x509_certificate(data)
        if cert.not_valid_after_utc - RENEW_BEFORE > now:
            return cert.public_bytes(serialization.Encoding.PEM)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = self_signed(
        key, subject, now - dt.timedelta(minutes=5), now + dt.timedelta(days=CERTIFICATE_DAYS)
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.chmod(0o600)  # before the key is in it
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        + pem
    )
    return pem
