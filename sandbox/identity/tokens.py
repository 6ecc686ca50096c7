"""Issue and check tokens the way Entra ID does, for the grants the product uses.

Errors follow Entra ID's token endpoint shape (``error``, ``error_description``,
``error_codes``, ``timestamp``, ``trace_id``, ``correlation_id``) so MSAL raises what it
would raise against the real service.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt

from sandbox.directory import App, Directory
from sandbox.errors import InvalidAuthenticationToken
from sandbox.identity.assertions import check_client_assertion
from sandbox.identity.errors import OAuthError
from sandbox.identity.keys import SigningKey

__all__ = ["GRAPH_AUDIENCES", "Caller", "OAuthError", "TokenService"]

GRAPH_RESOURCE = "https://graph.microsoft.com"
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
GRAPH_AUDIENCES = (GRAPH_RESOURCE, GRAPH_APP_ID)
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
LIFETIME = 3600
OIDC_SCOPES = ("openid", "profile", "offline_access")
REFRESH_AUDIENCE = "urn:sandbox:refresh"
REFRESH_LIFETIME = 90 * 24 * 3600
SPA_REFRESH_LIFETIME = 24 * 3600


@dataclass(frozen=True)
class Caller:
    """Who is calling Graph: a user through an app (delegated) or an app on its own."""

    app_id: str
    user_id: str | None
    upn: str | None
    scopes: frozenset[str]
    roles: frozenset[str]

    @property
    def is_app_only(self) -> bool:
        return self.user_id is None


class TokenService:
    def __init__(self, *, key: SigningKey, directory: Directory, base_url: str) -> None:
        self.key = key
        self.directory = directory
        self.base_url = base_url.rstrip("/")
        self._verified: dict[str, tuple[Caller, float]] = {}
        # The time client assertions are judged by: the machine's, as every token lifetime
        # here (clients stamp assertions with their own clock, not the tenant's). A test
        # moves it to play a client whose clock is off.
        self.wall: Callable[[], float] = time.time

    # -- discovery -------------------------------------------------------------------------
    @property
    def tenant_id(self) -> str:
        assert self.directory.tenant is not None, "tenant not seeded"
        return self.directory.tenant.id

    def issuer(self) -> str:
        return f"{self.base_url}/{self.tenant_id}/v2.0"

    def openid_configuration(self) -> dict[str, Any]:
        root = f"{self.base_url}/{self.tenant_id}"
        return {
            "token_endpoint": f"{root}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "private_key_jwt",
                "client_secret_basic",
            ],
            "jwks_uri": f"{root}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": self.issuer(),
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": f"{self.base_url}/oidc/userinfo",
            "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{root}/oauth2/v2.0/devicecode",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": f"{root}/oauth2/v2.0/logout",
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "acr",
                "nonce",
                "preferred_username",
                "name",
                "tid",
                "ver",
                "at_hash",
                "c_hash",
                "email",
            ],  # fmt: skip
            "kerberos_endpoint": f"{root}/kerberos",
            "tenant_region_scope": "EU",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
            "rbac_url": "https://pas.windows.net",
        }

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.jwk()]}

    # -- issuing ---------------------------------------------------------------------------
    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(
            claims, self.key.private_key, algorithm="RS256", headers={"kid": self.key.kid}
        )

    def _base_claims(self, aud: str, azp: str, lifetime: int = LIFETIME) -> dict[str, Any]:
        now = int(time.time())
        return {
            "aud": aud,
            "iss": self.issuer(),
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "tid": self.tenant_id,
            "azp": azp,
            "azpacr": "1",
            "ver": "2.0",
            "uti": uuid.uuid4().hex[:22],
        }

    def user_token(
        self, user: dict[str, Any], *, aud: str, azp: str, scp: str, lifetime: int = LIFETIME
    ) -> str:
        claims = self._base_claims(aud, azp, lifetime)
        claims.update(
            oid=user["id"],
            sub=uuid.uuid5(uuid.NAMESPACE_URL, f"{user['id']}:{azp}").hex,
            name=user.get("displayName"),
            preferred_username=user["userPrincipalName"],
            scp=scp,
            idtyp="user",
        )
        if aud == GRAPH_RESOURCE:
            claims["upn"] = user["userPrincipalName"]  # Graph's tokens carry it; ours do too
        return self.sign(claims)

    def refresh_token(
        self, user: dict[str, Any], client_id: str, lifetime: int = REFRESH_LIFETIME
    ) -> str:
        """Opaque to clients (Entra's are encrypted); here a signed note of who and for whom."""
        claims = self._base_claims(REFRESH_AUDIENCE, client_id, lifetime)
        claims.update(oid=user["id"], idtyp="refresh")
        return self.sign(claims)

    def app_token(self, app: App) -> str:
        claims = self._base_claims(GRAPH_RESOURCE, app.client_id)
        oid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"sp:{app.client_id}"))
        claims.update(oid=oid, sub=oid, roles=list(app.application_permissions), idtyp="app")
        return self.sign(claims)

    def id_token(self, user: dict[str, Any], client_id: str, *, nonce: str = "") -> str:
        claims = self._base_claims(client_id, client_id)
        claims.update(
            oid=user["id"],
            sub=user["id"],
            name=user.get("displayName"),
            preferred_username=user["userPrincipalName"],
        )
        if nonce:
            claims["nonce"] = nonce
        return self.sign(claims)

    def token_response(self, access_token: str, *, scope: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "token_type": "Bearer",
            "expires_in": LIFETIME,
            "ext_expires_in": LIFETIME,
            "access_token": access_token,
        }
        if scope is not None:
            out["scope"] = scope
        return out

    # -- checking --------------------------------------------------------------------------
    def decode(self, token: str, *, audiences: tuple[str, ...]) -> dict[str, Any]:
        """Verify signature, issuer, audience and lifetime; raise jwt errors otherwise."""
        header = jwt.get_unverified_header(token)
        if header.get("alg") != "RS256" or header.get("kid") != self.key.kid:
            raise jwt.InvalidSignatureError("unknown signing key or algorithm")
        return jwt.decode(
            token,
            self.key.private_key.public_key(),
            algorithms=["RS256"],
            audience=list(audiences),
            issuer=self.issuer(),
            options={"require": ["exp", "nbf", "iss", "aud", "tid"]},
        )

    def graph_caller(self, authorization: str | None) -> Caller:
        """The caller of a Graph request, or Graph's 401.

        A verified token is remembered until it expires: an RSA check per request would be
        most of the sandbox's own overhead.
        """
        if not authorization or not authorization.lower().startswith("bearer "):
            raise InvalidAuthenticationToken("Access token is empty.")
        token = authorization[7:].strip()
        hit = self._verified.get(token)
        if hit is not None and hit[1] > time.time():
            return hit[0]
        caller, exp = self._verify_graph_token(token)
        if len(self._verified) >= 4096:
            self._verified.clear()
        self._verified[token] = (caller, exp)
        return caller

    def _verify_graph_token(self, token: str) -> tuple[Caller, float]:
        try:
            claims = self.decode(token, audiences=GRAPH_AUDIENCES)
        except jwt.ExpiredSignatureError as exc:
            raise InvalidAuthenticationToken(
                "Lifetime validation failed, the token is expired."
            ) from exc
        except jwt.InvalidAudienceError as exc:
            raise InvalidAuthenticationToken("Invalid audience.") from exc
        except jwt.PyJWTError as exc:
            raise InvalidAuthenticationToken(
                "IDX14100: JWT is not well formed or its signature is invalid."
            ) from exc
        if claims.get("tid") != self.tenant_id:
            raise InvalidAuthenticationToken("Access token validation failure. Invalid tenant.")
        is_app = claims.get("idtyp") == "app"
        user = None if is_app else self.directory.user(claims.get("oid", ""))
        if not is_app and user is None:
            raise InvalidAuthenticationToken("The user of this token does not exist in the tenant.")
        caller = Caller(
            app_id=claims.get("azp", ""),
            user_id=None if is_app else user["id"],  # type: ignore[index]
            upn=None if is_app else user["userPrincipalName"],  # type: ignore[index]
            scopes=frozenset((claims.get("scp") or "").split()),
            roles=frozenset(claims.get("roles") or ()),
        )
        return caller, float(claims["exp"])

    # -- the token endpoint ----------------------------------------------------------------
    def token_endpoints(self) -> tuple[str, ...]:
        """The token endpoint's URLs (by tenant id and by domain): a client assertion's aud."""
        names = [self.tenant_id]
        if self.directory.tenant is not None:
            names.append(self.directory.tenant.domain)
        return tuple(f"{self.base_url}/{name}/oauth2/v2.0/token" for name in names)

    def token_endpoint(
        self, tenant: str, form: dict[str, str], basic: tuple[str, str] | None
    ) -> dict[str, Any]:
        if tenant != self.tenant_id and tenant != (
            self.directory.tenant and self.directory.tenant.domain
        ):
            raise OAuthError(400, "invalid_request", 90002, f"Tenant '{tenant}' not found.")
        client_id = form.get("client_id") or (basic[0] if basic else "")
        secret = form.get("client_secret") or (basic[1] if basic else "")
        app = self.directory.app(client_id)
        if app is None:
            raise OAuthError(
                400, "unauthorized_client", 700016,
                f"Application with identifier '{client_id}' was not found in the directory"
                f" '{self.tenant_id}'.",
            )  # fmt: skip
        if "client_assertion" in form or "client_assertion_type" in form:  # a certificate
            check_client_assertion(app, form, audiences=self.token_endpoints(), now=self.wall())
        elif not secret:
            raise OAuthError(
                401, "invalid_client", 7000218,
                "The request body must contain the following parameter: 'client_assertion' or"
                " 'client_secret'.",
            )  # fmt: skip
        elif not app.secret_matches(secret):
            raise OAuthError(
                401, "invalid_client", 7000215,
                f"Invalid client secret provided. Ensure the secret being sent in the request is"
                f" the client secret value, not the client secret ID, for a secret added to app"
                f" '{client_id}'.",
            )  # fmt: skip
        grant = form.get("grant_type", "")
        scopes = form.get("scope", "").split()
        if grant == "client_credentials":
            return self._client_credentials(app, scopes)
        if grant == JWT_BEARER and form.get("requested_token_use") == "on_behalf_of":
            return self._on_behalf_of(app, form.get("assertion", ""), scopes)
        if grant == "refresh_token":
            return self._refresh(app, form.get("refresh_token", ""), scopes)
        raise OAuthError(
            400, "unsupported_grant_type", 70003,
            f"The app requested an unsupported grant type '{grant}'.",
        )  # fmt: skip

    def _graph_default(self, scopes: list[str]) -> None:
        resources = [s for s in scopes if s not in ("openid", "profile", "offline_access", "email")]
        if resources != [f"{GRAPH_RESOURCE}/.default"]:
            raise OAuthError(
                400, "invalid_scope", 1002012,
                f"The provided value for scope {' '.join(scopes)} is not valid. Client credential"
                f" flows must have a scope value with /.default suffixed to the resource"
                f" identifier (application ID URI).",
            )  # fmt: skip

    def _client_credentials(self, app: App, scopes: list[str]) -> dict[str, Any]:
        self._graph_default(scopes)
        return self.token_response(self.app_token(app))

    def _on_behalf_of(self, app: App, assertion: str, scopes: list[str]) -> dict[str, Any]:
        self._graph_default(scopes)
        audiences = (app.client_id, app.app_id_uri)
        try:
            claims = self.decode(assertion, audiences=audiences)
        except (jwt.ExpiredSignatureError, jwt.ImmatureSignatureError) as exc:
            raise OAuthError(
                400, "invalid_grant", 500133, "Assertion is not within its valid time range."
            ) from exc
        except jwt.InvalidAudienceError as exc:
            raise OAuthError(
                400, "invalid_grant", 50013,
                "Assertion failed signature validation. [Reason - The provided audience does not"
                " match the client app presenting the assertion.]",
            ) from exc  # fmt: skip
        except jwt.InvalidIssuerError as exc:
            raise OAuthError(
                400, "invalid_grant", 50013,
                "Assertion failed signature validation. [Reason - The issuer is not trusted for"
                " this tenant.]",
            ) from exc  # fmt: skip
        except jwt.PyJWTError as exc:
            raise OAuthError(
                400, "invalid_grant", 50013,
                "Assertion failed signature validation. [Reason - The key was not found.]",
            ) from exc  # fmt: skip
        if claims.get("tid") != self.tenant_id:
            raise OAuthError(400, "invalid_grant", 50013, "Assertion contains a foreign tenant.")
        user = self.directory.user(claims.get("oid", ""))
        if user is None or claims.get("idtyp") == "app":
            raise OAuthError(
                400, "invalid_grant", 50034, "The user account does not exist in the directory."
            )
        return self._delegated_response(app, user)

    def _delegated_response(self, app: App, user: dict[str, Any]) -> dict[str, Any]:
        scp = " ".join(app.delegated_permissions)
        out = self.token_response(
            self.user_token(user, aud=GRAPH_RESOURCE, azp=app.client_id, scp=scp), scope=scp
        )
        out["refresh_token"] = self.refresh_token(user, app.client_id)
        out["id_token"] = self.id_token(user, app.client_id)
        out["client_info"] = client_info_of(user["id"], self.tenant_id)
        return out

    def _refresh(self, app: App, token: str, scopes: list[str]) -> dict[str, Any]:
        """The refresh_token grant MSAL uses when a cached OBO token has expired."""
        resources = [s for s in scopes if s not in ("openid", "profile", "offline_access", "email")]
        if any(not s.startswith(GRAPH_RESOURCE) for s in resources):
            raise OAuthError(
                400, "invalid_scope", 70011, f"The scope '{' '.join(scopes)}' is not valid."
            )
        try:
            claims = self.decode(token, audiences=(REFRESH_AUDIENCE,))
        except jwt.ExpiredSignatureError as exc:
            raise OAuthError(
                400, "invalid_grant", 700082, "The refresh token has expired due to inactivity."
            ) from exc
        except jwt.PyJWTError as exc:
            raise OAuthError(
                400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid."
            ) from exc
        if claims.get("azp") != app.client_id:
            raise OAuthError(
                400, "invalid_grant", 70000, "Provided grant is invalid: issued to another client."
            )
        user = self.directory.user(claims.get("oid", ""))
        if user is None:
            raise OAuthError(400, "invalid_grant", 50034, "The user account does not exist.")
        return self._delegated_response(app, user)

    def spa_response(
        self, app: App, user: dict[str, Any], scopes: list[str], *, nonce: str
    ) -> dict[str, Any]:
        """Tokens for a redeemed authorization code: one resource per request, as in Entra."""
        resources = [s for s in scopes if s not in OIDC_SCOPES]
        own = [s for s in resources if s.startswith((app.app_id_uri + "/", app.client_id + "/"))]
        if own and len(own) != len(resources):
            raise OAuthError(
                400, "invalid_scope", 28000,
                "Provided value for the input parameter scope is not valid because it contains"
                " more than one resource.",
            )  # fmt: skip
        if own:
            names = [s.rsplit("/", 1)[1] for s in own]
            unknown = [n for n in names if n not in app.api_scopes]
            if unknown:
                raise OAuthError(
                    400, "invalid_scope", 65005,
                    f"The application asked for scope '{unknown[0]}' that doesn't exist on the"
                    f" resource '{app.client_id}'.",
                )  # fmt: skip
            scp = " ".join(names)
            token = self.user_token(user, aud=app.client_id, azp=app.client_id, scp=scp)
            granted = " ".join(f"{app.app_id_uri}/{n}" for n in names)
        else:
            scp = " ".join(app.delegated_permissions)
            token = self.user_token(user, aud=GRAPH_RESOURCE, azp=app.client_id, scp=scp)
            granted = scp
        out = self.token_response(token, scope=" ".join([granted, *OIDC_SCOPES]))
        out["refresh_token"] = self.refresh_token(user, app.client_id, SPA_REFRESH_LIFETIME)
        out["refresh_token_expires_in"] = SPA_REFRESH_LIFETIME  # 24 hours for SPAs in Entra
        out["id_token"] = self.id_token(user, app.client_id, nonce=nonce)
        out["client_info"] = client_info_of(user["id"], self.tenant_id)
        return out

    def sign_in(self, username: str, *, client_id: str, scope: str | None = None) -> dict[str, Any]:
        """The harness's sign-in: a token for the backend's API scope as a seeded user."""
        app = self.directory.app(client_id)
        if app is None:
            raise OAuthError(
                400, "unauthorized_client", 700016, f"Application '{client_id}' not found."
            )
        user = self.directory.user(username)
        if user is None:
            raise OAuthError(
                400, "invalid_grant", 50034, f"The user account {username} does not exist."
            )
        scp = " ".join(scope.split()) if scope else " ".join(app.api_scopes)
        token = self.user_token(user, aud=app.client_id, azp=app.client_id, scp=scp)
        out = self.token_response(token, scope=f"{app.app_id_uri}/{scp}")
        out["id_token"] = self.id_token(user, app.client_id)
        out["client_info"] = client_info_of(user["id"], self.tenant_id)
        return out


def client_info_of(uid: str, utid: str) -> str:
    raw = json.dumps({"uid": uid, "utid": utid}).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
