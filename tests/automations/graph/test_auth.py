"""Graph tokens through MSAL against the sandbox's Entra ID: app-only, on-behalf-of, the cache."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import jwt
import pytest
import requests
from pydantic import SecretStr

from automations.errors import AuthenticationFailed, Unavailable
from automations.graph import GraphConfig, MsalTokenSource, token_source_for
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A


class CountingSession(requests.Session):
    """MSAL's HTTP client, counting what reaches the token endpoint."""

    def __init__(self, ca_cert: str) -> None:
        super().__init__()
        self.trust_env = False
        self.verify = ca_cert
        self.token_requests = 0

    def request(self, method: str, url: Any, *args: Any, **kwargs: Any) -> requests.Response:
        if str(url).endswith("/token"):
            self.token_requests += 1
        return super().request(method, url, *args, **kwargs)


def counting_source(config: GraphConfig) -> tuple[MsalTokenSource, CountingSession]:
    http = CountingSession(str(config.ca_cert))
    return MsalTokenSource(config, http_client=http), http


def claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


async def test_app_token_is_issued_once_and_then_served_from_msals_cache(
    config: GraphConfig,
) -> None:
    source, http = counting_source(config)
    first = await source.app_token()
    second = await source.app_token()
    assert first == second
    assert http.token_requests == 1
    assert "roles" in claims(first) and "scp" not in claims(first)


async def test_callers_asking_at_once_share_one_token_request(config: GraphConfig) -> None:
    source, http = counting_source(config)
    tokens = await asyncio.gather(*(source.app_token() for _ in range(10)))
    assert len(set(tokens)) == 1
    assert http.token_requests == 1


async def test_user_token_is_on_behalf_of_the_user_and_cached_for_the_same_assertion(
    config: GraphConfig, tenant: Tenant
) -> None:
    source, http = counting_source(config)
    assertion = tenant.user_token(SECRETARY_A)
    first = await source.user_token(assertion)
    second = await source.user_token(assertion)
    assert first == second
    assert http.token_requests == 1
    assert claims(first)["preferred_username"] == SECRETARY_A
    assert "Mail.ReadWrite.Shared" in claims(first)["scp"].split()


async def test_each_user_gets_her_own_token(config: GraphConfig, tenant: Tenant) -> None:
    source, http = counting_source(config)
    secretary = await source.user_token(tenant.user_token(SECRETARY_A))
    mayor = await source.user_token(tenant.user_token(BURGEMEESTER))
    assert claims(secretary)["preferred_username"] == SECRETARY_A
    assert claims(mayor)["preferred_username"] == BURGEMEESTER
    assert http.token_requests == 2


async def test_a_forged_assertion_never_gets_a_cached_token(
    config: GraphConfig, tenant: Tenant
) -> None:
    source, _http = counting_source(config)
    assertion = tenant.user_token(SECRETARY_A)
    await source.user_token(assertion)
    head, body, _signature = assertion.split(".")
    with pytest.raises(AuthenticationFailed) as caught:
        await source.user_token(f"{head}.{body}.forged")  # same user, no valid signature
    assert caught.value.graph_code == "invalid_grant"
    assert caught.value.status == 401


async def test_a_wrong_client_secret_is_authentication_failed_with_entras_code(
    config: GraphConfig,
) -> None:
    wrong = GraphConfig(**{**config.__dict__, "client_secret": SecretStr("not-the-secret")})
    source, _http = counting_source(wrong)
    with pytest.raises(AuthenticationFailed) as caught:
        await source.app_token()
    assert caught.value.graph_code == "invalid_client"
    assert "not-the-secret" not in str(caught.value)


def test_one_token_source_per_configuration_for_the_whole_process(config: GraphConfig) -> None:
    same = GraphConfig(**config.__dict__)
    assert token_source_for(config) is token_source_for(same)
    assert "**********" in repr(config) and config.client_secret.get_secret_value() not in repr(
        config
    )


async def test_a_token_endpoint_that_never_answers_is_given_up() -> None:
    """A login server that accepts the connection and then says nothing: the token request
    ends after the configured timeout (MSAL applies its own only to a session it makes), so
    a job or a CLI command is not held forever and the process can exit."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        config = GraphConfig(
            graph_url=f"https://127.0.0.1:{port}/v1.0",
            authority=f"https://127.0.0.1:{port}/zeeveen",
            client_id="00000000-0000-0000-0000-000000000001",
            client_secret=SecretStr("niet-geheim"),
            timeout_s=0.5,
        )
        with pytest.raises((Unavailable, AuthenticationFailed)):
            # The limit is a safety net against a hang, not a measured duration.
            await asyncio.wait_for(MsalTokenSource(config).app_token(), 30)
