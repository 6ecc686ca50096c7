"""What every quick-step action works with: the message's facts, the ids prepared before the
operation, the tag on what an operation makes, and the templates and dates of its texts.

What each action type does lives in ``automations.quicksteps.actions``, one class per type.
This module imports none of them: other features (dispatch, drafts, approvals) tag what they
make with the same ``TAG_PROPERTY`` and import it from here, so it must stay a leaf.

Requests for one message form a chain (actions run in order; a failure stops the rest of that
message's chain). Ids stay valid across a move because the gateway asks for immutable ids.
What cannot be repeated safely — a forward, a draft, a new message, a To Do task — carries a
tag (an extended property, or the task's linked resource) with ``<operation>/<message>/<action>``
so a retried step can find what its first attempt already made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from babel.dates import format_date

from automations.mailboxes.tagged import TAG_PROPERTY
from automations.quicksteps import models as m

if TYPE_CHECKING:  # only its type: this module stays a leaf
    from automations.quicksteps.letters import Letter

__all__ = [
    "TAG_PROPERTY",
    "ZONE",
    "MessageFacts",
    "Prepared",
    "day_start",
    "day_text",
    "render",
    "tag_of",
    "template_values",
]

# The extended property that tags what an operation made (a named MAPI string property).
ZONE = "W. Europe Standard Time"
ITEM_FIELDS = ("subject", "body", "from", "toRecipients", "ccRecipients", "sentDateTime",
               "receivedDateTime")  # fmt: skip
STATE_FIELDS = ("parentFolderId", "categories", "flag", "isRead", "importance")


@dataclass(frozen=True)
class MessageFacts:
    """What the actions need to know of the message (read once, in the step's first batch)."""

    id: str
    subject: str
    sender_name: str
    sender_address: str
    received: str
    categories: tuple[str, ...]
    web_link: str = ""
    internet_message_id: str = ""
    item: Mapping[str, Any] = field(default_factory=dict)  # for forwarding as an attachment
    conversation_id: str = ""
    state: Mapping[str, Any] = field(default_factory=dict)  # what undo restores

    @classmethod
    def from_graph(cls, body: Mapping[str, Any]) -> MessageFacts:
        sender = (body.get("from") or {}).get("emailAddress") or {}
        return cls(
            id=body["id"],
            subject=body.get("subject") or "",
            sender_name=sender.get("name") or "",
            sender_address=sender.get("address") or "",
            received=body.get("receivedDateTime") or "",
            categories=tuple(body.get("categories") or ()),
            web_link=body.get("webLink") or "",
            internet_message_id=body.get("internetMessageId") or "",
            item={k: body[k] for k in ITEM_FIELDS if body.get(k) is not None},
            conversation_id=body.get("conversationId") or "",
            state={k: body.get(k) for k in STATE_FIELDS},
        )


@dataclass(frozen=True)
class Prepared:
    """Resolved before the operation: folder ids by path and the To Do list ids by name."""

    folders: Mapping[str, str] = field(default_factory=dict)
    todo_lists: Mapping[str, str] = field(default_factory=dict)
    # For a dispatch: the department (key, name, address) and the deadline (ISO date).
    dispatch: Mapping[str, str] = field(default_factory=dict)


def template_values(
    facts: MessageFacts, mailbox_name: str, actor_name: str, letter: Letter | None = None
) -> dict[str, Any]:
    """What a template may use: the names the demo file's header lists (``salutation`` and
    ``executive`` when the step's ``letter`` was looked up: ``automations.quicksteps.letters``)."""
    values = {
        "subject": facts.subject,
        "sender_name": facts.sender_name,
        "sender_address": facts.sender_address,
        "received": facts.received[:10],
        "mailbox": mailbox_name,
        "actor": actor_name,
    }
    if letter is not None:
        values |= letter.values(facts.sender_name, facts.sender_address)
    return values


def render(template: str, values: Mapping[str, Any], *, html: bool = True) -> str:
    """Values escaped for HTML (a comment); ``html=False`` for plain text (a subject)."""
    return m.render(template, values, html=html)


def day_text(day: dt.date) -> str:
    """A day as the secretary reads it: ``dinsdag 1 december``."""
    return format_date(day, "EEEE d MMMM", locale="nl_NL")


def day_start(day: dt.date) -> dict[str, str]:
    """A day as Graph takes it in a flag or a task: its midnight, Dutch time."""
    return {"dateTime": f"{day.isoformat()}T00:00:00", "timeZone": ZONE}


def tag_of(operation_id: str, message_index: int, action_index: int) -> str:
    return f"{operation_id}/{message_index}/{action_index}"
