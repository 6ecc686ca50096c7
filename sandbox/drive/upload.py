"""Resumable uploads: upload sessions and their pre-authenticated upload URL.

The upload URL carries its own credentials (``tempauth``), so its routes are anonymous, as on
SharePoint. Fragments arrive in order with ``Content-Range``; the last one commits the file
(201 new, 200 a new version) unless ``deferCommit`` asks for an explicit empty POST. A committed
session lingers until it expires: a status GET answers 404, while a repeat of the final fragment
(a retry after a lost response, and what msgraph-core's LargeFileUploadTask sends once more at
its end) gets the committed item again.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from typing import Any
from urllib.parse import quote

from sandbox.clock import SystemClock
from sandbox.context import Ctx
from sandbox.drive import render, service
from sandbox.drive.service import ItemNotFound
from sandbox.errors import GraphError, NameAlreadyExists
from sandbox.router import GraphResponse, Router
from sandbox.store import Record

__all__ = ["open_session", "router"]

log = logging.getLogger(__name__)
router = Router()

LIFETIME = dt.timedelta(minutes=15)
# The upload URL expires by the machine's time, not the tenant's clock: clients check the
# expiry against their own (msgraph-core's LargeFileUploadTask refuses a session whose
# expirationDateTime has passed), as they check a token's ``exp``.
EXPIRY_CLOCK = SystemClock()
MAX_FRAGMENT = 60 * 1024 * 1024
_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")
_URL = "/_api/v2.0/drives/{drive_id}/items/{item_id}/uploadSession"


def _stamp(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def open_session(
    ctx: Ctx,
    drive: Record,
    parent: Record,
    name: str,
    *,
    replace: Record | None,
    conflict: str,
    defer: bool,
    size: Any = None,
) -> dict[str, Any]:
    """A new session for ``name`` in ``parent`` (or a new version of ``replace``)."""
    if conflict not in service.CONFLICT_BEHAVIORS:
        raise GraphError(f"Invalid conflict behavior '{conflict}'.", code="invalidRequest")
    if size is not None and (not isinstance(size, int) or size < 0):
        raise GraphError("Invalid value for property 'fileSize'.", code="invalidRequest")
    if replace is None and conflict == "fail" and service.child_named(ctx.store, parent, name):
        raise NameAlreadyExists("The specified item name already exists.")
    expires = EXPIRY_CLOCK.now() + LIFETIME
    rec = Record(id=secrets.token_hex(16), kind="uploadSession", mailbox=drive.id, parent=parent.id)
    rec.data = {
        "_name": name,
        "_replace": replace.id if replace else None,
        "_conflict": conflict,
        "_defer": defer,
        "_size": size,
        "_received": 0,
        "_total": None,
        "_expires": expires.isoformat(),
        "_token": secrets.token_urlsafe(32),
        "_by": render.identity(ctx),
        "_state": "open",
    }
    ctx.store.put(rec)
    ctx.store.put_blob(rec.id, b"")
    return {
        "uploadUrl": _upload_url(ctx, drive, parent, rec),
        "expirationDateTime": _stamp(expires),
        "nextExpectedRanges": ["0-"],
    }


def _upload_url(ctx: Ctx, drive: Record, parent: Record, rec: Record) -> str:
    path = _URL.format(drive_id=quote(drive.id, safe=""), item_id=parent.id)
    overwrite = "True" if rec.data["_conflict"] == "replace" or rec.data["_replace"] else "False"
    rename = "True" if rec.data["_conflict"] == "rename" else "False"
    return (
        f"{ctx.base_url}{path}?guid='{rec.id}'&overwrite={overwrite}&rename={rename}&dc=0"
        f"&tempauth={rec.data['_token']}"
    )


def _session(ctx: Ctx, drive_id: str, item_id: str) -> Record:
    """The session the URL names, if its ``tempauth`` is right and it has not expired."""
    guid = ctx.request.query.get("guid", "").strip("'")
    rec = ctx.store.get(guid, "uploadSession") if guid else None
    token = ctx.request.query.get("tempauth", "")
    if (
        rec is None
        or rec.mailbox != drive_id
        or rec.parent != item_id
        or not secrets.compare_digest(token, rec.data["_token"])
    ):
        raise ItemNotFound("The upload session was not found.")
    if dt.datetime.fromisoformat(rec.data["_expires"]) <= EXPIRY_CLOCK.now():
        _discard(ctx, rec)
        raise ItemNotFound("The upload session was not found.")
    return rec


def _discard(ctx: Ctx, rec: Record) -> None:
    ctx.store.delete(rec.id)


def _status(rec: Record, status: int = 202) -> GraphResponse:
    received, total = rec.data["_received"], rec.data["_total"]
    ranges = (
        []
        if total is not None and received >= total
        else [f"{received}-{total - 1}" if total is not None else f"{received}-"]
    )
    expires = dt.datetime.fromisoformat(rec.data["_expires"])
    return GraphResponse(
        status=status,
        body={"expirationDateTime": _stamp(expires), "nextExpectedRanges": ranges},
    )


@router.route("GET", _URL, resource="anonymous")
async def session_status(ctx: Ctx, drive_id: str, item_id: str) -> GraphResponse:
    rec = _session(ctx, drive_id, item_id)
    if rec.data["_state"] == "committed":
        raise ItemNotFound("The upload session was not found.")
    return _status(rec, 200)


@router.route("DELETE", _URL, resource="anonymous")
async def cancel_session(ctx: Ctx, drive_id: str, item_id: str) -> GraphResponse:
    rec = _session(ctx, drive_id, item_id)
    _discard(ctx, rec)
    return GraphResponse(status=204)


@router.route("PUT", _URL, resource="anonymous")
async def put_fragment(ctx: Ctx, drive_id: str, item_id: str) -> GraphResponse:
    rec = _session(ctx, drive_id, item_id)
    body = ctx.request.body
    start, end, total = _content_range(ctx.request.headers.get("content-range"), len(body))
    data = rec.data
    log.debug("upload session %s: bytes %d-%d/%d (%s)", rec.id, start, end, total, data["_state"])
    if data["_state"] == "committed":
        if end == data["_total"] - 1 and total == data["_total"]:
            return _item_response(ctx, rec)
        raise ItemNotFound("The upload session was not found.")
    if data["_size"] is not None and total != data["_size"]:
        raise GraphError(
            "The Content-Range header declares a file size that differs from the"
            " fileSize of the upload session.",
            code="invalidRequest",
        )
    if data["_total"] is not None and total != data["_total"]:
        raise GraphError(
            "The Content-Range header declares a file size that differs from the"
            " previous fragments.",
            code="invalidRequest",
        )
    if start < data["_received"]:
        raise GraphError(
            "The uploaded fragment overlaps with data that has already been received.",
            code="invalidRange",
            status=416,
        )
    if start > data["_received"]:
        raise GraphError(
            "The uploaded fragment is not contiguous with the data received so far;"
            " fragments must be uploaded in order.",
            code="invalidRange",
            status=416,
        )
    with ctx.store.transaction():
        ctx.store.put_blob(rec.id, (ctx.store.get_blob(rec.id) or b"") + body)
        data["_total"] = total
        data["_received"] = end + 1
        data["_expires"] = (EXPIRY_CLOCK.now() + LIFETIME).isoformat()
        ctx.store.put(rec)
    if data["_received"] < total or data["_defer"]:
        return _status(rec)
    return _commit(ctx, rec)


@router.route("POST", _URL, resource="anonymous")
async def complete_deferred(ctx: Ctx, drive_id: str, item_id: str) -> GraphResponse:
    """``deferCommit``: an empty POST to the upload URL creates the file."""
    rec = _session(ctx, drive_id, item_id)
    data = rec.data
    if data["_state"] == "committed":
        return _item_response(ctx, rec)
    if ctx.request.body:
        raise GraphError("The completion request must have no content.", code="invalidRequest")
    if data["_total"] is None or data["_received"] < data["_total"]:
        raise GraphError(
            "The upload session has not received all bytes of the file.", code="invalidRequest"
        )
    return _commit(ctx, rec)


def _content_range(header: str | None, length: int) -> tuple[int, int, int]:
    m = _RANGE.match((header or "").strip())
    if m is None or m.group(3) == "*":
        raise GraphError("The Content-Range header is missing or malformed.", code="invalidRequest")
    start, end, total = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if start > end or end >= total:
        raise GraphError("The Content-Range header is malformed.", code="invalidRange", status=416)
    if end - start + 1 != length:
        raise GraphError(
            "The Content-Range header length does not match the provided number of bytes.",
            code="invalidRequest",
        )
    if length > MAX_FRAGMENT:
        raise GraphError("The fragment is larger than 60 MiB.", code="invalidRequest")
    return start, end, total


def _commit(ctx: Ctx, rec: Record) -> GraphResponse:
    """Create the file or its new version; a name conflict keeps the session for a retry."""
    store, data = ctx.store, rec.data
    content = store.get_blob(rec.id) or b""
    parent = store.get(rec.parent or "", "driveItem")
    if parent is None:
        raise ItemNotFound("The parent folder of the upload no longer exists.")
    replacing = store.get(data["_replace"], "driveItem") if data["_replace"] else None
    if data["_replace"] and replacing is None:
        raise ItemNotFound("The item being updated no longer exists.")
    with store.transaction():
        if replacing is not None:
            service.replace_content(store, replacing, content, data["_by"])
            item, created = replacing, False
        else:
            existing = service.child_named(store, parent, data["_name"])
            if existing is not None and data["_conflict"] == "fail":
                raise NameAlreadyExists(
                    "Another file exists with the same name as the uploaded session. You can"
                    " redirect the upload session to use a new filename by calling PUT with the"
                    " new metadata and @microsoft.graph.sourceUrl attribute."
                )
            item, created = service.write_file(
                store, parent, data["_name"], content, data["_by"], conflict=data["_conflict"]
            )
        data.update(_state="committed", _item=item.id, _created=created)
        store.put(rec)
        store.put_blob(rec.id, b"")
    log.debug("upload session %s committed %s (%d bytes)", rec.id, item.id, len(content))
    return _item_response(ctx, rec)


def _item_response(ctx: Ctx, rec: Record) -> GraphResponse:
    drive = service.get_drive(ctx.store, rec.mailbox or "")
    item = ctx.store.get(rec.data["_item"], "driveItem")
    if item is None:
        raise ItemNotFound("The upload session was not found.")
    body = render.item_json(ctx, drive, item, by_drive_id=True)
    fragment = f"drives('{quote(drive.id, safe='')}')/items/$entity"
    return ctx.entity(body, fragment, status=201 if rec.data["_created"] else 200, select=False)
