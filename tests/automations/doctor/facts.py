"""The facts of a tenant in order (tenant mode), for the tests of the pure verdicts: each test
changes the one fact its mistake is about."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from automations.doctor import Check, judge
from automations.doctor.models import (
    ENTRA_ROLES,
    OPTIONAL_ROLES,
    AppRegistration,
    ClockFacts,
    DirectoryUser,
    Facts,
    Probe,
    RosterFacts,
    Setup,
    StoreFacts,
    TokenFacts,
)
from automations.roster.models import Roster

BASE_URL = "https://secretariaat.x.nl"
REDIRECT_URIS = (
    "brk-multihub://secretariaat.x.nl",
    f"{BASE_URL}/pane/aanmelden/dialoog",
    f"{BASE_URL}/goedkeuren",
)
REGISTRATION = AppRegistration(200, identifier_uris=("api://c1d",), spa_redirect_uris=REDIRECT_URIS)


def facts(**changes: Any) -> Facts:
    """A tenant in order: the README's roles (and the optional one), a registration with
    every redirect URI, Ingrid served by Monique on every weekday; then ``changes``."""
    roster = Roster(
        roles={"ingrid@x.nl": "executive", "monique@x.nl": "secretary", "dennis@x.nl": "admin"},
        names={"ingrid@x.nl": "Ingrid", "monique@x.nl": "Monique", "dennis@x.nl": "Dennis"},
        serves={"monique@x.nl": frozenset({"ingrid@x.nl"})},
        front_office={("ingrid@x.nl", day): "monique@x.nl" for day in range(5)},
    )
    settings = {
        "timeZone": "W. Europe Standard Time",
        "workingHours": {
            "daysOfWeek": ["monday"],
            "startTime": "08:00:00",
            "timeZone": {"name": "Europe/Amsterdam"},
        },
    }
    base = Facts(
        setup=Setup("tenant", BASE_URL, "c1d", "api://c1d"),
        token=TokenFacts(True, frozenset({*ENTRA_ROLES, *OPTIONAL_ROLES})),
        roster=RosterFacts(roster, "bestand rooster.yaml"),
        store=StoreFacts("PostgreSQL", "postgresql+asyncpg://s@db/s", "0017", current="0017"),
        clock=ClockFacts(0.4, "Microsoft Graph"),
        executives=(Probe("ingrid@x.nl", 200, body=settings),),
        outsiders=(Probe("monique@x.nl", 403, "ErrorAccessDenied"),),
        calendars=(Probe("ingrid@x.nl", 200, body={"value": [
            {"role": "write", "emailAddress": {"address": "Monique@x.nl"}}]}),),
        directory=tuple(DirectoryUser(u, True, True) for u in sorted(roster.roles)),
        registration=REGISTRATION,
    )  # fmt: skip
    return replace(base, **changes)


def verdicts(f: Facts) -> dict[str, Check]:
    return {c.check: c for c in judge(f)}


def roster_of(f: Facts) -> Roster:
    roster = f.roster.roster
    assert roster is not None
    return roster
