"""The salutation a municipality writes: "Geachte heer De Vries", "Beste Jan".

A letter that goes out under an executive's name may not guess. Display names in real mail
carry organisations, departments, brackets, titles and inverted forms ("Kempers, R. (Ronald)",
"Gemeente Zeeveen | Team Wonen", "mw. drs. A. van den Berg-Jansen"), so the rule is: **use a
surname only when it is certain**, otherwise write the neutral "Geachte heer/mevrouw". A
surname is certain when, after brackets, departments, titles and degrees are taken off,

- an honorific or "Familie" names it ("Dhr. Jansen", "Fam. van der Meer"),
- a first name or initials precede it ("Ronald Kempers", "J.P. Balkenende"),
- it starts with a tussenvoegsel ("De Vries"), or it is the inverted "Achternaam, Voorletters",
- or the address confirms a lone word ("Kempers" writing from r.kempers@…);

and it is never certain when any word is an organisation or department keyword, an acronym,
has digits, or the address is a function mailbox (info@, noreply@…) without an honorific.

Mail says nothing about gender: only an explicit honorific gives "heer" or "mevrouw". The
tussenvoegsel is capitalised when no first name or initials precede it, as Dutch spelling
wants ("J. van den Berg" but "Geachte mevrouw Van den Berg"). Names in capitals or lower case
are written as names ("JAN DE VRIES" → "Jan de Vries"). Informal salutations use the first
name when it is certain (written out, the roepnaam in brackets, or confirmed by the address).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = ["Name", "Register", "first_name_of", "salutation", "split_name"]

Register = Literal["formeel", "informeel"]
Gender = Literal["heer", "mevrouw", "heer en mevrouw", "familie"]

FORMAL_FALLBACK = "Geachte heer/mevrouw"
INFORMAL_FALLBACK = "Beste heer/mevrouw"

PREFIXES = frozenset(
    "van de der den het 't ten ter te in op aan bij uit voor onder over la le du da di del"
    " della dos des el al von zu vom zum d' l' 's".split()
)
# Honorifics give the form of address; titles and functions are dropped (and make the name
# that follows a surname). Keys are lower case without the dot.
HONORIFICS: dict[str, Gender] = {
    "dhr": "heer", "de heer": "heer", "heer": "heer", "meneer": "heer", "mijnheer": "heer",
    "mevr": "mevrouw", "mw": "mevrouw", "mevrouw": "mevrouw", "mej": "mevrouw",
    "mrs": "mevrouw", "ms": "mevrouw", "familie": "familie", "fam": "familie",
    "gezin": "familie",
}  # fmt: skip
TITLES = frozenset("mr drs dr ir ing prof bc ds mgr em lic burgemeester wethouder griffier".split())
DEGREES = frozenset("MSc MA BSc BA MBA LLM LLB PhD RA RC MPA EMIA BBA MSW MD".split())
_DEGREES_LOW = frozenset(d.lower() for d in DEGREES if len(d) > 2)
# Bracketed words that are no roepnaam: "J. de Vries (extern)".
NOT_A_ROEPNAAM = frozenset("extern intern zzp privé prive thuis mobiel werk persoonlijk".split())
# Words that name an organisation, a department or a function mailbox, never a person.
ORGANISATION = frozenset(
    """gemeente provincie ministerie stichting vereniging afdeling team secretariaat info
    informatie noreply no-reply donotreply service servicedesk helpdesk support bureau raad
    college redactie postbus veiligheidsregio waterschap hoogheemraadschap politie brandweer
    ggd omgevingsdienst rijkswaterstaat belastingdienst kadaster universiteit hogeschool school
    ziekenhuis bv b.v. nv n.v. vof v.o.f. holding groep group administratie klantenservice
    klantcontact receptie griffie directie sector dienst kantoor makelaardij advocaten
    notariaat notarissen partners fractie nieuwsbrief newsletter nieuws mailing platform
    netwerk coöperatie cooperatie woningcorporatie woonstichting nederland contact office
    communicatie bestuur gemeenteraad centrum fonds instituut regio""".split()
)
ORGANISATION_ENDINGS = tuple(
    "stichting vereniging groep bureau dienst centrum kantoor regio corporatie fonds instituut"
    " school".split()
)
# The local part of a function mailbox: a name on it needs an honorific to be believed.
ROLE_ADDRESSES = frozenset(
    """info noreply no-reply donotreply do-not-reply postmaster mailer-daemon secretariaat
    contact post office admin service support helpdesk servicedesk nieuwsbrief newsletter
    receptie communicatie hello hallo mail bestuur griffie gemeente klantenservice
    administratie facturen sales marketing redactie pers press""".split()
)

# Direction marks and overrides ("\u202e" turns a name around on screen): never part of a name.
_BIDI = dict.fromkeys([0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])
QUOTES = "\"'“”‘’„"
_CUT = re.compile(r"\s+[|/\-–—]\s+|\||\s+namens\s+|\s+via\s+", re.IGNORECASE)
_BRACKET_NAME = re.compile(r"\(\s*([^\W\d_]{2,}(?:[- ][^\W\d_]{2,})?)\s*\)")
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\]]*\]|<[^>]*>|\{[^}]*\}|[(\[<{].*$")
_INITIALS = re.compile(r"^(?:(?:IJ|[^\W\d_][a-z]{0,2})\.)+[^\W\d_]?$|^[^\W\d_]$")
_WORD = re.compile(r"^(?:'s-)?[^\W\d_]+(?:['’-][^\W\d_]+)*$|^'[tsT]$|^[dlDL]'$")


@dataclass(frozen=True)
class Name:
    """A person's name as a display name gives it, when the surname is certain."""

    first: str  # the first name when certain ("Ronald", "Anne-Marie"), else ""
    initials: str  # "J.P." or ""
    surname: str  # as written after a first name: "van den Berg-Jansen"
    form: Gender | None = None  # only from an explicit honorific

    @property
    def surname_alone(self) -> str:
        """The surname without a first name before it: its tussenvoegsel capitalised."""
        if self.surname.startswith("'t "):
            return self.surname  # "'t Hart": the t of the article stays small
        return self.surname[:1].upper() + self.surname[1:]


def _clean(display: str) -> str:
    """Whitespace collapsed, direction marks and a pair of surrounding quotes taken off."""
    text = " ".join(display.translate(_BIDI).split())
    while len(text) > 1 and text[0] in QUOTES and text[-1] in QUOTES:
        text = text[1:-1].strip()
    return text


def _case(word: str) -> str:
    """One word of a name written in capitals or lower case, written as a name."""
    low = word.lower()
    if low in PREFIXES:
        return low
    if "." in word:
        return ".".join(p[:1].upper() + p[1:].lower() for p in word.split("."))  # "Th.", "J.P."
    out: list[str] = []
    for part in re.split(r"([-'’])", low):
        if part in PREFIXES and out:  # "Berg-van Dijk"
            out.append(part)
        elif part.startswith("ij"):
            out.append("IJ" + part[2:])  # the Dutch digraph: "IJsselstein"
        else:
            out.append(part[:1].upper() + part[1:])
    return "".join(out)


def _is_initials(word: str, shouting: bool) -> bool:
    if _INITIALS.match(word):
        return True
    return not shouting and 2 <= len(word) <= 3 and word.isalpha() and word.isupper()  # "JP"


def _is_degree(word: str) -> bool:
    bare = word.rstrip(".,")
    return bare in DEGREES or bare.lower() in _DEGREES_LOW


def _honorifics(words: list[str]) -> tuple[Gender | None, bool, list[str]]:
    """Leading honorifics and titles taken off: (form of address, any found, the rest)."""
    form: Gender | None = None
    found = False
    while words:
        key = words[0].lower().rstrip(".:")
        two = f"{key} {words[1].lower().rstrip('.')}" if len(words) > 1 else ""
        if two in HONORIFICS:
            form, words, found = form or HONORIFICS[two], words[2:], True
        elif key in HONORIFICS:
            form, words, found = form or HONORIFICS[key], words[1:], True
        elif key in TITLES:
            words, found = words[1:], True
        elif key in ("en", "&") and form in ("heer", "mevrouw") and len(words) > 1:
            other, _, rest = _honorifics(words[1:])
            if other not in ("heer", "mevrouw") or other == form:
                return None, found, ["&"]  # two people and no certain form
            form, words = "heer en mevrouw", rest
        else:
            break
    return form, found, words


def _not_a_person(text: str) -> bool:
    for word in re.split(r"[\s,;:|/]+", text.lower()):
        if word in ORGANISATION or word.rstrip(".") in ORGANISATION:
            return True
        if len(word) > 7 and word.endswith(ORGANISATION_ENDINGS):
            return True
    return any(c.isdigit() for c in text)


def _roepnaam(text: str) -> str:
    """The first name in brackets after initials: "Kempers, R. (Ronald)", "R. (Ronald) Kempers"."""
    found = _BRACKET_NAME.search(text)
    if found is None or found.group(1).lower() in NOT_A_ROEPNAAM:
        return ""
    before = [w for w in text[: found.start()].split() if w.lower() not in PREFIXES]
    if "," in text[: found.start()] or (before and _INITIALS.match(before[-1])):
        return found.group(1)
    return ""


def split_name(display: str, address: str = "") -> Name | None:
    """A person's name from a display name, or ``None`` when its surname is not certain."""
    text = _clean(display)
    roepnaam = _roepnaam(text)
    text = _CUT.split(_BRACKETS.sub(" ", text), maxsplit=1)[0].strip()
    if not text or "@" in text or _not_a_person(text):
        return None
    shouting = text.upper() == text or text.lower() == text
    parts = [p.split() for p in text.split(",")]
    parts = [p for p in parts if p and not all(_is_degree(w) for w in p)]
    if not parts or len(parts) > 2:
        return None
    if shouting:
        parts = [[_case(w) for w in p] for p in parts]
        roepnaam = " ".join(_case(w) for w in roepnaam.split())
    while len(parts[0]) > 1 and _is_degree(parts[0][-1]):
        parts[0] = parts[0][:-1]
    form, honoured, words = _honorifics(parts[0])
    if len(parts) == 2:  # "Kempers, R." / "Vries, J. de" / "Berg, mw. A. van den"
        given_form, given_honoured, given = _honorifics(parts[1])
        form, honoured = form or given_form, honoured or given_honoured
        prefixes = [w.lower() for w in given if w.lower() in PREFIXES]
        given = [w for w in given if w.lower() not in PREFIXES and not _is_degree(w)]
        if not given or not words:
            return None
        words = given + prefixes + _surname_first(words)
    return _read(words, form=form, honoured=honoured, roepnaam=roepnaam, shouting=shouting,
                 address=address)  # fmt: skip


def _surname_first(words: list[str]) -> list[str]:
    """Tussenvoegsels written after the surname ("Vries de") put before it."""
    tail = len(words)
    while tail > 1 and words[tail - 1].lower() in PREFIXES:
        tail -= 1
    return [w.lower() for w in words[tail:]] + words[:tail]


def _read(
    words: list[str], *, form: Gender | None, honoured: bool, roepnaam: str, shouting: bool,
    address: str,
) -> Name | None:  # fmt: skip
    """First names or initials, then the surname (from its first tussenvoegsel, or the last
    word; after initials, everything that follows them)."""
    if not words or not all(_WORD.match(w) or _INITIALS.match(w) for w in words):
        return None
    lead = 0
    while lead < len(words) - 1 and words[lead].lower() not in PREFIXES:
        lead += 1
    marked = [i for i in range(lead) if _is_initials(words[i], shouting)]
    if marked:
        lead = marked[-1] + 1  # "M.C. Lopes Cardozo": all after the initials is the surname
    given = [w for w in words[:lead] if not _is_initials(w, shouting)]
    initials = [w for w in words[:lead] if _is_initials(w, shouting)]
    surname = words[lead:]
    core = [w for w in surname if w.lower() not in PREFIXES]
    if not core or len(core) > 2 or len(given) > 2:
        return None  # no surname, or more words than a person's name has
    if any(w[:1].islower() or (len(w) > 1 and w.isupper()) for w in given + core):
        return None  # "Jan en Marie Jansen", acronyms: not a name we can be sure of
    if any(_INITIALS.match(w) for w in core):
        return None
    certain = (
        honoured
        or lead > 0
        or surname[0].lower() in PREFIXES
        or _address_confirms(address, core[-1], last=True)
    )
    if not certain or (_role_address(address) and form is None):
        return None
    written = " ".join(w.lower() if w.lower() in PREFIXES and lead else w for w in surname)
    first = roepnaam or (given[0] if given else "")
    return Name(first=first, initials="".join(initials), surname=written, form=form)


def _local_parts(address: str) -> list[str]:
    local = address.partition("@")[0].lower()
    return [p for p in re.split(r"[._\-+]", local) if p]


def _role_address(address: str) -> bool:
    pieces = _local_parts(address)
    local = address.partition("@")[0].lower()
    return bool(pieces) and (local in ROLE_ADDRESSES or pieces[0] in ROLE_ADDRESSES)


def _address_confirms(address: str, word: str, *, last: bool) -> bool:
    """Whether the address names ``word`` as surname (r.kempers@) or first name (hans.v@)."""
    pieces = _local_parts(address)
    if len(pieces) < 2:
        return False
    return (pieces[-1] if last else pieces[0]) == word.lower()


def first_name_of(display: str, address: str = "") -> str:
    """The first name to greet someone by informally ("Beste Ellen"), or "" when unsure."""
    name = split_name(display, address)
    if name is not None:
        return name.first
    word = _clean(display)
    if not _WORD.match(word) or _not_a_person(word) or word.lower() in PREFIXES:
        return ""
    if not _address_confirms(address, word, last=False) or _role_address(address):
        return ""
    return _case(word) if word.islower() or word.isupper() else word


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
    if register == "informeel":
        first = first_name_of(display_name, address)
        if first:
            return f"Beste {first}"
    name = split_name(display_name, address)
    if name is None:
        return FORMAL_FALLBACK if register == "formeel" else INFORMAL_FALLBACK
    greeting = "Geachte" if register == "formeel" else "Beste"
    return f"{greeting} {name.form or 'heer/mevrouw'} {name.surname_alone}"
