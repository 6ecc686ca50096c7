"""Validate the bearer token of every API call: the task pane's token for our API scope.

Signature against the tenant's JWKS (cached, refreshed once when an unknown ``kid`` shows up,
as Entra ID rolls its keys), then issuer, audience, tenant, lifetime and the
``access_as_user`` scope. Anything else is a 401 with a ``WWW-Authenticate`` challenge.

A valid token says *which* user (``tid`` + ``oid``, stable); it does not say which UPN she has:
``preferred_username`` can be changed and Microsoft documents it as unfit for authorisation.
``server.deps`` fills in ``Principal.upn`` from the directory by object id.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

from server.errors import ApiError
from server.settings import Identity

__all__ = ["Principal", "TokenValidator"]

log = logging.getLogger(__name__)

REQUIRED_SCOPE = "access_as_user"
LEEWAY_S = 60  # clock skew Entra ID tolerates too
JWKS_MIN_REFRESH_S = 30  # an attacker's random kids must not make us hammer the JWKS endpoint


@dataclass(frozen=True)
class Principal:
    """The signed-in user; roles come from the roster, not from here.

    ``upn`` is the UPN the directory has for ``oid`` now (lower case), filled in by
    ``server.deps``; straight from ``TokenValidator.validate`` it is empty, so nothing can
    authorise on the token's own, changeable ``preferred_username`` (kept as ``claimed_upn``
    for messages and logs only)."""

    oid: str
    upn: str
    name: str | None
    token: str  # kept for the on-behalf-of exchange; never logged
    expires_at: float = 0.0  # the token's ``exp`` (Unix seconds): long-lived streams end there
    tenant: str = ""  # ``tid``: with ``oid`` the stable key of a user
    claimed_upn: str = ""  # the token's ``preferred_username``: a hint, never for authorisation


class TokenValidator:
    def __init__(self, identity: Identity, *, http: httpx.AsyncClient | None = None) -> None:
        self.identity = identity
        verify: ssl.SSLContext | bool = True
        if identity.ca_cert is not None:
            verify = ssl.create_default_context(cafile=str(identity.ca_cert))
        self._http = http or httpx.AsyncClient(verify=verify, timeout=10)
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _refresh(self, *, force: bool) -> None:
        async with self._lock:
            if self._keys and (
                not force or time.monotonic() - self._fetched_at < JWKS_MIN_REFRESH_S
            ):
                return
            resp = await self._http.get(self.identity.jwks_url)
            resp.raise_for_status()
            keys = {}
            for jwk in resp.json().get("keys", []):
                if jwk.get("kty") == "RSA" and jwk.get("kid"):
                    keys[jwk["kid"]] = jwt.PyJWK(jwk, algorithm="RS256").key
            self._keys, self._fetched_at = keys, time.monotonic()

    async def _key_for(self, kid: str) -> Any:
        if kid not in self._keys:
            try:
                await self._refresh(force=bool(self._keys))
            except (httpx.HTTPError, ValueError) as exc:
                log.warning("could not fetch the tenant's signing keys: %s", exc)
                raise _unauthorized("De aanmeldgegevens konden niet worden gecontroleerd.") from exc
        key = self._keys.get(kid)
        if key is None:
            raise _unauthorized("Het token is ondertekend met een onbekende sleutel.")
        return key

    async def validate(self, authorization: str | None) -> Principal:
        if not authorization or not authorization.lower().startswith("bearer "):
            raise _unauthorized("Aanmelding vereist.", error=None)
        token = authorization[7:].strip()
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise _unauthorized("Het token is onleesbaar.") from exc
        if header.get("alg") != "RS256":
            raise _unauthorized("Het token is niet (goed) ondertekend.")
        key = await self._key_for(str(header.get("kid", "")))
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=list(self.identity.audiences),
                issuer=self.identity.issuer,
                leeway=LEEWAY_S,
                options={"require": ["exp", "nbf", "iss", "aud", "tid", "oid"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise _unauthorized("Het token is verlopen.") from exc
        except jwt.InvalidAudienceError as exc:
            raise _unauthorized("Het token is niet voor deze toepassing bestemd.") from exc
        except jwt.InvalidIssuerError as exc:
            raise _unauthorized("Het token komt van een onbekende uitgever.") from exc
        except jwt.PyJWTError as exc:
            raise _unauthorized("Het token is ongeldig.") from exc
        if claims.get("tid") != self.identity.tenant_id:
            raise _unauthorized("Het token hoort bij een andere organisatie.")
        if REQUIRED_SCOPE not in str(claims.get("scp", "")).split():
            raise _unauthorized(
                f"Het token mist de scope {REQUIRED_SCOPE}.", error="insufficient_scope"
            )
        if not _is_guid(claims["oid"]):
            raise _unauthorized("Het token noemt geen geldige gebruiker (oid).")
        claimed = claims.get("preferred_username") or claims.get("upn") or ""
        return Principal(
            oid=str(claims["oid"]),
            upn="",  # the directory's, by oid (server.deps)
            name=claims.get("name"),
            token=token,
            expires_at=float(claims["exp"]),
            tenant=str(claims["tid"]),
            claimed_upn=str(claimed).lower(),
        )


def _is_guid(value: object) -> bool:
    """Entra ID's object ids are GUIDs; anything else never goes into a directory URL."""
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def _unauthorized(message: str, *, error: str | None = "invalid_token") -> ApiError:
    challenge = 'Bearer realm="secretariaat"'
    if error:
        challenge += f', error="{error}"'
    return ApiError(401, "unauthenticated", message, {"WWW-Authenticate": challenge})
