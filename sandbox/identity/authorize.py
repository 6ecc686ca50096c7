"""The authorization code flow with PKCE, as Entra ID runs it for a single-page app.

This is what MSAL.js's standard (non-nested) client uses: the Office dialog fallback of the task
pane signs in with it when the host has no nested app authentication. ``/authorize`` shows a
sign-in page instead of a password prompt; the rest follows Entra: a registered SPA redirect
URI (any port on a loopback host, as Entra allows), S256 PKCE required, a code that is single
use and short lived, and the id token carrying the request's nonce.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import urlencode, urlsplit

from sandbox.directory import App, Directory
from sandbox.identity.tokens import OAuthError, TokenService

__all__ = [
    "AuthorizationCodes",
    "AuthorizeRequest",
    "RedirectError",
    "redirect_with_code",
    "sign_in_form",
]

CODE_LIFETIME = 600  # Entra's codes live about ten minutes
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class RedirectError(OAuthError):
    """An error Entra reports to the app's redirect URI rather than on its own page."""

    def __init__(
        self, redirect_uri: str, state: str, mode: str, error: str, code: int, description: str
    ) -> None:
        super().__init__(302, error, code, description)
        self.redirect_uri, self.state, self.mode = redirect_uri, state, mode

    def location(self) -> str:
        answer = urlencode(
            {
                "error": self.error,
                "error_description": f"AADSTS{self.code}: {self.description}",
                "state": self.state,
            }
        )
        return f"{self.redirect_uri}{'?' if self.mode == 'query' else '#'}{answer}"


@dataclass(frozen=True)
class AuthorizeRequest:
    """The query of ``/authorize``, validated against the app registration."""

    client_id: str
    redirect_uri: str
    scope: str
    state: str
    nonce: str
    code_challenge: str
    response_mode: str
    login_hint: str

    @classmethod
    def parse(cls, params: dict[str, str], directory: Directory) -> AuthorizeRequest:
        client_id = params.get("client_id", "")
        app = directory.app(client_id)
        if app is None:
            raise OAuthError(
                400, "unauthorized_client", 700016,
                f"Application with identifier '{client_id}' was not found in the directory.",
            )  # fmt: skip
        redirect_uri = params.get("redirect_uri", "")
        if not redirect_allowed(app, redirect_uri):
            raise OAuthError(
                400, "invalid_request", 50011,
                f"The redirect URI '{redirect_uri}' specified in the request does not match the"
                f" redirect URIs configured for the application '{client_id}'.",
            )  # fmt: skip
        # From here on the redirect URI is trusted: errors go back to the app, as in Entra.
        state = params.get("state", "")
        mode = params.get("response_mode", "fragment")
        if params.get("response_type") != "code":
            raise RedirectError(
                redirect_uri, state, mode, "unsupported_response_type", 900144,
                "The request body must contain the following parameter: 'response_type'=code.",
            )  # fmt: skip
        if not params.get("code_challenge") or params.get("code_challenge_method") != "S256":
            raise RedirectError(
                redirect_uri, state, mode, "invalid_request", 9002325,
                "Proof Key for Code Exchange is required for cross-origin authorization code"
                " redemption.",
            )  # fmt: skip
        if not params.get("scope", "").strip():
            raise RedirectError(
                redirect_uri, state, mode, "invalid_request", 900144,
                "The request body must contain the following parameter: 'scope'.",
            )  # fmt: skip
        return cls(
            client_id=client_id,
            redirect_uri=redirect_uri,
            scope=params["scope"],
            state=params.get("state", ""),
            nonce=params.get("nonce", ""),
            code_challenge=params["code_challenge"],
            response_mode=params.get("response_mode", "fragment"),
            login_hint=params.get("login_hint", ""),
        )

    def fields(self) -> dict[str, str]:
        """What the sign-in form posts back (the original request, unchanged)."""
        return {
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.scope,
            "state": self.state,
            "nonce": self.nonce,
            "code_challenge": self.code_challenge,
            "code_challenge_method": "S256",
            "response_mode": self.response_mode,
            "response_type": "code",
            "login_hint": self.login_hint,
        }


def redirect_allowed(app: App, uri: str) -> bool:
    """Registered exactly, or registered on a loopback host with any port (as Entra allows).

    Anything a browser could read differently from ``urlsplit`` is refused first: user info,
    query, fragment, backslashes, whitespace and control characters, and impossible ports.
    """
    if uri in app.spa_redirect_uris:
        return True
    if not uri.isprintable() or any(c in uri for c in "\\ @?#"):
        return False
    parts = urlsplit(uri)
    try:
        port = parts.port
    except ValueError:
        return False
    if parts.scheme != "https" or parts.hostname not in LOOPBACK or port == 0:
        return False
    for registered in map(urlsplit, app.spa_redirect_uris):
        same = (registered.scheme, registered.hostname, registered.path)
        if same == (parts.scheme, parts.hostname, parts.path):
            return True
    return False


@dataclass(frozen=True)
class _Grant:
    request: AuthorizeRequest
    user_id: str
    expires: float


class AuthorizationCodes:
    """Codes issued by ``/authorize`` and redeemed once at ``/token``."""

    def __init__(self, directory: Directory, tokens: TokenService) -> None:
        self.directory, self.tokens = directory, tokens
        self._grants: dict[str, _Grant] = {}
        self._redeemed: set[str] = set()
        self._lock = threading.Lock()

    def issue(self, request: AuthorizeRequest, username: str) -> str:
        user = self.directory.user(username)
        if user is None:
            raise OAuthError(
                400, "invalid_grant", 50034, f"The user account {username} does not exist."
            )
        code = secrets.token_urlsafe(48)
        with self._lock:
            now = time.time()
            self._grants = {k: g for k, g in self._grants.items() if g.expires > now}
            self._grants[code] = _Grant(request, user["id"], now + CODE_LIFETIME)
        return code

    def redeem(self, form: dict[str, str]) -> dict[str, Any]:
        """The token endpoint's ``authorization_code`` grant for a public (SPA) client."""
        code = form.get("code", "")
        with self._lock:
            grant = self._grants.pop(code, None)
            if grant is None and code in self._redeemed:
                raise OAuthError(
                    400, "invalid_grant", 54005, "OAuth2 Authorization code was already redeemed."
                )
            if grant is not None:
                self._redeemed.add(code)
        if grant is None or grant.expires < time.time():
            raise OAuthError(
                400, "invalid_grant", 70008,
                "The provided authorization code or refresh token has expired due to inactivity.",
            )  # fmt: skip
        request = grant.request
        if form.get("client_id") != request.client_id:
            raise OAuthError(
                400, "invalid_grant", 70000, "Provided grant is invalid: issued to another client."
            )
        if form.get("redirect_uri") != request.redirect_uri:
            raise OAuthError(
                400, "invalid_grant", 50148,
                "The redirect_uri does not match the one used in the authorization request.",
            )  # fmt: skip
        if not _pkce_matches(form.get("code_verifier", ""), request.code_challenge):
            raise OAuthError(
                400, "invalid_grant", 501481,
                "The Code_Verifier does not match the code_challenge supplied in the"
                " authorization request.",
            )  # fmt: skip
        app = self.directory.app(request.client_id)
        user = self.directory.user(grant.user_id)
        assert app is not None and user is not None
        return self.tokens.spa_response(app, user, request.scope.split(), nonce=request.nonce)


def _pkce_matches(verifier: str, challenge: str) -> bool:
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return bool(verifier) and hmac.compare_digest(expected, challenge)


def sign_in_form(request: AuthorizeRequest, users: list[dict[str, Any]], action: str) -> str:
    """Entra's sign-in, reduced to choosing a seeded user (the sandbox has no passwords)."""
    hidden = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">'
        for k, v in request.fields().items()
    )
    buttons = "".join(
        f'<li><button type="submit" name="username" value="{escape(u["userPrincipalName"])}"'
        f"{' autofocus' if u['userPrincipalName'] == request.login_hint else ''}>"
        f"{escape(u.get('displayName') or u['userPrincipalName'])}"
        f" <small>{escape(u['userPrincipalName'])}</small></button></li>"
        for u in sorted(users, key=lambda u: u["userPrincipalName"])
    )
    return (
        "<!doctype html><html lang='nl'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>Aanmelden – sandbox</title><style>body{font-family:system-ui,sans-serif;"
        "margin:16px}ul{list-style:none;padding:0}button{width:100%;text-align:left;"
        "padding:8px;margin:2px 0;font:inherit}small{color:#555}</style></head><body>"
        "<h1>Aanmelden</h1><p>Sandbox-tenant: kies een account.</p>"
        f'<form method="post" action="{escape(action)}">{hidden}<ul>{buttons}</ul>'
        '<p><button type="submit" name="cancel" value="1">Annuleren</button></p></form>'
        "</body></html>"
    )


def redirect_with_code(request: AuthorizeRequest, code: str, client_info: str) -> str:
    """The redirect back to the app, in the response mode it asked for."""
    answer = urlencode({"code": code, "client_info": client_info, "state": request.state})
    separator = "?" if request.response_mode == "query" else "#"
    return f"{request.redirect_uri}{separator}{answer}"
