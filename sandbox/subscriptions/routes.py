"""/subscriptions: create, list, get, renew (PATCH), delete and reauthorize, as Graph does.

Creating and managing a subscription takes a read scope to the watched messages
(``permissions.MAIL_SUBSCRIPTIONS``): a delegated token for the signed-in user's own mailbox
only, an application token for any mailbox in the app's RBAC scope. Outlook's refusals come
back as Graph relays them (``ExtensionError``, ``Operation: Create; Exception: [...]``).
"""

from __future__ import annotations

import logging
from typing import Any

from sandbox.context import Ctx
from sandbox.errors import ErrorItemNotFound, GraphError
from sandbox.mail import service as mail
from sandbox.router import GraphResponse, Router
from sandbox.store import Record
from sandbox.subscriptions import resources, service
from sandbox.subscriptions.delivery import Notifier
from sandbox.subscriptions.errors import (
    InvalidRequest,
    SubscriptionNotFound,
    forbidden,
    not_found,
)

__all__ = ["router"]

log = logging.getLogger(__name__)

router = Router()

_ONE = "/subscriptions/{subscription}"


def _notifier(ctx: Ctx) -> Notifier:
    notifier: Notifier = ctx.services.notifications
    return notifier


def _authorise(
    ctx: Ctx, mailbox: dict[str, Any] | None, method: str, template: str, operation: str
) -> None:
    """The permission table and the mailbox (own, RBAC scope), answered as Outlook does."""
    try:
        ctx.services.authorise(
            ctx.caller, mailbox, method=method, template=template, resource="subscriptions"
        )
    except GraphError as err:
        if err.status != 403:
            raise
        raise forbidden(operation) from err


def _mailbox(ctx: Ctx, target: resources.MailResource) -> dict[str, Any]:
    if target.user is None:
        if ctx.caller.is_app_only:
            raise GraphError(
                "/me request is only valid with delegated authentication flow.",
                code="BadRequest",
            )
        user = ctx.directory.user(ctx.caller.user_id or "")
    else:
        user = ctx.directory.user(target.user)
    if user is None:
        raise not_found("Create")
    return user


def _folder(ctx: Ctx, mailbox_id: str, key: str | None) -> str | None:
    if key is None:
        return None
    try:
        return mail.resolve_folder(ctx.store, mailbox_id, key).id
    except ErrorItemNotFound:
        raise not_found("Create", "The specified object was not found in the store.") from None


def _entity(ctx: Ctx, rec: Record, *, status: int = 200) -> GraphResponse:
    return ctx.entity(service.public(rec), "subscriptions/$entity", status=status, select=False)


def _mine(ctx: Ctx, subscription: str, method: str, operation: str, template: str = _ONE) -> Record:
    """One of the caller's app's subscriptions (a user's own), authorised on its mailbox."""
    rec = service.find(ctx.store, subscription, ctx.store.clock.now())
    if rec is None or not service.owned_by(rec, ctx.caller):
        raise SubscriptionNotFound()
    assert rec.mailbox is not None
    _authorise(ctx, ctx.directory.user(rec.mailbox), method, template, operation)
    return rec


@router.route("POST", "/subscriptions", resource="subscriptions")
async def create_subscription(ctx: Ctx) -> GraphResponse:
    """Check the request, authorise the mailbox, validate the endpoints, then 201."""
    notifier = _notifier(ctx)
    settings = notifier.settings
    now = ctx.store.clock.now()
    new = service.parse_new(
        ctx.request.json(),
        now,
        max_minutes=settings.max_lifetime_minutes,
        allow_http=settings.allow_http,
    )
    target = resources.parse(new.resource)
    mailbox = _mailbox(ctx, target)
    _authorise(ctx, mailbox, "POST", "/subscriptions", "Create")
    folder_id = _folder(ctx, mailbox["id"], target.folder)
    if service.count_in_mailbox(ctx.store, mailbox["id"], now) >= settings.max_per_mailbox:
        raise forbidden("Create", "Maximum number of subscriptions has been reached")
    await notifier.validate(new.notification_url)
    if new.lifecycle_url:
        await notifier.validate(new.lifecycle_url)
    rec = service.create(
        ctx.store,
        new,
        caller=ctx.caller,
        mailbox_id=mailbox["id"],
        folder_id=folder_id,
        immutable_ids=ctx.immutable_ids,
    )
    notifier.kick()
    log.info("subscription created on a mailbox (%s)", "folder" if folder_id else "all mail")
    return _entity(ctx, rec, status=201)


@router.route("GET", "/subscriptions", resource="subscriptions")
async def list_subscriptions(ctx: Ctx) -> GraphResponse:
    """The app's active subscriptions (a user's own when delegated)."""
    _authorise(ctx, None, "GET", "/subscriptions", "List")
    items = [
        service.public(r) for r in service.visible(ctx.store, ctx.caller, ctx.store.clock.now())
    ]
    return ctx.collection(items, "subscriptions", default_page=100, skiptoken=True)


@router.route("GET", _ONE, resource="subscriptions")
async def get_subscription(ctx: Ctx, subscription: str) -> GraphResponse:
    return _entity(ctx, _mine(ctx, subscription, "GET", "Get"))


@router.route("PATCH", _ONE, resource="subscriptions")
async def update_subscription(ctx: Ctx, subscription: str) -> GraphResponse:
    """Renew (``expirationDateTime``) and/or move delivery (``notificationUrl``, validated
    again). Renewing also answers a reauthorization challenge."""
    rec = _mine(ctx, subscription, "PATCH", "Update")
    notifier = _notifier(ctx)
    body = ctx.request.json()
    expires, url = body.get("expirationDateTime"), body.get("notificationUrl")
    if expires is None and url is None:
        raise InvalidRequest(
            "Subscription must contain either the 'expirationDateTime' or 'notificationUrl'"
            " property and its value."
        )
    if expires is not None:
        moment = service.parse_expiration(
            expires,
            ctx.store.clock.now(),
            notifier.settings.max_lifetime_minutes,
            required_message="expirationDateTime must have a value.",
        )
        rec.data["expirationDateTime"] = service.format_time(moment)
        rec.data.update(_paused=False, _challengedAt=None)
    if url is not None and url != rec.data["notificationUrl"]:
        checked = service.check_url(url, "NotificationUrl", allow_http=notifier.settings.allow_http)
        await notifier.validate(checked)
        rec.data["notificationUrl"] = checked
    ctx.store.put(rec)
    return _entity(ctx, rec)


@router.route("DELETE", _ONE, resource="subscriptions")
async def delete_subscription(ctx: Ctx, subscription: str) -> GraphResponse:
    rec = _mine(ctx, subscription, "DELETE", "Delete")
    _notifier(ctx).forget(rec.id)
    return GraphResponse(status=204)


@router.route("POST", _ONE + "/reauthorize", resource="subscriptions")
async def reauthorize_subscription(ctx: Ctx, subscription: str) -> GraphResponse:
    """Answer a reauthorization challenge without renewing: the flow resumes."""
    rec = _mine(ctx, subscription, "POST", "Reauthorize", _ONE + "/reauthorize")
    rec.data.update(_paused=False)
    ctx.store.put(rec)
    return GraphResponse(status=204)
