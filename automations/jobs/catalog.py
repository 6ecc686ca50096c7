"""Every job, registered: import ``JOBS`` from here, not from ``registry``; ``label_of`` is the
job's Dutch name as users see it (Beheer), where the technical name is for cron and the CLI.

What a run reports is stored with technical words (``done``, ``timed_out``, ``released``) that
programs read (``--json``, the API); people read them through the labels here, in Dutch, the
same words in the Beheer pane and on the command line: ``status_label`` for a run,
``mailbox_status_label`` for one mailbox of it, ``counts_text`` for its counts.
"""

from collections.abc import Mapping

from automations.jobs import (  # noqa: F401 - they register their jobs
    calendar_jobs,
    mail_jobs,
    mail_watch,
    overview,
)
from automations.jobs.registry import JOBS
from automations.plural import counted

__all__ = [
    "COUNT_NOUNS",
    "JOBS",
    "LABELS",
    "MAILBOX_STATUS_LABELS",
    "STATUS_LABELS",
    "counts_text",
    "label_of",
    "mailbox_status_label",
    "status_label",
]

LABELS: dict[str, str] = {
    "cancelled-leftovers": "Geannuleerde vergaderingen opruimen",
    "expired-holds": "Verlopen opties vrijgeven",
    "conflicts": "Dubbele boekingen signaleren",
    "approval-reminders": "Herinneringen voor wachtende concepten",
    "flagged-mail": "Gemarkeerde mail naar de werkvoorraad",
    "handover": "Overdracht aan de frontoffice",
    "daily-overview": "Dagoverzicht",
    "mail-subscriptions": "Meldingen van nieuwe mail bijhouden",
}

# A run (``runner.RunReport.status``).
STATUS_LABELS: dict[str, str] = {
    "done": "klaar",
    "partial": "deels mislukt",
    "failed": "mislukt",
    "running": "bezig",
}

# One mailbox of a run (``registry.MailboxResult.status``).
MAILBOX_STATUS_LABELS: dict[str, str] = {
    "ok": "klaar",
    "failed": "mislukt",
    "out_of_scope": "buiten bereik",
    "timed_out": "time-out",
}

# What the jobs count (``MailboxResult.count``; ``mailboxes`` and ``failed`` per run), as
# the Dutch noun for one and for more.
COUNT_NOUNS: dict[str, tuple[str, str]] = {
    "mailboxes": ("postvak", "postvakken"),
    "failed": ("mislukt", "mislukt"),
    "timed_out": ("time-out", "time-outs"),
    "requests": ("Graph-verzoek", "Graph-verzoeken"),
    "changed": ("wijziging", "wijzigingen"),
    "full_reads": ("volledige synchronisatie", "volledige synchronisaties"),
    "events": ("afspraak", "afspraken"),
    "found": ("gevonden", "gevonden"),
    "removed": ("verwijderd", "verwijderd"),
    "expired": ("verlopen optie", "verlopen opties"),
    "told": ("plaatser ingelicht", "plaatsers ingelicht"),
    "released": ("vrijgegeven", "vrijgegeven"),
    "conflicts": ("conflict", "conflicten"),
    "resolved": ("opgelost", "opgelost"),
    "reminded": ("herinnerd", "herinnerd"),
    "flagged": ("gemarkeerd bericht", "gemarkeerde berichten"),
    "no_switch": ("zonder overdracht", "zonder overdracht"),
    "sent": ("verstuurd", "verstuurd"),
    "created": ("abonnement gemaakt", "abonnementen gemaakt"),
    "renewed": ("abonnement verlengd", "abonnementen verlengd"),
    "replaced": ("abonnement vervangen", "abonnementen vervangen"),
    "kept": ("abonnement in orde", "abonnementen in orde"),
    "off": ("zonder meldingen", "zonder meldingen"),
}


def label_of(name: str) -> str:
    """The Dutch label of job ``name`` (a job without one shows its description)."""
    if name in LABELS:
        return LABELS[name]
    job = JOBS.get(name)
    return job.description if job else name


def status_label(status: str) -> str:
    """A run's status in Dutch: klaar, deels mislukt, mislukt, bezig."""
    return STATUS_LABELS.get(status, status)


def mailbox_status_label(status: str) -> str:
    """One mailbox's status in Dutch: klaar, mislukt, buiten bereik, time-out."""
    return MAILBOX_STATUS_LABELS.get(status, status)


def counts_text(counts: Mapping[str, int]) -> str:
    """Counts as Dutch words, in the order they were counted: "3 Graph-verzoeken, 1 verlopen
    optie, 1 vrijgegeven"; "" when nothing was counted."""
    parts = []
    for what, n in counts.items():
        one, other = COUNT_NOUNS.get(what, (what, what))
        parts.append(counted(n, one, other))
    return ", ".join(parts)
