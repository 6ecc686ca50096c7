"""driveItem routes: get, children, folders, simple upload and download, rename/move, versions.

Graph addresses an item three ways below a drive: ``root``, ``items/{id}`` and a path in colon
syntax (``root:/a/b:`` or ``items/{id}:/rel:``), each optionally followed by an action
(``/children``, ``/content``, ``/versions``, ``/createUploadSession``). One catch-all route per
drive prefix parses that address; ``sandbox.drive.drives`` forwards the ``/sites/...`` forms.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sandbox.context import Ctx
from sandbox.drive import render, service, upload, versions
from sandbox.drive.service import ItemNotFound
from sandbox.errors import GraphError, MethodNotAllowed, NameAlreadyExists
from sandbox.router import GraphResponse, Router
from sandbox.store import Record

__all__ = ["ACTIONS", "Target", "handle", "parse_target", "router"]

log = logging.getLogger(__name__)
router = Router()

_ADDRESS = re.compile(r"^(root|items/([^/:]+))(.*)$", re.IGNORECASE)


@dataclass
class Target:
    """A parsed item address: the drive, the item the path starts from, the path, the action."""

    drive: Record
    base: Record
    path: str | None
    action: list[str]
    context: str  # OData context prefix: "drives('b%21..')", "users('..')/drive"
    by_drive_id: bool

    def item(self, ctx: Ctx) -> Record:
        if self.path is None:
            return self.base
        return service.resolve_path(ctx.store, self.base, self.path)


def parse_target(ctx: Ctx, drive: Record, rest: str, *, context: str, by_drive_id: bool) -> Target:
    m = _ADDRESS.match(rest)
    if m is None:
        segment = rest.split("/", 1)[0].split(":", 1)[0]
        raise GraphError(f"Resource not found for the segment '{segment}'.", code="BadRequest")
    base = service.get_item(ctx.store, drive, m.group(2) or "root")
    tail, path = m.group(3), None
    if tail.startswith(":"):
        body = tail[1:]
        end = body.find(":")
        path, tail = (body, "") if end < 0 else (body[:end], body[end + 1 :])
        path = path.strip("/")
    return Target(drive, base, path, [s for s in tail.split("/") if s], context, by_drive_id)


def check_personal(ctx: Ctx, drive: Record) -> None:
    """A OneDrive is its owner's; nothing here is shared with delegates."""
    owner = drive.data.get("_userId")
    if owner and ctx.caller.user_id and ctx.caller.user_id != owner:
        raise GraphError("Access denied", code="accessDenied", status=403)


# -- the two drive prefixes ---------------------------------------------------------------------
# Templates for the coverage list and method matching; the handlers parse the path themselves,
# because ``{item}`` may itself be a colon path (``root:/a/b:``) holding any segment names.
ACTIONS = (
    ("GET", ""), ("PATCH", ""), ("DELETE", ""),
    ("GET", "/children"), ("POST", "/children"),
    ("GET", "/content"), ("PUT", "/content"),
    ("GET", "/versions"), ("GET", "/versions/{version_id}"),
    ("GET", "/versions/{version_id}/content"),
    ("POST", "/versions/{version_id}/restoreVersion"),
    ("POST", "/createUploadSession"),
)  # fmt: skip
_BY_DRIVE = re.compile(r"^/drives/[^/]+/", re.IGNORECASE)
_BY_USER = re.compile(r"^/users/[^/]+/drive/", re.IGNORECASE)


async def by_drive(ctx: Ctx, drive_id: str, **_: str) -> GraphResponse:
    drive = service.get_drive(ctx.store, drive_id)
    check_personal(ctx, drive)
    rest = _BY_DRIVE.sub("", ctx.request.path, count=1)
    prefix = f"drives('{quote(drive.id, safe='')}')"
    return await handle(ctx, parse_target(ctx, drive, rest, context=prefix, by_drive_id=True))


async def by_user(ctx: Ctx, user: str, **_: str) -> GraphResponse:
    drive = service.drive_for_user(ctx.store, user)
    check_personal(ctx, drive)
    rest = _BY_USER.sub("", ctx.request.path, count=1)
    prefix = f"users('{user}')/drive"
    return await handle(ctx, parse_target(ctx, drive, rest, context=prefix, by_drive_id=False))


for _method, _suffix in ACTIONS:
    router.route(_method, "/drives/{drive_id}/{item:path}" + _suffix, resource="site")(by_drive)
    router.route(_method, "/users/{user}/drive/{item:path}" + _suffix, resource="drive")(by_user)


async def handle(ctx: Ctx, t: Target) -> GraphResponse:
    method, action = ctx.request.method, t.action
    key = (method, "/".join(action))
    handlers = {
        ("GET", ""): get_item,
        ("PATCH", ""): update_item,
        ("DELETE", ""): delete_item,
        ("GET", "children"): list_children,
        ("POST", "children"): create_child,
        ("GET", "content"): get_content,
        ("PUT", "content"): put_content,
        ("GET", "versions"): versions.list_versions,
        ("GET", "versions/{v}"): versions.get_version,
        ("GET", "versions/{v}/content"): versions.get_version_content,
        ("POST", "versions/{v}/restoreVersion"): versions.restore_version,
        ("POST", "createUploadSession"): create_upload_session,
    }
    if len(action) >= 2 and action[0] == "versions":
        key = (method, "/".join(["versions", "{v}", *action[2:]]))
    fn = handlers.get(key)
    if fn is None:
        if any(k[1] == key[1] for k in handlers):
            raise MethodNotAllowed(f"The HTTP method '{method}' is not allowed for this resource.")
        segment = action[-1] if action else "root"
        raise GraphError(f"Resource not found for the segment '{segment}'.", code="BadRequest")
    return await fn(ctx, t)


# -- rendering helpers --------------------------------------------------------------------------
def entity(ctx: Ctx, t: Target, rec: Record, *, status: int = 200) -> GraphResponse:
    body = render.item_json(ctx, t.drive, rec, by_drive_id=t.by_drive_id)
    where = "root" if rec.parent is None and t.path is None else "items"
    return ctx.entity(body, f"{t.context}/{where}/$entity", status=status)


def _conflict(ctx: Ctx, body: dict[str, Any] | None = None, default: str = "fail") -> str:
    """``@microsoft.graph.conflictBehavior`` from the query string, else the body."""
    value = ctx.request.query.get("@microsoft.graph.conflictBehavior")
    if value is None and body is not None:
        value = body.get("@microsoft.graph.conflictBehavior")
    return str(value or default).lower()


# -- item -------------------------------------------------------------------------------------
async def get_item(ctx: Ctx, t: Target) -> GraphResponse:
    return entity(ctx, t, t.item(ctx))


async def delete_item(ctx: Ctx, t: Target) -> GraphResponse:
    rec = t.item(ctx)
    if rec.parent is None:
        raise GraphError("The root folder cannot be deleted.", code="invalidRequest")
    parent = ctx.store.get(rec.parent, "driveItem")
    service.delete_item(ctx.store, rec)
    if parent is not None:
        service.touch_parent(ctx.store, parent)
    return GraphResponse(status=204)


async def update_item(ctx: Ctx, t: Target) -> GraphResponse:
    """Rename and/or move within the drive (``name``, ``parentReference``), or a description."""
    rec, body = t.item(ctx), ctx.request.json()
    if rec.parent is None:
        raise GraphError("The root folder cannot be renamed or moved.", code="invalidRequest")
    store = ctx.store
    new_name = body.get("name", rec.data["name"])
    if not isinstance(new_name, str):
        raise GraphError("Invalid value for property 'name'.", code="invalidRequest")
    service.check_name(new_name)
    parent = store.get(rec.parent, "driveItem")
    assert parent is not None
    target_parent = parent
    ref = body.get("parentReference")
    if ref is not None:
        target_parent = _destination(ctx, t, ref)
        if "folder" not in target_parent.data:
            raise GraphError("The destination is not a folder.", code="invalidRequest")
        if service.is_ancestor(store, rec, target_parent):
            raise GraphError(
                "An item cannot be moved into itself or one of its descendants.",
                code="invalidRequest",
            )
    clash = service.child_named(store, target_parent, new_name)
    if clash is not None and clash.id != rec.id:
        behavior = _conflict(ctx, body)
        if behavior == "replace":
            service.delete_item(store, clash)
        elif behavior == "rename":
            new_name = service.free_name(store, target_parent, new_name)
        else:
            raise NameAlreadyExists("The specified item name already exists.")
    with store.transaction():
        rec.data["name"] = new_name
        if isinstance(body.get("description"), str):
            rec.data["description"] = body["description"]
        info = body.get("fileSystemInfo")
        for key in ("createdDateTime", "lastModifiedDateTime"):
            if isinstance(info, dict) and isinstance(info.get(key), str):
                rec.data["fileSystemInfo"][key] = info[key]
        rec.data["lastModifiedBy"] = render.identity(ctx)
        service.touch_item(store, rec)
        rec.parent = target_parent.id
        store.put(rec, container=rec.mailbox)
        service.touch_parent(store, parent)
        if target_parent.id != parent.id:
            service.touch_parent(store, target_parent)
    return entity(ctx, t, rec)


def _destination(ctx: Ctx, t: Target, ref: Any) -> Record:
    if not isinstance(ref, dict):
        raise GraphError("Invalid value for property 'parentReference'.", code="invalidRequest")
    drive_id = ref.get("driveId")
    if drive_id and drive_id != t.drive.id:
        raise GraphError(
            "Moving items between drives is not supported; use copy.", code="invalidRequest"
        )
    if ref.get("id"):
        return service.get_item(ctx.store, t.drive, ref["id"])
    if ref.get("path"):
        path = str(ref["path"]).split("root:", 1)[-1]
        return service.resolve_path(ctx.store, service.root_of(ctx.store, t.drive), path)
    raise GraphError("parentReference needs an id or a path.", code="invalidRequest")


# -- children ---------------------------------------------------------------------------------
async def list_children(ctx: Ctx, t: Target) -> GraphResponse:
    folder = t.item(ctx)
    if "folder" not in folder.data:
        raise ItemNotFound("The item is not a folder.")
    items = [
        render.item_json(ctx, t.drive, c, by_drive_id=t.by_drive_id)
        for c in service.children(ctx.store, folder)
    ]
    return render.page(ctx, items, f"{render.item_segment(t.context, folder)}/children")


async def create_child(ctx: Ctx, t: Target) -> GraphResponse:
    """POST children makes a folder, or an empty file when the body has a ``file`` facet."""
    parent, body = t.item(ctx), ctx.request.json()
    if "folder" not in parent.data:
        raise GraphError("The parent item is not a folder.", code="invalidRequest")
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise GraphError("The name property is required.", code="invalidRequest")
    if ("folder" in body) == ("file" in body):
        raise GraphError(
            "The item must have exactly one of the folder or file facets.", code="invalidRequest"
        )
    by, conflict = render.identity(ctx), _conflict(ctx, body)
    if "file" in body:
        rec, created = service.write_file(ctx.store, parent, name, b"", by, conflict=conflict)
    else:
        rec, created = service.create_folder(ctx.store, parent, name, by, conflict=conflict)
    if created and isinstance(body.get("description"), str):
        rec.data["description"] = body["description"]
        ctx.store.put(rec, container=rec.mailbox)
    return entity(ctx, t, rec, status=201 if created else 200)


# -- content ----------------------------------------------------------------------------------
async def get_content(ctx: Ctx, t: Target) -> GraphResponse:
    """302 to the pre-authenticated download URL, as SharePoint answers."""
    rec = t.item(ctx)
    if "file" not in rec.data:
        raise ItemNotFound("The item has no content: it is a folder.")
    return GraphResponse(status=302, headers={"Location": render.download_url(ctx, rec)})


async def put_content(ctx: Ctx, t: Target) -> GraphResponse:
    """Simple upload: a new file (201) or a new version of an existing one (200)."""
    store, content, by = ctx.store, ctx.request.body, render.identity(ctx)
    if t.path is None:
        rec = t.base
        if "file" not in rec.data:
            raise NameAlreadyExists("The specified item name already exists.")
        service.replace_content(store, rec, content, by)
        return entity(ctx, t, rec)
    parent, name = new_file_place(ctx, t)
    existing = service.child_named(store, parent, name)
    if existing is not None and "folder" in existing.data:
        raise NameAlreadyExists("The specified item name already exists.")
    rec, created = service.write_file(
        store, parent, name, content, by, conflict=_conflict(ctx, default="replace")
    )
    return entity(ctx, t, rec, status=201 if created else 200)


def new_file_place(ctx: Ctx, t: Target) -> tuple[Record, str]:
    """The folder (created along the way if missing) and name a path-addressed upload targets."""
    assert t.path is not None
    *dirs, name = t.path.split("/")
    if not name:
        raise GraphError("The file name is missing from the path.", code="invalidRequest")
    service.check_name(name)
    parent = service.ensure_folders(ctx.store, t.base, dirs, render.identity(ctx))
    return parent, name


# -- upload sessions --------------------------------------------------------------------------
async def create_upload_session(ctx: Ctx, t: Target) -> GraphResponse:
    body = ctx.request.json()
    item = body.get("item") or {}
    if not isinstance(item, dict):
        raise GraphError("Invalid value for property 'item'.", code="invalidRequest")
    defer = bool(body.get("deferCommit", False))
    if t.path is None:
        rec = t.base
        if "file" not in rec.data:
            raise GraphError("An upload session needs a file name.", code="invalidRequest")
        parent = ctx.store.get(rec.parent or "", "driveItem")
        assert parent is not None
        session = upload.open_session(
            ctx,
            t.drive,
            parent,
            rec.data["name"],
            replace=rec,
            conflict="replace",
            defer=defer,
            size=item.get("fileSize"),
        )
    else:
        parent, name = new_file_place(ctx, t)
        if item.get("name") and item["name"] != name:
            raise GraphError(
                "The name in the request body must match the name in the path.",
                code="invalidRequest",
            )
        conflict = _conflict(ctx, item, default="fail")
        session = upload.open_session(
            ctx,
            t.drive,
            parent,
            name,
            replace=None,
            conflict=conflict,
            defer=defer,
            size=item.get("fileSize"),
        )
    return ctx.entity(session, "microsoft.graph.uploadSession", select=False)
