"""Verdicts on the roster: everyone on it is an enabled user in the directory, every executive
has a front office on each weekday, and no secretary serves more executives than the front
office / back office model carries."""

from __future__ import annotations

from automations.doctor.models import Check, Facts, RosterFacts, unchecked
from automations.doctor.tenant_checks import no_token, who
from automations.roster.models import DAY_NAMES, WEEKDAYS, Roster

__all__ = ["MAX_SERVED", "roster_directory", "roster_front_office", "roster_load"]

# 3, not DESIGN's "two": the roster has no back-office-only people, ``serves`` is a team (front
# office on her front_office days, back office on the others), and DESIGN's own demo has a team
# of two serving the three wethouders.
MAX_SERVED = 3
TEAM_MODEL = (
    "In het rooster is serves een team: elke secretaresse ondersteunt alle bestuurders van haar"
    " team, als frontoffice op haar dagen (front_office) en de andere dagen als backoffice; een"
    f" team van twee draagt twee, hoogstens {MAX_SERVED} bestuurders."
)
WORKDAYS = WEEKDAYS[:5]
ROSTER_FIX = (
    "Pas het rooster aan: een beheerder vervangt het met PUT /api/v1/roster; vóór de eerste"
    " start is het SECRETARIAAT_ROSTER_FILE (controleer het met secretariaat roster validate)."
)


def _no_roster(facts: RosterFacts, check: str) -> Check:
    return Check(
        check=check,
        status="fail",
        message=f"Geen rooster te lezen ({facts.source}): {facts.error or 'er is er geen'}.",
        fix="Zet SECRETARIAAT_ROSTER_FILE op het rooster van het secretariaat en controleer het"
        " met secretariaat roster validate BESTAND (README, Configuration).",
    )


def roster_directory(facts: Facts) -> Check:
    """Unknown or disabled users on the roster."""
    roster = facts.roster.roster
    if roster is None:
        return _no_roster(facts.roster, "roster-directory")
    if not facts.token.obtained:
        return no_token("roster-directory")
    if facts.directory is None:
        return unchecked(
            "roster-directory",
            facts.directory_error or facts.graph_error or "geen gebruikerslijst.",
            "Controleer de toepassingsmachtiging User.Read.All (README stap 6).",
        )
    unknown = [who(roster, u.upn) for u in facts.directory if not u.found]
    disabled = [who(roster, u.upn) for u in facts.directory if u.found and u.enabled is False]
    if unknown or disabled:
        parts = []
        if unknown:
            parts.append(f"niet in de gebruikerslijst van de tenant: {', '.join(unknown)}")
        if disabled:
            parts.append(f"account uitgeschakeld: {', '.join(disabled)}")
        return Check(
            check="roster-directory",
            status="fail",
            message=f"Rooster ({facts.roster.source}): {'; '.join(parts)}.",
            fix="Controleer in Entra (Gebruikers) het adres en zet het account aan (Account"
            f" ingeschakeld: Ja), of haal de persoon uit het rooster. {ROSTER_FIX}",
        )
    return Check(
        check="roster-directory",
        status="ok",
        message=f"Alle {len(facts.directory)} personen in het rooster ({facts.roster.source})"
        " staan in de gebruikerslijst met een ingeschakeld account.",
    )


def _executives(roster: Roster) -> list[str]:
    return sorted(u for u, role in roster.roles.items() if role == "executive")


def roster_front_office(facts: Facts) -> Check:
    """Every executive has a front office on Monday to Friday."""
    roster = facts.roster.roster
    if roster is None:
        return _no_roster(facts.roster, "roster-front-office")
    gaps = []
    first: tuple[str, str] | None = None
    for executive in _executives(roster):
        days = [d for i, d in enumerate(WORKDAYS) if (executive, i) not in roster.front_office]
        if days:
            first = first or (executive, days[0])
            names = ", ".join(DAY_NAMES[d] for d in days)
            gaps.append(f"{who(roster, executive)} op {names}")
    if gaps and first:
        return Check(
            check="roster-front-office",
            status="warn",
            message=f"Geen frontoffice: {'; '.join(gaps)}. Op die dagen gaan overdracht en"
            " dagoverzicht naar niemand.",
            fix=f"Vul front_office in, bijvoorbeeld front_office.{first[0]}.{first[1]}: <upn van"
            f" de secretaresse>. {ROSTER_FIX}",
        )
    return Check(
        check="roster-front-office",
        status="ok",
        message=f"Alle {len(_executives(roster))} bestuurders hebben van maandag tot en met"
        " vrijdag een frontoffice.",
    )


def roster_load(facts: Facts) -> Check:
    """No secretary serves more executives than the model carries (``MAX_SERVED``)."""
    roster = facts.roster.roster
    if roster is None:
        return _no_roster(facts.roster, "roster-load")
    over = sorted((s, len(ex)) for s, ex in roster.serves.items() if len(ex) > MAX_SERVED)
    if over:
        names = ", ".join(f"{who(roster, s)}: {n}" for s, n in over)
        return Check(
            check="roster-load",
            status="warn",
            message=f"Meer dan {MAX_SERVED} bestuurders voor één secretaresse: {names}."
            f" {TEAM_MODEL}",
            fix=f"Verdeel de bestuurders over meer teams (serves in het rooster). {ROSTER_FIX}",
        )
    most = max((len(ex) for ex in roster.serves.values()), default=0)
    return Check(
        check="roster-load",
        status="ok",
        message=f"Geen secretaresse ondersteunt meer dan {MAX_SERVED} bestuurders (hoogstens"
        f" {most}). {TEAM_MODEL}",
    )
