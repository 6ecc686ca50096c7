"""Stored mail records as Graph JSON: messages, folders, attachments.

Everything a client sees passes through here, so the rules live in one place: ids by
``Prefer: IdType``, ``parentFolderId`` as the folder's id, bodies converted by
``Prefer: outlook.body-content-type``, ``uniqueBody`` only when selected, extended
properties only when expanded.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

from sandbox import odata
from sandbox.calendar import render as calendar_render
from sandbox.context import Ctx
from sandbox.errors import GraphError
from sandbox.store import Record

__all__ = [
    "KNOWN_MESSAGE",
    "MESSAGE_PROPS",
    "Expand",
    "attachment_json",
    "folder_json",
    "html_to_text",
    "item_json",
    "message_json",
    "parse_expand",
    "parse_message_query",
    "text_to_html",
]

# The properties Graph returns for a message without $select, in Graph's order.
MESSAGE_PROPS = (
    "createdDateTime", "lastModifiedDateTime", "changeKey", "categories", "receivedDateTime",
    "sentDateTime", "hasAttachments", "internetMessageId", "subject", "bodyPreview",
    "importance", "parentFolderId", "conversationId", "conversationIndex",
    "isDeliveryReceiptRequested", "isReadReceiptRequested", "isRead", "isDraft", "webLink",
    "inferenceClassification", "body", "sender", "from", "toRecipients", "ccRecipients",
    "bccRecipients", "replyTo", "flag",
)  # fmt: skip
# Selectable only by name.
EXTRA_PROPS = ("uniqueBody", "internetMessageHeaders")
# The derived eventMessage types (invitations, cancellations, responses) add these.
EVENT_MESSAGE_PROPS = {
    "#microsoft.graph.eventMessage": (
        "meetingMessageType", "startDateTime", "endDateTime", "location", "type", "recurrence",
        "isOutOfDate", "isAllDay", "isDelegated",
    ),
    "#microsoft.graph.eventMessageRequest": (
        "meetingMessageType", "startDateTime", "endDateTime", "location", "type", "recurrence",
        "isOutOfDate", "isAllDay", "isDelegated", "allowNewTimeProposals", "meetingRequestType",
        "previousEndDateTime", "previousLocation", "previousStartDateTime", "responseRequested",
    ),
    "#microsoft.graph.eventMessageResponse": (
        "meetingMessageType", "startDateTime", "endDateTime", "location", "type", "recurrence",
        "isOutOfDate", "isAllDay", "isDelegated", "proposedNewTime", "responseType",
    ),
}  # fmt: skip
NAVIGATION = ("attachments", "singleValueExtendedProperties", "multiValueExtendedProperties",
              "extensions")  # fmt: skip
KNOWN_MESSAGE = {"id", *MESSAGE_PROPS, *EXTRA_PROPS, *NAVIGATION}
# eventMessage's navigation to its calendar item, reached through a cast on a message
# (Get eventMessage docs, Example 2: ``$expand=microsoft.graph.eventMessage/event``).
# A cast names a type and matches its derived types too; other messages skip the expand.
EVENT_CASTS = {
    "microsoft.graph.eventMessage": tuple(EVENT_MESSAGE_PROPS),
    "microsoft.graph.eventMessageRequest": ("#microsoft.graph.eventMessageRequest",),
    "microsoft.graph.eventMessageResponse": ("#microsoft.graph.eventMessageResponse",),
}
FOLDER_PROPS = ("id", "displayName", "parentFolderId", "childFolderCount", "unreadItemCount",
                "totalItemCount", "isHidden")  # fmt: skip


# -- bodies ---------------------------------------------------------------------------------
class _Text(HTMLParser):
    """HTML to the plain text Outlook derives: blocks on their own lines, no markup."""

    BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
              "table", "blockquote"}  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head", "title"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "title"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_to_text(content: str) -> str:
    parser = _Text()
    parser.feed(content or "")
    parser.close()
    text = "".join(parser.parts)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    out = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    return out.replace("\n", "\r\n")


def text_to_html(content: str) -> str:
    escaped = html.escape(content or "").replace("\r\n", "\n").replace("\n", "<br>\r\n")
    return (
        '<html>\r\n<head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        f"\r\n</head>\r\n<body>\r\n<div>{escaped}</div>\r\n</body>\r\n</html>\r\n"
    )


def convert_body(body: dict[str, Any] | None, wanted: str | None) -> dict[str, Any] | None:
    if not body or wanted is None:
        return body
    current = (body.get("contentType") or "text").lower()
    if current == wanted:
        return {"contentType": current, "content": body.get("content") or ""}
    if wanted == "text":
        return {"contentType": "text", "content": html_to_text(body.get("content") or "")}
    return {"contentType": "html", "content": text_to_html(body.get("content") or "")}


# -- $select / $expand -----------------------------------------------------------------------
Expand = dict[str, Callable[[dict[str, Any]], bool] | None]


def parse_message_query(ctx: Ctx) -> odata.Query:
    try:
        return odata.parse_query(
            ctx.request.query, known=KNOWN_MESSAGE, entity_type="microsoft.graph.message"
        )
    except odata.ODataError as exc:
        raise GraphError(exc.message, code=exc.code) from exc


def _split_top(expr: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(expr):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(expr[start:i])
            start = i + 1
    parts.append(expr[start:])
    return [p.strip() for p in parts if p.strip()]


def parse_expand(expr: str | None, allowed: tuple[str, ...] = NAVIGATION) -> Expand:
    """``attachments,singleValueExtendedProperties($filter=id eq '...')`` → name → filter."""
    out: Expand = {}
    for item in _split_top(expr or ""):
        m = re.fullmatch(r"((?:[\w.]+/)?[\w.]+)(?:\((.*)\))?", item, re.S)
        name = m.group(1) if m else item
        canonical = next((n for n in allowed if n.casefold() == name.casefold()), None)
        if canonical is None and allowed is NAVIGATION:
            canonical = _event_cast(name)
        if m is None or canonical is None:
            raise GraphError(
                f"Parsing OData Select and Expand failed: Could not find a property named "
                f"'{name}' on type 'microsoft.graph.message'.",
                code="BadRequest",
            )
        test = None
        options = (m.group(2) or "").strip()
        if options:
            key, _, value = options.partition("=")
            if key.strip().lower() not in ("$filter", "filter"):
                raise GraphError(
                    f"The query option '{key.strip()}' is not supported inside $expand.",
                    code="BadRequest",
                )
            try:
                test = odata.parse_filter(value)
            except odata.ODataError as exc:
                raise GraphError(exc.message, code=exc.code) from exc
        out[canonical] = test
    return out


def _event_cast(name: str) -> str | None:
    """``microsoft.graph.eventMessage/event`` (any case, any eventMessage type) in canonical
    spelling, or None."""
    cast, _, prop = name.rpartition("/")
    if prop.casefold() != "event":
        return None
    found = next((c for c in EVENT_CASTS if c.casefold() == cast.casefold()), None)
    return f"{found}/event" if found else None


def _linked_event(ctx: Ctx, rec: Record) -> dict[str, Any] | None:
    """The calendar item an event message belongs to, in the same mailbox, or None when it
    is gone (the organizer's item after a cancellation, an attendee's after a delete)."""
    event = ctx.store.get(rec.data.get("_event") or "", "event")
    if event is None or event.mailbox != rec.mailbox:
        return None
    zone = calendar_render.output_zone(ctx.timezone)
    return calendar_render.event_json(event.data, zone, text_body=ctx.body_content_type == "text")


# -- messages --------------------------------------------------------------------------------
def message_json(
    ctx: Ctx,
    rec: Record,
    *,
    select: list[str] | None = None,
    expand: Expand | None = None,
    odata_type: bool = False,
) -> dict[str, Any]:
    """One message as Graph renders it for this request."""
    data = rec.data
    mid = ctx.id_of(rec)
    out: dict[str, Any] = {}
    derived = data.get("@odata.type")
    if derived in EVENT_MESSAGE_PROPS:
        out["@odata.type"] = derived  # Graph annotates derived types, even in collections
    elif odata_type:
        out["@odata.type"] = "#microsoft.graph.message"
    out["@odata.etag"] = data.get("@odata.etag")
    out["id"] = mid
    wanted = ctx.body_content_type
    chosen = {s.casefold() for s in select} if select and "*" not in select else None
    for name in MESSAGE_PROPS + EXTRA_PROPS:
        if chosen is not None and name.casefold() not in chosen:
            continue
        if chosen is None and name in EXTRA_PROPS:
            continue
        if name == "parentFolderId":
            value: Any = rec.parent
        elif name == "webLink":
            value = (
                f"https://outlook.office365.com/owa/?ItemID={quote(mid, safe='')}"
                "&exvsurl=1&viewmodel=ReadMessageItem"
            )
        elif name == "body":
            value = convert_body(data.get("body"), wanted)
        elif name == "uniqueBody":
            value = convert_body(data.get("_uniqueBody") or data.get("body"), wanted)
        elif name == "internetMessageHeaders":
            value = data.get("internetMessageHeaders") or []
        elif name in ("sender", "from") and data.get(name) is None and chosen is None:
            continue  # an unsent draft has neither
        else:
            value = data.get(name)
        out[name] = value
    for name in EVENT_MESSAGE_PROPS.get(derived, ()):
        if chosen is None or name.casefold() in chosen:
            out[name] = data.get(name)
    for name, test in (expand or {}).items():
        if name == "attachments":
            atts = ctx.store.find("attachment", parent=rec.id)
            out["attachments"] = [attachment_json(a, ctx.store.get_blob(a.id)) for a in atts]
        elif name == "singleValueExtendedProperties":
            props = [p for p in data.get("_svep", []) if test is None or test(p)]
            if props:
                out[name] = props
        elif name == "multiValueExtendedProperties":
            props = [p for p in data.get("_mvep", []) if test is None or test(p)]
            if props:
                out[name] = props
        elif name.endswith("/event") and derived in EVENT_CASTS[name.rsplit("/", 1)[0]]:
            segment = f"{ctx.user_segment()}/messages('{quote(mid, safe='')}')/{name}"
            out["event@odata.context"] = ctx.context_url(f"{segment}/$entity")
            out["event"] = _linked_event(ctx, rec)
    return out


def filter_view(ctx: Ctx, rec: Record) -> dict[str, Any]:
    """What $filter and $orderby see: every property, extended properties included."""
    view = message_json(ctx, rec)
    view["singleValueExtendedProperties"] = rec.data.get("_svep", [])
    view["multiValueExtendedProperties"] = rec.data.get("_mvep", [])
    view.setdefault("sender", None)
    view.setdefault("from", None)
    return view


def preference_applied(ctx: Ctx) -> dict[str, str]:
    wanted = ctx.body_content_type
    return {"Preference-Applied": f'outlook.body-content-type="{wanted}"'} if wanted else {}


# -- attachments and folders ------------------------------------------------------------------
def attachment_json(rec: Record, content: bytes | None, *, with_content: bool = True) -> dict:
    data = rec.data
    kind = data.get("@odata.type", "#microsoft.graph.fileAttachment")
    out: dict[str, Any] = {
        "@odata.type": kind,
        "id": rec.id,
        "lastModifiedDateTime": data.get("lastModifiedDateTime"),
        "name": data.get("name"),
        "contentType": data.get("contentType"),
        "size": data.get("size", 0),
        "isInline": bool(data.get("isInline", False)),
    }
    if kind.endswith("fileAttachment"):
        out["contentId"] = data.get("contentId")
        out["contentLocation"] = data.get("contentLocation")
        if with_content:
            out["contentBytes"] = base64.b64encode(content or b"").decode()
    return out


def folder_json(rec: Record, stats: dict[str, dict[str, int]]) -> dict[str, Any]:
    counts = stats.get(rec.id, {})
    parent = rec.parent or _root_parent(rec)
    return {
        "id": rec.id,
        "displayName": rec.data.get("displayName"),
        "parentFolderId": parent,
        "childFolderCount": counts.get("childFolderCount", 0),
        "unreadItemCount": counts.get("unreadItemCount", 0),
        "totalItemCount": counts.get("totalItemCount", 0),
        "isHidden": bool(rec.data.get("isHidden", False)),
    }


def _root_parent(rec: Record) -> str:
    """msgfolderroot's parent is the mailbox's non-IPM root: a stable id derived from it."""
    raw = (rec.id.encode() * 2)[:33]
    return "AAMkAGI2AC" + base64.urlsafe_b64encode(bytes(b ^ 0x5A for b in raw)).decode() + "="


# Properties of a message inside an item attachment, in the order Graph shows them.
ITEM_MESSAGE_PROPS = (
    "createdDateTime", "lastModifiedDateTime", "receivedDateTime", "sentDateTime",
    "hasAttachments", "internetMessageId", "subject", "bodyPreview", "importance",
    "conversationId", "conversationIndex", "isDeliveryReceiptRequested",
    "isReadReceiptRequested", "isRead", "isDraft", "webLink", "internetMessageHeaders", "body",
    "sender", "from", "toRecipients", "ccRecipients", "bccRecipients", "replyTo", "flag",
)  # fmt: skip


def item_json(item: dict[str, Any], context: str) -> dict[str, Any]:
    """The item of an itemAttachment (``$expand=microsoft.graph.itemAttachment/item``)."""
    kind = item.get("@odata.type") or "#microsoft.graph.message"
    out: dict[str, Any] = {"@odata.type": kind, "id": ""}
    if not kind.lower().endswith("message"):
        out.update({k: v for k, v in item.items() if k not in ("@odata.type", "id")})
        return out
    for name in ITEM_MESSAGE_PROPS:
        value = item.get(name)
        if (name in ("bccRecipients", "replyTo") and not value) or (
            name in ("sender", "from") and value is None
        ):
            continue  # Exchange leaves empty ones out of an attached message
        out[name] = value
    nested = item.get("attachments") or []
    if nested:
        out["attachments@odata.context"] = f"{context}/microsoft.graph.message/attachments"
        out["attachments"] = nested
    return out
