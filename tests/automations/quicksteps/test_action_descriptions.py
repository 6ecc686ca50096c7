"""Every action type's Dutch line, for a Tuesday; and the registry knows every action."""

from __future__ import annotations

import typing
from typing import Any

import pytest

from automations.mailboxes.folders import shown_path
from automations.quicksteps import models as m
from automations.quicksteps.actions import DescribeContext
from automations.quicksteps.registry import ACTION_TYPES, describe
from tests.automations.quicksteps.cases import ACTIONS, DEPARTMENT, TODAY, kind

PLAIN = DescribeContext(TODAY)
NEW = DescribeContext(TODAY, new_folders={"Inbox/Backoffice"}, new_categories={"Nieuw"})
CHOSEN = DescribeContext(TODAY, dispatch=DEPARTMENT)

DESCRIPTIONS = [
    (
        {"action": "move", "folder": "Inbox/Backoffice"},
        PLAIN,
        "Verplaatsen naar Postvak IN/Backoffice",
    ),
    (
        {"action": "move", "folder": "Inbox/Backoffice"},
        NEW,
        "Verplaatsen naar Postvak IN/Backoffice (map wordt aangemaakt)",
    ),
    ({"action": "copy", "folder": "Inbox/Kopieën"}, PLAIN, "Kopiëren naar Postvak IN/Kopieën"),
    (
        {"action": "copy", "folder": "Inbox/Backoffice"},
        NEW,
        "Kopiëren naar Postvak IN/Backoffice (map wordt aangemaakt)",
    ),
    ({"action": "delete"}, PLAIN, "Verwijderen (naar Verwijderde items)"),
    ({"action": "mark_read"}, PLAIN, "Markeren als gelezen"),
    ({"action": "mark_unread"}, PLAIN, "Markeren als ongelezen"),
    ({"action": "importance", "level": "high"}, PLAIN, "Urgentie: high"),
    (
        {"action": "categorize", "categories": ["Backoffice"]},
        PLAIN,
        "Categorie Backoffice toevoegen",
    ),
    (
        {"action": "categorize", "categories": ["Backoffice", "Nieuw"]},
        NEW,
        "Categorie Backoffice, Nieuw toevoegen (nieuwe categorie: Nieuw)",
    ),
    ({"action": "clear_categories"}, PLAIN, "Alle categorieën verwijderen"),
    ({"action": "flag"}, PLAIN, "Markeren voor opvolging, uiterlijk dinsdag 24 november"),
    (
        {"action": "flag", "due": "tomorrow"},
        PLAIN,
        "Markeren voor opvolging, uiterlijk woensdag 25 november",
    ),
    (
        {"action": "flag", "due": "this_week"},
        PLAIN,
        "Markeren voor opvolging, uiterlijk vrijdag 27 november",
    ),
    (
        {"action": "flag", "due": "next_week"},
        PLAIN,
        "Markeren voor opvolging, uiterlijk maandag 30 november",
    ),
    (
        {"action": "flag", "due": "2026-12-15"},
        PLAIN,
        "Markeren voor opvolging, uiterlijk dinsdag 15 december",
    ),
    ({"action": "mark_complete"}, PLAIN, "Markering: voltooid"),
    ({"action": "clear_flag"}, PLAIN, "Markering wissen"),
    (
        {"action": "forward", "to": ["a@zeeveen.nl", "b@zeeveen.nl"]},
        PLAIN,
        "Doorsturen naar a@zeeveen.nl, b@zeeveen.nl",
    ),
    (
        {"action": "forward", "to": ["a@zeeveen.nl"], "as_attachment": True},
        PLAIN,
        "Doorsturen als bijlage naar a@zeeveen.nl",
    ),
    (
        {"action": "forward_as_attachment", "to": ["a@zeeveen.nl"], "as_attachment": False},
        PLAIN,
        "Doorsturen als bijlage naar a@zeeveen.nl",
    ),
    ({"action": "reply_draft", "body": "Dank."}, PLAIN, "Concept-antwoord"),
    (
        {"action": "reply_draft", "body": "Dank.", "reply_all": True},
        PLAIN,
        "Concept-antwoord aan allen",
    ),
    (
        {"action": "new_message", "to": ["c@zeeveen.nl"], "subject": "Info", "send": True},
        PLAIN,
        "Nieuw bericht versturen aan c@zeeveen.nl",
    ),
    (
        {"action": "new_message", "to": ["c@zeeveen.nl"], "subject": "Info"},
        PLAIN,
        "Nieuw concept aan c@zeeveen.nl",
    ),
    ({"action": "todo_task"}, PLAIN, "Taak in To Do-lijst 'Taken'"),
    (
        {"action": "todo_task", "list": "Opvolging", "due": "next_week"},
        PLAIN,
        "Taak in To Do-lijst 'Opvolging', uiterlijk maandag 30 november",
    ),
    (
        {"action": "dispatch"},
        PLAIN,
        "Uitzetten bij een vakafdeling (termijn 5 werkdagen)",
    ),
    (
        {"action": "dispatch", "deadline_days": 3},
        CHOSEN,
        "Uitzetten bij Communicatie (lotte.vermeulen@zeeveen.nl), antwoord uiterlijk dinsdag"
        " 1 december; categorie Uitgezet: Communicatie",
    ),
]


@pytest.mark.parametrize(
    ("spec", "ctx", "expected"),
    DESCRIPTIONS,
    ids=[f"{s['action']}-{n}" for n, (s, _, _) in enumerate(DESCRIPTIONS)],
)
def test_an_action_says_what_it_does(spec: dict[str, Any], ctx: DescribeContext, expected: str):
    assert kind(spec).describe(ctx) == expected


def test_every_action_type_is_described_above() -> None:
    assert {spec["action"] for spec, _, _ in DESCRIPTIONS} == set(ACTION_TYPES)


def test_the_registry_has_one_type_per_action_of_the_users_format() -> None:
    [union, _] = typing.get_args(m.Action)
    names = {
        typing.get_args(model.model_fields["action"].annotation)[0]
        for model in typing.get_args(union)
    }
    assert names == set(ACTION_TYPES)
    assert all(cls.name == name for name, cls in ACTION_TYPES.items())


def test_a_step_list_describes_without_preview_context() -> None:
    spec = ACTIONS.validate_python({"action": "move", "folder": "Inbox/Backoffice"})
    assert describe(spec, TODAY) == "Verplaatsen naar Postvak IN/Backoffice"
    assert describe(spec, TODAY, {"Inbox/Backoffice"}, set()).endswith("(map wordt aangemaakt)")


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("Inbox/Backoffice", "Postvak IN/Backoffice"),
        ("inbox", "Postvak IN"),
        ("SentItems/Raad", "Verzonden items/Raad"),
        ("deleteditems", "Verwijderde items"),
        ("Archive/2026", "Archief/2026"),
        ("JunkEmail", "Ongewenste e-mail"),
        ("Postvak IN/Wonen", "Postvak IN/Wonen"),
        ("Projecten/Inbox", "Projecten/Inbox"),  # only a well-known first folder is renamed
    ],
)
def test_folders_read_as_outlook_shows_them_in_dutch(path: str, shown: str) -> None:
    assert shown_path(path) == shown
