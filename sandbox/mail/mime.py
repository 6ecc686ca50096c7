"""``$value`` payloads: a message as RFC 822 (email package), an attached contact as vCard,
an attached event as iCalendar, as Exchange serves them."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import Any

from sandbox import timezones
from sandbox.store import Record, Store

__all__ = ["build_mime", "item_value", "message_mime"]


def _address(recipient: dict[str, Any] | None) -> Address | None:
    email = (recipient or {}).get("emailAddress") or {}
    address = email.get("address") or ""
    if "@" not in address:
        return None
    user, _, domain = address.partition("@")
    return Address(display_name=email.get("name") or "", username=user, domain=domain)


def _addresses(people: list[dict[str, Any]] | None) -> list[Address]:
    return [a for a in (_address(p) for p in people or []) if a is not None]


def _date(value: str | None, now: dt.datetime) -> str:
    when = dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if value else now
    return format_datetime(when)


def message_mime(store: Store, rec: Record) -> bytes:
    """A stored message with every file attachment; undated, it is dated by the tenant's now."""
    files = [
        {**att.data, "content": store.get_blob(att.id) or b""}
        for att in store.find("attachment", parent=rec.id)
        if att.data.get("@odata.type", "").endswith("fileAttachment")
    ]
    return build_mime(rec.data, files, now=store.clock.now())


def build_mime(data: dict[str, Any], files: list[dict[str, Any]], *, now: dt.datetime) -> bytes:
    """Headers, the body as text/html or text/plain, and the given files; ``now`` dates an
    undated draft."""
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
    msg["Date"] = _date(data.get("sentDateTime") or data.get("receivedDateTime"), now)
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
    for att in files:
        ctype = att.get("contentType") or "application/octet-stream"
        maintype, _, subtype = ctype.partition("/")
        msg.add_attachment(
            att["content"],
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=att.get("name") or "attachment",
            disposition="inline" if att.get("isInline") else "attachment",
            cid=att.get("contentId") or None,
        )
    return msg.as_bytes(policy=SMTP)


def item_value(item: dict[str, Any], *, now: dt.datetime) -> bytes:
    """An item attachment's ``$value``: MIME for a message, vCard, or iCalendar; ``now`` is
    the tenant's (an iCalendar's DTSTAMP, an undated message's Date)."""
    kind = str(item.get("@odata.type", "")).lower()
    if kind.endswith("contact"):
        return _vcard(item)
    if kind.endswith("event"):
        return _vcalendar(item, now)
    files = [
        {**a, "content": base64.b64decode(a.get("contentBytes") or "")}
        for a in item.get("attachments") or []
        if str(a.get("@odata.type", "")).endswith("fileAttachment")
    ]
    return build_mime(item, files, now=now)


def _escape(value: Any) -> str:
    return str(value or "").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")


def _vcard(contact: dict[str, Any]) -> bytes:
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"N:{_escape(contact.get('surname'))};{_escape(contact.get('givenName'))};;;",
        f"FN:{_escape(contact.get('displayName'))}",
    ]
    for mail in contact.get("emailAddresses") or []:
        lines.append(f"EMAIL;TYPE=INTERNET:{mail.get('address', '')}")
    for phone in contact.get("businessPhones") or []:
        lines.append(f"TEL;TYPE=WORK:{phone}")
    lines.append("END:VCARD")
    return ("\r\n".join(lines) + "\r\n").encode()


def _ical_time(value: dict[str, Any] | None) -> str:
    when = timezones.parse_graph_datetime(value or {"dateTime": "1970-01-01T00:00:00"})
    return f"{when.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"


def _vcalendar(event: dict[str, Any], now: dt.datetime) -> bytes:
    stamp = f"{now.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"
    lines = [
        "BEGIN:VCALENDAR",
        "METHOD:PUBLISH",
        "PRODID:Microsoft Exchange Server 2010",
        "VERSION:2.0",
        "BEGIN:VEVENT",
        f"UID:{uuid.uuid5(uuid.NAMESPACE_URL, repr(sorted(event.items()))).hex.upper()}",
        f"SUMMARY;LANGUAGE=nl-NL:{_escape(event.get('subject'))}",
        f"DTSTART:{_ical_time(event.get('start'))}",
        f"DTEND:{_ical_time(event.get('end'))}",
        f"DTSTAMP:{stamp}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()
