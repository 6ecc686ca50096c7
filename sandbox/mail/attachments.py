"""/users/{user}/messages/{id}/attachments: list, get, add, delete, and raw ``$value``."""

from __future__ import annotations

import base64
import logging
from typing import Any

from sandbox import odata
from sandbox.context import Ctx, with_select
from sandbox.errors import ErrorInvalidRequest, GraphError
from sandbox.ids import new_id
from sandbox.mail import access, compose, mime, service
from sandbox.mail.render import attachment_json, item_json
from sandbox.router import GraphResponse, Router
from sandbox.store import Record

router = Router()
log = logging.getLogger(__name__)

_BASE = "/users/{user}/messages/{message}/attachments"
_IN_FOLDER = "/users/{user}/mailFolders/{folder}/messages/{message}/attachments"
_COMMON = {"name", "contentType", "isInline", "size", "id", "lastModifiedDateTime"}
_FIELDS = {
    "fileattachment": _COMMON | {"contentBytes", "contentId", "contentLocation"},
    "itemattachment": _COMMON | {"item"},
}


def _fragment(ctx: Ctx, message: str) -> str:
    return f"{ctx.user_segment()}/messages('{message}')/attachments"


def _refresh(ctx: Ctx, msg: Record) -> None:
    """The message shows the change: hasAttachments follows, and it gets a new change key."""
    atts = service.attachments_of(ctx.store, msg.id)
    msg.data["hasAttachments"] = any(not a.data.get("isInline") for a in atts)
    service.touch(ctx.store, msg.data)
    service.save_message(ctx.store, msg)


def _normal_item(ctx: Ctx, item: dict[str, Any]) -> dict[str, Any]:
    """An attached item as Exchange stores it: a message gets the fields a message has."""
    item = {k: v for k, v in item.items() if k != "id"}
    kind = str(item.get("@odata.type") or "#microsoft.graph.message")
    item["@odata.type"] = kind if kind.startswith("#") else f"#{kind}"
    if not kind.lower().endswith("message"):
        return item
    now = service.now_iso(ctx.store)
    nested = []
    for att in item.get("attachments") or []:
        raw = base64.b64decode(att.get("contentBytes") or "")
        ctype = att.get("contentType") or "application/octet-stream"
        nested.append(
            {"@odata.type": "#microsoft.graph.fileAttachment", "@odata.mediaContentType": ctype,
             "id": new_id("attachment"), "lastModifiedDateTime": now, "name": att.get("name"),
             "contentType": ctype, "size": len(raw), "isInline": bool(att.get("isInline")),
             "contentId": att.get("contentId"), "contentLocation": att.get("contentLocation"),
             "contentBytes": att.get("contentBytes") or ""}
        )  # fmt: skip
    body = compose.wrap_body(item.get("body") or {"contentType": "html", "content": ""})
    defaults = {
        "createdDateTime": now, "lastModifiedDateTime": now, "receivedDateTime": now,
        "sentDateTime": now, "internetMessageId": f"<{new_id('message')[8:30]}@zeeveen.sandbox>",
        "subject": "", "importance": "normal", "conversationId": "AAQkAD" + new_id("")[4:48],
        "conversationIndex": base64.b64encode(new_id("").encode()[:22]).decode(),
        "isDeliveryReceiptRequested": False, "isReadReceiptRequested": False, "isRead": True,
        "isDraft": False, "webLink": "https://outlook.office365.com/owa/?ItemID="
        f"{new_id('message')}&exvsurl=1&viewmodel=ItemAttachment", "internetMessageHeaders": [],
        "toRecipients": [], "ccRecipients": [], "flag": {"flagStatus": "notFlagged"},
    }  # fmt: skip
    out = {**defaults, **item, "body": body, "attachments": nested}
    out.setdefault("sender", out.get("from"))
    out["hasAttachments"] = any(not a["isInline"] for a in nested)
    out["bodyPreview"] = service.body_preview(body)
    return out


def _kind(body: dict[str, Any]) -> str:
    kind = str(body.get("@odata.type") or "").lstrip("#").lower().removeprefix("microsoft.graph.")
    if kind not in _FIELDS:
        if kind == "referenceattachment":
            raise ErrorInvalidRequest("Reference attachments cannot be added to this item.")
        raise GraphError("were unable to deserialize ", code="UnableToDeserializePostBody")
    for key in body:
        if not key.startswith("@odata.") and key not in _FIELDS[kind]:
            raise GraphError(
                f"The property '{key}' does not exist on type 'microsoft.graph.{kind[:-10]}"
                f"Attachment'. Make sure to only use property names that are defined by the type"
                " or mark the type as open type.",
                code="RequestBodyRead",
            )
    return kind


def _text(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise GraphError(
            "Cannot convert a primitive value to the expected type 'Edm.String'.",
            code="RequestBodyRead",
        )
    return value


@router.route("GET", _BASE, resource="mail")
@router.route("GET", _IN_FOLDER, resource="mail")
async def list_attachments(
    ctx: Ctx, user: str, message: str, folder: str | None = None
) -> GraphResponse:
    msg = access.message(ctx, message, folder)
    items = [
        attachment_json(a, ctx.store.get_blob(a.id))
        for a in service.attachments_of(ctx.store, msg.id)
    ]
    return ctx.collection(items, _fragment(ctx, message), default_page=1000)


@router.route("GET", _BASE + "/{attachment}", resource="mail")
@router.route("GET", _IN_FOLDER + "/{attachment}", resource="mail")
async def get_attachment(
    ctx: Ctx, user: str, message: str, attachment: str, folder: str | None = None
) -> GraphResponse:
    msg = access.message(ctx, message, folder)
    att = access.attachment(ctx, msg, attachment)
    body = attachment_json(att, ctx.store.get_blob(att.id))
    q = ctx.query()
    if q.select:
        body = odata.apply_select(body, q.select)
    expand = (q.expand or "").replace(" ", "").casefold()
    if expand and expand not in ("microsoft.graph.itemattachment/item", "item"):
        raise GraphError(
            f"Parsing OData Select and Expand failed: Could not find a property named"
            f" '{q.expand}' on type 'microsoft.graph.attachment'.",
            code="BadRequest",
        )
    if expand and "_item" in att.data:
        context = ctx.context_url(
            f"{_fragment(ctx, message)}('{att.id}')/microsoft.graph.itemAttachment/item"
        )
        body["item@odata.context"] = f"{context}/$entity"
        body["item"] = item_json(att.data["_item"], context)
    fragment = with_select(f"{_fragment(ctx, message)}/$entity", q.select)
    return ctx.entity(body, fragment, select=False)


@router.route("GET", _BASE + "/{attachment}/$value", resource="mail")
@router.route("GET", _IN_FOLDER + "/{attachment}/$value", resource="mail")
async def attachment_value(
    ctx: Ctx, user: str, message: str, attachment: str, folder: str | None = None
) -> GraphResponse:
    msg = access.message(ctx, message, folder)
    att = access.attachment(ctx, msg, attachment)
    if att.data.get("@odata.type", "").endswith("itemAttachment"):
        content = mime.item_value(att.data.get("_item") or {}, now=ctx.store.clock.now())
        return GraphResponse(body=content, content_type="text/plain")
    ctype = att.data.get("contentType") or "application/octet-stream"
    return GraphResponse(body=ctx.store.get_blob(att.id) or b"", content_type=ctype)


@router.route("POST", _BASE, resource="mail")
@router.route("POST", _IN_FOLDER, resource="mail")
async def add_attachment(
    ctx: Ctx, user: str, message: str, folder: str | None = None
) -> GraphResponse:
    access.require_write(ctx)
    msg = access.message(ctx, message, folder)
    body = ctx.request.json()
    kind = _kind(body)
    name = _text(body, "name")
    if not name:
        raise ErrorInvalidRequest("The attachment name is required.")
    data: dict[str, Any] = {"name": name, "isInline": bool(body.get("isInline", False))}
    if kind == "fileattachment":
        try:
            base64.b64decode(_text(body, "contentBytes") or "", validate=True)
        except ValueError as exc:
            raise GraphError(
                "Cannot convert the literal to the expected type 'Edm.Binary'.",
                code="RequestBodyRead",
            ) from exc
        data.update(
            {
                "@odata.type": "#microsoft.graph.fileAttachment",
                "contentType": _text(body, "contentType") or "application/octet-stream",
                "contentBytes": body.get("contentBytes") or "",
                "contentId": _text(body, "contentId"),
                "contentLocation": _text(body, "contentLocation"),
            }
        )
    else:
        item = body.get("item")
        if not isinstance(item, dict):
            raise ErrorInvalidRequest("An item attachment needs an item.")
        item = _normal_item(ctx, item)
        data.update(
            {"@odata.type": "#microsoft.graph.itemAttachment", "contentType": None,
             "size": len(mime.item_value(item, now=ctx.store.clock.now())), "_item": item}
        )  # fmt: skip
    with ctx.store.transaction():
        rec = service.add_attachment(ctx.store, msg, data)
        _refresh(ctx, msg)
    log.info("attachment %r added to a message in %s", name, ctx.mailbox_id)
    body_out = attachment_json(rec, ctx.store.get_blob(rec.id))
    return ctx.entity(body_out, f"{_fragment(ctx, message)}/$entity", status=201, select=False)


@router.route("DELETE", _BASE + "/{attachment}", resource="mail")
@router.route("DELETE", _IN_FOLDER + "/{attachment}", resource="mail")
async def delete_attachment(
    ctx: Ctx, user: str, message: str, attachment: str, folder: str | None = None
) -> GraphResponse:
    access.require_write(ctx)
    msg = access.message(ctx, message, folder)
    att = access.attachment(ctx, msg, attachment)
    with ctx.store.transaction():
        ctx.store.delete(att.id)
        _refresh(ctx, msg)
    return GraphResponse(status=204)
