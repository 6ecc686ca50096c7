"""The salutation a municipality writes: "Geachte heer/mevrouw De Vries", "Beste Jan".

Mail says nothing about gender, so the formal form is the gender-neutral "heer/mevrouw" with the
surname, unless the template set knows how a correspondent wishes to be addressed. Surname
prefixes (tussenvoegsels) are capitalised when no first name precedes them, as Dutch spelling
wants: "Jan de Vries" → "Geachte heer/mevrouw De Vries".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = ["Name", "Register", "salutation", "split_name"]

Register = Literal["formeel", "informeel"]

PREFIXES = frozenset(
    "van de der den het 't ten ter te in op aan bij uit voor onder over la le du da di del"
    " della dos el von zu vom d' l'".split()
)
# Names that belong to an organisation or a function mailbox, not to a person.
NOT_A_PERSON = re.compile(
    r"\b(gemeente|provincie|ministerie|stichting|vereniging|afdeling|team|secretariaat|info"
    r"|noreply|no-reply|service|b\.?v\.?|n\.?v\.?|bureau|raad|college|redactie|postbus)\b",
    re.IGNORECASE,
)
FORMAL_FALLBACK = "Geachte heer/mevrouw"
INFORMAL_FALLBACK = "Beste"


@dataclass(frozen=True)
class Name:
    first: str  # may be initials ("J.") or empty
    surname: str  # with its prefixes in their written case ("de Vries")

    @property
    def surname_alone(self) -> str:
        """The surname as it stands without a first name: its prefix capitalised."""
        return self.surname[:1].upper() + self.surname[1:]


def split_name(display: str) -> Name | None:
    """A person's name from a display name, or ``None`` when it is not clearly one."""
    text = " ".join(display.replace("\u200f", "").replace("\u202e", "").split())
    if not text or "@" in text or NOT_A_PERSON.search(text) or any(c.isdigit() for c in text):
        return None
    if "," in text:  # "Vries, Jan de" or "De Vries, Jan" (Outlook's "Last, First")
        last, _, first = (part.strip() for part in text.partition(","))
        words = first.split()
        prefix = [w for w in words if w.lower() in PREFIXES]
        first = " ".join(w for w in words if w.lower() not in PREFIXES)
        surname = " ".join([*(p.lower() for p in prefix), last]) if prefix else last
        return Name(first, surname) if first and last else None
    words = text.split()
    if len(words) < 2:
        return None
    cut = 1
    while cut < len(words) - 1 and words[cut].lower() not in PREFIXES:
        cut += 1  # a second first name or initials
    if words[cut].lower() not in PREFIXES:
        cut = len(words) - 1
    first, surname = " ".join(words[:cut]), " ".join(words[cut:])
    return Name(first, surname)


def _is_initials(first: str) -> bool:
    return all(len(part.rstrip(".")) <= 1 for part in first.replace(".", ". ").split())


def salutation(
    display_name: str,
    address: str,
    register: Register,
    known: Mapping[str, str] | None = None,
) -> str:
    """The salutation without its comma; a known preference wins over the rules."""
    preferred = (known or {}).get(address.lower())
    if preferred:
        return preferred
    name = split_name(display_name)
    single = " ".join(display_name.split())
    if name is None and register == "informeel" and single.isalpha() and split_name(f"{single} X"):
        return f"Beste {single}"  # only a first name ("Hans"): fine for an informal letter
    if name is None:
        return FORMAL_FALLBACK if register == "formeel" else INFORMAL_FALLBACK
    if register == "informeel" and name.first and not _is_initials(name.first):
        return f"Beste {name.first.split()[0]}"
    return f"{FORMAL_FALLBACK} {name.surname_alone}"
