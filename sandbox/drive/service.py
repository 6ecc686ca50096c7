"""Drive state: personal OneDrives, SharePoint sites with their libraries, items and versions.

Items are stored as Graph JSON without their path: a folder rename or move would otherwise
have to rewrite every descendant. ``parentReference.path`` and ``childCount`` are derived when
rendered. Content lives in blobs: the current bytes under the item id, each older version under
its version record's id.
"""

from __future__ import annotations

import base64
import mimetypes
import secrets
import uuid
from typing import Any

from sandbox.drive.hashes import quick_xor_hash
from sandbox.errors import GraphError, NameAlreadyExists
from sandbox.mail.service import now_iso
from sandbox.store import Record, Store

__all__ = [
    "CONFLICT_BEHAVIORS",
    "ItemNotFound",
    "child_named",
    "children",
    "create_folder",
    "create_site",
    "drive_for_user",
    "drives_of_site",
    "get_drive",
    "get_item",
    "provision_drive",
    "resolve_path",
    "root_of",
    "write_file",
]

CONFLICT_BEHAVIORS = ("fail", "replace", "rename")
_NS = uuid.UUID("5f6e1d1c-2b7a-4c55-9d44-7a0c3f1e8b21")  # stable ids derived from seed ids
SYSTEM = {"user": {"displayName": "System Account"}}


class ItemNotFound(GraphError):
    """OneDrive's own (camelCase) not-found code."""

    status = 404
    code = "itemNotFound"

    def __init__(self, message: str = "The resource could not be found.", **kw: Any) -> None:
        super().__init__(message, **kw)


# -- ids ------------------------------------------------------------------------------------
def _guid_bytes(guid: str) -> bytes:
    return uuid.UUID(guid).bytes_le  # .NET's byte order, as SharePoint encodes drive ids


def drive_id_for(site_guid: str, web_guid: str, list_guid: str) -> str:
    """SharePoint's ``b!`` drive id: site, web and list GUIDs, URL-safe base64."""
    raw = b"".join(_guid_bytes(g) for g in (site_guid, web_guid, list_guid))
    return "b!" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def new_item_id() -> str:
    """OneDrive for Business item ids: ``01`` and 32 base32 characters."""
    return "01" + base64.b32encode(secrets.token_bytes(20)).decode()


def item_guid(item_id: str) -> str:
    return str(uuid.uuid5(_NS, item_id))


def _derived(*parts: str) -> str:
    return str(uuid.uuid5(_NS, "|".join(parts)))


# -- drives and sites -------------------------------------------------------------------------
def provision_drive(store: Store, user_id: str) -> None:
    """A user's OneDrive for Business with its empty root folder."""
    user = store.get(user_id, "user")
    upn = user.data["userPrincipalName"] if user else user_id
    name = user.data.get("displayName", upn) if user else upn
    tenant = (store.get_meta("tenant") or {}).get("domain", "contoso.com").split(".")[0]
    site_guid = _derived("personal-site", user_id)
    web_guid = _derived("personal-web", user_id)
    list_guid = _derived("personal-docs", user_id)
    slug = upn.replace("@", "_").replace(".", "_")
    web_url = f"https://{tenant}-my.sharepoint.com/personal/{slug}"
    drive = {
        "id": drive_id_for(site_guid, web_guid, list_guid),
        "name": "OneDrive",
        "description": "",
        "driveType": "business",
        "createdDateTime": now_iso(store),
        "lastModifiedDateTime": now_iso(store),
        "webUrl": f"{web_url}/Documents",
        "createdBy": {"user": {"displayName": "System Account"}},
        "owner": {"user": {"id": user_id, "displayName": name}},
        "quota": _quota(),
        "_userId": user_id,
    }
    _save_drive(store, drive)


def create_site(store: Store, site: dict[str, Any]) -> None:
    """A SharePoint site and its document libraries, folders and files from the seed."""
    host = site["webUrl"].split("/")[2]
    web_guid = _derived("web", site["id"])
    site_id = f"{host},{site['id']},{web_guid}"
    now = now_iso(store)
    data = {
        "id": site_id,
        "name": site["name"],
        "displayName": site["displayName"],
        "description": site.get("description", ""),
        "webUrl": site["webUrl"],
        "createdDateTime": now,
        "lastModifiedDateTime": now,
        "siteCollection": {"hostname": host},
        "_path": "/" + site["webUrl"].split("/", 3)[3],
    }
    store.put(Record(id=site_id, kind="site", mailbox=None, parent=None, data=data))
    for lib in site["libraries"]:
        drive = {
            "id": drive_id_for(site["id"], web_guid, lib["id"]),
            "name": lib["name"],
            "description": lib.get("description", ""),
            "driveType": "documentLibrary",
            "createdDateTime": now,
            "lastModifiedDateTime": now,
            "webUrl": f"{site['webUrl']}/{lib['name'].replace(' ', '%20')}",
            "createdBy": {"user": {"displayName": "System Account"}},
            "owner": {"user": {"displayName": "System Account"}},
            "quota": _quota(),
            "_siteId": site_id,
        }  # fmt: skip
        root = _save_drive(store, drive)
        for path in lib.get("folders", []):
            ensure_folders(store, root, path.split("/"))
        for f in lib.get("files", []):
            *dirs, _ = f["path"].split("/")
            parent = ensure_folders(store, root, dirs)
            write_file(store, parent, f["name"], f["content"], SYSTEM, conflict="replace")


def _quota() -> dict[str, Any]:
    total = 1_099_511_627_776
    return {"deleted": 0, "remaining": total, "state": "normal", "total": total, "used": 0}


def _save_drive(store: Store, drive: dict[str, Any]) -> Record:
    now = now_iso(store)
    root = Record(id=new_item_id(), kind="driveItem", mailbox=drive["id"], parent=None)
    root.data = {
        "id": root.id,
        "name": "root",
        "createdDateTime": now,
        "lastModifiedDateTime": now,
        "webUrl": drive["webUrl"],
        "size": 0,
        "fileSystemInfo": {"createdDateTime": now, "lastModifiedDateTime": now},
        "folder": {"childCount": 0},
        "root": {},
        "_etagVersion": 1,
    }
    drive["_root"] = root.id
    store.put(Record(id=drive["id"], kind="drive", mailbox=None, parent=drive.get("_siteId"),
                     data=drive))  # fmt: skip
    store.put(root, container=drive["id"])
    return root


def get_drive(store: Store, drive_id: str) -> Record:
    rec = store.get(drive_id, "drive")
    if rec is None:
        raise ItemNotFound("The provided drive id appears to be malformed, or does not exist.")
    return rec


def drive_for_user(store: Store, user_id: str) -> Record:
    for rec in store.find("drive"):
        if rec.data.get("_userId") == user_id:
            return rec
    raise ItemNotFound("The user's OneDrive could not be found.", code="itemNotFound")


def drives_of_site(store: Store, site_id: str) -> list[Record]:
    return store.find("drive", parent=site_id)


def root_of(store: Store, drive: Record) -> Record:
    rec = store.get(drive.data["_root"], "driveItem")
    assert rec is not None
    return rec


# -- items ----------------------------------------------------------------------------------
def get_item(store: Store, drive: Record, item_id: str) -> Record:
    if item_id.lower() == "root":
        return root_of(store, drive)
    rec = store.get(item_id, "driveItem")
    if rec is None or rec.mailbox != drive.id:
        raise ItemNotFound()
    return rec


def children(store: Store, parent: Record) -> list[Record]:
    return store.find("driveItem", mailbox=parent.mailbox, parent=parent.id)


def child_named(store: Store, parent: Record, name: str) -> Record | None:
    """Names are unique per folder, case-insensitively, as in SharePoint."""
    low = name.lower()
    return next((c for c in children(store, parent) if c.data["name"].lower() == low), None)


def resolve_path(store: Store, base: Record, path: str) -> Record:
    """``a/b/c.docx`` below ``base``; 404 ``itemNotFound`` at the first missing segment."""
    current = base
    for part in (p for p in path.split("/") if p):
        if "folder" not in current.data:
            raise ItemNotFound()
        nxt = child_named(store, current, part)
        if nxt is None:
            raise ItemNotFound()
        current = nxt
    return current


def ensure_folders(
    store: Store, base: Record, parts: list[str], by: dict[str, Any] | None = None
) -> Record:
    """Walk ``parts`` below ``base``, creating missing folders as a path upload does."""
    current = base
    for part in (p for p in parts if p):
        nxt = child_named(store, current, part)
        if nxt is not None and "folder" not in nxt.data:
            raise NameAlreadyExists("The specified item name already exists.")
        current = nxt or create_folder(store, current, part, by or SYSTEM, conflict="fail")[0]
    return current


def check_name(name: str) -> None:
    bad = set('"*:<>?/\\|')
    if not name or name != name.strip() or any(c in bad for c in name) or name in (".", ".."):
        raise GraphError("The provided name contains invalid characters.", code="invalidRequest")


def free_name(store: Store, parent: Record, name: str) -> str:
    """SharePoint's rename on conflict: ``name 1.ext``, ``name 2.ext``, ..."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, dot, ext = name, "", ""
    n = 1
    while True:
        candidate = f"{stem} {n}{dot}{ext}"
        if child_named(store, parent, candidate) is None:
            return candidate
        n += 1


def _place(store: Store, parent: Record, name: str, conflict: str) -> tuple[str, Record | None]:
    """Apply ``@microsoft.graph.conflictBehavior``: the name to use and the item it replaces."""
    if conflict not in CONFLICT_BEHAVIORS:
        raise GraphError(f"Invalid conflict behavior '{conflict}'.", code="invalidRequest")
    existing = child_named(store, parent, name)
    if existing is None:
        return name, None
    if conflict == "fail":
        raise NameAlreadyExists("The specified item name already exists.")
    if conflict == "rename":
        return free_name(store, parent, name), None
    return name, existing


def _new_item(store: Store, parent: Record, name: str, by: dict[str, Any]) -> Record:
    now = now_iso(store)
    rec = Record(id=new_item_id(), kind="driveItem", mailbox=parent.mailbox, parent=parent.id)
    rec.data = {
        "id": rec.id,
        "name": name,
        "createdDateTime": now,
        "lastModifiedDateTime": now,
        "size": 0,
        "createdBy": by,
        "lastModifiedBy": by,
        "fileSystemInfo": {"createdDateTime": now, "lastModifiedDateTime": now},
        "_etagVersion": 1,
        "_uid": str(uuid.uuid4()),
    }
    return rec


def create_folder(
    store: Store, parent: Record, name: str, by: dict[str, Any], *, conflict: str = "fail"
) -> tuple[Record, bool]:
    """``(folder, created)``; replacing a folder keeps it and its children, as SharePoint does."""
    check_name(name)
    name, existing = _place(store, parent, name, conflict)
    if existing is not None:
        if "folder" in existing.data:
            return existing, False
        delete_item(store, existing)
    rec = _new_item(store, parent, name, by)
    rec.data["folder"] = {"childCount": 0}
    with store.transaction():
        store.put(rec, container=rec.mailbox)
        touch_parent(store, parent)
    return rec, True


def write_file(
    store: Store,
    parent: Record,
    name: str,
    content: bytes,
    by: dict[str, Any],
    *,
    conflict: str = "replace",
) -> tuple[Record, bool]:
    """Create ``name`` under ``parent`` or add a new version to it; ``(item, created)``."""
    check_name(name)
    name, existing = _place(store, parent, name, conflict)
    if existing is not None and "folder" in existing.data:
        raise NameAlreadyExists("The specified item name already exists.")
    with store.transaction():
        if existing is not None:
            replace_content(store, existing, content, by)
            return existing, False
        rec = _new_item(store, parent, name, by)
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
        rec.data["file"] = {"mimeType": mime, "hashes": {}}
        rec.data["_versions"] = []
        _set_content(rec, content)
        store.put_blob(rec.id, content)
        store.put(rec, container=rec.mailbox)
        touch_parent(store, parent)
        return rec, True


def replace_content(store: Store, rec: Record, content: bytes, by: dict[str, Any]) -> None:
    """Keep the current bytes as a version, then store the new ones (SharePoint major versions)."""
    old = Record(id=f"{rec.id}.v{len(rec.data['_versions']) + 1}", kind="driveItemVersion",
                 mailbox=rec.mailbox, parent=rec.id,
                 data={"lastModifiedDateTime": rec.data["lastModifiedDateTime"],
                       "lastModifiedBy": rec.data["lastModifiedBy"],
                       "size": rec.data["size"],
                       "_downloadToken": secrets.token_urlsafe(24)})  # fmt: skip
    with store.transaction():
        store.put(old)
        store.put_blob(old.id, store.get_blob(rec.id) or b"")
        rec.data["_versions"].append(old.id)
        _set_content(rec, content)
        rec.data["lastModifiedBy"] = by
        touch_item(store, rec)
        store.put_blob(rec.id, content)
        store.put(rec, container=rec.mailbox)


def _set_content(rec: Record, content: bytes) -> None:
    rec.data["size"] = len(content)
    rec.data["file"]["hashes"] = {"quickXorHash": quick_xor_hash(content)}
    rec.data["_contentVersion"] = rec.data.get("_contentVersion", 0) + 1
    rec.data["_downloadToken"] = secrets.token_urlsafe(24)


def touch_item(store: Store, rec: Record) -> None:
    now = now_iso(store)
    rec.data["lastModifiedDateTime"] = now
    rec.data["fileSystemInfo"]["lastModifiedDateTime"] = now
    rec.data["_etagVersion"] = rec.data.get("_etagVersion", 1) + 1


def touch_parent(store: Store, parent: Record) -> None:
    fresh = store.get(parent.id, "driveItem") or parent
    fresh.data["lastModifiedDateTime"] = now_iso(store)
    fresh.data["_etagVersion"] = fresh.data.get("_etagVersion", 1) + 1
    store.put(fresh, container=fresh.mailbox)


def delete_item(store: Store, rec: Record) -> None:
    """The item, its descendants, their versions and blobs."""
    with store.transaction():
        for child in children(store, rec):
            delete_item(store, child)
        for v in rec.data.get("_versions", []):
            store.delete(v)
        store.delete(rec.id, container=rec.mailbox)


def is_ancestor(store: Store, maybe_ancestor: Record, item: Record) -> bool:
    current: Record | None = item
    while current is not None:
        if current.id == maybe_ancestor.id:
            return True
        current = store.get(current.parent, "driveItem") if current.parent else None
    return False


def path_of(store: Store, rec: Record) -> str:
    """``/drive/root:`` followed by the folder path of ``rec`` (the item itself excluded)."""
    parts: list[str] = []
    current = store.get(rec.parent, "driveItem") if rec.parent else None
    while current is not None and current.parent is not None:
        parts.append(current.data["name"])
        current = store.get(current.parent, "driveItem")
    return "/drive/root:" + "".join(f"/{p}" for p in reversed(parts))
