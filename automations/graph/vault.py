"""Each user's MSAL token cache, sealed in the store: the delegation a click leaves a worker.

    vault = TokenVault(sessions, vault_keys(settings.token_keys, client_secret), clock)
    await tokens.keep_delegation(assertion, principal.upn, vault)  # at the click
    async with gateway.for_delegate(upn, vault) as graph: ...      # in a worker, later

A cache holds her on-behalf-of access token and refresh token, so it is sealed with Fernet
(AES-128-CBC and HMAC-SHA256) before it reaches the table: a copy of the store without the key
holds nothing usable. Keys (``vault_keys``):

- ``SECRETARIAAT_TOKEN_KEYS`` set: comma-separated Fernet keys; the first seals, every one
  opens. To rotate, put a new key first and keep the old one behind it until the caches were
  written again (every click and every refresh re-seals with the first key), then drop it.
- not set: one key derived (HKDF-SHA256) from the app's client secret, which every instance
  already shares. Rotating the client secret then makes the stored caches unreadable: they
  read as absent, and each user's next click stores her delegation again.

A cache that no configured key opens reads as absent (a warning, without its content), never
as a crash. Neither the caches nor the tokens in them are ever logged.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.clock import Clock
from automations.store.db import clock_of
from automations.store.models import TokenCacheRow

__all__ = ["TokenVault", "vault_keys"]

log = logging.getLogger(__name__)

# Domain separation: the derived key is for this vault only, whatever else the secret keys.
_HKDF_SALT = b"secretariaat"
_HKDF_INFO = b"secretariaat token vault v1"


def vault_keys(configured: str | None, client_secret: str) -> MultiFernet:
    """The vault's keys: ``configured`` (comma-separated Fernet keys, the first seals, all
    open), or when that is empty one key derived from ``client_secret`` with HKDF-SHA256."""
    if configured and configured.strip():
        return _multi(configured.split(","))
    if not client_secret:
        raise ValueError("the token vault needs SECRETARIAAT_TOKEN_KEYS or a client secret")
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=_HKDF_INFO).derive(
        client_secret.encode()
    )
    return MultiFernet([Fernet(base64.urlsafe_b64encode(derived))])


def _multi(keys: Sequence[str]) -> MultiFernet:
    if isinstance(keys, str):
        keys = keys.split(",")
    fernets: list[Fernet] = []
    for position, key in enumerate(k.strip() for k in keys):
        if not key:
            continue
        try:
            fernets.append(Fernet(key))
        except ValueError:  # the key's value stays out of the message
            raise ValueError(
                f"token key {position + 1} is not a Fernet key (32 url-safe base64 bytes;"
                " make one with cryptography.fernet.Fernet.generate_key())"
            ) from None
    if not fernets:
        raise ValueError("no token keys given")
    return MultiFernet(fernets)


class TokenVault:
    """Sealed MSAL token caches by account (UPN, case-insensitive) in ``token_caches``."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        keys: Sequence[str] | MultiFernet,
        clock: Clock | None = None,
    ) -> None:
        self._sessions = sessions
        self._keys = keys if isinstance(keys, MultiFernet) else _multi(keys)
        self._clock = clock if clock is not None else clock_of(sessions)

    def __repr__(self) -> str:
        return "TokenVault(<keys hidden>)"

    def seal(self, data: bytes) -> bytes:
        """``data`` encrypted and authenticated with the first key."""
        return self._keys.encrypt_at_time(data, int(self._clock.now().timestamp()))

    def open(self, sealed: bytes) -> bytes:
        """What ``seal`` sealed with any of the keys; ``InvalidToken`` otherwise."""
        return self._keys.decrypt(sealed)

    async def put(self, account: str, cache_blob: str) -> None:
        """Store (or replace) ``account``'s serialised token cache, sealed."""
        values = {
            "account": account.lower(),
            "sealed": self.seal(cache_blob.encode()),
            "updated_at": self._clock.now(),
        }
        changes = {"sealed": values["sealed"], "updated_at": values["updated_at"]}
        async with self._sessions() as session, session.begin():
            if session.get_bind().dialect.name == "postgresql":
                upsert = postgresql.insert(TokenCacheRow).values(values)
                await session.execute(
                    upsert.on_conflict_do_update(index_elements=["account"], set_=changes)
                )
            else:
                lite = sqlite.insert(TokenCacheRow).values(values)
                await session.execute(
                    lite.on_conflict_do_update(index_elements=["account"], set_=changes)
                )

    async def get(self, account: str) -> str | None:
        """``account``'s token cache; None when there is none or no key opens it."""
        async with self._sessions() as session:
            sealed = await session.scalar(
                select(TokenCacheRow.sealed).where(TokenCacheRow.account == account.lower())
            )
        if sealed is None:
            return None
        try:
            return self.open(bytes(sealed)).decode()
        except InvalidToken:
            log.warning(
                "the token cache of %s opens with none of the configured keys (sealed with a"
                " key since rotated away?); it counts as absent until the next click",
                account.lower(),
            )
            return None

    async def forget(self, account: str) -> None:
        """Drop ``account``'s token cache: a task of hers waits for her next click."""
        async with self._sessions() as session, session.begin():
            await session.execute(
                delete(TokenCacheRow).where(TokenCacheRow.account == account.lower())
            )
