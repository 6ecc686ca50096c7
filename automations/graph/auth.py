"""Graph tokens through MSAL: app-only for jobs, on-behalf-of the signed-in user for clicks,
and her kept delegation for the tasks a click leaves to a worker.

One ``ConfidentialClientApplication`` per ``GraphConfig`` for the whole process, so its token
cache works (a new app per call would ask Entra ID for a token on every request). A kept
delegation is the exception: her own MSAL cache, sealed in the store (``vault.py``), read by a
short-lived app made for that cache. MSAL is synchronous, so every call runs in a worker
thread. Tokens are never logged.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import threading
from collections import OrderedDict
from typing import Any, Protocol

import msal
import requests

from automations.errors import AuthenticationFailed, Unavailable
from automations.graph.config import GraphConfig
from automations.graph.vault import TokenVault

__all__ = ["MsalTokenSource", "TokenSource", "token_source_for"]

log = logging.getLogger(__name__)

# How many user assertions we remember (to find the user's cached Graph token again).
_REMEMBERED_ASSERTIONS = 2048
_STRIPES = 32
# OpenID scopes MSAL adds itself and refuses to be given.
_RESERVED = frozenset({"openid", "profile", "offline_access", "email"})
# From 1.35 MSAL takes the SHA-256 thumbprint from the certificate itself (x5t#S256, PS256).
_MSAL_VERSION = tuple(int(p) for p in msal.__version__.split(".")[:2] if p.isdigit())
# Entra ID's answers that a later try may not get (RFC 6749 5.2 and OpenID's additions).
_TRANSIENT_ERRORS = frozenset({"temporarily_unavailable", "server_error"})
# What a task's user reads when her kept delegation cannot give a token any more.
DELEGATION_EXPIRED = (
    "Uw aanmelding is verlopen: open het taakvenster opnieuw, dan gaat het werk verder."
)


class TokenSource(Protocol):
    """Where the gateway gets bearer tokens for Graph."""

    async def app_token(self) -> str: ...

    async def user_token(self, assertion: str) -> str: ...

    async def keep_delegation(self, assertion: str, upn: str, vault: TokenVault) -> None: ...

    async def delegated_token(self, upn: str, vault: TokenVault) -> str: ...


class MsalTokenSource:
    """Client credentials and on-behalf-of with one MSAL app and its in-memory cache.

    MSAL answers ``acquire_token_for_client`` from its cache by itself. Its
    ``acquire_token_on_behalf_of`` always asks Entra ID, and caches the result under the
    user's account and the scopes Entra ID granted. So we remember, per assertion (by its
    hash, and only after Entra ID accepted it), that account and those scopes, and ask MSAL's
    cache for them first: the same task pane token costs one token request per hour, and a
    forged assertion never reaches a cached token.

    A kept delegation (``keep_delegation``, ``delegated_token``) is a user's own MSAL cache,
    sealed in a ``TokenVault``: a worker on another machine, with a source of its own, acts
    with exactly the delegated rights her click had, and never falls back to the app's.
    """

    def __init__(self, config: GraphConfig, *, http_client: requests.Session | None = None):
        self.config = config
        self._http = http_client or _session(config)
        self._app: msal.ConfidentialClientApplication | None = None
        self._lock = threading.Lock()
        # Callers asking for the same token at once wait for one request to Entra ID.
        self._stripes = [threading.Lock() for _ in range(_STRIPES)]
        # sha256(assertion) -> (MSAL account id, granted scopes), only after Entra ID said yes
        self._accounts: OrderedDict[str, tuple[str, tuple[str, ...]]] = OrderedDict()
        # MSAL's cache of HTTP answers (the authority's metadata, throttling): shared by every
        # app this source makes, so an app made for one user's cache fetches nothing itself.
        self._http_cache: dict[str, Any] = {}

    async def app_token(self) -> str:
        return await asyncio.to_thread(self._app_token)

    async def user_token(self, assertion: str) -> str:
        return await asyncio.to_thread(self._user_token, assertion)

    async def keep_delegation(self, assertion: str, upn: str, vault: TokenVault) -> None:
        """Keep the delegation of the user whose API token is ``assertion`` (validated, hers:
        ``upn``) for the tasks her click starts: an on-behalf-of exchange into her own MSAL
        cache (her access token and refresh token), sealed in ``vault``."""
        blob = await asyncio.to_thread(self._delegation, assertion, upn)
        await vault.put(upn, blob)

    async def delegated_token(self, upn: str, vault: TokenVault) -> str:
        """A Graph token with exactly the rights ``upn``'s kept delegation has, from her cache
        in ``vault`` (MSAL refreshes it with her refresh token; the new cache is sealed again).

        No cache, or no token from it: ``AuthenticationFailed`` asking her to open the task
        pane again. Never the app's token: that would act with rights she does not have.
        """
        blob = await vault.get(upn)
        if blob is None:
            raise _delegation_expired(f"No delegation is kept for {upn.lower()}.")
        token, renewed = await asyncio.to_thread(self._delegated_token, upn, blob)
        if renewed is not None:
            await vault.put(upn, renewed)
        return token

    # -- in a worker thread ---------------------------------------------------------------------
    def _msal(self) -> msal.ConfidentialClientApplication:
        with self._lock:
            if self._app is None:  # construction fetches the authority's metadata
                self._app = _call(
                    lambda: msal.ConfidentialClientApplication(
                        self.config.client_id,
                        client_credential=_client_credential(self.config),
                        authority=self.config.authority,
                        instance_discovery=False,  # our authority is configured, not discovered
                        http_client=self._http,
                        timeout=self.config.timeout_s,
                        http_cache=self._http_cache,
                    )
                )
            return self._app

    def _msal_for(self, cache: msal.SerializableTokenCache) -> msal.ConfidentialClientApplication:
        """An app on one user's own token cache (her kept delegation)."""
        return _call(  # the metadata comes from the shared http_cache after the first app
            lambda: msal.ConfidentialClientApplication(
                self.config.client_id,
                client_credential=_client_credential(self.config),
                authority=self.config.authority,
                instance_discovery=False,
                http_client=self._http,
                timeout=self.config.timeout_s,
                token_cache=cache,
                http_cache=self._http_cache,
            )
        )

    def _stripe(self, key: str) -> threading.Lock:
        return self._stripes[int(key[:8], 16) % _STRIPES]

    def _app_token(self) -> str:
        app = self._msal()
        with self._stripe("0" * 8):
            scopes = list(self.config.scopes)
            return _token(_call(lambda: app.acquire_token_for_client(scopes=scopes)))

    def _user_token(self, assertion: str) -> str:
        key = hashlib.sha256(assertion.encode()).hexdigest()
        with self._stripe(key):
            return self._user_token_once(assertion, key)

    def _user_token_once(self, assertion: str, key: str) -> str:
        app = self._msal()
        with self._lock:
            remembered = self._accounts.get(key)
        if remembered is not None:
            cached = self._cached_user_token(app, *remembered)
            if cached is not None:
                return cached
        result = _call(
            lambda: app.acquire_token_on_behalf_of(assertion, scopes=list(self.config.scopes))
        )
        token = _token(result)
        home_id = _home_account_id(app, result.get("id_token_claims") or {})
        # MSAL files the token under the scopes Entra ID granted, not under ".default".
        granted = tuple(
            s for s in str(result.get("scope") or "").split() if s.lower() not in _RESERVED
        )
        if home_id is not None and granted:
            with self._lock:
                self._accounts[key] = (home_id, granted)
                self._accounts.move_to_end(key)
                while len(self._accounts) > _REMEMBERED_ASSERTIONS:
                    self._accounts.popitem(last=False)
        return token

    def _cached_user_token(
        self, app: msal.ConfidentialClientApplication, home_id: str, scopes: tuple[str, ...]
    ) -> str | None:
        """The user's token from MSAL's cache (MSAL may refresh it); None: ask again."""
        account = next((a for a in app.get_accounts() if a["home_account_id"] == home_id), None)
        if account is None:
            return None
        result = _call(lambda: app.acquire_token_silent_with_error(list(scopes), account=account))
        if result and "access_token" in result:
            return str(result["access_token"])
        return None

    def _delegation(self, assertion: str, upn: str) -> str:
        """Her MSAL cache after an on-behalf-of exchange, serialised."""
        cache = msal.SerializableTokenCache()
        app = self._msal_for(cache)
        scopes = list(self.config.scopes)
        result = _call(lambda: app.acquire_token_on_behalf_of(assertion, scopes=scopes))
        _token(result)  # Entra ID's refusal as AuthenticationFailed
        claims = result.get("id_token_claims") or {}
        named = str(claims.get("preferred_username") or claims.get("upn") or "")
        if named and named.lower() != upn.lower():  # never file one user's tokens under another
            raise AuthenticationFailed(
                detail=f"The on-behalf-of token is for {named.lower()}, not {upn.lower()}."
            )
        return str(cache.serialize())

    def _delegated_token(self, upn: str, blob: str) -> tuple[str, str | None]:
        """Her token from her cache, and the cache again when MSAL changed it (a refresh)."""
        cache = msal.SerializableTokenCache()
        try:
            cache.deserialize(blob)
        except ValueError as exc:
            raise _delegation_expired(
                f"The kept delegation of {upn.lower()} is unreadable."
            ) from exc
        app = self._msal_for(cache)
        account = _her_account(app, upn)
        if account is None:
            raise _delegation_expired(f"The kept delegation of {upn.lower()} has no account.")
        result: dict[str, Any] | None = None
        # Her access token is filed under the scopes Entra ID granted; once it has expired,
        # MSAL finds none for ".default" and redeems her refresh token for it.
        granted = _granted_scopes(cache, account)
        if granted:
            result = _call(lambda: app.acquire_token_silent_with_error(granted, account=account))
        if not result or "access_token" not in result:
            scopes = list(self.config.scopes)
            result = _call(lambda: app.acquire_token_silent_with_error(scopes, account=account))
        if not result or "access_token" not in result:
            code = str((result or {}).get("error") or "no_refresh_token")
            log.warning("the kept delegation of %s gives no token: %s", upn.lower(), code)
            if code in _TRANSIENT_ERRORS:  # Entra ID's hiccup, not her expired sign-in
                raise Unavailable(
                    "Aanmelden bij Microsoft 365 lukt nu niet. Het werk gaat zo verder.",
                    detail=f"The identity provider answered {code} to a refresh.",
                    graph_code=code,
                )
            raise _delegation_expired(
                f"The kept delegation of {upn.lower()} could not be refreshed ({code}).",
                graph_code=code,
            )
        renewed = str(cache.serialize()) if cache.has_state_changed else None
        return str(result["access_token"]), renewed


_SOURCES: dict[GraphConfig, MsalTokenSource] = {}
_SOURCES_LOCK = threading.Lock()


def token_source_for(config: GraphConfig) -> MsalTokenSource:
    """The process-wide token source for ``config`` (one MSAL app, one cache)."""
    with _SOURCES_LOCK:
        if config not in _SOURCES:
            _SOURCES[config] = MsalTokenSource(config)
        return _SOURCES[config]


def _client_credential(config: GraphConfig) -> str | dict[str, str]:
    """What MSAL proves the app's identity with: the certificate when there is one (MSAL
    signs a client assertion with its key: PS256 with the certificate's SHA-256 thumbprint in
    ``x5t#S256``, the certificate itself in ``x5c``), else the client secret."""
    cert = config.client_certificate
    if cert is not None:
        credential = {
            "private_key": cert.private_key.get_secret_value(),
            "public_certificate": cert.certificate,
        }
        if _MSAL_VERSION < (1, 35):  # before 1.35 MSAL needs the SHA-1 thumbprint (RS256, x5t)
            credential["thumbprint"] = cert.sha1_thumbprint
        return credential
    assert config.client_secret is not None  # GraphConfig holds one or the other
    return config.client_secret.get_secret_value()


def _session(config: GraphConfig) -> requests.Session:
    """MSAL's HTTP client. With our own CA, ignore the environment: ``REQUESTS_CA_BUNDLE``
    would otherwise override ``Session.verify``; without it, proxies and CA from the
    environment apply as the operator set them."""
    session = requests.Session()
    if config.ca_cert is not None:
        session.trust_env = False
        session.verify = str(config.ca_cert)
    # MSAL applies its ``timeout`` only to a session it makes itself; requests has no default,
    # so a token endpoint that accepts and never answers would hold the thread (and the
    # process's exit) forever. A caller's own timeout still wins.
    session.request = functools.partial(session.request, timeout=config.timeout_s)  # type: ignore[method-assign]
    return session


def _call(fn: Any) -> Any:
    """Run an MSAL call; an unreachable identity provider is ``Unavailable``."""
    try:
        return fn()
    except requests.RequestException as exc:
        log.warning("identity provider unreachable: %s", type(exc).__name__)
        raise Unavailable(
            "Aanmelden bij Microsoft 365 lukt nu niet: de aanmeldservice is niet bereikbaar."
            " Probeer het zo opnieuw.",
            detail="The identity provider could not be reached.",
        ) from exc
    except ValueError as exc:  # MSAL: authority metadata missing or invalid
        raise AuthenticationFailed(
            "Aanmelden bij Microsoft 365 is niet ingesteld zoals het moet; meld het de beheerder.",
            detail=f"MSAL refused the configuration: {exc}",
        ) from exc


def _token(result: dict[str, Any] | None) -> str:
    """The access token, or ``AuthenticationFailed`` with Entra ID's error code."""
    if result and "access_token" in result:
        return str(result["access_token"])
    result = result or {}
    code = str(result.get("error") or "no_token")
    description = str(result.get("error_description") or "No token was issued.")
    message = description.splitlines()[0]
    log.warning("token request refused: %s (correlation %s)", code, result.get("correlation_id"))
    raise AuthenticationFailed(
        detail=message, graph_code=code, request_id=result.get("correlation_id")
    )


def _home_account_id(app: msal.ConfidentialClientApplication, claims: dict[str, Any]) -> str | None:
    """The MSAL account that the on-behalf-of token was cached under."""
    oid, tid = claims.get("oid"), claims.get("tid")
    for account in app.get_accounts():
        if account.get("local_account_id") == oid and account.get("realm") == tid:
            return str(account["home_account_id"])
    return None


def _delegation_expired(detail: str, *, graph_code: str | None = None) -> AuthenticationFailed:
    return AuthenticationFailed(DELEGATION_EXPIRED, detail=detail, graph_code=graph_code)


def _her_account(app: msal.ConfidentialClientApplication, upn: str) -> dict[str, Any] | None:
    """Her account in her own cache. Without an ID token Entra ID names no username; the
    cache is filed under her UPN and holds only her, so its one account is hers."""
    accounts: list[dict[str, Any]] = app.get_accounts()
    mine = [a for a in accounts if str(a.get("username") or "").lower() == upn.lower()]
    if not mine and len(accounts) == 1 and not accounts[0].get("username"):
        mine = accounts
    return mine[0] if mine else None


def _granted_scopes(cache: msal.SerializableTokenCache, account: dict[str, Any]) -> list[str]:
    """The scopes her unexpired access token was granted (MSAL drops expired ones here)."""
    query = {"home_account_id": account["home_account_id"]}
    found = list(cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN, query=query))
    return str(found[0].get("target") or "").split() if found else []
