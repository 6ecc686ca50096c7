"""One message, one mailbox, one day: what the action-type tables are checked against."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import TypeAdapter

from automations.quicksteps import models as m
from automations.quicksteps.actions import ActionType, RequestContext
from automations.quicksteps.effects import TAG_PROPERTY, MessageFacts, Prepared, template_values
from automations.quicksteps.registry import kind_of

MAILBOX = "ingrid.zwanenburg@zeeveen.nl"
ACTOR = "monique.verschuren@zeeveen.nl"
TODAY = dt.date(2026, 11, 24)  # a Tuesday
NOW = dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
TAG = "op-1/0/2"
MESSAGE = f"/users/{MAILBOX}/messages/msg-1"
TAGGED = [{"id": TAG_PROPERTY, "value": TAG}]
ITEM = {"subject": "Subsidieaanvraag", "body": {"contentType": "text", "content": "Graag."}}
FACTS = MessageFacts(
    id="msg-1",
    subject="Subsidieaanvraag",
    sender_name="Hans Verbeek",
    sender_address="hans.verbeek@zeeveen.nl",
    received="2026-11-23T10:00:00Z",
    categories=("Bestaand",),
    web_link="https://outlook.office.com/owa/?ItemID=msg-1",
    internet_message_id="<msg-1@zeeveen.nl>",
    item=ITEM,
    conversation_id="conv-1",
)
DEPARTMENT = {
    "key": "communicatie",
    "name": "Communicatie",
    "address": "lotte.vermeulen@zeeveen.nl",
    "deadline": "2026-12-01",
}
PREPARED = Prepared(
    folders={"Inbox/Backoffice": "folder-backoffice", "Inbox/Kopieën": "folder-kopieen"},
    todo_lists={"Taken": "list-taken"},
    dispatch=DEPARTMENT,
)
ACTIONS: TypeAdapter[Any] = TypeAdapter(m.Action)


def kind(spec: dict[str, Any]) -> ActionType[Any]:
    """The action type of one action as the YAML writes it."""
    return kind_of(ACTIONS.validate_python(spec))


def request_context(categories: tuple[str, ...] = FACTS.categories) -> RequestContext:
    return RequestContext(
        mailbox=MAILBOX,
        actor=ACTOR,
        facts=FACTS,
        categories=categories,
        prepared=PREPARED,
        values=template_values(FACTS, "Ingrid Zwanenburg", "Monique Verschuren"),
        tag=TAG,
        today=TODAY,
        now=NOW,
    )


def on(day: str) -> dict[str, str]:
    """A day's midnight in a flag or task, as Graph takes it."""
    return {"dateTime": f"{day}T00:00:00", "timeZone": "W. Europe Standard Time"}
