"""Every job, registered: import ``JOBS`` from here, not from ``registry``; ``label_of`` is the
job's Dutch name as users see it (Beheer), where the technical name is for cron and the CLI."""

from automations.jobs import calendar_jobs, mail_jobs, overview  # noqa: F401 - they register their jobs
from automations.jobs.registry import JOBS

__all__ = ["JOBS", "LABELS", "label_of"]

LABELS: dict[str, str] = {
    "cancelled-leftovers": "Geannuleerde vergaderingen opruimen",
    "expired-holds": "Verlopen opties vrijgeven",
    "conflicts": "Dubbele boekingen signaleren",
    "approval-reminders": "Herinneringen voor wachtende concepten",
    "flagged-mail": "Gemarkeerde mail naar de werkvoorraad",
    "handover": "Overdracht aan de frontoffice",
    "daily-overview": "Dagoverzicht",
}


def label_of(name: str) -> str:
    """The Dutch label of job ``name`` (a job without one shows its description)."""
    if name in LABELS:
        return LABELS[name]
    job = JOBS.get(name)
    return job.description if job else name
