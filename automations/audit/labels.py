"""What an audit entry's ``action`` means, in Dutch, for people reading the log (Beheer).

The action names are technical and stable (``quickstep.move``, ``job.run``); a screen shows
``label_of(action)``. A quick-step action is named by the kind of action it was; an action
without a label (a new one, before it is added here) shows its technical name rather than
nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["ACTORS", "LABELS", "OUTCOMES", "QUICKSTEP_ACTIONS", "label_of"]

LABELS: Mapping[str, str] = {
    "quicksteps.publish": "Snelle stappen gepubliceerd",
    "templates.publish": "Antwoordsjablonen gepubliceerd",
    "quickstep.undo": "Snelle stap ongedaan gemaakt",
    "approval.request": "Concept ter goedkeuring aangeboden",
    "approval.approve": "Concept goedgekeurd en verzonden",
    "approval.edit_and_send": "Concept aangepast en verzonden",
    "approval.send": "Goedgekeurd concept verzonden",
    "approval.sent": "Concept verzonden",
    "approval.deleted": "Concept verwijderd",
    "approval.sent_elsewhere": "Concept buiten Secretariaat verzonden",
    "approval.reject": "Concept afgekeurd",
    "approval.later": "Concept voor later bewaard",
    "approval.remind": "Herinnering over een wachtend concept",
    "approval.notify": "Afkeuring aan het secretariaat gemeld",
    "calamity.clear": "Agenda leeggemaakt",
    "calamity.preview": "Agenda leegmaken: voorbeeld bekeken",
    "calamity.cancel": "Vergadering geannuleerd (agenda leeggemaakt)",
    "calamity.decline": "Uitnodiging afgeslagen (agenda leeggemaakt)",
    "calamity.remove": "Afspraak verwijderd (agenda leeggemaakt)",
    "backlog.replan": "Afspraak opnieuw gepland",
    "backlog.drop": "Te herplannen afspraak laten vervallen",
    "meetings.create": "Vergadering aangemaakt in de vergadermap",
    "meetings.agenda_item": "Agendapunt toegevoegd",
    "meetings.agenda_item.edit": "Agendapunt gewijzigd",
    "meetings.push": "Stukken in de vergadermap gezet",
    "roster.take_over": "Frontoffice overgenomen",
    "roster.replace": "Rooster vervangen",
    "roster.import": "Rooster ingelezen",
    "access.check": "Toegang van het secretariaat gecontroleerd",
    "roster.exception_add": "Uitzondering in het rooster gezet",
    "roster.exception_remove": "Uitzondering uit het rooster gehaald",
    "queue.claim": "Opgepakt uit de werkvoorraad",
    "queue.release": "Teruggelegd in de werkvoorraad",
    "queue.despite_claim": "Doorgegaan terwijl een collega ermee bezig was",
    "queue.dismiss": "Afgevinkt in de werkvoorraad",
    "queue.flag_complete": "Markering gewist vanuit de werkvoorraad",
    "dispatch.answered": "Uitgezet bericht beantwoord door de afdeling",
    "dispatch.remind": "Herinnering aan een afdeling verstuurd",
    "job.run": "Geplande taak uitgevoerd",
    "job.dry_run": "Proefdraai van een geplande taak",
    "operator.mailboxes": "Postvakken van de bestuurders gecontroleerd",
}

# ``quickstep.<action>``: one entry per action of a step that was applied.
QUICKSTEP_ACTIONS: Mapping[str, str] = {
    "move": "verplaatst",
    "copy": "gekopieerd",
    "delete": "verwijderd",
    "mark_read": "als gelezen gemarkeerd",
    "mark_unread": "als ongelezen gemarkeerd",
    "importance": "urgentie ingesteld",
    "categorize": "categorie toegekend",
    "clear_categories": "categorieën gewist",
    "flag": "gemarkeerd voor opvolging",
    "mark_complete": "markering voltooid",
    "clear_flag": "markering gewist",
    "forward": "doorgestuurd",
    "forward_as_attachment": "doorgestuurd als bijlage",
    "reply_draft": "concept-antwoord klaargezet",
    "new_message": "nieuw bericht gemaakt",
    "todo_task": "taak in To Do gezet",
    "dispatch": "uitgezet bij een afdeling",
}

# Who acted when no person did: the app itself (at its start, or noticing a change in Graph).
ACTORS: Mapping[str, str] = {"system@secretariaat": "Secretariaat (automatisch)"}

OUTCOMES: Mapping[str, str] = {"success": "gelukt", "failure": "mislukt", "denied": "geweigerd"}


def label_of(action: str) -> str:
    """``quickstep.move`` -> "Snelle stap: verplaatst"; an unknown action as it is."""
    if action in LABELS:
        return LABELS[action]
    kind, _, rest = action.partition(".")
    if kind == "quickstep" and rest in QUICKSTEP_ACTIONS:
        return f"Snelle stap: {QUICKSTEP_ACTIONS[rest]}"
    return action
