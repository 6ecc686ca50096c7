"""How each action type is undone, from the message's state before the apply; or what stays."""

from __future__ import annotations

from typing import Any

import pytest

from automations.quicksteps import undo
from automations.quicksteps.actions import Restore
from automations.quicksteps.actions.base import restored_flag
from automations.quicksteps.registry import ACTION_TYPES

START = {"dateTime": "2026-11-20T00:00:00", "timeZone": "W. Europe Standard Time"}
DUE = {"dateTime": "2026-11-27T00:00:00", "timeZone": "W. Europe Standard Time"}
BEFORE = {
    "parentFolderId": "inbox-id",
    "categories": ["Bestaand"],
    "isRead": False,
    "importance": "normal",
    "flag": {
        "flagStatus": "flagged",
        "startDateTime": START,
        "dueDateTime": DUE,
        "completedDateTime": None,
    },
}
FLAG_BACK = {"flag": {"flagStatus": "flagged", "startDateTime": START, "dueDateTime": DUE}}
SENT = "verstuurd; dat kan niet terug"

# action -> (undone entirely, what undo sends, what stays)
UNDO: dict[str, tuple[bool, Restore, str]] = {
    "move": (True, Restore({}, "inbox-id"), ""),
    "delete": (True, Restore({}, "inbox-id"), ""),
    "copy": (False, Restore(), "de kopie blijft staan"),
    "mark_read": (True, Restore({"isRead": False}), ""),
    "mark_unread": (True, Restore({"isRead": False}), ""),
    "importance": (True, Restore({"importance": "normal"}), ""),
    "categorize": (True, Restore({"categories": ["Bestaand"]}), ""),
    "clear_categories": (True, Restore({"categories": ["Bestaand"]}), ""),
    "flag": (True, Restore(FLAG_BACK), ""),
    "mark_complete": (True, Restore(FLAG_BACK), ""),
    "clear_flag": (True, Restore(FLAG_BACK), ""),
    "forward": (False, Restore(), SENT),
    "forward_as_attachment": (False, Restore(), SENT),
    "reply_draft": (False, Restore(), "het concept blijft staan; verwijder het zelf"),
    "new_message": (False, Restore(), "opgesteld of verstuurd; verwijder een concept zelf"),
    "todo_task": (False, Restore(), "de taak blijft staan; verwijder haar zelf in To Do"),
    "dispatch": (
        False,
        Restore({"categories": ["Bestaand"], **FLAG_BACK}),
        "verstuurd naar de afdeling; de categorie en markering gaan terug",
    ),
}


@pytest.mark.parametrize(("name", "expected"), UNDO.items(), ids=list(UNDO))
def test_an_action_is_undone_as_its_type_says(name: str, expected: tuple[bool, Restore, str]):
    undoable, restore, kept = expected
    kind = ACTION_TYPES[name]
    assert kind.undoable() is undoable
    assert kind.undo(BEFORE) == restore
    assert kind.kept == kept


def test_every_action_type_has_its_undo_above() -> None:
    assert set(UNDO) == set(ACTION_TYPES)


def test_the_pane_offers_undo_for_what_is_undone_entirely() -> None:
    expected = {name for name, (undoable, _, _) in UNDO.items() if undoable}
    assert undo.UNDOABLE == expected
    assert set(undo.PROPERTIES) | undo.MOVES == expected
    assert undo.MOVES == {"move", "delete"}


@pytest.mark.parametrize(
    ("flag", "back"),
    [
        (None, {"flagStatus": "notFlagged"}),
        ({"flagStatus": "notFlagged"}, {"flagStatus": "notFlagged"}),
        ({"flagStatus": "complete", "completedDateTime": DUE}, {"flagStatus": "complete"}),
        (
            {"flagStatus": "flagged", "dueDateTime": DUE},
            {"flagStatus": "flagged", "dueDateTime": DUE},
        ),
    ],
)
def test_a_flag_goes_back_in_the_shape_graph_takes(flag: Any, back: dict[str, Any]) -> None:
    assert restored_flag(flag) == back


def _done(action: str, label: str) -> dict[str, str]:
    return {"action": action, "label": label, "status": "done", "detail": ""}


def test_undo_of_a_message_merges_what_its_actions_put_back() -> None:
    message = {
        "id": "msg-1",
        "subject": "Subsidieaanvraag",
        "before": BEFORE,
        "actions": [
            _done("categorize", "Categorie"),
            _done("forward", "Doorsturen"),
            _done("mark_read", "Gelezen"),
            {**_done("move", "Verplaatsen"), "status": "failed"},
            _done("copy", "Kopie"),
        ],
    }
    patch, move_to, undone, kept = undo._plan(message)
    assert patch == {"categories": ["Bestaand"], "isRead": False}
    assert move_to is None  # the move failed: the message never left
    assert undone == ["Categorie", "Gelezen"]
    assert kept == [f"Doorsturen: {SENT}", "Kopie: de kopie blijft staan"]
