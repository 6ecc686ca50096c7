"""Graph tokens through MSAL: app-only for jobs, on-behalf-of the signed-in user for clicks.

One ``ConfidentialClientApplication`` per ``GraphConfig`` for the whole process, so its token
cache works (a new app per call would ask Entra ID for a token on every request). MSAL is
synchronous, so every call runs in a worker thread. Tokens are never logged.
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

__all__ = ["MsalTokenSource", "TokenSource", "token_source_for"]

log = logging.getLogger(__name__)

# How many user assertions we remember (to find the user's cached Graph token again).
_REMEMBERED_ASSERTIONS = 2048
_STRIPES = 32
# OpenID scopes MSAL adds itself and refuses to be given.
_RESERVED = frozenset({"openid", "profile", "offline_access", "email"})


class TokenSource(Protocol):
    """Where the gateway gets bearer tokens for Graph."""

    async def app_token(self) -> str: ...

    async def user_token(self, assertion: str) -> str: ...


class MsalTokenSource:
    """Client credentials and on-behalf-of with one MSAL app and its in-memory cache.

    MSAL answers ``acquire_token_for_client`` from its cache by itself. Its
    ``acquire_token_on_behalf_of`` always asks Entra ID, and caches the result under the
    user's account and the scopes Entra ID granted. So we remember, per assertion (by its
    hash, and only after Entra ID accepted it), that account and those scopes, and ask MSAL's
    cache for them first: the same task pane token costs one token request per hour, and a
    forged assertion never reaches a cached token.
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

    async def app_token(self) -> str:
        return await asyncio.to_thread(self._app_token)

    async def user_token(self, assertion: str) -> str:
        return await asyncio.to_thread(self._user_token, assertion)

    # -- in a worker thread ---------------------------------------------------------------------
    def _msal(self) -> msal.ConfidentialClientApplication:
        with self._lock:
            if self._app is None:  # construction fetches the authority's metadata
                self._app = _call(
                    lambda: msal.ConfidentialClientApplication(
                        self.config.client_id,
                        client_credential=self.config.client_secret.get_secret_value(),
                        authority=self.config.authority,
                        instance_discovery=False,  # our authority is configured, not discovered
                        http_client=self._http,
                        timeout=self.config.timeout_s,
                    )
                )
            return self._app

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


_SOURCES: dict[GraphConfig, MsalTokenSource] = {}
_SOURCES_LOCK = threading.Lock()


def token_source_for(config: GraphConfig) -> MsalTokenSource:
    """The process-wide token source for ``config`` (one MSAL app, one cache)."""
    with _SOURCES_LOCK:
        if config not in _SOURCES:
            _SOURCES[config] = MsalTokenSource(config)
        return _SOURCES[config]


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
