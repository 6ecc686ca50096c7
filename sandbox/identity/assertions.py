"""A confidential client proving who it is with a certificate: the client assertion.

Instead of ``client_secret`` the client sends ``client_assertion_type`` (RFC 7523's
``jwt-bearer``) and ``client_assertion``: a JWT it signed (RS256 or PS256) with the private
key of a certificate registered with its app, naming that certificate by thumbprint in the
header (``x5t#S256``, or ``x5t`` for SHA-1), with ``aud`` the token endpoint, ``iss`` and
``sub`` its client id, ``exp`` (and optionally ``nbf``) and a ``jti``.

Checked in Entra ID's order, each refusal with Entra's code: a key not registered (or the
signature not made with it) is AADSTS700027, a time outside the assertion's window
AADSTS700024, another app's id AADSTS700021, another audience AADSTS700023, a malformed
token AADSTS50027. Entra ID allows five minutes of difference between the client's clock and
its own. A ``jti`` is required but not remembered: MSAL sends one assertion for up to ten
minutes of token requests, and Entra ID accepts that.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Iterable
from typing import Any

import jwt

from sandbox.directory import App
from sandbox.identity.credentials import KeyCredential
from sandbox.identity.errors import OAuthError

__all__ = ["CLIENT_ASSERTION_TYPE", "check_client_assertion"]

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS = ("RS256", "PS256")
CLOCK_SKEW = 300  # seconds
DOCS = (
    "Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/"
    "develop/active-directory-certificate-credentials ."
)


def check_client_assertion(
    app: App, form: dict[str, str], *, audiences: Iterable[str], now: float
) -> None:
    """Return when the form's client assertion proves ``app``; ``OAuthError`` otherwise.
    ``now`` is the time the assertion is judged by (seconds since the epoch)."""
    kind = form.get("client_assertion_type", "")
    for name in ("client_assertion_type", "client_assertion"):
        if not form.get(name):
            raise OAuthError(
                400, "invalid_request", 900144,
                f"The request body must contain the following parameter: '{name}'.",
            )  # fmt: skip
    if kind != CLIENT_ASSERTION_TYPE:
        raise OAuthError(400, "invalid_request", 90011, "Unexpected client assertion type.")
    assertion = form["client_assertion"]
    try:
        header = jwt.get_unverified_header(assertion)
    except jwt.PyJWTError:
        raise _malformed("The token is not a signed JWT.") from None
    key, used = _registered_key(app, header)
    if header.get("alg") not in ALGORITHMS:
        raise _bad_signature(f"The algorithm '{header.get('alg')}' is not supported.", used, key)
    if not key.start.timestamp() <= now < key.end.timestamp():
        raise _bad_signature("The key used is expired.", used, key)
    try:
        claims: dict[str, Any] = jwt.decode(
            assertion,
            key.public_key(),
            algorithms=[header["alg"]],
            options={"verify_signature": True, "verify_exp": False, "verify_nbf": False,
                     "verify_iat": False, "verify_aud": False, "verify_iss": False},
        )  # fmt: skip
    except jwt.InvalidSignatureError:
        raise _bad_signature(
            "The provided signature value did not match the expected signature value.", used, key
        ) from None
    except jwt.PyJWTError:
        raise _malformed("The payload is not a JSON object.") from None
    _check_claims(app, claims, set(audiences), now)


def _registered_key(app: App, header: dict[str, Any]) -> tuple[KeyCredential, str]:
    """The certificate the header names, and its thumbprint as the client gave it (hex)."""
    # base64url, with or without padding (MSAL pads them)
    x5t_s256, x5t = (str(header.get(name) or "").rstrip("=") for name in ("x5t#S256", "x5t"))
    used = _hex(x5t_s256 or x5t)
    key = app.key_credential(x5t=x5t, x5t_s256=x5t_s256)
    if key is None:
        raise OAuthError(
            401, "invalid_client", 700027,
            f"The certificate with identifier used to sign the client assertion is not"
            f" registered on application. [Reason - The key was not found., Thumbprint of key"
            f" used by client: '{used}', Please visit the Azure Portal, Graph Explorer or"
            f" directly use MS Graph to see configured keys for app Id '{app.client_id}'."
            f" {DOCS}]",
        )  # fmt: skip
    return key, used


def _check_claims(app: App, claims: dict[str, Any], audiences: set[str], now: float) -> None:
    for name in ("aud", "iss", "sub", "exp", "jti"):
        if claims.get(name) in (None, ""):
            raise _malformed(f"The '{name}' claim is missing.")
    if claims["iss"] != app.client_id or claims["sub"] != app.client_id:
        raise OAuthError(
            401, "invalid_client", 700021,
            f"Client assertion application identifier doesn't match 'client_id' parameter. {DOCS}",
        )  # fmt: skip
    if not isinstance(claims["aud"], str) or claims["aud"] not in audiences:
        raise OAuthError(
            401, "invalid_client", 700023,
            f"Client assertion audience claim does not match Realm issuer. {DOCS}",
        )  # fmt: skip
    try:
        exp = float(claims["exp"])
        nbf = float(claims.get("nbf") or claims.get("iat") or 0)
    except (TypeError, ValueError):
        raise _malformed("The 'exp', 'nbf' or 'iat' claim is not a number.") from None
    if now >= exp + CLOCK_SKEW or ("nbf" in claims and now < nbf - CLOCK_SKEW):
        raise OAuthError(
            401, "invalid_client", 700024,
            f"Client assertion is not within its valid time range. Current time: {_at(now)},"
            f" assertion valid from {_at(nbf)}, expiry time of assertion {_at(exp)}. {DOCS}",
        )  # fmt: skip


def _bad_signature(reason: str, used: str, key: KeyCredential) -> OAuthError:
    return OAuthError(
        401, "invalid_client", 700027,
        f"Client assertion contains an invalid signature. [Reason - {reason}, Thumbprint of key"
        f" used by client: '{used}', {key.found()}]",
    )  # fmt: skip


def _malformed(reason: str) -> OAuthError:
    return OAuthError(
        401, "invalid_client", 50027, f"JWT token is invalid or malformed. [Reason - {reason}]"
    )


def _hex(thumbprint: str) -> str:
    """A base64url thumbprint as the hex Entra ID's errors show; as given when it is not."""
    try:
        return base64.urlsafe_b64decode(thumbprint + "=" * (-len(thumbprint) % 4)).hex().upper()
    except (binascii.Error, ValueError):
        return thumbprint[:64]


def _at(seconds: float) -> str:
    try:
        moment = dt.datetime.fromtimestamp(seconds, dt.UTC)
    except (OverflowError, OSError, ValueError):
        return str(seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f0Z")
