"""Drive, site and driveItem JSON as SharePoint's Graph endpoint renders them.

What depends on where an item sits (``parentReference.path``, ``webUrl``, folder sizes and
child counts) is computed here at read time, so renames and moves never rewrite descendants.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote, urlencode

from sandbox import odata
from sandbox.context import Ctx, public, with_select
from sandbox.drive import service
from sandbox.errors import GraphError
from sandbox.router import GraphResponse
from sandbox.store import Record, Store

__all__ = [
    "download_url",
    "drive_json",
    "identity",
    "item_json",
    "item_segment",
    "page",
    "site_json",
    "version_json",
]

_PAGE, _MAX_PAGE = 200, 1000
_OFFICE = (".docx", ".xlsx", ".pptx", ".doc", ".xls", ".ppt")


def identity(ctx: Ctx) -> dict[str, Any]:
    """``createdBy``/``lastModifiedBy`` for the caller: the user, or the app acting alone."""
    caller = ctx.caller
    if caller.user_id:
        user = ctx.directory.user(caller.user_id) or {}
        return {"user": {"id": caller.user_id, "displayName": user.get("displayName", "")}}
    app = ctx.directory.app(caller.app_id)
    name = app.display_name if app else caller.app_id
    return {
        "application": {"id": caller.app_id, "displayName": name},
        "user": {"displayName": "SharePoint App"},
    }


def drive_json(store: Store, drive: Record) -> dict[str, Any]:
    data = public(drive.data)
    used = _tree_size(store, service.root_of(store, drive))
    data["quota"] = {**data["quota"], "used": used, "remaining": data["quota"]["total"] - used}
    return data


def site_json(site: Record) -> dict[str, Any]:
    return public(site.data)


def download_url(ctx: Ctx, rec: Record) -> str:
    """A pre-authenticated URL, valid until the content changes (``tempauth`` in SharePoint)."""
    token = rec.data.get("_downloadToken", "")
    return (
        f"{ctx.base_url}/_layouts/15/download.aspx?UniqueId={_uid(rec)}"
        f"&Translate=false&tempauth={rec.id}.{token}&ApiVersion=2.0"
    )


def item_json(
    ctx: Ctx, drive: Record, rec: Record, *, by_drive_id: bool, with_download: bool = True
) -> dict[str, Any]:
    """One driveItem; ``by_drive_id`` picks ``/drives/{id}/root:`` or ``/drive/root:`` paths."""
    store, data = ctx.store, rec.data
    out: dict[str, Any] = {}
    if "file" in data and with_download:
        out["@microsoft.graph.downloadUrl"] = download_url(ctx, rec)
    out["createdBy"] = data.get("createdBy", service.SYSTEM)
    out["createdDateTime"] = data["createdDateTime"]
    if data.get("description"):
        out["description"] = data["description"]
    out["eTag"] = f'"{{{_uid(rec)}}},{data.get("_etagVersion", 1)}"'
    out["id"] = rec.id
    out["lastModifiedBy"] = data.get("lastModifiedBy", service.SYSTEM)
    out["lastModifiedDateTime"] = data["lastModifiedDateTime"]
    out["name"] = data["name"]
    out["parentReference"] = parent_reference(store, drive, rec, by_drive_id=by_drive_id)
    out["webUrl"] = web_url(store, drive, rec)
    out["cTag"] = f'"c:{{{_uid(rec)}}},{data.get("_contentVersion", data.get("_etagVersion", 1))}"'
    if "file" in data:
        out["file"] = data["file"]
    out["fileSystemInfo"] = data["fileSystemInfo"]
    if "folder" in data:
        out["folder"] = {"childCount": store.count("driveItem", mailbox=drive.id, parent=rec.id)}
    if "root" in data:
        out["root"] = {}
    out["size"] = _tree_size(store, rec) if "folder" in data else data["size"]
    return out


def parent_reference(
    store: Store, drive: Record, rec: Record, *, by_drive_id: bool
) -> dict[str, Any]:
    ref: dict[str, Any] = {"driveType": drive.data["driveType"], "driveId": drive.id}
    if rec.parent is None:
        return ref
    ref["id"] = rec.parent
    path = service.path_of(store, rec)
    if by_drive_id:
        path = path.replace("/drive/root:", f"/drives/{drive.id}/root:", 1)
    ref["path"] = path
    if drive.data.get("_siteId"):
        ref["siteId"] = drive.data["_siteId"]
    return ref


def web_url(store: Store, drive: Record, rec: Record) -> str:
    base = drive.data["webUrl"]
    if rec.parent is None:
        return base
    folder = service.path_of(store, rec).removeprefix("/drive/root:")
    name = rec.data["name"]
    if "file" in rec.data and name.lower().endswith(_OFFICE):
        site = base.rsplit("/", 1)[0]
        return (
            f"{site}/_layouts/15/Doc.aspx?sourcedoc=%7B{_uid(rec)}%7D"
            f"&file={quote(name)}&action=default&mobileredirect=true"
        )
    return base + quote(f"{folder}/{name}")


def item_segment(context: str, rec: Record) -> str:
    """The OData context path of one item below a drive prefix."""
    return f"{context}/root" if rec.parent is None else f"{context}/items('{rec.id}')"


def page(ctx: Ctx, items: list[dict[str, Any]], fragment: str) -> GraphResponse:
    """OneDrive paging: ``$top`` and an opaque ``$skiptoken`` in ``@odata.nextLink``."""
    q = ctx.query()
    if q.skip is not None:
        raise GraphError(
            "$skip is not supported on this API. Only URLs returned by the API can"
            " be used to page.",
            code="invalidRequest",
        )
    if q.filter is not None:
        items = [i for i in items if q.filter(i)]
    if q.orderby is not None:
        items = q.orderby(items)
    top = min(q.top if q.top is not None else _PAGE, _MAX_PAGE)
    start = _read_skiptoken(ctx.request.query.get("$skiptoken"))
    chunk = items[start : start + top]
    if q.select:
        chunk = [odata.apply_select(i, q.select) for i in chunk]
    body: dict[str, Any] = {"@odata.context": ctx.context_url(with_select(fragment, q.select))}
    if q.count:
        body["@odata.count"] = len(items)
    body["value"] = chunk
    if start + top < len(items):
        params = {k: v for k, v in ctx.request.query.items() if k != "$skiptoken"}
        params["$skiptoken"] = base64.b64encode(f"Paged=TRUE&p_ID={start + top}".encode()).decode()
        qs = urlencode(params, quote_via=quote, safe="$,()':/")
        body["@odata.nextLink"] = f"{ctx.base_url}{ctx.request.path}?{qs}"
    return GraphResponse(body=body)


def _read_skiptoken(token: str | None) -> int:
    if not token:
        return 0
    try:
        text = base64.b64decode(token, validate=True).decode()
        return int(text.rsplit("p_ID=", 1)[1])
    except (ValueError, IndexError) as exc:
        raise GraphError("Invalid skip token.", code="invalidRequest") from exc


def version_json(version: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in version.items() if not k.startswith("_")}


def _uid(rec: Record) -> str:
    """SharePoint's list item unique id, the GUID inside eTag and cTag."""
    return str(rec.data.get("_uid") or service.item_guid(rec.id)).upper()


def _tree_size(store: Store, rec: Record) -> int:
    if "folder" not in rec.data:
        return int(rec.data.get("size", 0))
    return sum(_tree_size(store, c) for c in service.children(store, rec))
