"""Sending mail: drafts, sendMail, reply/replyAll/forward and their create* draft variants.

A send puts the message in the sender's Sent Items (a sent draft keeps its immutable id) and
delivers a copy to the Inbox of every recipient inside the tenant. A delegate sends on behalf
of the mailbox owner: ``from`` is the owner, ``sender`` the delegate. Exchange Online's sending
limits apply to the mailbox (``submission``): over 30 a minute a message leaves in a later
minute (its ``sentDateTime``), over 500 recipients or the day's 10,000 it is not delivered and
the mailbox gets an NDR; Graph answers 202 either way.
"""

from __future__ import annotations

import base64
import logging
import uuid
from typing import Any

from sandbox.context import Ctx
from sandbox.errors import ErrorItemNotFound, GraphError
from sandbox.mail import access, compose, render, service, submission
from sandbox.router import GraphResponse, Router
from sandbox.store import Record

__all__ = ["router", "submit"]

router = Router()
log = logging.getLogger(__name__)

_RECIPIENT_KEYS = ("toRecipients", "ccRecipients", "bccRecipients")


def both(method: str, suffix: str):  # noqa: ANN201 - a decorator factory
    """Register a message action under /messages/{id} and /mailFolders/{f}/messages/{id}."""

    def register(fn):  # noqa: ANN001, ANN202
        router.route(method, "/users/{user}/messages/{message}" + suffix, resource="mail")(fn)
        template = "/users/{user}/mailFolders/{folder}/messages/{message}" + suffix
        router.route(method, template, resource="mail")(fn)
        return fn

    return register


def person(user: dict[str, Any]) -> dict[str, Any]:
    address = user.get("mail") or user["userPrincipalName"]
    return {"emailAddress": {"name": user.get("displayName") or address, "address": address}}


def action_body(ctx: Ctx, operation: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    """An action's parameters; their names are case-insensitive (the SDK sends PascalCase)."""
    canonical = {name.casefold(): name for name in allowed}
    out: dict[str, Any] = {}
    for key, value in ctx.request.json().items():
        if key.startswith("@odata."):
            continue
        if key.casefold() not in canonical:
            raise GraphError(
                f"The parameter '{key}' in the request payload is not a valid parameter for the"
                f" operation '{operation}'.",
                code="RequestBodyRead",
            )
        out[canonical[key.casefold()]] = value
    return out


def file_attachments(items: Any) -> list[dict[str, Any]]:
    """Attachments given inline in a message payload, checked like POST /attachments."""
    if items is None:
        return []
    if not isinstance(items, list):
        raise GraphError(
            "An unexpected 'PrimitiveValue' node was found when reading from the JSON reader."
            " A 'StartArray' node was expected.",
            code="RequestBodyRead",
        )
    out = []
    for att in items:
        if not isinstance(att, dict) or "@odata.type" not in att:
            raise GraphError("were unable to deserialize ", code="UnableToDeserializePostBody")
        try:
            base64.b64decode(att.get("contentBytes") or "", validate=True)
        except (ValueError, TypeError) as exc:
            raise GraphError(
                "Cannot convert the literal to the expected type 'Edm.Binary'.",
                code="RequestBodyRead",
            ) from exc
        out.append({k: v for k, v in att.items() if k != "id"})
    return out


def stored_attachments(ctx: Ctx, message_id: str) -> list[dict[str, Any]]:
    out = []
    for att in service.attachments_of(ctx.store, message_id):
        item = {
            k: v for k, v in att.data.items() if k not in ("id", "size", "lastModifiedDateTime")
        }
        item["contentBytes"] = base64.b64encode(ctx.store.get_blob(att.id) or b"").decode()
        out.append(item)
    return out


def _stamp_sender(ctx: Ctx, data: dict[str, Any]) -> None:
    assert ctx.mailbox is not None
    if not data.get("from"):
        data["from"] = person(ctx.mailbox)
    caller = ctx.caller
    if caller.user_id and caller.user_id != ctx.mailbox_id:
        delegate = ctx.directory.user(caller.user_id)
        data["sender"] = person(delegate) if delegate else data["from"]
    else:
        data["sender"] = data["from"]


def submit(
    ctx: Ctx,
    data: dict[str, Any],
    *,
    attachments: list[dict[str, Any]],
    draft: Record | None = None,
    save: bool = True,
) -> Record | None:
    """Send: Sent Items copy (or the draft itself, moved), then internal deliveries."""
    recipients = [r for key in _RECIPIENT_KEYS for r in data.get(key) or []]
    if not recipients:
        raise GraphError(
            "At least one recipient isn't valid., A message can't be sent because it contains no"
            " recipients.",
            code="ErrorInvalidRecipients",
        )
    _stamp_sender(ctx, data)
    departure = submission.submit(
        ctx.store, ctx.mailbox_id, len(recipients), subject=data.get("subject") or ""
    )
    now = departure.at  # when it leaves the Outbox (the message rate limit may hold it)
    data.update(sentDateTime=now, receivedDateTime=now, isDraft=False, isRead=True)
    if not data.get("internetMessageId"):
        data["internetMessageId"] = f"<{uuid.uuid4().hex.upper()}@zeeveen.sandbox>"
    sent_items = service.well_known(ctx.store, ctx.mailbox_id, "sentitems")
    sent: Record | None = None
    with ctx.store.transaction():
        if draft is not None:
            draft.data = data
            service.touch(ctx.store, data)
            sent = service.move_message(ctx.store, draft, sent_items.id)
        elif save:
            message = {**data, "attachments": attachments}
            sent = service.deliver(ctx.store, ctx.mailbox_id, sent_items.id, message)
        if not departure.sent:  # refused by a sending limit: nobody gets it, she gets an NDR
            submission.non_delivery_report(ctx.store, ctx.mailbox_id, data, departure)
            return sent
        _deliver_internal(ctx, data, attachments)
    log.info("mail sent from %s to %d recipient(s)", ctx.mailbox_id, len(recipients))
    return sent


def _deliver_internal(ctx: Ctx, data: dict[str, Any], attachments: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    for key in _RECIPIENT_KEYS:
        for r in data.get(key) or []:
            user = ctx.directory.user(r["emailAddress"]["address"])
            if user is None or user["id"] in seen:
                continue
            seen.add(user["id"])
            try:
                inbox = service.well_known(ctx.store, user["id"], "inbox")
            except ErrorItemNotFound:
                log.warning("no mailbox for %s; delivery skipped", user["id"])
                continue
            copy = {k: v for k, v in data.items() if not k.startswith("_") or k == "_svep"}
            copy.pop("@odata.etag", None)
            copy.pop("changeKey", None)
            copy.update(
                bccRecipients=[],
                isRead=False,
                isDraft=False,
                categories=[],
                flag={"flagStatus": "notFlagged"},
                inferenceClassification="focused",
                attachments=attachments,
            )
            copy.pop("createdDateTime", None)
            service.deliver(ctx.store, user["id"], inbox.id, copy)


def _draft_response(ctx: Ctx, rec: Record) -> GraphResponse:
    fragment = f"{ctx.user_segment()}/messages/$entity"
    return ctx.entity(
        render.message_json(ctx, rec), fragment, status=201, select=False,
        headers=render.preference_applied(ctx),
    )  # fmt: skip


def _compose(
    ctx: Ctx, original: Record, kind: str, operation: str, allowed: tuple[str, ...]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The reply/forward as message data and attachments, with comment and message applied."""
    body = action_body(ctx, operation, allowed)
    comment = body.get("comment") or ""
    if not isinstance(comment, str):
        raise GraphError(
            "Cannot convert a primitive value to the expected type 'Edm.String'.",
            code="RequestBodyRead",
        )
    extra = body.get("message") or {}
    if not isinstance(extra, dict):
        raise GraphError(
            "An unexpected 'PrimitiveValue' node was found when reading from the JSON reader."
            " A 'StartObject' node was expected.",
            code="RequestBodyRead",
        )
    if comment and "body" in extra:
        raise GraphError(
            "Either the comment or the body of the message can be given, not both.",
            code="ErrorInvalidRequest",
        )
    assert ctx.mailbox is not None
    if kind == "forward":
        data = compose.forward_draft(original.data, comment=comment)
        attachments = stored_attachments(ctx, original.id)
    else:
        data = compose.reply_draft(
            original.data, ctx.mailbox, reply_all=kind == "replyAll", comment=comment
        )
        attachments = []
    data["ccRecipients"] = data.get("ccRecipients") or []
    if "toRecipients" in body:
        compose.apply_changes(
            ctx.directory, data, {"toRecipients": body["toRecipients"]}, creating=True
        )
    compose.apply_changes(ctx.directory, data, extra, creating=True)
    attachments += file_attachments(extra.get("attachments"))
    return data, attachments


_DRAFT_ARGS = ("comment", "message")
_FORWARD_ARGS = ("comment", "message", "toRecipients")


@both("POST", "/createReply")
async def create_reply(
    ctx: Ctx, user: str, message: str, folder: str | None = None
) -> GraphResponse:
    return await _create_draft(ctx, message, folder, "reply")


@both("POST", "/createReplyAll")
async def create_reply_all(
    ctx: Ctx, user: str, message: str, folder: str | None = None
) -> GraphResponse:
    return await _create_draft(ctx, message, folder, "replyAll")


@both("POST", "/createForward")
async def create_forward(
    ctx: Ctx, user: str, message: str, folder: str | None = None
) -> GraphResponse:
    return await _create_draft(ctx, message, folder, "forward")


async def _create_draft(ctx: Ctx, message: str, folder: str | None, kind: str) -> GraphResponse:
    access.require_write(ctx)
    original = access.message(ctx, message, folder)
    operation = {"reply": "createReply", "replyAll": "createReplyAll"}.get(kind, "createForward")
    allowed = _FORWARD_ARGS if kind == "forward" else _DRAFT_ARGS
    data, attachments = _compose(ctx, original, kind, operation, allowed)
    now = service.now_iso(ctx.store)
    data.update(sentDateTime=now, receivedDateTime=now, createdDateTime=now, isRead=True)
    assert ctx.mailbox is not None
    data.setdefault("from", person(ctx.mailbox))
    data.setdefault("sender", data["from"])
    drafts = service.well_known(ctx.store, ctx.mailbox_id, "drafts")
    rec = service.deliver(
        ctx.store, ctx.mailbox_id, drafts.id, {**data, "attachments": attachments}, is_draft=True
    )
    return _draft_response(ctx, rec)


@both("POST", "/reply")
async def reply(ctx: Ctx, user: str, message: str, folder: str | None = None) -> GraphResponse:
    return await _send_now(ctx, message, folder, "reply")


@both("POST", "/replyAll")
async def reply_all(ctx: Ctx, user: str, message: str, folder: str | None = None) -> GraphResponse:
    return await _send_now(ctx, message, folder, "replyAll")


@both("POST", "/forward")
async def forward(ctx: Ctx, user: str, message: str, folder: str | None = None) -> GraphResponse:
    return await _send_now(ctx, message, folder, "forward")


async def _send_now(ctx: Ctx, message: str, folder: str | None, kind: str) -> GraphResponse:
    access.require_send(ctx)
    original = access.message(ctx, message, folder)
    allowed = _FORWARD_ARGS if kind == "forward" else _DRAFT_ARGS
    data, attachments = _compose(ctx, original, kind, kind, allowed)
    submit(ctx, data, attachments=attachments)
    return GraphResponse(status=202)


@both("POST", "/send")
async def send_draft(ctx: Ctx, user: str, message: str, folder: str | None = None) -> GraphResponse:
    access.require_send(ctx)
    rec = access.message(ctx, message, folder)
    action_body(ctx, "send", ())
    if not rec.data.get("isDraft"):
        raise ErrorItemNotFound()
    submit(ctx, dict(rec.data), attachments=stored_attachments(ctx, rec.id), draft=rec)
    return GraphResponse(status=202)


@router.route("POST", "/users/{user}/sendMail", resource="mail")
async def send_mail(ctx: Ctx, user: str) -> GraphResponse:
    access.require_send(ctx)
    body = action_body(ctx, "sendMail", ("message", "saveToSentItems"))
    message = body.get("message")
    if not message:
        raise GraphError(
            "The value of the parameter 'Message' is empty.", code="ErrorInvalidParameter"
        )
    if not isinstance(message, dict):
        raise GraphError(
            "An unexpected 'PrimitiveValue' node was found when reading from the JSON reader."
            " A 'StartObject' node was expected.",
            code="RequestBodyRead",
        )
    save = body.get("saveToSentItems", True)
    if not isinstance(save, bool):
        raise GraphError(
            "Cannot convert a primitive value to the expected type 'Edm.Boolean'.",
            code="RequestBodyRead",
        )
    data: dict[str, Any] = {"toRecipients": [], "ccRecipients": [], "bccRecipients": []}
    compose.apply_changes(ctx.directory, data, message, creating=True)
    data.setdefault("body", {"contentType": "text", "content": ""})
    data["bodyPreview"] = service.body_preview(data["body"])
    submit(ctx, data, attachments=file_attachments(message.get("attachments")), save=save)
    return GraphResponse(status=202)
