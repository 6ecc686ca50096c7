"""Counted nouns in Dutch by CLDR's plural rule (Babel), never by gluing an "s" or "en" on.

>>> counted(1, "concept", "concepten")
'1 concept'
>>> counted(0, "concept", "concepten")
'0 concepten'
"""

from __future__ import annotations

from babel import Locale

__all__ = ["counted", "plural"]

_DUTCH = Locale("nl")


def plural(n: int, one: str, other: str) -> str:
    """``one`` or ``other``, whichever form Dutch uses for ``n`` (``one`` only for 1)."""
    return one if _DUTCH.plural_form(n) == "one" else other


def counted(n: int, one: str, other: str) -> str:
    """``n`` and the noun in the form Dutch uses for it: "1 stuk", "2 stukken", "0 stukken"."""
    return f"{n} {plural(n, one, other)}"
