"""One line of "Laatste acties" as every adapter shows it."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RecentAction"]


@dataclass(frozen=True)
class RecentAction:
    """An operation in the mailbox today: who, when (Amsterdam), what and how it ended.

    ``who`` is "ik" for the one asking, else the colleague's name. ``undoable`` is true for a
    finished quick step that put something back-able and was not undone yet; ``undone_by``
    names who undid it.
    """

    operation_id: str
    kind: str
    actor: str
    who: str
    at: str  # HH:MM in Amsterdam
    what: str
    subjects: list[str]
    outcome: str  # Dutch, e.g. "gelukt", "mislukt", "ongedaan gemaakt"
    status: str  # the journal's: planned | running | done | failed
    undoable: bool
    undone_by: str | None = None
