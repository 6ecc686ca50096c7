"""File versions: SharePoint keeps every replaced content as a major version (1.0, 2.0, ...).

The current content is the newest version; older ones are ``driveItemVersion`` records whose
bytes live in blobs under their own ids, so they can be listed, downloaded and restored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.context import Ctx
from sandbox.drive import render, service
from sandbox.drive.service import ItemNotFound
from sandbox.errors import GraphError
from sandbox.router import GraphResponse
from sandbox.store import Record, Store

if TYPE_CHECKING:
    from sandbox.drive.items import Target

__all__ = ["get_version", "get_version_content", "history", "list_versions", "restore_version"]


def history(store: Store, rec: Record) -> list[dict[str, Any]]:
    """Newest first, as Graph lists them; the current version is ``N.0`` and comes first."""
    old = [store.get(v, "driveItemVersion") for v in rec.data.get("_versions", [])]
    out = [{"id": f"{len(old) + 1}.0", "lastModifiedDateTime": rec.data["lastModifiedDateTime"],
            "lastModifiedBy": rec.data["lastModifiedBy"], "size": rec.data["size"],
            "_blob": rec.id}]  # fmt: skip
    for n, v in enumerate(old, start=1):
        if v is not None:
            out.append({"id": f"{n}.0", **v.data, "_blob": v.id})
    out[1:] = reversed(out[1:])
    return out


def _file(ctx: Ctx, t: Target) -> Record:
    rec = t.item(ctx)
    if "file" not in rec.data:
        raise GraphError("Versions are only available for files.", code="invalidRequest")
    return rec


def _version(ctx: Ctx, rec: Record, version_id: str) -> dict[str, Any]:
    for v in history(ctx.store, rec):
        if v["id"] == version_id:
            return v
    raise ItemNotFound("The requested version was not found.")


async def list_versions(ctx: Ctx, t: Target) -> GraphResponse:
    rec = _file(ctx, t)
    items = [render.version_json(v) for v in history(ctx.store, rec)]
    return render.page(ctx, items, f"{render.item_segment(t.context, rec)}/versions")


async def get_version(ctx: Ctx, t: Target) -> GraphResponse:
    rec = _file(ctx, t)
    v = _version(ctx, rec, t.action[1])
    return ctx.entity(
        render.version_json(v), f"{render.item_segment(t.context, rec)}/versions/$entity"
    )


async def get_version_content(ctx: Ctx, t: Target) -> GraphResponse:
    rec = _file(ctx, t)
    v = _version(ctx, rec, t.action[1])
    blob = ctx.store.get(v["_blob"])
    assert blob is not None
    return GraphResponse(status=302, headers={"Location": render.download_url(ctx, blob)})


async def restore_version(ctx: Ctx, t: Target) -> GraphResponse:
    """Restoring makes the old content the newest version, keeping the history."""
    rec = _file(ctx, t)
    v = _version(ctx, rec, t.action[1])
    content = ctx.store.get_blob(v["_blob"]) or b""
    service.replace_content(ctx.store, rec, content, render.identity(ctx))
    return GraphResponse(status=204)
