"""A click's kept delegation: sealed in the store, used by a worker with exactly her rights.

Against the sandbox's Entra ID and Graph, and the store on SQLite and PostgreSQL. A "worker"
is a fresh ``MsalTokenSource`` on a second engine: nothing shared with the click but the
store and the key.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import jwt
import pytest
import requests
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.clock import SetClock
from automations.errors import AccessDenied, AuthenticationFailed
from automations.graph import GraphConfig, GraphGateway, MsalTokenSource
from automations.graph.auth import DELEGATION_EXPIRED
from automations.graph.vault import TokenVault, vault_keys
from automations.store.models import TokenCacheRow
from tests.automations.store import databases
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import (
    BURGEMEESTER,
    SECRETARY_A,
    SECRETARY_A_FRIDAY,
    SECRETARY_B,
    STAFF,
    WETHOUDERS,
)

Sessions = async_sessionmaker[AsyncSession]

# The store's fixtures, here too: a migrated database per module on SQLite and PostgreSQL.
database_url = databases.database_url
engine = databases.engine
sessions = databases.sessions
other_sessions = databases.other_sessions


class CountingSession(requests.Session):
    """MSAL's HTTP client, counting token requests and metadata fetches."""

    def __init__(self, ca_cert: str) -> None:
        super().__init__()
        self.trust_env = False
        self.verify = ca_cert
        self.token_requests = 0
        self.metadata_fetches = 0

    def request(self, method: str, url: Any, *args: Any, **kwargs: Any) -> requests.Response:
        if str(url).endswith("/token"):
            self.token_requests += 1
        if "openid-configuration" in str(url):
            self.metadata_fetches += 1
        return super().request(method, url, *args, **kwargs)


def counting_source(config: GraphConfig) -> tuple[MsalTokenSource, CountingSession]:
    http = CountingSession(str(config.ca_cert))
    return MsalTokenSource(config, http_client=http), http


def claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


@pytest.fixture
def keys(config: GraphConfig) -> MultiFernet:
    return vault_keys(None, config.client_secret.get_secret_value())


@pytest.fixture
def vault(sessions: Sessions, keys: MultiFernet, clock: SetClock) -> TokenVault:
    """The click's side: the API process's vault."""
    return TokenVault(sessions, keys, clock)


@pytest.fixture
def worker_vault(other_sessions: Sessions, keys: MultiFernet, clock: SetClock) -> TokenVault:
    """The worker's side: another engine on the same store, the same key."""
    return TokenVault(other_sessions, keys, clock)


async def click(config: GraphConfig, tenant: Tenant, vault: TokenVault, upn: str) -> None:
    """What the API does when her click starts a task: keep her delegation."""
    await MsalTokenSource(config).keep_delegation(tenant.user_token(upn), upn, vault)


def cache_of(blob: str | None) -> dict[str, Any]:
    assert blob is not None
    cache: dict[str, Any] = json.loads(blob)
    return cache


def secrets_in(cache: dict[str, Any], kind: str) -> list[str]:
    return [entry["secret"] for entry in cache.get(kind, {}).values()]


async def test_a_worker_acts_with_the_secretarys_delegation_on_her_executives_inbox(
    config: GraphConfig, tenant: Tenant, vault: TokenVault, worker_vault: TokenVault
) -> None:
    await click(config, tenant, vault, SECRETARY_A)
    worker, http = counting_source(config)
    token = await worker.delegated_token(SECRETARY_A, worker_vault)
    assert claims(token)["preferred_username"] == SECRETARY_A
    assert "roles" not in claims(token)  # a delegated token, not the app's
    assert "Mail.ReadWrite.Shared" in claims(token)["scp"].split()
    assert http.token_requests == 0  # her access token came from the kept cache
    async with GraphGateway(config, worker) as gateway:
        async with gateway.for_delegate(SECRETARY_A, worker_vault) as graph:
            inbox = graph.sdk.users.by_user_id(BURGEMEESTER).mail_folders.by_mail_folder_id("inbox")
            page = await graph.run(inbox.messages.get())
    assert page is not None and page.value is not None


async def test_a_worker_is_refused_a_mailbox_she_does_not_serve_though_the_app_could(
    config: GraphConfig, tenant: Tenant, vault: TokenVault, worker_vault: TokenVault
) -> None:
    await click(config, tenant, vault, SECRETARY_A)
    worker = MsalTokenSource(config)
    async with GraphGateway(config, worker) as gateway:
        async with gateway.for_app() as app:  # RBAC for Applications reaches the wethouder
            await app.run(app.sdk.users.by_user_id(WETHOUDERS[0]).messages.get())
        with pytest.raises(AccessDenied) as caught:
            async with gateway.for_delegate(SECRETARY_A, worker_vault) as graph:
                await graph.run(graph.sdk.users.by_user_id(WETHOUDERS[0]).messages.get())
    assert caught.value.code == "access_denied"
    assert caught.value.graph_code == "ErrorAccessDenied"


async def test_an_expired_access_token_is_refreshed_and_the_cache_sealed_again(
    config: GraphConfig,
    tenant: Tenant,
    vault: TokenVault,
    worker_vault: TokenVault,
    sessions: Sessions,
    clock: SetClock,
) -> None:
    await click(config, tenant, vault, SECRETARY_A)
    kept = cache_of(await vault.get(SECRETARY_A))
    [first] = secrets_in(kept, "AccessToken")
    # Two hours pass for her access token (it lives one); her refresh token lives 90 days.
    for entry in kept["AccessToken"].values():
        for field in ("cached_at", "expires_on", "extended_expires_on"):
            entry[field] = str(int(entry[field]) - 7200)
    await vault.put(SECRETARY_A, json.dumps(kept))
    async with sessions() as session:
        before = await session.get(TokenCacheRow, SECRETARY_A)
    clock.advance(dt.timedelta(hours=2))

    worker, http = counting_source(config)
    token = await worker.delegated_token(SECRETARY_A, worker_vault)
    assert token != first
    assert claims(token)["preferred_username"] == SECRETARY_A and "roles" not in claims(token)
    assert http.token_requests == 1  # one refresh_token grant, no on-behalf-of (no assertion)

    async with sessions() as session:
        after = await session.get(TokenCacheRow, SECRETARY_A)
    assert before is not None and after is not None
    assert after.sealed != before.sealed and after.updated_at > before.updated_at
    assert secrets_in(cache_of(await vault.get(SECRETARY_A)), "AccessToken") == [token]
    again = await MsalTokenSource(config).delegated_token(SECRETARY_A, worker_vault)
    assert again == token  # the next worker finds the refreshed token in the store


async def test_an_access_token_about_to_expire_is_renewed_too(
    config: GraphConfig, tenant: Tenant, vault: TokenVault, worker_vault: TokenVault
) -> None:
    """MSAL renews a token with less than five minutes left; the sandbox, stricter than
    Entra ID, refuses the refresh for the granted short scope names, so ".default" it is."""
    await click(config, tenant, vault, SECRETARY_A)
    kept = cache_of(await vault.get(SECRETARY_A))
    [first] = secrets_in(kept, "AccessToken")
    for entry in kept["AccessToken"].values():  # two minutes left of its hour
        lifetime = int(entry["expires_on"]) - int(entry["cached_at"])
        for field in ("cached_at", "expires_on", "extended_expires_on"):
            entry[field] = str(int(entry[field]) - lifetime + 120)
    await vault.put(SECRETARY_A, json.dumps(kept))
    token = await MsalTokenSource(config).delegated_token(SECRETARY_A, worker_vault)
    assert token != first and claims(token)["preferred_username"] == SECRETARY_A
    assert secrets_in(cache_of(await vault.get(SECRETARY_A)), "AccessToken") == [token]


async def test_without_a_kept_delegation_there_is_no_token_and_never_the_apps(
    config: GraphConfig, worker_vault: TokenVault
) -> None:
    worker, http = counting_source(config)
    with pytest.raises(AuthenticationFailed) as caught:
        await worker.delegated_token(STAFF, worker_vault)
    assert caught.value.code == "authentication_failed"
    assert caught.value.message == DELEGATION_EXPIRED
    async with GraphGateway(config, worker) as gateway:
        with pytest.raises(AuthenticationFailed) as through:
            async with gateway.for_delegate(STAFF, worker_vault) as graph:
                await graph.run(graph.sdk.users.by_user_id(STAFF).messages.get())
    assert through.value.message == DELEGATION_EXPIRED
    assert http.token_requests == 0  # no app token was asked for instead


async def test_a_forgotten_delegation_gives_no_token(
    config: GraphConfig, tenant: Tenant, vault: TokenVault, worker_vault: TokenVault
) -> None:
    await click(config, tenant, vault, SECRETARY_B)
    await vault.forget(SECRETARY_B.upper())  # accounts are case-insensitive
    with pytest.raises(AuthenticationFailed) as caught:
        await MsalTokenSource(config).delegated_token(SECRETARY_B, worker_vault)
    assert caught.value.message == DELEGATION_EXPIRED


async def test_a_click_never_keeps_one_users_tokens_under_anothers_name(
    config: GraphConfig, tenant: Tenant, vault: TokenVault
) -> None:
    source = MsalTokenSource(config)
    with pytest.raises(AuthenticationFailed) as caught:  # her token, a wethouder's name
        await source.keep_delegation(tenant.user_token(SECRETARY_A), WETHOUDERS[1], vault)
    assert caught.value.code == "authentication_failed"
    assert await vault.get(WETHOUDERS[1]) is None


async def test_one_worker_fetches_the_authoritys_metadata_once_for_every_user(
    config: GraphConfig, tenant: Tenant, vault: TokenVault, worker_vault: TokenVault
) -> None:
    await click(config, tenant, vault, SECRETARY_A)
    await click(config, tenant, vault, SECRETARY_A_FRIDAY)
    worker, http = counting_source(config)
    for upn in (SECRETARY_A, SECRETARY_A_FRIDAY, SECRETARY_A):
        await worker.delegated_token(upn, worker_vault)
    assert http.metadata_fetches == 1


async def test_the_sealed_cache_holds_no_token_in_plaintext(
    config: GraphConfig, tenant: Tenant, vault: TokenVault, sessions: Sessions
) -> None:
    await click(config, tenant, vault, SECRETARY_A)
    cache = cache_of(await vault.get(SECRETARY_A))
    tokens = secrets_in(cache, "AccessToken") + secrets_in(cache, "RefreshToken")
    assert len(tokens) == 2
    async with sessions() as session:
        sealed = await session.scalar(
            select(TokenCacheRow.sealed).where(TokenCacheRow.account == SECRETARY_A)
        )
    assert sealed is not None
    for token in tokens:
        for piece in token.split("."):  # nor any part of the JWTs
            assert piece.encode() not in sealed
    assert SECRETARY_A.encode() not in sealed


async def test_a_vault_with_another_key_reads_nothing_and_logs_no_token(
    config: GraphConfig,
    tenant: Tenant,
    vault: TokenVault,
    sessions: Sessions,
    clock: SetClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await click(config, tenant, vault, SECRETARY_A)
    [token] = secrets_in(cache_of(await vault.get(SECRETARY_A)), "RefreshToken")
    stranger = TokenVault(sessions, [Fernet.generate_key().decode()], clock)
    with caplog.at_level(logging.WARNING, logger="automations.graph.vault"):
        assert await stranger.get(SECRETARY_A) is None
    assert "none of the configured keys" in caplog.text
    assert token not in caplog.text
    with pytest.raises(AuthenticationFailed) as caught:
        await MsalTokenSource(config).delegated_token(SECRETARY_A, stranger)
    assert caught.value.message == DELEGATION_EXPIRED


async def test_rotation_opens_old_caches_and_seals_them_with_the_new_key(
    sessions: Sessions, clock: SetClock
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    account = "rotatie@zeeveen.nl"
    await TokenVault(sessions, [old], clock).put(account, '{"kept": "before"}')
    rotated = TokenVault(sessions, f"{new},{old}", clock)  # the setting's comma-separated form
    assert await rotated.get(account) == '{"kept": "before"}'
    await rotated.put(account, '{"kept": "after"}')  # every click and refresh seals again
    assert await TokenVault(sessions, [new], clock).get(account) == '{"kept": "after"}'
    assert await TokenVault(sessions, [old], clock).get(account) is None
    assert rotated.open(TokenVault(sessions, [old], clock).seal(b"x")) == b"x"


def test_the_derived_key_follows_the_client_secret() -> None:
    sealed = vault_keys(None, "geheim-1").encrypt(b"cache")
    assert vault_keys("", "geheim-1").decrypt(sealed) == b"cache"  # every instance: same key
    with pytest.raises(InvalidToken):
        vault_keys(None, "geheim-2").decrypt(sealed)  # a rotated secret: caches unreadable


def test_configured_keys_win_and_a_bad_one_is_refused_without_echoing_it() -> None:
    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    keys = vault_keys(f" {first} , {second} ", "geheim")
    assert Fernet(first).decrypt(keys.encrypt(b"x")) == b"x"  # the first key seals
    assert keys.decrypt(Fernet(second).encrypt(b"y")) == b"y"  # every key opens
    with pytest.raises(ValueError) as caught:
        vault_keys(f"{first},niet-een-sleutel", "geheim")
    assert "niet-een-sleutel" not in str(caught.value) and "2" in str(caught.value)
