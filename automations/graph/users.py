"""The tenant's directory: its users as Graph lists them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.models.user import User
from msgraph.generated.users.item.user_item_request_builder import UserItemRequestBuilder
from msgraph.generated.users.users_request_builder import UsersRequestBuilder

from automations.errors import NotFound
from automations.graph.batch import BatchRequest
from automations.graph.client import GraphSession

__all__ = ["find_users", "get_me", "list_users"]


async def list_users(graph: GraphSession, *, select: Sequence[str], top: int = 999) -> list[User]:
    """Every user in the directory, following Graph's pages (``top`` per page; 999 is
    Graph's largest, so a municipality's directory is one or two round trips)."""
    query = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(select=list(select), top=top)
    builder = graph.sdk.users
    page = await graph.run(builder.get(RequestConfiguration(query_parameters=query)))
    found = list((page.value if page else None) or [])
    while page and page.odata_next_link:
        page = await graph.run(builder.with_url(page.odata_next_link).get())
        found.extend((page.value if page else None) or [])
    return found


async def get_me(graph: GraphSession, *, select: Sequence[str]) -> User:
    """The signed-in user herself: ``GET /me?$select=...`` (delegated ``User.Read``, which
    every app registration has; no directory-wide permission needed)."""
    query = UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters(select=list(select))
    found = await graph.run(graph.sdk.me.get(RequestConfiguration(query_parameters=query)))
    if found is None:
        raise NotFound("De aangemelde gebruiker staat niet in de gebruikerslijst.")
    return found


async def find_users(
    graph: GraphSession, addresses: Sequence[str], *, select: Sequence[str]
) -> dict[str, dict[str, Any] | None]:
    """Each address as the directory has it (None: not in the tenant), in one ``$batch``;
    any other refusal raises."""
    if not addresses:
        return {}
    answers = await graph.batch(
        [BatchRequest("GET", f"/users/{quote(a)}?$select={','.join(select)}") for a in addresses]
    )
    found: dict[str, dict[str, Any] | None] = {}
    for address, answer in zip(addresses, answers, strict=True):
        if answer.status == 404:
            found[address] = None
            continue
        answer.raise_for_status()
        found[address] = dict(answer.body)
    return found
