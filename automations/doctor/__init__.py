"""``secretariaat doctor``: is the tenant set up as the README says, before the secretariat
starts? Each check gives a verdict (in orde, waarschuwing, fout), a Dutch explanation and,
when not in order, the fix: which README step, which Entra setting or PowerShell command.

``models`` (the verdicts and the facts), ``gather`` (Graph with the app's identity, the store,
the clock), ``tenant_checks``, ``registration_checks``, ``calendar_checks``, ``roster_checks``
and ``local_checks`` (pure verdicts), ``service.examine`` (all of it in one call, as the CLI
runs it) and ``flows.run_checks`` (Beheer and the API: admins only, on the store's roster).
"""

from automations.doctor.models import (
    LABELS,
    VERDICTS,
    Check,
    RosterFacts,
    Setup,
    any_failed,
    summary,
)
from automations.doctor.service import examine, judge

__all__ = [
    "LABELS",
    "VERDICTS",
    "Check",
    "RosterFacts",
    "Setup",
    "any_failed",
    "examine",
    "judge",
    "summary",
]
