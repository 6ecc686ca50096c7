"""Reading message payloads the way Graph does, and drafting replies and forwards.

Graph rejects unknown properties and wrong JSON types with ``RequestBodyRead``, refuses
changes to the content of a message that is no longer a draft, resolves internal recipients'
names, and wraps HTML bodies in Exchange's document shell. Replies quote the original under
an Outlook header block (in Dutch: the tenant's mailboxes are nl-NL).
"""

from __future__ import annotations

import html
from typing import Any

from sandbox import timezones
from sandbox.directory import Directory
from sandbox.errors import GraphError
from sandbox.mail import service

__all__ = ["DRAFT_ONLY", "check_payload", "apply_changes", "reply_draft", "forward_draft"]

WRITABLE = {
    "subject", "body", "toRecipients", "ccRecipients", "bccRecipients", "replyTo", "from",
    "sender", "importance", "isRead", "isReadReceiptRequested", "isDeliveryReceiptRequested",
    "categories", "flag", "inferenceClassification", "internetMessageId",
    "internetMessageHeaders", "singleValueExtendedProperties", "multiValueExtendedProperties",
    "attachments",
}  # fmt: skip
READ_ONLY = {
    "id", "createdDateTime", "lastModifiedDateTime", "changeKey", "receivedDateTime",
    "sentDateTime", "hasAttachments", "bodyPreview", "parentFolderId", "conversationId",
    "conversationIndex", "isDraft", "webLink", "uniqueBody", "extensions",
}  # fmt: skip
DRAFT_ONLY = ("body", "subject", "toRecipients", "ccRecipients", "bccRecipients", "replyTo",
              "internetMessageId")  # fmt: skip
_ENUMS = {
    "importance": ("low", "normal", "high"),
    "inferenceClassification": ("focused", "other"),
}
_BOOLS = ("isRead", "isReadReceiptRequested", "isDeliveryReceiptRequested")
_RECIPIENT_LISTS = ("toRecipients", "ccRecipients", "bccRecipients", "replyTo")
_HTML_SHELL = (
    '<html>\r\n<head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    "\r\n</head>\r\n<body>\r\n{}\r\n</body>\r\n</html>\r\n"
)


def _bad(message: str) -> GraphError:
    return GraphError(message, code="RequestBodyRead")


def _expect(kind: str) -> GraphError:
    return _bad(
        "An unexpected 'PrimitiveValue' node was found when reading from the JSON reader. "
        f"A '{kind}' node was expected."
    )


def _enum(value: Any, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value.lower() not in allowed:
        raise _bad(f"Requested value '{value}' was not found.")
    return value.lower()


def _recipient(directory: Directory, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _expect("StartObject")
    email = value.get("emailAddress")
    if not isinstance(email, dict) or not isinstance(email.get("address"), str):
        raise GraphError(
            "At least one recipient isn't valid., A recipient's email address is missing.",
            code="ErrorInvalidRecipients",
        )
    address = email["address"].strip()
    user = directory.user(address)
    name = email.get("name") or (user or {}).get("displayName") or address
    return {"emailAddress": {"name": name, "address": address}}


def _flag(value: Any, current: dict[str, Any] | None, now: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _expect("StartObject")
    flag = dict(current or {"flagStatus": "notFlagged"})
    for key, item in value.items():
        if key.startswith("@odata."):
            continue
        if key == "flagStatus":
            flag["flagStatus"] = {"notflagged": "notFlagged", "flagged": "flagged",
                                  "complete": "complete"}.get(str(item).lower()) or ""  # fmt: skip
            if not flag["flagStatus"]:
                raise _bad(f"Requested value '{item}' was not found.")
        elif key in ("dueDateTime", "startDateTime", "completedDateTime"):
            if item is None:
                flag.pop(key, None)
                continue
            try:
                when = timezones.parse_graph_datetime(item)
            except (ValueError, timezones.UnknownTimeZone) as exc:
                raise _bad(f"Cannot convert the value of '{key}': {exc}") from exc
            flag[key] = timezones.format_graph_datetime(when, "UTC")
        else:
            raise _bad(
                f"The property '{key}' does not exist on type 'microsoft.graph.followupFlag'. Make"
                " sure to only use property names that are defined by the type or mark the type"
                " as open type."
            )
    if "dueDateTime" in value and "startDateTime" not in flag:
        raise GraphError(
            "To set the due date of a flag, the start date must be set as well.",
            code="ErrorInvalidRequest",
        )
    if flag["flagStatus"] == "notFlagged":
        flag = {"flagStatus": "notFlagged"}
    elif flag["flagStatus"] == "complete":
        flag.setdefault(
            "completedDateTime",
            timezones.format_graph_datetime(timezones.parse_iso_instant(now), "UTC"),
        )
    else:
        flag.pop("completedDateTime", None)
    return flag


def check_payload(body: dict[str, Any], *, entity: str = "microsoft.graph.message") -> None:
    """Unknown properties are refused before anything is changed."""
    for key in body:
        if key.startswith("@odata.") or key in WRITABLE or key in READ_ONLY:
            continue
        raise _bad(
            f"The property '{key}' does not exist on type '{entity}'. Make sure to only use"
            " property names that are defined by the type or mark the type as open type."
        )


def wrap_body(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise _expect("StartObject")
    kind = str(body.get("contentType") or "text").lower()
    if kind not in ("text", "html"):
        raise _bad(f"Requested value '{body.get('contentType')}' was not found.")
    content = body.get("content") or ""
    if not isinstance(content, str):
        raise _bad("Cannot convert a primitive value to the expected type 'Edm.String'.")
    if kind == "html" and "<html" not in content.lower():
        content = _HTML_SHELL.format(content)
    return {"contentType": kind, "content": content}


def apply_changes(
    directory: Directory, data: dict[str, Any], body: dict[str, Any], *, creating: bool
) -> None:
    """Validate and write a create/PATCH payload into stored message data."""
    check_payload(body)
    is_draft = creating or bool(data.get("isDraft"))
    for key, value in body.items():
        if key.startswith("@odata.") or key in READ_ONLY or key == "attachments":
            continue
        if not is_draft and key in DRAFT_ONLY:
            raise GraphError(
                "Update operation is invalid for property of a sent message.",
                code="ErrorInvalidPropertyUpdateSentMessage",
            )
        if not is_draft and key in ("from", "sender"):
            raise GraphError("Message is not draft.", code="ErrorInvalidPropertySet")
        if key in _BOOLS:
            if not isinstance(value, bool):
                raise _bad("Cannot convert a primitive value to the expected type 'Edm.Boolean'.")
            data[key] = value
        elif key in _ENUMS:
            data[key] = _enum(value, _ENUMS[key])
        elif key in ("subject", "internetMessageId"):
            if value is not None and not isinstance(value, str):
                raise _bad("Cannot convert a primitive value to the expected type 'Edm.String'.")
            data[key] = value or ""
        elif key == "body":
            data["body"] = wrap_body(value)
            data["bodyPreview"] = service.body_preview(data["body"])
            data.pop("_uniqueBody", None)
        elif key in _RECIPIENT_LISTS:
            if not isinstance(value, list):
                raise _expect("StartArray")
            data[key] = [_recipient(directory, r) for r in value]
        elif key in ("from", "sender"):
            data[key] = None if value is None else _recipient(directory, value)
        elif key == "categories":
            if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
                raise _expect("StartArray")
            data["categories"] = list(dict.fromkeys(value))
        elif key == "flag":
            data["flag"] = _flag(value, data.get("flag"), service.now_iso(directory.store))
        elif key == "internetMessageHeaders":
            if not isinstance(value, list):
                raise _expect("StartArray")
            data[key] = value
        elif key == "singleValueExtendedProperties":
            if not isinstance(value, list) or not all(isinstance(p, dict) for p in value):
                raise _expect("StartArray")
            service.merge_extended(data, value)
        elif key == "multiValueExtendedProperties":
            if not isinstance(value, list):
                raise _expect("StartArray")
            data["_mvep"] = value


# -- replies and forwards ------------------------------------------------------------------
def _names(people: list[dict[str, Any]] | None) -> str:
    return "; ".join(
        (p.get("emailAddress") or {}).get("name")
        or (p.get("emailAddress") or {}).get("address", "")
        for p in people or []
    )


def _same(a: dict[str, Any] | None, address: str) -> bool:
    return ((a or {}).get("emailAddress") or {}).get("address", "").casefold() == address.casefold()


def _quote(original: dict[str, Any], comment: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The new body (comment above the quoted original) and the uniqueBody (the comment)."""
    body = original.get("body") or {}
    content = body.get("content") or ""
    if (body.get("contentType") or "").lower() != "html":
        content = html.escape(content).replace("\n", "<br>")
    else:
        start = content.lower().find("<body")
        end = content.lower().rfind("</body>")
        if start >= 0:
            content = content[content.find(">", start) + 1 : end if end > 0 else None]
    sender = original.get("from") or original.get("sender") or {}
    header = (
        f"<b>Van:</b> {html.escape(_names([sender]))}<br>\r\n"
        f"<b>Verzonden:</b> {html.escape(original.get('sentDateTime') or '')}<br>\r\n"
        f"<b>Aan:</b> {html.escape(_names(original.get('toRecipients')))}<br>\r\n"
    )
    if original.get("ccRecipients"):
        header += f"<b>CC:</b> {html.escape(_names(original.get('ccRecipients')))}<br>\r\n"
    header += f"<b>Onderwerp:</b> {html.escape(original.get('subject') or '')}"
    # Exchange places the comment into the HTML body as HTML: markup in it is markup (a
    # caller must escape text from mail) and a bare newline is only white space.
    mine = comment
    quoted = (
        f'<div>{mine}</div>\r\n<hr style="display:inline-block;width:98%" tabindex="-1">\r\n'
        f'<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" '
        f'style="font-size:11pt" color="#000000">{header}</font>\r\n<div>&nbsp;</div>\r\n'
        f"</div>\r\n{content}"
    )
    return (
        {"contentType": "html", "content": _HTML_SHELL.format(quoted)},
        {"contentType": "html", "content": _HTML_SHELL.format(f"<div>{mine}</div>")},
    )


def _prefixed(prefix: str, subject: str) -> str:
    lowered = subject.lower()
    if lowered.startswith(prefix.lower()):
        return subject
    return f"{prefix} {subject}".rstrip()


def _thread(original: dict[str, Any]) -> dict[str, Any]:
    return {
        "conversationId": original.get("conversationId"),
        "_inReplyTo": original.get("internetMessageId"),
    }


def reply_draft(
    original: dict[str, Any], owner: dict[str, Any], *, reply_all: bool, comment: str
) -> dict[str, Any]:
    """A reply as Outlook makes it: to replyTo or the sender (and, for all, the others)."""
    own = owner.get("mail") or owner["userPrincipalName"]
    first = original.get("replyTo") or [original.get("from") or original.get("sender")]
    to = [r for r in first if r and not _same(r, own)]
    cc: list[dict[str, Any]] = []
    if reply_all:
        seen = {(r["emailAddress"]["address"]).casefold() for r in to}
        for r in original.get("toRecipients") or []:
            addr = r["emailAddress"]["address"].casefold()
            if addr not in seen and not _same(r, own):
                to.append(r)
                seen.add(addr)
        cc = [
            r
            for r in original.get("ccRecipients") or []
            if not _same(r, own) and r["emailAddress"]["address"].casefold() not in seen
        ]
    if not to and original.get("from"):
        to = [original["from"]]  # replying to one's own message goes to oneself
    body, unique = _quote(original, comment)
    return {
        "subject": _prefixed("RE:", original.get("subject") or ""),
        "body": body,
        "_uniqueBody": unique,
        "toRecipients": to,
        "ccRecipients": cc,
        "importance": original.get("importance", "normal"),
        **_thread(original),
    }


def forward_draft(original: dict[str, Any], *, comment: str) -> dict[str, Any]:
    body, unique = _quote(original, comment)
    return {
        "subject": _prefixed("FW:", original.get("subject") or ""),
        "body": body,
        "_uniqueBody": unique,
        "toRecipients": [],
        "importance": original.get("importance", "normal"),
        **_thread(original),
    }
