"""The tenant's people as the directory lists them (for choosing a user, not for policy)."""

from __future__ import annotations

from dataclasses import dataclass

from automations.graph import GraphSession, users

__all__ = ["DirectoryUser", "list_users"]

_FIELDS = ("displayName", "userPrincipalName", "jobTitle")


@dataclass(frozen=True)
class DirectoryUser:
    upn: str
    name: str
    title: str


async def list_users(graph: GraphSession) -> list[DirectoryUser]:
    """Everyone with a UPN, by name; follows Graph's paging."""
    found = await users.list_users(graph, select=_FIELDS)
    people = [
        DirectoryUser(u.user_principal_name, u.display_name or "", u.job_title or "")
        for u in found
        if u.user_principal_name
    ]
    return sorted(people, key=lambda p: (p.name or p.upn).lower())
