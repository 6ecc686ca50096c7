"""GET /users/{user}/mailFolders/{id}/messages/delta: Outlook's message sync for one folder.

The first round lists the folder; later rounds (``$deltatoken``) list only what changed since
the token: changed or new messages in full, moved-out or deleted ones as ``@removed``. Pages
are cut by ``Prefer: odata.maxpagesize`` and chained by ``$skiptoken``. Tokens are opaque to
clients; one this sandbox never issued is answered like an expired one: 410 SyncStateNotFound.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote

from sandbox.context import Ctx
from sandbox.errors import ErrorItemNotFound, GraphError
from sandbox.mail import access, render
from sandbox.router import GraphResponse, Router
from sandbox.store import Record

__all__ = ["router"]

router = Router()

_CHILD = "/users/{user}/mailFolders/{folder}/childFolders/{child}"
DEFAULT_PAGE = 10
MAX_PAGE = 1000


def _encode(state: dict[str, Any]) -> str:
    raw = json.dumps(state, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _gone() -> GraphError:
    return GraphError(
        "The sync state generation is not found; the delta token is unknown or has expired.",
        code="SyncStateNotFound",
        status=410,
    )


def _decode(token: str, folder_id: str, phase: str | None = None) -> dict[str, Any]:
    try:
        padded = token + "=" * (-len(token) % 4)
        state = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise _gone() from exc
    if (
        not isinstance(state, dict)
        or state.get("f") != folder_id
        or not isinstance(state.get("w"), int)
    ):
        raise _gone()
    if phase is not None and state.get("p") != phase:
        raise _gone()
    return state


def _page_size(ctx: Ctx) -> tuple[int, dict[str, str]]:
    raw = ctx.request.prefer().get("odata.maxpagesize")
    if raw and raw.isdigit() and int(raw) > 0:
        size = min(int(raw), MAX_PAGE)
        return size, {"Preference-Applied": f"odata.maxpagesize={size}"}
    return DEFAULT_PAGE, {}


def _link(ctx: Ctx, name: str, state: dict[str, Any]) -> str:
    keep = {k: v for k, v in ctx.request.query.items() if k.lower() in ("$select", "select")}
    parts = [f"{k}={quote(v, safe=',')}" for k, v in keep.items()]
    parts.append(f"{name}={_encode(state)}")
    return f"{ctx.base_url}{ctx.request.path}?{'&'.join(parts)}"


def _removed(ctx: Ctx, rec_id: str, folder_id: str) -> dict[str, Any]:
    """A removal names the id the client knew: immutable, or the regular id it had here."""
    shown = rec_id
    if not ctx.immutable_ids:
        rec = ctx.store.get(rec_id, "message")
        former = (rec.data.get("_formerIds") if rec else None) or ctx.store.get_meta(
            f"mail.removed:{rec_id}"
        )
        shown = (former or {}).get(folder_id) or (rec.rid if rec and rec.rid else rec_id)
    return {
        "@odata.type": "#microsoft.graph.message",
        "id": shown,
        "@removed": {"reason": "deleted"},
    }


def _render(ctx: Ctx, rec: Record, select: list[str] | None) -> dict[str, Any]:
    return render.message_json(ctx, rec, select=select, odata_type=True)


@router.route("GET", "/users/{user}/mailFolders/{folder}/messages/delta", resource="mail")
@router.route("GET", "/users/{user}/mailFolders/{folder}/messages/delta()", resource="mail")
@router.route("GET", _CHILD + "/messages/delta", resource="mail")
@router.route("GET", _CHILD + "/messages/delta()", resource="mail")
async def messages_delta(
    ctx: Ctx, user: str, folder: str, child: str | None = None
) -> GraphResponse:
    target = access.folder(ctx, folder)
    if child is not None:
        parent, target = target, access.folder(ctx, child)
        if target.parent != parent.id:
            raise ErrorItemNotFound()
    q = render.parse_message_query(ctx)
    size, headers = _page_size(ctx)
    if q.top is not None:
        size = q.top
    skip = q.raw.get("$skiptoken")
    token = q.raw.get("$deltatoken")
    if skip:
        state = _decode(skip, target.id)
    elif token:
        state = _decode(token, target.id, "d")
        state = {"f": target.id, "w": state["w"], "p": "c", "u": ctx.store.watermark(), "a": 0}
    else:
        state = {"f": target.id, "w": ctx.store.watermark(), "p": "i", "a": ""}
    if state.get("p") == "i":
        value, done, state = _initial_page(ctx, target, state, size, q.select)
    elif state.get("p") == "c":
        value, done, state = _changes_page(ctx, target, state, size, q.select)
    else:
        raise _gone()
    body: dict[str, Any] = {
        "@odata.context": ctx.context_url("Collection(message)"),
        "value": value,
    }
    if done:
        final = state["u"] if state.get("p") == "c" else state["w"]
        body["@odata.deltaLink"] = _link(ctx, "$deltatoken", {"f": target.id, "w": final, "p": "d"})
    else:
        body["@odata.nextLink"] = _link(ctx, "$skiptoken", state)
    headers.update(render.preference_applied(ctx))
    return GraphResponse(body=body, headers=headers)


def _initial_page(
    ctx: Ctx, folder: Record, state: dict[str, Any], size: int, select: list[str] | None
) -> tuple[list[dict[str, Any]], bool, dict[str, Any]]:
    """Every message in the folder, in a stable order, after the cursor ``a``."""
    recs = ctx.store.find("message", mailbox=ctx.mailbox_id, parent=folder.id)
    recs.sort(key=_cursor)
    after = state.get("a") or ""
    pending = [r for r in recs if _cursor(r) > after]
    page = pending[:size]
    if page:
        state = {**state, "a": _cursor(page[-1])}
    return [_render(ctx, r, select) for r in page], len(pending) <= size, state


def _cursor(rec: Record) -> str:
    return f"{rec.data.get('createdDateTime') or ''}|{rec.id}"


def _changes_page(
    ctx: Ctx, folder: Record, state: dict[str, Any], size: int, select: list[str] | None
) -> tuple[list[dict[str, Any]], bool, dict[str, Any]]:
    """Changes after watermark ``w`` up to ``u`` (the round's start), after sequence ``a``."""
    changes = [
        c
        for c in ctx.store.changes([folder.id], state["w"])
        if c.seq <= state["u"] and c.seq > state["a"]
    ]
    page = changes[:size]
    out = []
    for change in page:
        rec = ctx.store.get(change.id, "message")
        if rec is not None and rec.parent == folder.id and rec.mailbox == ctx.mailbox_id:
            out.append(_render(ctx, rec, select))
        else:
            out.append(_removed(ctx, change.id, folder.id))
    if page:
        state = {**state, "a": page[-1].seq}
    return out, len(changes) <= size, state
