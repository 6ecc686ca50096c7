"""Large attachments (3–150 MB): ``attachments/createUploadSession`` and its upload URL.

As in Exchange, the session returns a pre-authenticated URL (here on the sandbox's own host,
with an ``authtoken``); byte ranges of at most 4 MB arrive in order with ``Content-Range``.
An intermediate range answers 200 with ``nextExpectedRanges``; the last one attaches the file
and answers 201 with an empty body and the attachment's URL in ``Location``. A repeat of the
last range (a retry after a lost answer) gets the same 201.
See https://learn.microsoft.com/graph/outlook-large-attachments.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from typing import Any

from sandbox.clock import SystemClock
from sandbox.context import Ctx
from sandbox.errors import ErrorInvalidRequest, GraphError
from sandbox.mail import access, service
from sandbox.router import GraphResponse, Router
from sandbox.store import Record

__all__ = ["router"]

log = logging.getLogger(__name__)
router = Router()

LIFETIME = dt.timedelta(minutes=15)
# The upload URL expires by the machine's time, not the tenant's clock: clients check the
# expiry against their own (msgraph-core's LargeFileUploadTask refuses a session whose
# expirationDateTime has passed), as they check a token's ``exp``.
EXPIRY_CLOCK = SystemClock()
MAX_SIZE = 150 * 1024 * 1024
MAX_FRAGMENT = 4 * 1024 * 1024
_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")
_CREATE = "/users/{user}/messages/{message}/attachments/createUploadSession"
_IN_FOLDER = "/users/{user}/mailFolders/{folder}/messages/{message}/attachments/createUploadSession"
_URL = "/_outlook/api/v2.0/users/{user_id}/messages/{message}/attachmentSessions/{session}"


def _stamp(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


@router.route("POST", _CREATE, resource="mail")
@router.route("POST", _IN_FOLDER, resource="mail")
async def create_upload_session(
    ctx: Ctx, user: str, message: str, folder: str | None = None
) -> GraphResponse:
    access.require_write(ctx)
    msg = access.message(ctx, message, folder)
    body = ctx.request.json()
    item = body.get("AttachmentItem") or body.get("attachmentItem")
    if not isinstance(item, dict):
        raise ErrorInvalidRequest("The AttachmentItem parameter is required.")
    kind = str(item.get("attachmentType") or "file").lower()
    name, size = item.get("name"), item.get("size")
    if kind != "file":
        raise ErrorInvalidRequest("Only file attachments can be uploaded in a session.")
    if not isinstance(name, str) or not name:
        raise ErrorInvalidRequest("The attachment name is required.")
    if not isinstance(size, int) or isinstance(size, bool) or not 0 < size <= MAX_SIZE:
        raise GraphError(
            "The attachment size must be between 1 byte and 150 MB.", code="ErrorInvalidRequest"
        )
    expires = EXPIRY_CLOCK.now() + LIFETIME
    rec = Record(id=secrets.token_hex(16), kind="attachmentSession", mailbox=msg.mailbox,
                 parent=msg.id)  # fmt: skip
    rec.data = {
        "_name": name,
        "_size": size,
        "_contentType": item.get("contentType") or "application/octet-stream",
        "_isInline": bool(item.get("isInline", False)),
        "_contentId": item.get("contentId"),
        "_received": 0,
        "_expires": expires.isoformat(),
        "_token": secrets.token_urlsafe(32),
        "_attachment": None,
    }
    ctx.store.put(rec)
    ctx.store.put_blob(rec.id, b"")
    url = _URL.format(user_id=msg.mailbox, message=msg.id, session=rec.id)
    body_out = {
        # base_url already ends in /v1.0 (attachment: createUploadSession docs, Example 1)
        "@odata.context": ctx.context_url("microsoft.graph.uploadSession"),
        "uploadUrl": f"{ctx.base_url}{url}?authtoken={rec.data['_token']}",
        "expirationDateTime": _stamp(expires),
        "nextExpectedRanges": ["0-"],
    }
    return GraphResponse(status=201, body=body_out)


def _session(ctx: Ctx, user_id: str, message: str, session: str) -> Record:
    rec = ctx.store.get(session, "attachmentSession")
    token = ctx.request.query.get("authtoken", "")
    if (
        rec is None
        or rec.mailbox != user_id
        or rec.parent != message
        or not secrets.compare_digest(token, rec.data["_token"])
    ):
        raise GraphError("The upload session was not found.", code="ErrorItemNotFound", status=404)
    if dt.datetime.fromisoformat(rec.data["_expires"]) <= EXPIRY_CLOCK.now():
        ctx.store.delete(rec.id)
        raise GraphError("The upload session has expired.", code="ErrorItemNotFound", status=404)
    return rec


def _attached(ctx: Ctx, rec: Record) -> GraphResponse:
    location = (
        f"{ctx.base_url}/users('{rec.mailbox}')/messages('{rec.parent}')"
        f"/attachments('{rec.data['_attachment']}')"
    )
    return GraphResponse(status=201, body=None, headers={"Location": location})


@router.route("PUT", _URL, resource="anonymous")
async def put_range(ctx: Ctx, user_id: str, message: str, session: str) -> GraphResponse:
    rec = _session(ctx, user_id, message, session)
    body = ctx.request.body
    m = _RANGE.match((ctx.request.headers.get("content-range") or "").strip())
    if m is None:
        raise GraphError("The Content-Range header is missing or malformed.",
                         code="ErrorInvalidRequest")  # fmt: skip
    start, end, total = (int(g) for g in m.groups())
    data: dict[str, Any] = rec.data
    if data["_attachment"] is not None:
        if end == total - 1 and total == data["_size"]:
            return _attached(ctx, rec)
        raise GraphError("The upload session was not found.", code="ErrorItemNotFound", status=404)
    if total != data["_size"] or start > end or end >= total or end - start + 1 != len(body):
        raise GraphError("The Content-Range header does not match the upload.",
                         code="ErrorInvalidRequest")  # fmt: skip
    if len(body) > MAX_FRAGMENT:
        raise GraphError("A range may hold at most 4 MB.", code="ErrorInvalidRequest", status=413)
    if start != data["_received"]:
        raise GraphError(
            "The range does not start where the upload left off.",
            code="ErrorInvalidRange",
            status=416,
        )
    with ctx.store.transaction():
        ctx.store.put_blob(rec.id, (ctx.store.get_blob(rec.id) or b"") + body)
        data["_received"] = end + 1
        data["_expires"] = (EXPIRY_CLOCK.now() + LIFETIME).isoformat()
        ctx.store.put(rec)
    if data["_received"] < total:
        expires = dt.datetime.fromisoformat(data["_expires"])
        return GraphResponse(
            status=200,
            body={"expirationDateTime": _stamp(expires),
                  "nextExpectedRanges": [f"{data['_received']}-{total - 1}"]},
        )  # fmt: skip
    msg = ctx.store.get(rec.parent or "", "message")
    if msg is None:
        raise GraphError("The message no longer exists.", code="ErrorItemNotFound", status=404)
    content = ctx.store.get_blob(rec.id) or b""
    with ctx.store.transaction():
        att = service.add_attachment(
            ctx.store,
            msg,
            {"name": data["_name"], "contentType": data["_contentType"],
             "isInline": data["_isInline"], "contentId": data["_contentId"]},
        )  # fmt: skip
        ctx.store.put_blob(att.id, content)
        att.data["size"] = len(content)
        ctx.store.put(att)
        msg.data["hasAttachments"] = msg.data.get("hasAttachments") or not data["_isInline"]
        service.touch(ctx.store, msg.data)
        service.save_message(ctx.store, msg)
        data["_attachment"] = att.id
        ctx.store.put(rec)
        ctx.store.put_blob(rec.id, b"")
    log.info("large attachment %r (%d bytes) added in %s", data["_name"], len(content), rec.mailbox)
    return _attached(ctx, rec)


@router.route("DELETE", _URL, resource="anonymous")
async def cancel(ctx: Ctx, user_id: str, message: str, session: str) -> GraphResponse:
    rec = _session(ctx, user_id, message, session)
    ctx.store.delete(rec.id)
    return GraphResponse(status=204)
