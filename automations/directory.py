"""The tenant's people as the directory lists them (for choosing a user, not for policy)."""

from __future__ import annotations

from dataclasses import dataclass

from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.users.users_request_builder import UsersRequestBuilder

from automations.graph import GraphSession

__all__ = ["DirectoryUser", "list_users"]

_USERS = RequestConfiguration(
    query_parameters=UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
        select=["displayName", "userPrincipalName", "jobTitle"], top=999
    )
)


@dataclass(frozen=True)
class DirectoryUser:
    upn: str
    name: str
    title: str


async def list_users(graph: GraphSession) -> list[DirectoryUser]:
    """Everyone with a UPN, by name; follows Graph's paging."""
    builder = graph.sdk.users
    page = await graph.run(builder.get(_USERS))
    found = list((page.value if page else None) or [])
    while page and page.odata_next_link:
        page = await graph.run(builder.with_url(page.odata_next_link).get())
        found.extend((page.value if page else None) or [])
    people = [
        DirectoryUser(u.user_principal_name, u.display_name or "", u.job_title or "")
        for u in found
        if u.user_principal_name
    ]
    return sorted(people, key=lambda p: (p.name or p.upn).lower())
