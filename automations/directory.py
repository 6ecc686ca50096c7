"""The tenant's people as the directory lists them: for choosing a user, and for knowing who a
signed-in user is.

A token's ``preferred_username`` is a display hint the user (or an admin) can change; Microsoft
documents it as unfit for authorisation. The stable key of a user is her object id (``oid``)
within her tenant (``tid``); ``Identities`` maps that key to the UPN the directory has for her
now (``GET /users/{oid}``, with the app's identity), cached in memory for a few minutes.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from automations.errors import AccessDenied, AuthenticationFailed, NotFound
from automations.graph import GraphSession, users

__all__ = [
    "IDENTITY_CACHE_SIZE",
    "IDENTITY_TTL_S",
    "DirectoryIdentity",
    "DirectoryUser",
    "Identities",
    "identity_of",
    "list_users",
]

_FIELDS = ("displayName", "userPrincipalName", "jobTitle")
_IDENTITY_FIELDS = ("id", "userPrincipalName", "mail", "accountEnabled")

IDENTITY_TTL_S = 600.0  # a renamed or disabled account is seen within ten minutes
IDENTITY_CACHE_SIZE = 5000  # far more than a municipality's secretariat; bounds the memory


@dataclass(frozen=True)
class DirectoryUser:
    upn: str
    name: str
    title: str


@dataclass(frozen=True)
class DirectoryIdentity:
    """Who an object id is now: her UPN (lower case, the roster's key) and primary address."""

    oid: str
    upn: str
    mail: str | None


async def list_users(graph: GraphSession) -> list[DirectoryUser]:
    """Everyone with a UPN, by name; follows Graph's paging."""
    found = await users.list_users(graph, select=_FIELDS)
    people = [
        DirectoryUser(u.user_principal_name, u.display_name or "", u.job_title or "")
        for u in found
        if u.user_principal_name
    ]
    return sorted(people, key=lambda p: (p.name or p.upn).lower())


def _unknown() -> AccessDenied:
    return AccessDenied(
        "Uw account is niet (meer) bekend of niet actief in de gebruikerslijst van de"
        " organisatie. Vraag de beheerder om uw account na te kijken.",
        code="unknown_account",
    )


async def identity_of(graph: GraphSession, oid: str) -> DirectoryIdentity:
    """The signed-in user (``graph`` acts on her behalf) as the directory has her now, checked
    to be object id ``oid``; ``AccessDenied`` when there is none, she has no UPN, or her
    account is disabled. Graph's other failures pass on as they are.

    Read as ``/me`` with her own delegated rights (``User.Read``): no directory-wide
    application permission is needed to know who is calling."""
    try:
        user = await users.get_me(graph, select=_IDENTITY_FIELDS)
    except NotFound:
        raise _unknown() from None
    except AuthenticationFailed as exc:
        # Entra ID refuses to exchange the token of a user it no longer has, or has disabled,
        # with invalid_grant and AADSTS50034 / AADSTS50057; a token past its time (still
        # inside our minute of clock skew) with AADSTS500133: she signs in again.
        said = (exc.detail or "").split(":", 1)[0]
        if exc.graph_code == "invalid_grant" and said in ("AADSTS50034", "AADSTS50057"):
            raise _unknown() from None
        if exc.graph_code == "invalid_grant" and said == "AADSTS500133":
            raise AuthenticationFailed("Het token is verlopen; meld u opnieuw aan.") from None
        raise
    # Graph answers a lookup by UPN as well as by id: only the same object id counts.
    if (
        (user.id or "").lower() != oid.lower()
        or not user.user_principal_name
        or user.account_enabled is False
    ):
        raise _unknown()
    mail = user.mail.lower() if user.mail else None
    return DirectoryIdentity(oid=oid, upn=user.user_principal_name.lower(), mail=mail)


class Identities:
    """(tenant, oid) -> ``DirectoryIdentity``, read on a miss through ``open_graph(token)``
    (Graph on behalf of the token's user); kept ``ttl_s`` seconds, at most ``max_size``
    entries (the oldest go first). Failures are not cached: the next request asks again."""

    def __init__(
        self,
        open_graph: Callable[[str], AbstractAsyncContextManager[GraphSession]],
        *,
        ttl_s: float = IDENTITY_TTL_S,
        max_size: int = IDENTITY_CACHE_SIZE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._open_graph = open_graph
        self._ttl_s, self._max_size, self._clock = ttl_s, max_size, clock
        self._cache: OrderedDict[tuple[str, str], tuple[float, DirectoryIdentity]] = OrderedDict()
        self._pending: dict[tuple[str, str], asyncio.Task[DirectoryIdentity]] = {}

    def __len__(self) -> int:
        return len(self._cache)

    def _cached(self, key: tuple[str, str]) -> DirectoryIdentity | None:
        hit = self._cache.get(key)
        if hit is None:
            return None
        stored_at, identity = hit
        if self._clock() - stored_at >= self._ttl_s:
            del self._cache[key]
            return None
        return identity

    async def resolve(self, *, tenant: str, oid: str, token: str) -> DirectoryIdentity:
        """Who the (validated) ``token`` of ``tenant``/``oid`` belongs to now."""
        key = (tenant, oid)
        found = self._cached(key)
        if found is not None:
            return found
        # One directory read per user at a time: a pane opening makes several calls at once.
        task = self._pending.get(key)
        if task is None:
            task = asyncio.create_task(self._read(key, token))
            task.add_done_callback(lambda t: t.cancelled() or t.exception())  # always retrieved
            self._pending[key] = task
        return await asyncio.shield(task)  # one caller giving up does not cancel the others

    async def _read(self, key: tuple[str, str], token: str) -> DirectoryIdentity:
        try:
            async with self._open_graph(token) as graph:
                found = await identity_of(graph, key[1])
        finally:
            self._pending.pop(key, None)
        self._cache[key] = (self._clock(), found)
        while len(self._cache) > self._max_size:
            self._cache.popitem(last=False)
        return found
