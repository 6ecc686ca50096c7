"""Real clients for the sandbox: MSAL for tokens, msgraph-sdk (and raw httpx) for Graph.

Tests use these exactly as the product will: a user signs in through the harness for the
backend's API scope, the backend exchanges that token on-behalf-of the user with MSAL, and
msgraph-sdk calls Graph with the result.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import httpx
import msal
import requests
from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from kiota_http.kiota_client_factory import KiotaClientFactory
from kiota_http.middleware import RetryHandler
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.graph_request_adapter import options as SDK_OPTIONS
from msgraph_core import GraphClientFactory

GRAPH_DEFAULT = ["https://graph.microsoft.com/.default"]
# LimitSettings as a fresh sandbox has them; the admin fixture restores them after each test.
DEFAULT_LIMITS = {
    "latency_ms": 0.0,
    "fault_rate": 0.0,
    "seed": 0,
    "concurrency": 4,
    "budget": 10_000,
    "window_s": 600.0,
    "batch_parallel": 4,
    "retry_after_s": 1,
    "fault_kinds": ["429", "503", "504", "drop"],
    # Exchange Online's sending limits (sandbox/mail/submission.py)
    "message_rate": 30,
    "recipient_rate": 10_000,
    "recipient_limit": 500,
}

PREFER = 'IdType="ImmutableId", outlook.timezone="W. Europe Standard Time"'


class StaticToken(AccessTokenProvider):
    def __init__(self, token: str, hosts: Iterable[str]) -> None:
        self.token = token
        self.validator = AllowedHostsValidator(list(hosts))

    async def get_authorization_token(
        self, uri: str, additional_authentication_context: Any = None
    ) -> str:
        return self.token

    def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
        return self.validator


@dataclass
class Tenant:
    """Token acquisition against one running sandbox, cached per user."""

    info: dict[str, Any]
    _tokens: dict[str, str] = field(default_factory=dict)
    _msal: msal.ConfidentialClientApplication | None = None

    @cached_property
    def tls(self) -> ssl.SSLContext:
        """Trust exactly the sandbox's own CA."""
        return ssl.create_default_context(cafile=self.info["ca_cert"])

    @property
    def host(self) -> str:
        return httpx.URL(self.info["graph_url"]).host

    def http_session(self) -> requests.Session:
        """MSAL's HTTP client, trusting the sandbox CA even when REQUESTS_CA_BUNDLE is set
        (requests lets that variable override ``Session.verify``)."""
        session = requests.Session()
        session.trust_env = False
        session.verify = self.info["ca_cert"]
        return session

    def msal_app(
        self, secret: str | None = None, *, client_id: str | None = None
    ) -> msal.ConfidentialClientApplication:
        if secret is not None:
            return msal.ConfidentialClientApplication(
                client_id or self.info["client_id"],
                client_credential=secret,
                authority=self.info["authority"],
                instance_discovery=False,
                http_client=self.http_session(),
            )
        if self._msal is None:
            self._msal = self.msal_app(self.info["client_secret"])
        return self._msal

    def user_token(self, upn: str) -> str:
        """The harness sign-in: a token for the backend's API scope (access_as_user)."""
        resp = httpx.post(
            self.info["signin_url"],
            data={"username": upn, "client_id": self.info["client_id"]},
            verify=self.tls,
        )
        resp.raise_for_status()
        return resp.json()["access_token"]

    def graph_token(self, upn: str | None = None) -> str:
        """On-behalf-of ``upn`` through MSAL, or app-only when ``upn`` is None."""
        key = upn or "<app>"
        if key not in self._tokens:
            app = self.msal_app()
            if upn is None:
                result = app.acquire_token_for_client(scopes=GRAPH_DEFAULT)
            else:
                result = app.acquire_token_on_behalf_of(self.user_token(upn), scopes=GRAPH_DEFAULT)
            assert "access_token" in result, result
            self._tokens[key] = result["access_token"]
        return self._tokens[key]

    def graph(
        self, upn: str | None = None, *, retry: bool = False, prefer: str = PREFER
    ) -> GraphServiceClient:
        """A GraphServiceClient for ``upn`` (or the app), over our own httpx client."""
        http = httpx.AsyncClient(
            verify=self.tls, timeout=30, headers={"Prefer": prefer} if prefer else {}
        )
        # The SDK's own pipeline; without retry the sandbox's 429/503/504 reach the test as-is.
        # Built with msgraph's own options, or `/me` (sent as /users/me-token-to-replace) breaks.
        middleware = KiotaClientFactory.get_default_middleware(SDK_OPTIONS)
        if not retry:
            middleware = [m for m in middleware if not isinstance(m, RetryHandler)]
        http = GraphClientFactory.create_with_custom_middleware(middleware=middleware, client=http)
        auth = BaseBearerTokenAuthenticationProvider(
            StaticToken(self.graph_token(upn), [self.host])
        )
        adapter = GraphRequestAdapter(auth, client=http)
        adapter.base_url = self.info["graph_url"]
        return GraphServiceClient(request_adapter=adapter)

    def raw(self, upn: str | None = None, *, prefer: str | None = PREFER) -> httpx.AsyncClient:
        """Plain httpx with a Graph token, for wire-level checks (status, headers, shapes)."""
        headers = {"Authorization": f"Bearer {self.graph_token(upn)}"}
        if prefer:
            headers["Prefer"] = prefer
        return httpx.AsyncClient(
            base_url=self.info["graph_url"], verify=self.tls, headers=headers, timeout=30
        )
