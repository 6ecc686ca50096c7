"""Mailbox state: folders, messages and master categories as stored records.

Routes and the seed loader both go through these functions, so a seeded message and one
created through Graph are stored alike. Folder counts are derived when read, never stored.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
import uuid
from typing import Any

from sandbox.errors import ErrorItemNotFound
from sandbox.ids import change_key, new_id
from sandbox.store import Record, Store

__all__ = [
    "WELL_KNOWN",
    "add_attachment",
    "add_category",
    "attachments_of",
    "body_preview",
    "copy_message",
    "create_folder",
    "deliver",
    "folder_by_path",
    "folder_stats",
    "merge_extended",
    "move_message",
    "now_iso",
    "provision_mailbox",
    "remove_message",
    "resolve_folder",
    "save_message",
    "touch",
    "well_known",
]

# Well-known folder names and the Dutch display names a nl-NL mailbox shows.
WELL_KNOWN: dict[str, str] = {
    "inbox": "Postvak IN",
    "drafts": "Concepten",
    "sentitems": "Verzonden items",
    "deleteditems": "Verwijderde items",
    "junkemail": "Ongewenste e-mail",
    "archive": "Archief",
    "outbox": "Postvak UIT",
    "conversationhistory": "Gespreksgeschiedenis",
}
ROOT = "msgfolderroot"


def now_iso(store: Store) -> str:
    """The tenant's now (its clock, not the machine's) as Graph writes it, in whole seconds."""
    return store.clock.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def touch(store: Store, data: dict[str, Any]) -> None:
    """Every update gets a new change key and modification time, as in Exchange."""
    ck = change_key()
    data["changeKey"] = ck
    data["@odata.etag"] = f'W/"{ck}"'
    data["lastModifiedDateTime"] = now_iso(store)


def provision_mailbox(store: Store, mailbox_id: str) -> None:
    """The root and the well-known folders every Exchange mailbox has."""
    root = Record(
        id=new_id("mailFolder"),
        kind="mailFolder",
        mailbox=mailbox_id,
        parent=None,
        data={"displayName": "Top of Information Store", "parentFolderId": None,
              "isHidden": False, "_wellKnownName": ROOT},
    )  # fmt: skip
    root.data["id"] = root.id
    store.put(root)
    for name, display in WELL_KNOWN.items():
        rec = Record(
            id=new_id("mailFolder"),
            kind="mailFolder",
            mailbox=mailbox_id,
            parent=root.id,
            data={"displayName": display, "parentFolderId": root.id, "isHidden": False,
                  "_wellKnownName": name},
        )  # fmt: skip
        rec.data["id"] = rec.id
        store.put(rec)


def well_known(store: Store, mailbox_id: str, name: str) -> Record:
    for rec in store.find("mailFolder", mailbox=mailbox_id):
        if rec.data.get("_wellKnownName") == name.lower():
            return rec
    raise ErrorItemNotFound(f"The specified folder '{name}' could not be found in the store.")


def resolve_folder(store: Store, mailbox_id: str, key: str) -> Record:
    """A folder by id or well-known name, in this mailbox only."""
    if key.lower() in WELL_KNOWN or key.lower() == ROOT:
        return well_known(store, mailbox_id, key)
    rec = store.get(key, "mailFolder")
    if rec is None or rec.mailbox != mailbox_id:
        raise ErrorItemNotFound()
    return rec


def folder_by_path(store: Store, mailbox_id: str, path: str, *, create: bool = False) -> Record:
    """``Inbox/Uitgezet/2026``: first part a well-known name or a top-level folder."""
    parts = [p for p in path.split("/") if p]
    if not parts:
        return well_known(store, mailbox_id, ROOT)
    first = parts[0]
    try:
        current = well_known(store, mailbox_id, first)
    except ErrorItemNotFound:
        current = well_known(store, mailbox_id, ROOT)
        parts = parts  # a top-level custom folder: walk from the root
    else:
        parts = parts[1:]
    for part in parts:
        children = store.find("mailFolder", mailbox=mailbox_id, parent=current.id)
        match = next((c for c in children if c.data["displayName"].lower() == part.lower()), None)
        if match is None:
            if not create:
                raise ErrorItemNotFound(f"The folder '{part}' of '{path}' does not exist.")
            match = create_folder(store, mailbox_id, current.id, part)
        current = match
    return current


def create_folder(
    store: Store, mailbox_id: str, parent_id: str, name: str, *, hidden: bool = False
) -> Record:
    rec = Record(
        id=new_id("mailFolder"),
        kind="mailFolder",
        mailbox=mailbox_id,
        parent=parent_id,
        data={"displayName": name, "parentFolderId": parent_id, "isHidden": hidden},
    )
    rec.data["id"] = rec.id
    store.put(rec)
    return rec


def add_category(store: Store, mailbox_id: str, name: str, color: str) -> Record:
    rec = Record(
        id=str(uuid.uuid4()),
        kind="outlookCategory",
        mailbox=mailbox_id,
        parent=None,
        data={"displayName": name, "color": color},
    )
    rec.data["id"] = rec.id
    store.put(rec)
    return rec


_TAGS = re.compile(r"<(script|style)[^>]*>.*?</\1>|<[^>]+>", re.S | re.I)


def body_preview(body: dict[str, Any] | None) -> str:
    """The first 255 characters of the body as text, as Graph's bodyPreview."""
    if not body:
        return ""
    text = body.get("content") or ""
    if (body.get("contentType") or "").lower() == "html":
        text = html.unescape(_TAGS.sub(" ", text))
    return " ".join(text.split())[:255]


def save_message(store: Store, rec: Record, *, new_folder: str | None = None) -> None:
    """Store a changed message, logging delta changes in old and new folder."""
    old = rec.parent
    if new_folder is not None and new_folder != old:
        rec.parent = new_folder
        rec.data["parentFolderId"] = new_folder
        with store.transaction():
            if old:
                store.log(old, rec.id, "removed")
            store.put(rec, container=new_folder)
        return
    store.put(rec, container=rec.parent)


def folder_stats(store: Store, mailbox_id: str) -> dict[str, dict[str, int]]:
    """Per folder id: total and unread items, child folders. Derived on every read."""
    stats: dict[str, dict[str, int]] = {}

    def entry(folder_id: str) -> dict[str, int]:
        return stats.setdefault(
            folder_id, {"totalItemCount": 0, "unreadItemCount": 0, "childFolderCount": 0}
        )

    for folder in store.find("mailFolder", mailbox=mailbox_id):
        entry(folder.id)
        if folder.parent:
            entry(folder.parent)["childFolderCount"] += 1
    for msg in store.find("message", mailbox=mailbox_id):
        counts = entry(msg.parent or "")
        counts["totalItemCount"] += 1
        if not msg.data.get("isRead", False):
            counts["unreadItemCount"] += 1
    return stats


_GUID = re.compile(r"\{[0-9A-Fa-f-]{36}\}")


def merge_extended(data: dict[str, Any], props: list[dict[str, Any]] | None) -> None:
    """Add or replace single-value extended properties by id (GUIDs kept lower-case)."""
    if not props:
        return
    current = {p["id"].casefold(): p for p in data.get("_svep", [])}
    for prop in props:
        pid = _GUID.sub(lambda m: m.group(0).lower(), str(prop.get("id", "")))
        current[pid.casefold()] = {"id": pid, "value": prop.get("value")}
    data["_svep"] = list(current.values())


def attachments_of(store: Store, message_id: str) -> list[Record]:
    return store.find("attachment", parent=message_id)


def move_message(store: Store, rec: Record, folder_id: str) -> Record:
    """Move within the mailbox: the regular id changes (as in Exchange), the immutable one stays."""
    if folder_id == rec.parent:
        return rec
    former = dict(rec.data.get("_formerIds") or {})
    if rec.parent and rec.rid:
        former[rec.parent] = rec.rid
    rec.data["_formerIds"] = former
    rec.rid = new_id("message")
    touch(store, rec.data)
    save_message(store, rec, new_folder=folder_id)
    return rec


def copy_message(store: Store, rec: Record, folder_id: str) -> Record:
    """A new item (new ids) with the same content and attachments in ``folder_id``."""
    data = {k: v for k, v in rec.data.items() if k not in ("_formerIds",)}
    now = now_iso(store)
    data["createdDateTime"] = now
    copy = Record(
        id=new_id("message"),
        kind="message",
        mailbox=rec.mailbox,
        parent=folder_id,
        rid=new_id("message"),
        data=data,
    )
    data["parentFolderId"] = folder_id
    touch(store, data)
    with store.transaction():
        store.put(copy, container=folder_id)
        for att in attachments_of(store, rec.id):
            clone = Record(
                id=new_id("attachment"),
                kind="attachment",
                mailbox=rec.mailbox,
                parent=copy.id,
                data=dict(att.data),
            )
            clone.data["id"] = clone.id
            store.put(clone)
            store.put_blob(clone.id, store.get_blob(att.id) or b"")
    return copy


def remove_message(store: Store, rec: Record) -> None:
    """Hard delete; the regular id it had is kept so delta can still name it."""
    with store.transaction():
        former = dict(rec.data.get("_formerIds") or {})
        if rec.parent and rec.rid:
            former[rec.parent] = rec.rid
        store.set_meta(f"mail.removed:{rec.id}", former)
        for att in attachments_of(store, rec.id):
            store.delete(att.id)
        store.delete(rec.id, container=rec.parent)


def deliver(
    store: Store,
    mailbox_id: str,
    folder_id: str,
    message: dict[str, Any],
    *,
    is_draft: bool = False,
) -> Record:
    """Create a message in a folder, filling what Exchange fills; attachments stored apart."""
    data = {
        k: v
        for k, v in message.items()
        if k not in ("attachments", "singleValueExtendedProperties")
    }
    attachments = message.get("attachments") or []
    now = now_iso(store)
    rec = Record(
        id=new_id("message"),
        kind="message",
        mailbox=mailbox_id,
        parent=folder_id,
        rid=new_id("message"),
    )
    body = data.get("body") or {"contentType": "text", "content": ""}
    sender = data.get("from") or data.get("sender")
    defaults: dict[str, Any] = {
        "createdDateTime": data.get("receivedDateTime") or now,
        "receivedDateTime": now,
        "sentDateTime": None if is_draft else now,
        "hasAttachments": bool([a for a in attachments if not a.get("isInline")]),
        "internetMessageId": f"<{uuid.uuid4().hex}@zeeveen.sandbox>",
        "subject": "",
        "importance": "normal",
        "conversationId": "AAQkAD" + base64.urlsafe_b64encode(uuid.uuid4().bytes).decode(),
        "conversationIndex": base64.b64encode(uuid.uuid4().bytes[:22]).decode(),
        "isDeliveryReceiptRequested": False,
        "isReadReceiptRequested": False,
        "isRead": is_draft,
        "isDraft": is_draft,
        "inferenceClassification": "focused",
        "categories": [],
        "sender": sender,
        "from": sender,
        "toRecipients": [],
        "ccRecipients": [],
        "bccRecipients": [],
        "replyTo": [],
        "flag": {"flagStatus": "notFlagged"},
    }
    defaults.update(data)
    defaults["body"] = body
    defaults["bodyPreview"] = body_preview(body)
    defaults["parentFolderId"] = folder_id
    defaults["webLink"] = (
        f"https://outlook.office365.com/owa/?ItemID={rec.id}&exvsurl=1&viewmodel=ReadMessageItem"
    )
    touch(store, defaults)
    if "createdDateTime" in data:
        defaults["lastModifiedDateTime"] = data["createdDateTime"]
    merge_extended(defaults, message.get("singleValueExtendedProperties"))
    rec.data = defaults
    with store.transaction():
        store.put(rec, container=folder_id)
        for att in attachments:
            add_attachment(store, rec, att)
    return rec


def add_attachment(store: Store, message: Record, att: dict[str, Any]) -> Record:
    """Attachment metadata as a record, its bytes as a blob."""
    content = att.get("contentBytes")
    raw = base64.b64decode(content) if content else b""
    data = {k: v for k, v in att.items() if k != "contentBytes"}
    data.setdefault("@odata.type", "#microsoft.graph.fileAttachment")
    data.setdefault("contentType", "application/octet-stream")
    data.setdefault("isInline", False)
    data.setdefault("contentId", None)
    data.setdefault("contentLocation", None)
    data["size"] = (
        len(raw) if data["@odata.type"].endswith("fileAttachment") else data.get("size", 0)
    )
    data["lastModifiedDateTime"] = now_iso(store)
    rec = Record(
        id=new_id("attachment"),
        kind="attachment",
        mailbox=message.mailbox,
        parent=message.id,
        data=data,
    )
    rec.data["id"] = rec.id
    store.put(rec)
    store.put_blob(rec.id, raw)
    return rec
