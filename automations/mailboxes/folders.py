"""Folder paths as Outlook shows them in Dutch: "Inbox/Backoffice" reads "Postvak IN/Backoffice".

Quick steps name folders by path, and the well-known first folder may be written in English
(Graph's well-known names) or in Dutch; the user reads Outlook's Dutch names.
"""

from __future__ import annotations

__all__ = ["DUTCH_NAMES", "shown_path"]

# Graph's well-known folder names (and Outlook's English display names) → Outlook in Dutch.
DUTCH_NAMES = {
    "inbox": "Postvak IN",
    "sentitems": "Verzonden items",
    "sent items": "Verzonden items",
    "drafts": "Concepten",
    "deleteditems": "Verwijderde items",
    "deleted items": "Verwijderde items",
    "archive": "Archief",
    "junkemail": "Ongewenste e-mail",
    "junk email": "Ongewenste e-mail",
    "outbox": "Postvak UIT",
}


def shown_path(path: str) -> str:
    """``path`` with a well-known first folder in Outlook's Dutch name; the rest as written."""
    first, sep, rest = path.partition("/")
    return DUTCH_NAMES.get(first.strip().lower(), first) + sep + rest
