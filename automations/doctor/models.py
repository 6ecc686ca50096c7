"""What the doctor reports (one ``Check`` per thing it looked at) and the facts it decides on.

The facts are gathered once (``gather.py``: Microsoft Graph with the app's identity, the store,
the machine's clock); the verdicts are pure functions of them (``tenant_checks``,
``registration_checks``, ``calendar_checks``, ``roster_checks``, ``local_checks``), so each
seeded mistake can be tested on its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from automations.plural import counted
from automations.roster.models import Roster

__all__ = [
    "EXCHANGE_ROLES",
    "ENTRA_ROLES",
    "LABELS",
    "OPTIONAL_ROLES",
    "VERDICTS",
    "AppRegistration",
    "Check",
    "ClockFacts",
    "DirectoryUser",
    "Facts",
    "Probe",
    "RosterFacts",
    "Setup",
    "Status",
    "StoreFacts",
    "TokenFacts",
    "any_failed",
    "summary",
    "unchecked",
]

Status = Literal["ok", "warn", "fail"]
VERDICTS: dict[str, str] = {"ok": "in orde", "warn": "waarschuwing", "fail": "fout"}

# The application permissions the product uses (README step 6). Granted in Entra ID and so in
# the app token's ``roles``. Permissions that could stand in for one of them: none yet.
# Sites.Selected cannot: the meeting folders find their library by name (``GET /sites?search=``,
# automations/meetings/targets.py), which Sites.Selected does not allow.
ENTRA_ROLES = ("User.Read.All", "Tasks.ReadWrite.All", "Sites.ReadWrite.All", "Place.Read.All")
ROLE_ALTERNATIVES: dict[str, tuple[str, ...]] = {}
# Granted in Exchange Online (RBAC for Applications, scoped to the executives): a real tenant's
# token does not carry them, and must not, since a grant in Entra ID reaches every mailbox. The
# sandbox models the Exchange role assignments in the token's ``roles`` and applies the scope.
EXCHANGE_ROLES = ("Mail.ReadWrite", "Mail.Send", "Calendars.ReadWrite", "MailboxSettings.ReadWrite")
# Granted in Entra ID for the doctor alone (README step 6): the app reads its own registration,
# so the redirect URIs and the API audience are compared with it instead of listed by hand.
OPTIONAL_ROLES = ("Application.Read.All",)

# Each check's name in Dutch, in the order the report lists them. The keys are what monitoring
# reads (hyphenated: a dotted name would read as an audit action, tests/automations/audit).
LABELS: dict[str, str] = {
    "app-token": "App-token",
    "app-audience": "API-audience",
    "app-redirect-uris": "Redirect-URI's",
    "app-roles": "Toepassingsmachtigingen",
    "rbac-executives": "Bereik: bestuurders",
    "rbac-outside": "Bereik: andere postvakken",
    "calendar-delegates": "Agendarechten secretariaat",
    "calendar-working-hours": "Werktijden en tijdzone",
    "roster-directory": "Rooster en gebruikerslijst",
    "roster-front-office": "Frontoffice per werkdag",
    "roster-load": "Bestuurders per secretaresse",
    "store-database": "Database",
    "store-migrations": "Migraties",
    "clock-skew": "Klok",
    "clock-zone": "Tijdzonegegevens",
}


class Check(BaseModel):
    """One verdict: ``check`` is stable (monitoring keys on it), the rest is Dutch."""

    model_config = ConfigDict(frozen=True)

    check: str
    status: Status
    message: str
    fix: str | None = None  # what to do, when not ok

    @property
    def label(self) -> str:
        return LABELS.get(self.check, self.check)

    @property
    def verdict(self) -> str:
        return VERDICTS[self.status]


def any_failed(checks: Sequence[Check]) -> bool:
    """Whether the tenant is not ready: a failed check (warnings do not count)."""
    return any(c.status == "fail" for c in checks)


def unchecked(check: str, reason: str, fix: str) -> Check:
    """The warning for a check that could not be made; ``reason`` says why (Dutch)."""
    return Check(check=check, status="warn", message=f"Niet gecontroleerd: {reason}", fix=fix)


def summary(checks: Sequence[Check]) -> str:
    """The tally, e.g. "12 in orde, 1 waarschuwing, 0 fouten."."""
    statuses = [c.status for c in checks]
    return (
        f"{statuses.count('ok')} in orde, "
        f"{counted(statuses.count('warn'), 'waarschuwing', 'waarschuwingen')}, "
        f"{counted(statuses.count('fail'), 'fout', 'fouten')}."
    )


@dataclass(frozen=True)
class Setup:
    """The configuration the checks judge (from the SECRETARIAAT_* settings)."""

    mode: Literal["sandbox", "tenant"]
    base_url: str
    client_id: str
    api_audience: str
    notice_mailbox: str | None = None  # the secretariat's shared mailbox, inside the scope


@dataclass(frozen=True)
class TokenFacts:
    """The app token from our own MSAL call: its ``roles``, or why there is none."""

    obtained: bool
    roles: frozenset[str] | None = None  # None: the token could not be read as a JWT
    error: str | None = None  # Dutch, with Entra ID's error code
    code: str | None = None  # Entra ID's error (invalid_client, …) or ours (unavailable)


@dataclass(frozen=True)
class Probe:
    """One read of a mailbox with the app's identity: Graph's status and answer."""

    upn: str
    status: int  # 0: not asked or no answer
    code: str | None = None  # Graph's error code
    body: Mapping[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True)
class AppRegistration:
    """The app's own registration as Graph shows it (``GET /applications(appId='…')``), or
    Graph's refusal: 403 ``Authorization_RequestDenied`` without Application.Read.All."""

    status: int  # 0: no answer
    code: str | None = None  # Graph's error code
    identifier_uris: tuple[str, ...] = ()  # the Application ID URIs (Een API beschikbaar maken)
    spa_redirect_uris: tuple[str, ...] = ()  # platform "Toepassing met één pagina"
    web_redirect_uris: tuple[str, ...] = ()  # platform "Web"

    @property
    def known(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True)
class DirectoryUser:
    upn: str
    found: bool
    enabled: bool | None = None


@dataclass(frozen=True)
class RosterFacts:
    """The roster the product works from (the store's, else the file loaded on first start)."""

    roster: Roster | None
    source: str  # Dutch: where it was read
    error: str | None = None


@dataclass(frozen=True)
class StoreFacts:
    kind: str  # PostgreSQL | SQLite
    where: str  # the URL without its password
    head: str  # the newest migration this version ships
    error: str | None = None  # the database cannot be reached
    current: str | None = None  # None: never migrated
    known: bool = True  # ``current`` is one of this version's revisions


@dataclass(frozen=True)
class ClockFacts:
    skew_s: float | None  # the other side's clock minus ours; None: no answer to compare
    source: str  # who answered (Dutch)
    zone_error: str | None = None  # Europe/Amsterdam's zone data is missing or wrong


@dataclass(frozen=True)
class Facts:
    """Everything the verdicts need; what could not be gathered is empty (and says why)."""

    setup: Setup
    token: TokenFacts
    roster: RosterFacts
    store: StoreFacts
    clock: ClockFacts
    executives: tuple[Probe, ...] = ()  # GET mailboxSettings of each executive
    notice: Probe | None = None  # the same for the notice mailbox
    outsiders: tuple[Probe, ...] = ()  # the same for a sample of secretaries
    calendars: tuple[Probe, ...] = ()  # GET calendar/calendarPermissions of each executive
    directory: tuple[DirectoryUser, ...] | None = None  # None: not looked up
    directory_error: str | None = None  # why the directory could not be read (Dutch)
    registration: AppRegistration | None = None  # None: not asked
    graph_error: str | None = None  # why Graph could not be asked (Dutch)
