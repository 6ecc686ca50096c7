"""What each quick-step action does in Graph: a preview line, and the request(s) that do it.

Requests for one message form a ``dependsOn`` chain in a ``$batch`` (actions run in order; a
failure stops the rest of that message's chain: Graph answers the rest 424). Ids stay valid
across a move because the gateway asks for immutable ids.

What cannot be repeated safely — a forward, a draft, a new message, a To Do task — carries a
tag (an extended property, or the task's linked resource) with ``<operation>/<message>/<action>``
so a retried step can find what its first attempt already made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from babel.dates import format_date

from automations.graph import BatchRequest
from automations.quicksteps import models as m

__all__ = [
    "TAG_PROPERTY",
    "MessageFacts",
    "Prepared",
    "describe",
    "requests_for",
    "template_values",
]

# The extended property that tags what an operation made (a named MAPI string property).
TAG_PROPERTY = "String {1f6cbb2e-7d3a-4b8c-9a57-3f1f8f0d9a11} Name SecretariaatOperationId"
ZONE = "W. Europe Standard Time"
ITEM_FIELDS = ("subject", "body", "from", "toRecipients", "ccRecipients", "sentDateTime",
               "receivedDateTime")  # fmt: skip
STATE_FIELDS = ("parentFolderId", "categories", "flag", "isRead", "importance")
CREATES = frozenset({"forward", "forward_as_attachment", "reply_draft", "new_message", "dispatch"})


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


def dispatch_category(name: str) -> str:
    return f"Uitgezet: {name}"


def working_days_after(day: dt.date, count: int) -> dt.date:
    """``count`` working days (Monday to Friday) after ``day``; public holidays not counted."""
    while count:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def template_values(facts: MessageFacts, mailbox_name: str, actor_name: str) -> dict[str, Any]:
    return {
        "subject": facts.subject,
        "sender_name": facts.sender_name,
        "sender_address": facts.sender_address,
        "received": facts.received[:10],
        "mailbox": mailbox_name,
        "actor": actor_name,
    }


def render(template: str, values: Mapping[str, Any]) -> str:
    return m.TEMPLATES.from_string(template).render(**values)


def describe(
    action: Any,
    today: dt.date,
    new_folders: set[str],
    new_categories: set[str],
    dispatch: Mapping[str, str] | None = None,
) -> str:
    """One line of the preview, in Dutch."""
    kind = action.action
    if kind == "dispatch":
        if not dispatch:
            return f"Uitzetten bij een vakafdeling (termijn {action.deadline_days} werkdagen)"
        deadline = _day(dt.date.fromisoformat(dispatch["deadline"]))
        return (
            f"Uitzetten bij {dispatch['name']} ({dispatch['address']}), antwoord uiterlijk"
            f" {deadline}; categorie {dispatch_category(dispatch['name'])}"
        )
    if kind in ("move", "copy"):
        made = " (map wordt aangemaakt)" if action.folder in new_folders else ""
        verb = "Verplaatsen" if kind == "move" else "Kopiëren"
        return f"{verb} naar {action.folder}{made}"
    if kind == "categorize":
        made = [c for c in action.categories if c in new_categories]
        extra = f" (nieuwe categorie: {', '.join(made)})" if made else ""
        return f"Categorie {', '.join(action.categories)} toevoegen{extra}"
    if kind == "flag":
        return f"Markeren voor opvolging, uiterlijk {_day(action.on(today))}"
    if kind in ("forward", "forward_as_attachment"):
        how = "als bijlage " if kind == "forward_as_attachment" or action.as_attachment else ""
        return f"Doorsturen {how}naar {', '.join(action.to)}"
    if kind == "reply_draft":
        return "Concept-antwoord aan allen" if action.reply_all else "Concept-antwoord"
    if kind == "new_message":
        what = "Nieuw bericht versturen" if action.send else "Nieuw concept"
        return f"{what} aan {', '.join(action.to)}"
    if kind == "todo_task":
        due = f", uiterlijk {_day(m.DueDate(due=action.due).on(today))}" if action.due else ""
        return f"Taak in To Do-lijst '{action.task_list}'{due}"
    return {
        "delete": "Verwijderen (naar Verwijderde items)",
        "mark_read": "Markeren als gelezen",
        "mark_unread": "Markeren als ongelezen",
        "importance": f"Urgentie: {getattr(action, 'level', '')}",
        "clear_categories": "Alle categorieën verwijderen",
        "mark_complete": "Markering: voltooid",
        "clear_flag": "Markering wissen",
    }[kind]


def _day(day: dt.date) -> str:
    return format_date(day, "EEEE d MMMM", locale="nl_NL")


def _when(day: dt.date) -> dict[str, str]:
    return {"dateTime": f"{day.isoformat()}T00:00:00", "timeZone": ZONE}


def tag_of(operation_id: str, message_index: int, action_index: int) -> str:
    return f"{operation_id}/{message_index}/{action_index}"


def requests_for(
    action: Any,
    *,
    mailbox: str,
    actor: str,
    facts: MessageFacts,
    categories: tuple[str, ...],
    prepared: Prepared,
    values: Mapping[str, Any],
    tag: str,
    today: dt.date,
    now: dt.datetime,
) -> list[BatchRequest]:
    """The Graph request(s) for one action on one message (no ``depends_on`` yet)."""
    message = f"/users/{mailbox}/messages/{facts.id}"
    tagged = [{"id": TAG_PROPERTY, "value": tag}]
    kind = action.action
    if kind in ("move", "copy"):
        body = {"destinationId": prepared.folders[action.folder]}
        return [BatchRequest("POST", f"{message}/{kind}", body)]
    if kind == "delete":
        # What Graph's DELETE does to a message, but safe to repeat: a second DELETE of an item
        # already in Deleted Items would remove it for good.
        return [BatchRequest("POST", f"{message}/move", {"destinationId": "deleteditems"})]
    patch: dict[str, Any] | None = {
        "mark_read": {"isRead": True},
        "mark_unread": {"isRead": False},
        "clear_categories": {"categories": []},
        "clear_flag": {"flag": {"flagStatus": "notFlagged"}},
    }.get(kind)
    if kind == "importance":
        patch = {"importance": action.level}
    elif kind == "categorize":
        patch = {"categories": list(dict.fromkeys([*categories, *action.categories]))}
    elif kind == "flag":
        patch = {
            "flag": {
                "flagStatus": "flagged",
                "startDateTime": _when(today),
                "dueDateTime": _when(action.on(today)),
            }
        }
    elif kind == "mark_complete":
        done = now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
        patch = {
            "flag": {
                "flagStatus": "complete",
                "completedDateTime": {"dateTime": done, "timeZone": "UTC"},
            }
        }  # noqa: E501
    if patch is not None:
        return [BatchRequest("PATCH", message, patch)]
    if kind == "forward_as_attachment" or (kind == "forward" and action.as_attachment):
        # Graph has no forward-as-attachment: a new message carrying the original as an item.
        attached = {"@odata.type": "#microsoft.graph.message", **facts.item}
        body = {
            "subject": f"FW: {facts.subject}",
            "body": {"contentType": "text", "content": render(action.comment, values)},
            "toRecipients": [{"emailAddress": {"address": a}} for a in action.to],
            "attachments": [
                {
                    "@odata.type": "#microsoft.graph.itemAttachment",
                    "name": facts.subject or "Bericht",
                    "item": attached,
                }
            ],
            "singleValueExtendedProperties": tagged,
        }
        return [BatchRequest("POST", f"/users/{mailbox}/messages", body)]
    if kind == "dispatch":
        department = prepared.dispatch
        deadline = dt.date.fromisoformat(department["deadline"])
        note = render(action.note, values).strip()
        comment = "\n\n".join(
            part
            for part in (
                note,
                f"Graag afhandelen en antwoorden vóór {_day(deadline)}; antwoord in dit"
                " gesprek, dan ziet het bestuurssecretariaat dat het is opgepakt.",
            )
            if part
        )
        forward = {
            "comment": comment,
            "message": {
                "toRecipients": [{"emailAddress": {"address": department["address"]}}],
                "singleValueExtendedProperties": tagged,
            },
        }
        label = dispatch_category(department["name"])
        patch = {
            "categories": list(dict.fromkeys([*categories, label])),
            "flag": {
                "flagStatus": "flagged",
                "startDateTime": _when(today),
                "dueDateTime": _when(deadline),
            },
        }
        return [
            BatchRequest("POST", f"{message}/createForward", forward),
            BatchRequest("PATCH", message, patch),
        ]
    if kind == "forward":
        to = [{"emailAddress": {"address": a}} for a in action.to]
        body = {
            "comment": render(action.comment, values),
            "message": {"toRecipients": to, "singleValueExtendedProperties": tagged},
        }
        return [BatchRequest("POST", f"{message}/createForward", body)]
    if kind == "reply_draft":
        verb = "createReplyAll" if action.reply_all else "createReply"
        body = {
            "comment": render(action.body, values),
            "message": {"singleValueExtendedProperties": tagged},
        }
        return [BatchRequest("POST", f"{message}/{verb}", body)]
    if kind == "new_message":
        body = {
            "subject": render(action.subject, values),
            "body": {"contentType": "text", "content": render(action.body, values)},
            "toRecipients": [{"emailAddress": {"address": a}} for a in action.to],
            "singleValueExtendedProperties": tagged,
        }
        return [BatchRequest("POST", f"/users/{mailbox}/messages", body)]
    if kind == "todo_task":
        task: dict[str, Any] = {
            "title": render(action.title, values),
            "linkedResources": [
                {
                    "webUrl": facts.web_link or f"https://outlook.office.com/mail/{facts.id}",
                    "applicationName": "Secretariaat",
                    "displayName": facts.subject or "(geen onderwerp)",
                    "externalId": tag,
                }
            ],
        }
        if action.due:
            task["dueDateTime"] = _when(m.DueDate(due=action.due).on(today))
        list_id = prepared.todo_lists[action.task_list]
        # To Do has no delegate access: the task goes to the acting secretary's own list.
        return [BatchRequest("POST", f"/users/{actor}/todo/lists/{list_id}/tasks", task)]
    raise ValueError(f"unknown action {kind}")
