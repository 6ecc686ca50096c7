"""File names that are safe everywhere a meeting folder lives: Windows, SharePoint, a ZIP.

A name from mail is never trusted: path parts are dropped (``../../etc/passwd`` → ``passwd``),
control and bidirectional-override characters removed (an RTL override can make
``rapport‮fdp.exe`` read as ``rapportexe.pdf``), reserved characters replaced, device names
(``CON``, ``LPT1`` …) prefixed, trailing dots and spaces trimmed, and the length capped while
the extension is kept. The mapping from the original is shown to the secretary.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MAX_NAME", "document_name", "folder_name", "safe_name", "unique_name"]

MAX_NAME = 120  # SharePoint allows 400 per path; a meeting path has four levels
_RESERVED = re.compile(r'[<>:"/\\|?*#%\x00-\x1f\x7f]')
_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)),
            *(f"LPT{i}" for i in range(10))}  # fmt: skip
_BIDI_AND_INVISIBLE = {"Cc", "Cf"}  # controls, and format characters (bidi overrides, ZWJ …)


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = "".join(c for c in text if unicodedata.category(c) not in _BIDI_AND_INVISIBLE)
    text = _RESERVED.sub("_", text)
    return " ".join(text.split())


def safe_name(original: str, fallback: str = "bestand") -> str:
    """One safe file name for ``original`` (which may be a path, hostile, or empty)."""
    last = re.split(r"[/\\]", original or "")[-1]
    name = _clean(last).strip(" .")
    if not name or set(name) <= {"_", "."}:
        name = fallback
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext) > 10:
        stem, ext = name, ""
    if stem.split(".")[0].upper() in _DEVICES:
        stem = f"_{stem}"
    ext = f".{ext}" if ext else ""
    stem = stem[: MAX_NAME - len(ext)].rstrip(" .") or fallback
    return stem + ext


def folder_name(text: str, fallback: str = "map") -> str:
    """A safe folder name (no extension handling)."""
    name = _clean(text).strip(" .")[:MAX_NAME].rstrip(" .")
    if not name or set(name) <= {"_"}:
        return fallback
    return f"_{name}" if name.split(".")[0].upper() in _DEVICES else name


def document_name(number: int, title: str, original: str) -> str:
    """The naming convention ``<NN>-<title>-<original>``, safe and within the length cap."""
    original = safe_name(original)
    title = folder_name(title, "agendapunt")[:40].rstrip(" .")
    return safe_name(f"{number:02d}-{title}-{original}")


def unique_name(name: str, taken: set[str]) -> str:
    """``name``, or ``<stem>-2.<ext>``, ``-3`` … when one mail carries two files of one name:
    both are kept. The result is added to ``taken``."""
    stem, dot, ext = name.rpartition(".")
    found, n = name, 2
    while found in taken:
        found = f"{stem}-{n}.{ext}" if dot else f"{name}-{n}"
        n += 1
    taken.add(found)
    return found
