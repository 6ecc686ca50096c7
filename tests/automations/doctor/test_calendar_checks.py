"""The executives' calendars: time zone and working hours."""

from __future__ import annotations

from automations.doctor.models import Probe
from tests.automations.doctor.facts import facts, verdicts


def test_working_hours_in_another_zone_warn_with_the_powershell_fix() -> None:
    pacific = {"timeZone": "Pacific Standard Time", "workingHours": {}}
    found = verdicts(facts(executives=(Probe("ingrid@x.nl", 200, body=pacific),)))
    check = found["calendar-working-hours"]
    assert check.status == "warn" and "Pacific Standard Time" in check.message
    assert "Set-MailboxRegionalConfiguration -Identity ingrid@x.nl" in (check.fix or "")


def test_a_secretary_with_read_rights_only_fails_with_set() -> None:
    reader = Probe("ingrid@x.nl", 200, body={"value": [
        {"role": "read", "emailAddress": {"address": "monique@x.nl"}}]})  # fmt: skip
    check = verdicts(facts(calendars=(reader,)))["calendar-delegates"]
    assert check.status == "fail" and "Monique (monique@x.nl) heeft alleen read" in check.message
    assert "Set-MailboxFolderPermission" in (check.fix or "")
