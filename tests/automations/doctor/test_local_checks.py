"""This machine: the store and the clock."""

from __future__ import annotations

from dataclasses import replace

from automations.doctor.models import ClockFacts
from tests.automations.doctor.facts import facts, verdicts


def test_a_clock_a_minute_and_more_off_warns() -> None:
    behind = verdicts(facts(clock=ClockFacts(75.0, "Microsoft Graph")))["clock-skew"]
    unknown = verdicts(facts(clock=ClockFacts(None, "Microsoft Graph")))["clock-skew"]
    assert behind.status == "warn" and "achter" in behind.message
    assert unknown.status == "warn" and unknown.message.startswith("Niet gecontroleerd: ")


def test_missing_zone_data_fails() -> None:
    check = verdicts(facts(clock=ClockFacts(0.0, "x", zone_error="geen")))["clock-zone"]
    assert check.status == "fail" and "tzdata" in (check.fix or "")


def test_a_database_from_a_newer_version_or_behind_fails() -> None:
    store = facts().store
    newer = verdicts(facts(store=replace(store, current="0099", known=False)))
    behind = verdicts(facts(store=replace(store, current="0016")))
    down = verdicts(facts(store=replace(store, error="connection refused")))
    assert newer["store-migrations"].status == "fail"
    assert "nieuwere" in newer["store-migrations"].message
    assert "db upgrade" in (behind["store-migrations"].fix or "")
    assert down["store-database"].status == "fail"
    assert "pg_hba.conf" in (down["store-database"].fix or "")
    assert down["store-migrations"].message == (
        "Niet gecontroleerd: de database is niet bereikbaar."
    )
