"""Every action type's Graph requests for one message: method, URL and body, exactly."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from automations.quicksteps.registry import ACTION_TYPES
from tests.automations.quicksteps.cases import (
    ACTOR,
    ITEM,
    MAILBOX,
    MESSAGE,
    TAG,
    TAGGED,
    kind,
    on,
    request_context,
)

FLAGGED_TOMORROW = {
    "flag": {
        "flagStatus": "flagged",
        "startDateTime": on("2026-11-24"),
        "dueDateTime": on("2026-11-25"),
    },
}
DISPATCH_NOTE = (
    "Beste collega, graag.<br>\n<br>\nGraag afhandelen en antwoorden vóór dinsdag 1 december;"
    " antwoord in dit gesprek, dan ziet het bestuurssecretariaat dat het is opgepakt."
)
LOTTE = [{"emailAddress": {"address": "lotte.vermeulen@zeeveen.nl"}}]

REQUESTS: list[tuple[dict[str, Any], list[tuple[str, str, Any]]]] = [
    (
        {"action": "move", "folder": "Inbox/Backoffice"},
        [("POST", f"{MESSAGE}/move", {"destinationId": "folder-backoffice"})],
    ),
    (
        {"action": "copy", "folder": "Inbox/Kopieën"},
        [("POST", f"{MESSAGE}/copy", {"destinationId": "folder-kopieen"})],
    ),
    ({"action": "delete"}, [("POST", f"{MESSAGE}/move", {"destinationId": "deleteditems"})]),
    ({"action": "mark_read"}, [("PATCH", MESSAGE, {"isRead": True})]),
    ({"action": "mark_unread"}, [("PATCH", MESSAGE, {"isRead": False})]),
    ({"action": "importance", "level": "low"}, [("PATCH", MESSAGE, {"importance": "low"})]),
    (
        {"action": "categorize", "categories": ["Backoffice", "Bestaand"]},
        [("PATCH", MESSAGE, {"categories": ["Bestaand", "Backoffice"]})],
    ),
    ({"action": "clear_categories"}, [("PATCH", MESSAGE, {"categories": []})]),
    ({"action": "flag", "due": "tomorrow"}, [("PATCH", MESSAGE, FLAGGED_TOMORROW)]),
    (
        {"action": "mark_complete"},
        [
            (
                "PATCH",
                MESSAGE,
                {
                    "flag": {
                        "flagStatus": "complete",
                        "completedDateTime": {"dateTime": "2026-11-24T08:30:00", "timeZone": "UTC"},
                    }
                },
            )
        ],
    ),
    ({"action": "clear_flag"}, [("PATCH", MESSAGE, {"flag": {"flagStatus": "notFlagged"}})]),
    (
        {"action": "forward", "to": ["a@zeeveen.nl"], "comment": "Voor {{ actor }}."},
        [
            (
                "POST",
                f"{MESSAGE}/createForward",
                {
                    "comment": "Voor Monique Verschuren.",
                    "message": {
                        "toRecipients": [{"emailAddress": {"address": "a@zeeveen.nl"}}],
                        "singleValueExtendedProperties": TAGGED,
                    },
                },
            )
        ],
    ),
    *[
        (
            spec,
            [
                (
                    "POST",
                    f"/users/{MAILBOX}/messages",
                    {
                        "subject": "FW: Subsidieaanvraag",
                        "body": {"contentType": "text", "content": "Zie bijlage."},
                        "toRecipients": [{"emailAddress": {"address": "a@zeeveen.nl"}}],
                        "attachments": [
                            {
                                "@odata.type": "#microsoft.graph.itemAttachment",
                                "name": "Subsidieaanvraag",
                                "item": {"@odata.type": "#microsoft.graph.message", **ITEM},
                            }
                        ],
                        "singleValueExtendedProperties": TAGGED,
                    },
                )
            ],
        )
        for spec in (
            {"action": "forward_as_attachment", "to": ["a@zeeveen.nl"], "comment": "Zie bijlage."},
            {
                "action": "forward",
                "to": ["a@zeeveen.nl"],
                "comment": "Zie bijlage.",
                "as_attachment": True,
            },
        )
    ],
    (
        {"action": "reply_draft", "body": "Geachte {{ sender_name }},"},
        [
            (
                "POST",
                f"{MESSAGE}/createReply",
                {
                    "comment": "Geachte Hans Verbeek,",
                    "message": {"singleValueExtendedProperties": TAGGED},
                },
            )
        ],
    ),
    (
        {"action": "reply_draft", "body": "Dank.", "reply_all": True},
        [
            (
                "POST",
                f"{MESSAGE}/createReplyAll",
                {"comment": "Dank.", "message": {"singleValueExtendedProperties": TAGGED}},
            )
        ],
    ),
    (
        {
            "action": "new_message",
            "to": ["c@zeeveen.nl"],
            "subject": "Ter info: {{ subject }}",
            "body": "Ontvangen {{ received }} in {{ mailbox }}.",
            "send": True,
        },
        [
            (
                "POST",
                f"/users/{MAILBOX}/messages",
                {
                    "subject": "Ter info: Subsidieaanvraag",
                    "body": {
                        "contentType": "text",
                        "content": "Ontvangen 2026-11-23 in Ingrid Zwanenburg.",
                    },
                    "toRecipients": [{"emailAddress": {"address": "c@zeeveen.nl"}}],
                    "singleValueExtendedProperties": TAGGED,
                },
            )
        ],
    ),
    (
        {"action": "todo_task", "due": "tomorrow"},
        [
            (
                "POST",
                f"/users/{ACTOR}/todo/lists/list-taken/tasks",
                {
                    "title": "Subsidieaanvraag",
                    "linkedResources": [
                        {
                            "webUrl": "https://outlook.office.com/owa/?ItemID=msg-1",
                            "applicationName": "Secretariaat",
                            "displayName": "Subsidieaanvraag",
                            "externalId": TAG,
                        }
                    ],
                    "dueDateTime": on("2026-11-25"),
                },
            )
        ],
    ),
    (
        {"action": "dispatch", "department": "communicatie", "note": "Beste collega, graag.\n"},
        [
            (
                "POST",
                f"{MESSAGE}/createForward",
                {
                    "comment": DISPATCH_NOTE,
                    "message": {"toRecipients": LOTTE, "singleValueExtendedProperties": TAGGED},
                },
            ),
            (
                "PATCH",
                MESSAGE,
                {
                    "categories": ["Bestaand", "Uitgezet: Communicatie"],
                    "flag": {
                        "flagStatus": "flagged",
                        "startDateTime": on("2026-11-24"),
                        "dueDateTime": on("2026-12-01"),
                    },
                },
            ),
        ],
    ),
]


@pytest.mark.parametrize(
    ("spec", "expected"),
    REQUESTS,
    ids=[f"{s['action']}-{n}" for n, (s, _) in enumerate(REQUESTS)],
)
def test_an_action_asks_graph_exactly_this(
    spec: dict[str, Any], expected: list[tuple[str, str, Any]]
) -> None:
    made = kind(spec).requests(request_context())
    assert [(r.method, r.url, r.body) for r in made] == expected
    assert all(r.depends_on == () for r in made)  # the group chains them


def test_every_action_type_has_its_requests_above() -> None:
    assert {spec["action"] for spec, _ in REQUESTS} == set(ACTION_TYPES)


def test_a_dispatch_without_a_note_asks_only_for_the_answer() -> None:
    [forward, _] = kind({"action": "dispatch"}).requests(request_context())
    assert forward.body["comment"].startswith("Graag afhandelen en antwoorden vóór dinsdag")


def test_a_task_without_a_web_link_links_to_outlook_on_the_web() -> None:
    ctx = request_context()
    ctx = replace(ctx, facts=replace(ctx.facts, web_link="", subject=""))
    [task] = kind({"action": "todo_task"}).requests(ctx)
    [link] = task.body["linkedResources"]
    assert link["webUrl"] == "https://outlook.office.com/mail/msg-1"
    assert link["displayName"] == "(geen onderwerp)"
    assert "dueDateTime" not in task.body
