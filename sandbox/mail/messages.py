"""/users/{user}/messages and /mailFolders/{id}/messages: list, get, create, update, delete,
permanentDelete, move, copy and ``$value``. Sending and delta live in their own modules, routed
from here.
"""

from __future__ import annotations

import logging
from typing import Any

from sandbox.context import Ctx, with_select
from sandbox.errors import ErrorItemNotFound, GraphError
from sandbox.mail import access, compose, delta, listing, mime, render, sending, service
from sandbox.router import GraphResponse, Router
from sandbox.store import Record

_CHILD = "/users/{user}/mailFolders/{folder}/childFolders/{child}"

router = Router()
router.include(delta.router)  # before /messages/{message}, which would swallow "delta"
log = logging.getLogger(__name__)


def _entity(ctx: Ctx, rec: Record, *, status: int = 200, odata_type: bool = False):  # noqa: ANN202
    q = render.parse_message_query(ctx)
    fragment = with_select(f"{ctx.user_segment()}/messages/$entity", q.select)
    body = render.message_json(
        ctx, rec, select=q.select, expand=render.parse_expand(q.expand), odata_type=odata_type
    )
    return ctx.entity(
        body, fragment, status=status, select=False,
        headers=render.preference_applied(ctx),
    )  # fmt: skip


def _check_if_match(ctx: Ctx, rec: Record) -> None:
    wanted = ctx.request.headers.get("if-match")
    if wanted and wanted.strip() not in ("*", rec.data.get("@odata.etag")):
        raise GraphError(
            "The send or update operation could not be performed because the change key passed"
            " in the request does not match the current change key for the item.",
            code="ErrorIrresolvableConflict",
            status=412,
        )


def _destination(ctx: Ctx, operation: str) -> Record:
    body = sending.action_body(ctx, operation, ("destinationId",))
    dest = body.get("destinationId")
    if not isinstance(dest, str) or not dest:
        raise GraphError(
            "The value of the parameter 'DestinationId' is empty.", code="ErrorInvalidParameter"
        )
    return access.folder(ctx, dest)


def _in_folder(ctx: Ctx, folder: str | None) -> list[Record]:
    if folder is None:
        return ctx.store.find("message", mailbox=ctx.mailbox_id)
    return ctx.store.find("message", mailbox=ctx.mailbox_id, parent=access.folder(ctx, folder).id)


# -- collections ----------------------------------------------------------------------------
@router.route("GET", "/users/{user}/messages/$count", resource="mail")
@router.route("GET", "/users/{user}/mailFolders/{folder}/messages/$count", resource="mail")
async def count_messages(ctx: Ctx, user: str, folder: str | None = None) -> GraphResponse:
    q = render.parse_message_query(ctx)
    views = [render.filter_view(ctx, r) for r in _in_folder(ctx, folder)]
    total = sum(1 for v in views if q.filter is None or q.filter(v))
    return GraphResponse(body=str(total).encode(), content_type="text/plain")


@router.route("GET", "/users/{user}/messages", resource="mail")
async def list_messages(ctx: Ctx, user: str) -> GraphResponse:
    return listing.list_messages(ctx, _in_folder(ctx, None), f"{ctx.user_segment()}/messages")


@router.route("GET", "/users/{user}/mailFolders/{folder}/messages", resource="mail")
async def list_folder_messages(ctx: Ctx, user: str, folder: str) -> GraphResponse:
    fragment = f"{ctx.user_segment()}/mailFolders('{folder}')/messages"
    return listing.list_messages(ctx, _in_folder(ctx, folder), fragment)


@router.route(
    "GET", "/users/{user}/mailFolders/{folder}/childFolders/{child}/messages", resource="mail"
)
async def list_child_folder_messages(ctx: Ctx, user: str, folder: str, child: str) -> GraphResponse:
    if access.folder(ctx, child).parent != access.folder(ctx, folder).id:
        raise ErrorItemNotFound()
    fragment = f"{ctx.user_segment()}/mailFolders('{folder}')/childFolders('{child}')/messages"
    return listing.list_messages(ctx, _in_folder(ctx, child), fragment)


@router.route("POST", "/users/{user}/messages", resource="mail")
@router.route("POST", "/users/{user}/mailFolders/{folder}/messages", resource="mail")
async def create_message(ctx: Ctx, user: str, folder: str | None = None) -> GraphResponse:
    """A new draft (in Drafts, or in the folder posted to)."""
    access.require_write(ctx)
    target = access.folder(ctx, folder or "drafts")
    body = ctx.request.json()
    data: dict[str, Any] = {"toRecipients": [], "ccRecipients": [], "bccRecipients": []}
    compose.apply_changes(ctx.directory, data, body, creating=True)
    attachments = sending.file_attachments(body.get("attachments"))
    now = service.now_iso(ctx.store)
    data.update(sentDateTime=now, receivedDateTime=now, isRead=True)
    data.setdefault("body", {"contentType": "text", "content": ""})
    rec = service.deliver(
        ctx.store, ctx.mailbox_id, target.id, {**data, "attachments": attachments}, is_draft=True
    )
    log.info("draft created in %s", ctx.mailbox_id)
    return _entity(ctx, rec, status=201)


# -- one message ----------------------------------------------------------------------------
@router.route("GET", "/users/{user}/messages/{message}", resource="mail")
@router.route("GET", "/users/{user}/mailFolders/{folder}/messages/{message}", resource="mail")
async def get_message(ctx: Ctx, user: str, message: str, folder: str | None = None):  # noqa: ANN201
    return _entity(ctx, access.message(ctx, message, folder))


@router.route("PATCH", "/users/{user}/messages/{message}", resource="mail")
@router.route("PATCH", "/users/{user}/mailFolders/{folder}/messages/{message}", resource="mail")
async def update_message(ctx: Ctx, user: str, message: str, folder: str | None = None):  # noqa: ANN201
    access.require_write(ctx)
    rec = access.message(ctx, message, folder)
    _check_if_match(ctx, rec)
    data = dict(rec.data)
    compose.apply_changes(ctx.directory, data, ctx.request.json(), creating=False)
    service.touch(ctx.store, data)
    rec.data = data
    service.save_message(ctx.store, rec)
    return _entity(ctx, rec)


@router.route("DELETE", "/users/{user}/messages/{message}", resource="mail")
@router.route("DELETE", "/users/{user}/mailFolders/{folder}/messages/{message}", resource="mail")
async def delete_message(ctx: Ctx, user: str, message: str, folder: str | None = None):  # noqa: ANN201
    """Like Outlook: to Deleted Items; deleting from Deleted Items removes it for good."""
    access.require_write(ctx)
    rec = access.message(ctx, message, folder)
    _check_if_match(ctx, rec)
    deleted = service.well_known(ctx.store, ctx.mailbox_id, "deleteditems")
    if rec.parent == deleted.id:
        service.remove_message(ctx.store, rec)
    else:
        service.move_message(ctx.store, rec, deleted.id)
    return GraphResponse(status=204)


@router.route("POST", "/users/{user}/messages/{message}/permanentDelete", resource="mail")
@router.route(
    "POST", "/users/{user}/mailFolders/{folder}/messages/{message}/permanentDelete", resource="mail"
)
async def permanently_delete_message(
    ctx: Ctx, user: str, message: str, folder: str | None = None
) -> GraphResponse:
    """Gone for good (message-permanentdelete): Exchange puts it in the dumpster's Purges
    folder, which no client shows, so it does not pass through Deleted Items. No body; 204."""
    access.require_write(ctx)
    rec = access.message(ctx, message, folder)
    service.remove_message(ctx.store, rec)
    return GraphResponse(status=204)


@router.route("POST", "/users/{user}/messages/{message}/move", resource="mail")
@router.route("POST", "/users/{user}/mailFolders/{folder}/messages/{message}/move", resource="mail")
async def move_message(ctx: Ctx, user: str, message: str, folder: str | None = None):  # noqa: ANN201
    access.require_write(ctx)
    rec = access.message(ctx, message, folder)
    dest = _destination(ctx, "move")
    moved = service.move_message(ctx.store, rec, dest.id)
    return _entity(ctx, moved, status=201, odata_type=True)


@router.route("POST", "/users/{user}/messages/{message}/copy", resource="mail")
@router.route("POST", "/users/{user}/mailFolders/{folder}/messages/{message}/copy", resource="mail")
async def copy_message(ctx: Ctx, user: str, message: str, folder: str | None = None):  # noqa: ANN201
    access.require_write(ctx)
    rec = access.message(ctx, message, folder)
    dest = _destination(ctx, "copy")
    return _entity(ctx, service.copy_message(ctx.store, rec, dest.id), status=201, odata_type=True)


@router.route("GET", "/users/{user}/messages/{message}/$value", resource="mail")
@router.route(
    "GET", "/users/{user}/mailFolders/{folder}/messages/{message}/$value", resource="mail"
)
async def message_value(ctx: Ctx, user: str, message: str, folder: str | None = None):  # noqa: ANN201
    rec = access.message(ctx, message, folder)
    return GraphResponse(body=mime.message_mime(ctx.store, rec), content_type="text/plain")


router.include(sending.router)
