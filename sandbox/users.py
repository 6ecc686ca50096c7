"""/users and /me: the directory's user objects."""

from __future__ import annotations

from typing import Any

from sandbox.context import Ctx, public
from sandbox.router import GraphResponse, Router

router = Router()

# The default property set Graph returns for a user without $select.
DEFAULT_USER_FIELDS = (
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
)


def user_view(ctx: Ctx, user: dict[str, Any]) -> dict[str, Any]:
    data = public(user)
    q = ctx.query()
    if q.select:
        return data
    return {k: data.get(k) for k in DEFAULT_USER_FIELDS}


@router.route("GET", "/users", resource="directory")
async def list_users(ctx: Ctx) -> GraphResponse:
    users = sorted(ctx.directory.users(), key=lambda u: u["userPrincipalName"].lower())
    items = [user_view(ctx, u) for u in users]
    return ctx.collection(items, "users", default_page=100, max_page=999)


@router.route("GET", "/users/{user}", resource="directory")
async def get_user(ctx: Ctx, user: str) -> GraphResponse:
    assert ctx.mailbox is not None
    return ctx.entity(user_view(ctx, ctx.mailbox), "users/$entity")
