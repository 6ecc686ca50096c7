"""/users/{user}/mailFolders: the folder tree, with counts derived on every read."""

from __future__ import annotations

import logging
from typing import Any

from sandbox.context import Ctx
from sandbox.errors import ErrorInvalidRequest, ErrorItemNotFound, GraphError
from sandbox.mail import access, service
from sandbox.mail.render import folder_json
from sandbox.router import GraphResponse, Router
from sandbox.store import Record

router = Router()
log = logging.getLogger(__name__)

_WRITABLE = {"displayName", "isHidden"}


def _children(ctx: Ctx, parent: Record) -> list[dict[str, Any]]:
    hidden = ctx.query().extra.get("includeHiddenFolders", "").lower() == "true"
    stats = service.folder_stats(ctx.store, ctx.mailbox_id)
    kids = ctx.store.find("mailFolder", mailbox=ctx.mailbox_id, parent=parent.id)
    items = [folder_json(k, stats) for k in kids if hidden or not k.data.get("isHidden")]
    items.sort(key=lambda f: (f["displayName"] or "").casefold())
    return items


def _payload(ctx: Ctx) -> dict[str, Any]:
    body = ctx.request.json()
    for key in body:
        if key.startswith("@odata."):
            continue
        if key not in _WRITABLE and key not in ("id", "parentFolderId"):
            raise GraphError(
                f"The property '{key}' does not exist on type 'microsoft.graph.mailFolder'. Make"
                " sure to only use property names that are defined by the type or mark the type"
                " as open type.",
                code="RequestBodyRead",
            )
    if "displayName" in body and not isinstance(body["displayName"], str):
        raise GraphError(
            "Cannot convert the literal to the expected type 'Edm.String'.", code="RequestBodyRead"
        )
    if "isHidden" in body and not isinstance(body["isHidden"], bool):
        raise GraphError(
            "Cannot convert the literal to the expected type 'Edm.Boolean'.", code="RequestBodyRead"
        )
    return body


def _create(ctx: Ctx, parent: Record) -> GraphResponse:
    access.require_write(ctx)
    body = _payload(ctx)
    name = (body.get("displayName") or "").strip()
    if not name:
        raise ErrorInvalidRequest("The folder name cannot be empty.")
    siblings = ctx.store.find("mailFolder", mailbox=ctx.mailbox_id, parent=parent.id)
    if any((s.data.get("displayName") or "").casefold() == name.casefold() for s in siblings):
        raise GraphError(
            "A folder with the specified name already exists.", code="ErrorFolderExists", status=409
        )
    rec = service.create_folder(
        ctx.store, ctx.mailbox_id, parent.id, name, hidden=bool(body.get("isHidden", False))
    )
    log.info("folder %r created in %s", name, ctx.mailbox_id)
    stats = service.folder_stats(ctx.store, ctx.mailbox_id)
    fragment = f"{ctx.user_segment()}/mailFolders/$entity"
    return ctx.entity(folder_json(rec, stats), fragment, status=201, select=False)


@router.route("GET", "/users/{user}/mailFolders", resource="mail")
async def list_folders(ctx: Ctx, user: str) -> GraphResponse:
    root = service.well_known(ctx.store, ctx.mailbox_id, service.ROOT)
    return ctx.collection(_children(ctx, root), f"{ctx.user_segment()}/mailFolders")


@router.route("POST", "/users/{user}/mailFolders", resource="mail")
async def create_top_folder(ctx: Ctx, user: str) -> GraphResponse:
    return _create(ctx, service.well_known(ctx.store, ctx.mailbox_id, service.ROOT))


@router.route("GET", "/users/{user}/mailFolders/{folder}", resource="mail")
async def get_folder(ctx: Ctx, user: str, folder: str) -> GraphResponse:
    rec = access.folder(ctx, folder)
    stats = service.folder_stats(ctx.store, ctx.mailbox_id)
    return ctx.entity(folder_json(rec, stats), f"{ctx.user_segment()}/mailFolders/$entity")


@router.route("PATCH", "/users/{user}/mailFolders/{folder}", resource="mail")
async def update_folder(ctx: Ctx, user: str, folder: str) -> GraphResponse:
    access.require_write(ctx)
    rec = access.folder(ctx, folder)
    body = _payload(ctx)
    if "displayName" in body:
        if rec.data.get("_wellKnownName"):
            raise ErrorInvalidRequest("The name of a default folder cannot be changed.")
        name = body["displayName"].strip()
        siblings = ctx.store.find("mailFolder", mailbox=ctx.mailbox_id, parent=rec.parent)
        if any(
            s.id != rec.id and (s.data.get("displayName") or "").casefold() == name.casefold()
            for s in siblings
        ):
            raise GraphError(
                "A folder with the specified name already exists.",
                code="ErrorFolderExists",
                status=409,
            )
        rec.data["displayName"] = name
    if "isHidden" in body:
        rec.data["isHidden"] = body["isHidden"]
    ctx.store.put(rec)
    stats = service.folder_stats(ctx.store, ctx.mailbox_id)
    return ctx.entity(folder_json(rec, stats), f"{ctx.user_segment()}/mailFolders/$entity")


@router.route("GET", "/users/{user}/mailFolders/{folder}/childFolders", resource="mail")
async def list_child_folders(ctx: Ctx, user: str, folder: str) -> GraphResponse:
    parent = access.folder(ctx, folder)
    fragment = f"{ctx.user_segment()}/mailFolders('{folder}')/childFolders"
    return ctx.collection(_children(ctx, parent), fragment)


@router.route("POST", "/users/{user}/mailFolders/{folder}/childFolders", resource="mail")
async def create_child_folder(ctx: Ctx, user: str, folder: str) -> GraphResponse:
    return _create(ctx, access.folder(ctx, folder))


@router.route("GET", "/users/{user}/mailFolders/{folder}/childFolders/{child}", resource="mail")
async def get_child_folder(ctx: Ctx, user: str, folder: str, child: str) -> GraphResponse:
    parent = access.folder(ctx, folder)
    rec = access.folder(ctx, child)
    if rec.parent != parent.id:
        raise ErrorItemNotFound()
    stats = service.folder_stats(ctx.store, ctx.mailbox_id)
    fragment = f"{ctx.user_segment()}/mailFolders('{folder}')/childFolders/$entity"
    return ctx.entity(folder_json(rec, stats), fragment)
