"""What each action type makes, sends and needs, how a resume finds what it made, and what a
dispatch settles before it runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from automations.errors import BadRequest
from automations.quicksteps.actions import Finder, Needs
from automations.quicksteps.actions.dispatch import working_days_after
from automations.quicksteps.actions.folders import COPIES
from automations.quicksteps.actions.mail import TAGGED
from automations.quicksteps.actions.tasks import LINKED_TASKS
from automations.quicksteps.definitions import parse
from automations.quicksteps.registry import ACTION_TYPES, sends_mail
from tests.automations.quicksteps.cases import DEPARTMENT, PREPARED, TODAY, kind

TO = ["a@zeeveen.nl"]

# spec -> (sends what it made, how a resume finds what it made, what it needs first)
TRAITS: list[tuple[dict[str, Any], bool, Finder | None, Needs]] = [
    ({"action": "move", "folder": "Inbox/A"}, False, None, Needs(folders=("Inbox/A",))),
    ({"action": "copy", "folder": "Inbox/A"}, False, COPIES, Needs(folders=("Inbox/A",))),
    ({"action": "delete"}, False, None, Needs()),
    ({"action": "mark_read"}, False, None, Needs()),
    ({"action": "mark_unread"}, False, None, Needs()),
    ({"action": "importance", "level": "high"}, False, None, Needs()),
    (
        {"action": "categorize", "categories": ["A", "B"], "colors": {"B": "preset3"}},
        False,
        None,
        Needs(categories={"A": "none", "B": "preset3"}),
    ),
    ({"action": "clear_categories"}, False, None, Needs()),
    ({"action": "flag"}, False, None, Needs()),
    ({"action": "mark_complete"}, False, None, Needs()),
    ({"action": "clear_flag"}, False, None, Needs()),
    ({"action": "forward", "to": TO}, True, TAGGED, Needs()),
    ({"action": "forward_as_attachment", "to": TO}, True, TAGGED, Needs()),
    ({"action": "reply_draft", "body": "x"}, False, TAGGED, Needs()),
    ({"action": "new_message", "to": TO, "subject": "x", "send": True}, True, TAGGED, Needs()),
    ({"action": "new_message", "to": TO, "subject": "x"}, False, TAGGED, Needs()),
    ({"action": "todo_task", "list": "Opvolging"}, False, LINKED_TASKS,
     Needs(todo_lists=("Opvolging",))),
    ({"action": "dispatch"}, True, TAGGED,
     Needs(categories={"Uitgezet: Communicatie": "preset1"})),
]  # fmt: skip


@pytest.mark.parametrize(
    ("spec", "sends", "finder", "needs"),
    TRAITS,
    ids=[f"{s['action']}-{n}" for n, (s, *_) in enumerate(TRAITS)],
)
def test_what_an_action_makes_sends_and_needs(
    spec: dict[str, Any], sends: bool, finder: Finder | None, needs: Needs
) -> None:
    action = kind(spec)
    assert action.sends is sends
    assert action.finder is finder
    assert action.needs(DEPARTMENT) == needs


def test_every_action_type_has_its_traits_above() -> None:
    assert {spec["action"] for spec, *_ in TRAITS} == set(ACTION_TYPES)


def test_a_dispatch_needs_no_category_until_the_department_is_chosen() -> None:
    assert kind({"action": "dispatch"}).needs({}) == Needs()


def test_categories_build_up_along_the_chain() -> None:
    chain = [
        kind({"action": "categorize", "categories": ["Raad", "Bestaand"]}),
        kind({"action": "mark_read"}),
        kind({"action": "dispatch"}),
    ]
    categories: tuple[str, ...] = ("Bestaand",)
    seen = []
    for action in chain:
        categories = action.categories_after(categories, PREPARED)
        seen.append(categories)
    assert seen == [
        ("Bestaand", "Raad"),
        ("Bestaand", "Raad"),
        ("Bestaand", "Raad", "Uitgezet: Communicatie"),
    ]
    assert kind({"action": "clear_categories"}).categories_after(categories, PREPARED) == ()


STEPS = parse(
    """
format: 1
departments:
  - {key: communicatie, name: Communicatie, address: lotte.vermeulen@zeeveen.nl}
steps:
  - name: Uitzetten
    actions: [{action: dispatch, deadline_days: 5}]
  - name: Naar Communicatie
    actions: [{action: dispatch, department: communicatie, deadline_days: 1}, {action: mark_read}]
  - name: Alleen lezen
    actions: [{action: mark_read}, {action: reply_draft, body: x}]
"""
)


def test_a_dispatch_settles_its_own_department_or_the_chosen_one() -> None:
    own = kind({"action": "dispatch", "department": "communicatie", "deadline_days": 1})
    assert own.resolve(STEPS, {}, TODAY, required=True) == {**DEPARTMENT, "deadline": "2026-11-25"}
    chosen = kind({"action": "dispatch"})
    got = chosen.resolve(STEPS, {"department": "communicatie"}, TODAY, required=True)
    assert got == DEPARTMENT
    assert chosen.resolve(STEPS, {}, TODAY, required=False) == {}  # a preview before the choice


@pytest.mark.parametrize(("choices", "required"), [({}, True), ({"department": "onbekend"}, False)])
def test_a_dispatch_without_a_known_department_is_refused(
    choices: dict[str, str], required: bool
) -> None:
    with pytest.raises(BadRequest) as refused:
        kind({"action": "dispatch"}).resolve(STEPS, choices, TODAY, required=required)
    assert refused.value.code == "bad_request"


def test_other_actions_settle_nothing() -> None:
    assert kind({"action": "mark_read"}).resolve(STEPS, {}, TODAY, required=True) is None


@pytest.mark.parametrize(
    ("day", "count", "deadline"),
    [
        (dt.date(2026, 11, 24), 5, dt.date(2026, 12, 1)),  # Tuesday: over the weekend
        (dt.date(2026, 11, 27), 1, dt.date(2026, 11, 30)),  # Friday: Monday
        (dt.date(2026, 11, 28), 1, dt.date(2026, 11, 30)),  # Saturday: Monday
    ],
)
def test_a_deadline_counts_working_days(day: dt.date, count: int, deadline: dt.date) -> None:
    assert working_days_after(day, count) == deadline


@pytest.mark.parametrize(
    ("step", "sends"), [("Uitzetten", True), ("Naar Communicatie", True), ("Alleen lezen", False)]
)
def test_a_step_sends_mail_when_one_of_its_actions_does(step: str, sends: bool) -> None:
    found = STEPS.step(step)
    assert found is not None and sends_mail(found) is sends
