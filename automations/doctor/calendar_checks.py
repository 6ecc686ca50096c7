"""Verdicts on the executives' calendars: each secretary may plan in the calendar of every
executive she serves (Graph's calendarPermissions), and each mailbox keeps Dutch time
(time zone and working hours in its mailboxSettings)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from automations.doctor.models import Check, Facts, Probe
from automations.doctor.tenant_checks import listed, not_asked, refusal, who

__all__ = ["AMSTERDAM_ZONES", "DELEGATE_ROLES", "calendar_delegates", "working_hours"]

# A secretary's rights on an executive's calendar that let her plan in it (calendarRoleType).
DELEGATE_ROLES = frozenset(
    {"write", "delegateWithoutPrivateEventAccess", "delegateWithPrivateEventAccess"}
)
# Europe/Amsterdam as Exchange names it (Windows) or as an admin may have set it (IANA).
AMSTERDAM_ZONES = frozenset({"W. Europe Standard Time", "Europe/Amsterdam"})


def _shares(probe: Probe) -> dict[str, str]:
    """calendarPermissions as address → role (the "My Organization" row has no address)."""
    out: dict[str, str] = {}
    for item in (probe.body or {}).get("value") or []:
        address = ((item or {}).get("emailAddress") or {}).get("address")
        if isinstance(address, str) and isinstance(item.get("role"), str):
            out[address.lower()] = item["role"]
    return out


def calendar_delegates(facts: Facts) -> Check:
    """Each secretary who serves an executive (roster) has a write or delegate role on her
    calendar (Graph's calendarPermissions; mailbox rights are not in Graph)."""
    skipped = not_asked(facts, "calendar-delegates")
    if skipped:
        return skipped
    roster = facts.roster.roster
    assert roster is not None
    lacking, custom, unread = [], [], []
    commands = []
    for probe in facts.calendars:
        if not probe.ok:
            unread.append(f"{who(roster, probe.upn)}: {refusal(probe)}")
            continue
        shares = _shares(probe)
        for secretary in sorted(s for s, ex in roster.serves.items() if probe.upn in ex):
            role = shares.get(secretary)
            if role in DELEGATE_ROLES:
                continue
            if role == "custom":
                custom.append(f"{who(roster, secretary)} bij {who(roster, probe.upn)}")
                continue
            has = f"alleen {role}" if role and role != "none" else "geen rechten"
            lacking.append(
                f"{who(roster, secretary)} heeft {has} op de agenda van {who(roster, probe.upn)}"
            )
            verb = "Set" if role and role != "none" else "Add"
            commands.append(
                f'{verb}-MailboxFolderPermission -Identity "{probe.upn}:\\Agenda"'
                f" -User {secretary} -AccessRights Editor"
            )
    if lacking:
        return Check(
            check="calendar-delegates",
            status="fail",
            message=f"{listed(lacking)}.",
            fix="Geef haar bewerkrechten op de agenda (Exchange Online PowerShell; bij een"
            f" Engelstalig postvak heet de map \\Calendar): {listed(commands)}. Of in Outlook:"
            " Agenda → Delen → Gemachtigde of Kan bewerken (README stap 5).",
        )
    if custom or unread:
        parts = []
        if custom:
            parts.append(f"aangepaste rechten (niet te beoordelen): {listed(custom)}")
        if unread:
            parts.append(f"agenda niet te lezen: {listed(unread)}")
        return Check(
            check="calendar-delegates",
            status="warn",
            message=f"{'; '.join(parts)}.",
            fix='Controleer met Get-MailboxFolderPermission -Identity "<bestuurder>:\\Agenda"'
            " dat elke secretaresse Editor is; een agenda buiten het bereik: zie Bereik:"
            " bestuurders.",
        )
    asked = {p.upn for p in facts.calendars}
    pairs = sum(1 for ex in roster.serves.values() for e in ex if e in asked)
    return Check(
        check="calendar-delegates",
        status="ok",
        message=f"Elke secretaresse kan plannen in de agenda van de bestuurders die zij"
        f" ondersteunt ({pairs} combinaties, volgens de agendamachtigingen in Graph).",
    )


def _zone_name(value: Any) -> str | None:
    name = value.get("name") if isinstance(value, Mapping) else value
    return name if isinstance(name, str) and name else None


def _hours_problem(settings: Mapping[str, Any]) -> str | None:
    zone = _zone_name(settings.get("timeZone"))
    hours = settings.get("workingHours")
    if zone not in AMSTERDAM_ZONES:
        return f"tijdzone {zone or 'niet ingesteld'}"
    if not isinstance(hours, Mapping) or not hours.get("daysOfWeek") or not hours.get("startTime"):
        return "geen werktijden"
    hours_zone = _zone_name(hours.get("timeZone"))
    if hours_zone not in AMSTERDAM_ZONES:
        return f"werktijden in tijdzone {hours_zone or 'onbekend'}"
    return None


def working_hours(facts: Facts) -> Check:
    """Each executive's mailbox: time zone and working hours in Europe/Amsterdam."""
    skipped = not_asked(facts, "calendar-working-hours")
    if skipped:
        return skipped
    roster = facts.roster.roster
    problems, unread = [], []
    for probe in facts.executives:
        if not probe.ok:
            unread.append(who(roster, probe.upn))
            continue
        problem = _hours_problem(probe.body or {})
        if problem:
            problems.append((probe.upn, f"{who(roster, probe.upn)}: {problem}"))
    if problems:
        upn = problems[0][0]
        return Check(
            check="calendar-working-hours",
            status="warn",
            message=f"{listed(p for _, p in problems)}.",
            fix="Zet tijdzone en werktijden van het postvak (Exchange Online PowerShell):"
            f' Set-MailboxRegionalConfiguration -Identity {upn} -TimeZone "W. Europe Standard'
            f' Time"; Set-MailboxCalendarConfiguration -Identity {upn} -WorkingHoursTimeZone'
            ' "W. Europe Standard Time" -WorkingHoursStartTime 08:00:00 -WorkingHoursEndTime'
            " 17:00:00 -WorkDays Weekdays. Of in Outlook: Instellingen → Agenda → Werktijden.",
        )
    if unread:
        return Check(
            check="calendar-working-hours",
            status="warn",
            message=f"Niet te lezen: {listed(unread)} (zie Bereik: bestuurders).",
            fix="Zet het postvak in het bereik van de app (README stap 6).",
        )
    return Check(
        check="calendar-working-hours",
        status="ok",
        message="Alle bestuurders hebben werktijden en de tijdzone W. Europe Standard Time"
        " (Europe/Amsterdam).",
    )
