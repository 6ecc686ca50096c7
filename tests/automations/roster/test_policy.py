"""Who may do what to whose mailbox: the secretariat's own rules on top of Graph's."""

from __future__ import annotations

import dataclasses

import pytest

from automations.errors import AccessDenied, BadRequest
from automations.roster.models import Roster
from automations.roster.policy import Action, authorize, may, serving_today
from automations.roster.service import load_roster_file, parse_roster
from server.startup import DEMO_ROSTER
from tests.dates import next_weekday
from tests.sandbox.people import (
    ADMIN,
    BURGEMEESTER,
    GEMEENTESECRETARIS,
    SECRETARY_A,
    SECRETARY_A_FRIDAY,
    SECRETARY_B,
    STAFF,
    WETHOUDERS,
)

ROSTER = Roster.from_document(load_roster_file(DEMO_ROSTER))
MONDAY, FRIDAY = next_weekday("mon", or_same=True), next_weekday("fri", or_same=True)


def test_a_secretary_acts_on_the_executives_of_her_team() -> None:
    assert may(ROSTER, SECRETARY_A, Action.ACT_ON_MAILBOX, BURGEMEESTER)
    assert may(ROSTER, SECRETARY_A, Action.ACT_ON_MAILBOX, GEMEENTESECRETARIS)


def test_a_secretary_outside_the_team_is_refused_with_a_clear_message() -> None:
    with pytest.raises(AccessDenied) as refused:
        authorize(ROSTER, SECRETARY_B, Action.ACT_ON_MAILBOX, BURGEMEESTER)
    assert refused.value.status == 403
    assert refused.value.message.startswith("Karin Molenaar werkt niet voor Ingrid Zwanenburg")
    assert "@" not in refused.value.message  # people by name, not by mailbox address


def test_everyone_on_the_roster_works_in_her_own_mailbox_only_there() -> None:
    for who in (SECRETARY_A, ADMIN, BURGEMEESTER):
        assert may(ROSTER, who, Action.ACT_ON_MAILBOX, who.upper())
    assert not may(ROSTER, ADMIN, Action.ACT_ON_MAILBOX, BURGEMEESTER)
    assert not may(ROSTER, BURGEMEESTER, Action.ACT_ON_MAILBOX, GEMEENTESECRETARIS)
    assert not may(ROSTER, STAFF, Action.ACT_ON_MAILBOX, STAFF)  # not on the roster at all


def test_an_executive_decides_only_on_her_own_drafts() -> None:
    assert may(ROSTER, BURGEMEESTER, Action.DECIDE_APPROVAL, BURGEMEESTER)
    with pytest.raises(AccessDenied):
        authorize(ROSTER, BURGEMEESTER, Action.DECIDE_APPROVAL, WETHOUDERS[0])


def test_a_secretary_cannot_approve_in_her_executives_name() -> None:
    assert not may(ROSTER, SECRETARY_A, Action.DECIDE_APPROVAL, BURGEMEESTER)


def test_only_admins_edit_configuration() -> None:
    assert may(ROSTER, ADMIN, Action.EDIT_CONFIGURATION)
    for who in (SECRETARY_A, BURGEMEESTER, STAFF):
        with pytest.raises(AccessDenied):
            authorize(ROSTER, who, Action.EDIT_CONFIGURATION)


def test_someone_not_on_the_roster_may_nothing() -> None:
    assert not may(ROSTER, STAFF, Action.ACT_ON_MAILBOX, BURGEMEESTER)
    with pytest.raises(AccessDenied, match="niet in het rooster"):
        authorize(ROSTER, STAFF, Action.ACT_ON_MAILBOX, BURGEMEESTER)


def test_the_four_one_split_puts_the_colleague_in_front_on_friday() -> None:
    assert {s["office"] for s in serving_today(ROSTER, SECRETARY_A, MONDAY)} == {"front"}
    assert {s["office"] for s in serving_today(ROSTER, SECRETARY_A, FRIDAY)} == {"back"}
    assert ROSTER.front_office_on(BURGEMEESTER, FRIDAY) == SECRETARY_A_FRIDAY


def test_an_absent_front_office_is_covered_by_her_colleague() -> None:
    absent = dataclasses.replace(ROSTER, absent={MONDAY: frozenset({SECRETARY_A})})
    assert absent.front_office_on(BURGEMEESTER, MONDAY) == SECRETARY_A_FRIDAY


def test_a_front_office_who_does_not_serve_the_executive_is_refused() -> None:
    doc = load_roster_file(DEMO_ROSTER).model_dump()
    doc["front_office"][BURGEMEESTER]["mon"] = SECRETARY_B
    with pytest.raises(BadRequest, match="Karin Molenaar is op maandag frontoffice voor Ingrid"
                       " Zwanenburg, maar ondersteunt Ingrid Zwanenburg niet"):  # fmt: skip
        parse_roster(doc)


def test_an_unknown_field_in_the_roster_is_named() -> None:
    doc = load_roster_file(DEMO_ROSTER).model_dump()
    doc["teams"] = {}
    with pytest.raises(BadRequest, match="teams"):
        parse_roster(doc)
