"""CSV that spreadsheets open safely: the one writer for every CSV the product hands out.

Cells are quoted by the csv module, and a cell a spreadsheet would read as a formula gets an
apostrophe in front (OWASP "CSV injection"): subjects, attachment names and UPNs come from
outside mail, and ``=cmd|' /C calc'!A0`` must arrive as text; bidi controls go, as in the
pane. Lines end in CRLF (RFC 4180).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import IO, Any

from automations.text import without_bidi

__all__ = ["FORMULA_START", "CsvWriter", "csv_line", "defuse"]

# A leading = + - @ (or tab / carriage return, which some spreadsheets skip) starts a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(cell: Any) -> str:
    """A cell as text that no spreadsheet will evaluate as a formula (``None`` is empty), and
    without bidirectional controls that would make it read otherwise than it is."""
    text = "" if cell is None else without_bidi(str(cell))
    return "'" + text if text.startswith(FORMULA_START) else text


class CsvWriter:
    """``csv.writer`` over ``stream`` whose every cell is defused first."""

    def __init__(self, stream: IO[str], *, delimiter: str = ",") -> None:
        self._writer = csv.writer(stream, delimiter=delimiter, lineterminator="\r\n")

    def writerow(self, cells: Iterable[Any]) -> None:
        self._writer.writerow([defuse(c) for c in cells])


def csv_line(cells: Iterable[Any], *, delimiter: str = ",") -> str:
    """One defused row as text, line end included (for streaming a CSV row by row)."""
    buffer = io.StringIO()
    CsvWriter(buffer, delimiter=delimiter).writerow(cells)
    return buffer.getvalue()
