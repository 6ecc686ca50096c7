"""The tenant's directory: its users as Graph lists them, a user's path and settings, and the
app's own registration (``$batch`` requests for callers that ask many at once)."""

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

__all__ = [
    "any_user_request",
    "application_request",
    "find_users",
    "get_me",
    "list_users",
    "mailbox_settings_request",
    "user_path",
]


def user_path(upn: str) -> str:
    """``/users/{upn}``, the address escaped for a URL path."""
    return f"/users/{quote(upn)}"


def mailbox_settings_request(upn: str) -> BatchRequest:
    """A mailbox's settings (working hours, time zone): also whether the app may reach it."""
    return BatchRequest("GET", f"{user_path(upn)}/mailboxSettings")


def any_user_request() -> BatchRequest:
    """The cheapest directory read there is (one user's id): for its answer's headers."""
    return BatchRequest("GET", "/users?$top=1&$select=id")


def application_request(client_id: str, select: Sequence[str]) -> BatchRequest:
    """An app registration by its client id (Graph's ``appId`` alternate key); needs
    Application.Read.All."""
    return BatchRequest(
        "GET", f"/applications(appId='{quote(client_id)}')?$select={','.join(select)}"
    )


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
        [BatchRequest("GET", f"{user_path(a)}?$select={','.join(select)}") for a in addresses]
    )
    found: dict[str, dict[str, Any] | None] = {}
    for address, answer in zip(addresses, answers, strict=True):
        if answer.status == 404:
            found[address] = None
            continue
        answer.raise_for_status()
        found[address] = dict(answer.body)
    return found
