"""/users and /me: the directory's user objects."""

from __future__ import annotations

import re
from typing import Any

from sandbox.context import Ctx, public
from sandbox.errors import GraphError
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


# What User.ReadBasic.All reads of another user; Graph answers every other property as null
# (permissions reference, "User.ReadBasic.All": display name, first and last name, email
# address, photo; microsoftgraph/microsoft-graph-docs#4993: jobTitle comes back null).
BASIC_PROFILE = frozenset(
    {"id", "displayName", "givenName", "surname", "mail", "userPrincipalName"}
)
_FULL_PROFILE = frozenset(
    {"User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
)


def _basic_only(ctx: Ctx, user: dict[str, Any]) -> bool:
    caller = ctx.caller
    if caller.is_app_only or caller.user_id == user.get("id"):
        return False  # the app's User.Read.All, or one's own profile through User.Read
    return not caller.scopes & _FULL_PROFILE


def user_view(ctx: Ctx, user: dict[str, Any]) -> dict[str, Any]:
    data = public(user)
    if _basic_only(ctx, user):
        data = {k: (v if k in BASIC_PROFILE else None) for k, v in data.items()}
    q = ctx.query()
    if q.select:
        return data
    return {k: data.get(k) for k in DEFAULT_USER_FIELDS}


_TERM = re.compile(r'"(?P<prop>\w+):(?P<value>[^"]*)"|(?P<op>\bOR\b|\bAND\b)')


def search_users(ctx: Ctx, users: list[dict[str, Any]], expr: str) -> list[dict[str, Any]]:
    """Directory ``$search``: ``"displayName:wa" OR "mail:jo"``, word-prefix matching.

    Graph only runs it with ``ConsistencyLevel: eventual`` (advanced queries).
    """
    if ctx.request.headers.get("consistencylevel", "").lower() != "eventual":
        raise GraphError(
            "Request with $search query parameter only works through MSGraph with a special"
            " request header: 'ConsistencyLevel: eventual'",
            code="Request_UnsupportedQuery",
        )
    terms: list[tuple[str, str]] = []
    op = "OR"
    pos = 0
    for m in _TERM.finditer(expr):
        if expr[pos : m.start()].strip():
            break
        pos = m.end()
        if m.group("op"):
            op = m.group("op")
        else:
            terms.append((m.group("prop"), m.group("value").lower()))
    if not terms or expr[pos:].strip():
        raise GraphError(
            f"Syntax error: invalid $search expression '{expr}'.", code="Request_BadRequest"
        )

    def matches(user: dict[str, Any], prop: str, value: str) -> bool:
        field = next((v for k, v in user.items() if k.lower() == prop.lower()), None)
        words = re.split(r"[\s@._-]+", str(field or "").lower())
        return any(w.startswith(value) for w in words)

    combine = all if op == "AND" else any
    return [u for u in users if combine(matches(u, p, v) for p, v in terms)]


@router.route("GET", "/users", resource="directory")
async def list_users(ctx: Ctx) -> GraphResponse:
    users = sorted(ctx.directory.users(), key=lambda u: u["userPrincipalName"].lower())
    search = ctx.query().search
    if search:
        users = search_users(ctx, users, search)
    items = [user_view(ctx, u) for u in users]
    # The directory pages with an opaque $skiptoken and refuses $skip (List users docs:
    # "$skip isn't supported"; https://learn.microsoft.com/graph/paging).
    return ctx.collection(items, "users", default_page=100, max_page=999, skiptoken=True)


@router.route("GET", "/users/{user}", resource="directory")
async def get_user(ctx: Ctx, user: str) -> GraphResponse:
    assert ctx.mailbox is not None
    return ctx.entity(user_view(ctx, ctx.mailbox), "users/$entity")  # $select joins the context
