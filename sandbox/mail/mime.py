"""A message's ``$value``: the RFC 822 form Exchange serves, built with the email package."""

from __future__ import annotations

import datetime as dt
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import Any

from sandbox.store import Record, Store

__all__ = ["message_mime"]


def _address(recipient: dict[str, Any] | None) -> Address | None:
    email = (recipient or {}).get("emailAddress") or {}
    address = email.get("address") or ""
    if "@" not in address:
        return None
    user, _, domain = address.partition("@")
    return Address(display_name=email.get("name") or "", username=user, domain=domain)


def _addresses(people: list[dict[str, Any]] | None) -> list[Address]:
    return [a for a in (_address(p) for p in people or []) if a is not None]


def _date(value: str | None) -> str:
    when = dt.datetime.now(dt.UTC)
    if value:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return format_datetime(when)


def message_mime(store: Store, rec: Record) -> bytes:
    """Headers, the body as text/html or text/plain, and every file attachment."""
    data = rec.data
    msg = EmailMessage()
    sender = _address(data.get("from"))
    if sender is not None:
        msg["From"] = sender
    actual = _address(data.get("sender"))
    if actual is not None and sender is not None and actual.addr_spec != sender.addr_spec:
        msg["Sender"] = actual
    for header, key in (("To", "toRecipients"), ("Cc", "ccRecipients"), ("Reply-To", "replyTo")):
        people = _addresses(data.get(key))
        if people:
            msg[header] = people
    if data.get("isDraft"):
        bcc = _addresses(data.get("bccRecipients"))
        if bcc:
            msg["Bcc"] = bcc
    msg["Subject"] = data.get("subject") or ""
    msg["Date"] = _date(data.get("sentDateTime") or data.get("receivedDateTime"))
    if data.get("internetMessageId"):
        msg["Message-ID"] = data["internetMessageId"]
    if data.get("_inReplyTo"):
        msg["In-Reply-To"] = data["_inReplyTo"]
        msg["References"] = data["_inReplyTo"]
    if data.get("importance") and data["importance"] != "normal":
        msg["Importance"] = data["importance"]
    msg["Content-Language"] = "nl-NL"
    for header in data.get("internetMessageHeaders") or []:
        if str(header.get("name", "")).lower().startswith("x-"):
            msg[header["name"]] = str(header.get("value", ""))
    body = data.get("body") or {}
    subtype = "html" if (body.get("contentType") or "").lower() == "html" else "plain"
    msg.set_content(body.get("content") or "", subtype=subtype, charset="utf-8")
    for att in store.find("attachment", parent=rec.id):
        if not att.data.get("@odata.type", "").endswith("fileAttachment"):
            continue
        maintype, _, subtype = (
            att.data.get("contentType") or "application/octet-stream"
        ).partition("/")
        msg.add_attachment(
            store.get_blob(att.id) or b"",
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=att.data.get("name") or "attachment",
            disposition="inline" if att.data.get("isInline") else "attachment",
            cid=att.data.get("contentId") or None,
        )
    return msg.as_bytes(policy=SMTP)
