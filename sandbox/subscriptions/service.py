"""Subscriptions as stored records, and what a change in a mailbox means for each of them.

A subscription is a ``Record(kind="subscription", mailbox=<watched mailbox>, parent=<folder id,
or None for the whole mailbox>)`` holding its Graph JSON plus internal keys: ``_app`` and
``_user`` (who may see and manage it), ``_immutableIds`` (the create request's
``Prefer: IdType="ImmutableId"``: ids in notifications are immutable), ``_paused`` (a
reauthorization challenge stopped the flow) and ``_reauthorizedAt`` / ``_challengedAt``.
Expired subscriptions are gone: never listed, never found, swept by the delivery worker.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sandbox.identity.tokens import Caller
from sandbox.store import Record, Store, StoreChange
from sandbox.subscriptions.errors import ExtensionError, InvalidRequest

__all__ = [
    "CHANGE_TYPES",
    "KIND",
    "TLS_VERSIONS",
    "NewSubscription",
    "active",
    "change_notifications",
    "count_in_mailbox",
    "create",
    "expiration",
    "find",
    "format_time",
    "lifecycle_notification",
    "owned_by",
    "parse_expiration",
    "parse_new",
    "parse_time",
    "public",
    "visible",
]

KIND = "subscription"
CHANGE_TYPES = ("created", "updated", "deleted")
TLS_VERSIONS = ("v1_0", "v1_1", "v1_2", "v1_3")
MAX_CLIENT_STATE = 128
# Properties Graph returns for an Outlook subscription, in its order (outlook change
# notifications overview, example 1); what the client did not set is null.
PROPERTIES = (
    "id", "resource", "applicationId", "changeType", "clientState", "notificationUrl",
    "notificationQueryOptions", "notificationContentType", "lifecycleNotificationUrl",
    "expirationDateTime", "creatorId", "includeResourceData", "latestSupportedTlsVersion",
    "encryptionCertificate", "encryptionCertificateId", "notificationUrlAppId",
)  # fmt: skip
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def format_time(moment: dt.datetime) -> str:
    """Graph's DateTimeOffset in UTC with seven fractional digits (``…45.9356913Z``)."""
    utc = moment.astimezone(dt.UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond:06d}0Z"


def parse_time(value: Any) -> dt.datetime | None:
    """An ISO 8601 date-time; without an offset it is UTC, as Graph reads it."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def expiration(rec: Record) -> dt.datetime:
    moment = parse_time(rec.data["expirationDateTime"])
    assert moment is not None  # stored by parse_expiration
    return moment


def active(rec: Record, now: dt.datetime) -> bool:
    return expiration(rec) > now


def public(rec: Record) -> dict[str, Any]:
    return {name: rec.data.get(name) for name in PROPERTIES}


@dataclass(frozen=True)
class NewSubscription:
    """A create request's properties, checked."""

    change_types: tuple[str, ...]
    notification_url: str
    lifecycle_url: str | None
    resource: str
    expires: dt.datetime
    client_state: str | None
    tls_version: str
    include_resource_data: bool | None


def _required(body: dict[str, Any], name: str) -> Any:
    value = body.get(name)
    if value is None or value == "":
        raise InvalidRequest(f"{name} is a required property for subscription creation.")
    return value


def check_url(value: Any, name: str, *, allow_http: bool) -> str:
    """An absolute https URL (http only on this machine when the admin allows it)."""
    url = value if isinstance(value, str) else ""
    parts = urlsplit(url)
    if parts.scheme.lower() == "http" and not (allow_http and parts.hostname in _LOOPBACK):
        raise InvalidRequest(f"{name} scheme='http' is not supported.")
    if parts.scheme.lower() not in ("https", "http") or not parts.hostname:
        label = "notification url" if name == "NotificationUrl" else "lifecycle notification url"
        raise InvalidRequest(f"Invalid {label}='{url}'.")
    return url


def parse_change_types(value: Any) -> tuple[str, ...]:
    names = [p.strip() for p in value.split(",")] if isinstance(value, str) else []
    if not names or any(n not in CHANGE_TYPES for n in names):
        raise InvalidRequest(
            f"Invalid 'changeType' attribute: '{value}'. Allowed values: created, updated,"
            " deleted, as a comma-separated list."
        )
    return tuple(dict.fromkeys(names))


def parse_expiration(
    value: Any, now: dt.datetime, max_minutes: int, *, required_message: str
) -> dt.datetime:
    """In the future and at most ``max_minutes`` away (Outlook's lifetime for messages)."""
    if value is None or value == "":
        raise InvalidRequest(required_message)
    moment = parse_time(value)
    if moment is None:
        raise InvalidRequest(
            "Could not process subscription creation payload. Are all property names spelled"
            " and camelCased properly?"
        )
    if moment <= now:
        raise ExtensionError("Subscription expiration must be in the future.")
    if moment > now + dt.timedelta(minutes=max_minutes):
        raise ExtensionError(
            f"Subscription expiration can only be {max_minutes} minutes in the future."
        )
    return moment


def parse_new(
    body: dict[str, Any], now: dt.datetime, *, max_minutes: int, allow_http: bool
) -> NewSubscription:
    change_types = parse_change_types(_required(body, "changeType"))
    url = check_url(_required(body, "notificationUrl"), "NotificationUrl", allow_http=allow_http)
    lifecycle = body.get("lifecycleNotificationUrl")
    if lifecycle is not None:
        lifecycle = check_url(lifecycle, "LifecycleNotificationUrl", allow_http=allow_http)
    resource = _required(body, "resource")
    if not isinstance(resource, str):
        raise InvalidRequest(f"Invalid 'resource' attribute: '{resource}'.")
    state = body.get("clientState")
    if state is not None and (not isinstance(state, str) or len(state) > MAX_CLIENT_STATE):
        raise InvalidRequest(
            f"clientState must be a string of at most {MAX_CLIENT_STATE} characters."
        )
    tls = body.get("latestSupportedTlsVersion") or "v1_2"
    if tls not in TLS_VERSIONS:
        raise InvalidRequest(
            f"Invalid 'latestSupportedTlsVersion' attribute: '{tls}'. Allowed values:"
            f" {', '.join(TLS_VERSIONS)}."
        )
    include = body.get("includeResourceData")
    if include:
        raise InvalidRequest(
            "includeResourceData: rich notifications (encrypted resource data) are not"
            " emulated by the sandbox; subscribe without resource data."
        )
    expires = parse_expiration(
        body.get("expirationDateTime"),
        now,
        max_minutes,
        required_message="expirationDateTime is a required property for subscription creation.",
    )
    return NewSubscription(
        change_types=change_types,
        notification_url=url,
        lifecycle_url=lifecycle,
        resource=resource,
        expires=expires,
        client_state=state,
        tls_version=tls,
        include_resource_data=include,
    )


def creator_id(caller: Caller) -> str:
    """The signed-in user, or the app's service principal (the ``oid`` of its app tokens,
    ``sandbox.identity.tokens.TokenService.app_token``)."""
    if caller.user_id is not None:
        return caller.user_id
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"sp:{caller.app_id}"))


def create(
    store: Store,
    new: NewSubscription,
    *,
    caller: Caller,
    mailbox_id: str,
    folder_id: str | None,
    immutable_ids: bool,
) -> Record:
    sub_id = str(uuid.uuid4())
    data: dict[str, Any] = dict.fromkeys(PROPERTIES)
    data.update(
        id=sub_id,
        resource=new.resource,
        applicationId=caller.app_id,
        changeType=",".join(new.change_types),
        clientState=new.client_state,
        notificationUrl=new.notification_url,
        lifecycleNotificationUrl=new.lifecycle_url,
        expirationDateTime=format_time(new.expires),
        creatorId=creator_id(caller),
        includeResourceData=new.include_resource_data,
        latestSupportedTlsVersion=new.tls_version,
        _app=caller.app_id,
        _user=caller.user_id,
        _immutableIds=immutable_ids,
        _paused=False,
    )
    rec = Record(id=sub_id, kind=KIND, mailbox=mailbox_id, parent=folder_id, data=data)
    store.put(rec)
    return rec


def owned_by(rec: Record, caller: Caller) -> bool:
    """Made by the caller's app (and, for a delegated caller, on her behalf)."""
    if rec.data.get("_app") != caller.app_id:
        return False
    return caller.is_app_only or rec.data.get("_user") == caller.user_id


def visible(store: Store, caller: Caller, now: dt.datetime) -> list[Record]:
    """The caller's app's active subscriptions (a user sees those made on her behalf)."""
    return [rec for rec in store.find(KIND) if active(rec, now) and owned_by(rec, caller)]


def find(store: Store, sub_id: str, now: dt.datetime) -> Record | None:
    rec = store.get(sub_id, KIND)
    return rec if rec is not None and active(rec, now) else None


def count_in_mailbox(store: Store, mailbox_id: str, now: dt.datetime) -> int:
    """Active subscriptions on one mailbox, of all apps (Outlook's per-mailbox limit)."""
    return sum(1 for rec in store.find(KIND, mailbox=mailbox_id) if active(rec, now))


# -- notifications --------------------------------------------------------------------------
def change_notifications(
    store: Store, changes: list[StoreChange], now: dt.datetime, tenant_id: str
) -> list[tuple[Record, dict[str, Any]]]:
    """What the committed ``changes`` mean for the active subscriptions on their mailboxes.

    A folder subscription sees an item arrive (``created``: new, copied or moved in), change
    (``updated``) or leave (``deleted``: deleted, or moved out). A subscription on the whole
    mailbox sees a move between its folders as ``updated``.
    """
    out: list[tuple[Record, dict[str, Any]]] = []
    messages = [c for c in changes if c.kind == "message" and c.mailbox]
    for mailbox in dict.fromkeys(c.mailbox for c in messages):
        subs = [
            s
            for s in store.find(KIND, mailbox=mailbox)
            if active(s, now) and not s.data.get("_paused")
        ]
        if not subs:
            continue
        mine = [c for c in messages if c.mailbox == mailbox]
        for sub in subs:
            wanted = set(sub.data["changeType"].split(","))
            seen: set[tuple[str, str]] = set()
            for change, change_type in _events(sub, mine):
                if change_type not in wanted or (change.id, change_type) in seen:
                    continue
                seen.add((change.id, change_type))
                out.append((sub, _notification(sub, change, change_type, tenant_id)))
    return out


_TYPE = {"created": "created", "updated": "updated", "removed": "deleted"}


def _events(sub: Record, changes: list[StoreChange]) -> list[tuple[StoreChange, str]]:
    if sub.parent is not None:
        return [(c, _TYPE[c.op]) for c in changes if c.container == sub.parent]
    out: list[tuple[StoreChange, str]] = []
    for item in dict.fromkeys(c.id for c in changes):
        ops = {c.op: c for c in changes if c.id == item}
        if "created" in ops and "removed" in ops:  # moved within the mailbox
            out.append((ops["created"], "updated"))
        else:
            out.extend((c, _TYPE[c.op]) for c in ops.values())
    return out


def _notification(
    sub: Record, change: StoreChange, change_type: str, tenant_id: str
) -> dict[str, Any]:
    """A changeNotification without resource data, shaped like Outlook's."""
    shown = change.id if sub.data.get("_immutableIds") or not change.rid else change.rid
    path = f"Users/{sub.mailbox}/Messages/{shown}"
    return {
        "subscriptionId": sub.id,
        "subscriptionExpirationDateTime": sub.data["expirationDateTime"],
        "changeType": change_type,
        "resource": path,
        "resourceData": {
            "@odata.type": "#Microsoft.Graph.Message",
            "@odata.id": path,
            "@odata.etag": change.data.get("@odata.etag"),
            "id": shown,
        },
        "clientState": sub.data.get("clientState"),
        "tenantId": tenant_id,
    }


def lifecycle_notification(sub: Record, event: str, tenant_id: str) -> dict[str, Any]:
    """A lifecycle notification: ``reauthorizationRequired``, ``subscriptionRemoved`` or
    ``missed`` (change-notifications-lifecycle-events)."""
    return {
        "subscriptionId": sub.id,
        "subscriptionExpirationDateTime": sub.data["expirationDateTime"],
        "tenantId": tenant_id,
        "clientState": sub.data.get("clientState"),
        "lifecycleEvent": event,
    }
