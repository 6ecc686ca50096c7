"""The roster: front office on every weekday, and what one secretary carries."""

from __future__ import annotations

from dataclasses import replace

from automations.doctor.models import RosterFacts
from automations.doctor.roster_checks import MAX_SERVED
from tests.automations.doctor.facts import facts, roster_of, verdicts


def test_an_executive_without_a_friday_front_office_warns() -> None:
    roster = roster_of(facts())
    gap = replace(roster, front_office={k: v for k, v in roster.front_office.items() if k[1] != 4})
    check = verdicts(facts(roster=RosterFacts(gap, "x")))["roster-front-office"]
    assert check.status == "warn" and "Ingrid (ingrid@x.nl) op vrijdag" in check.message


def test_a_secretary_serving_more_than_the_model_carries_warns_and_says_the_model() -> None:
    many = replace(roster_of(facts()), serves={"monique@x.nl": frozenset(
        f"b{i}@x.nl" for i in range(MAX_SERVED + 1))})  # fmt: skip
    check = verdicts(facts(roster=RosterFacts(many, "x")))["roster-load"]
    assert check.status == "warn" and "Monique (monique@x.nl): 4" in check.message
    assert "In het rooster is serves een team" in check.message


def test_a_team_of_two_serving_three_executives_is_in_order() -> None:
    three = frozenset({"a@x.nl", "b@x.nl", "c@x.nl"})
    roster = replace(roster_of(facts()), serves={"m@x.nl": three, "e@x.nl": three})
    check = verdicts(facts(roster=RosterFacts(roster, "x")))["roster-load"]
    assert check.status == "ok" and "(hoogstens 3)" in check.message


def test_without_a_roster_the_roster_checks_fail_and_the_mailbox_checks_wait() -> None:
    found = verdicts(facts(roster=RosterFacts(None, "geen SECRETARIAAT_ROSTER_FILE", "geen")))
    assert found["roster-directory"].status == "fail"
    assert found["rbac-executives"].message == (
        "Niet gecontroleerd: er is geen rooster (zie Rooster en gebruikerslijst)."
    )
