"""Text from outside shown safely: without the controls that reorder what a reader sees.

A right-to-left override (U+202E) in a subject or a sender's name makes the rest of the line
read backwards: ``rapport<U+202E>fdp.exe`` shows as ``rapportexe.pdf``. The bidirectional
embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the direction marks
(U+200E, U+200F, U+061C) are removed; every other character stays.
"""

from __future__ import annotations

__all__ = ["BIDI_CONTROLS", "without_bidi"]

BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_REMOVE = dict.fromkeys(map(ord, BIDI_CONTROLS))


def without_bidi(text: str) -> str:
    """``text`` without bidirectional controls (the same object when it has none)."""
    return text.translate(_REMOVE) if not BIDI_CONTROLS.isdisjoint(text) else text
