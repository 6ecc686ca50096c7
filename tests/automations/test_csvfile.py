"""Every CSV the product hands out opens in a spreadsheet as the text it is."""

from __future__ import annotations

import csv
import io

import pytest

from automations.csvfile import CsvWriter, csv_line


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("=cmd|' /C calc'!A0.csv", "'=cmd|' /C calc'!A0.csv"),
        ("+31 6 1234", "'+31 6 1234"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tverborgen", "'\tverborgen"),
        ("rapport\u202efdp.exe", "rapportfdp.exe"),
        ("\u202e=1+1", "'=1+1"),  # a control in front does not hide a formula
        ("Gewoon onderwerp", "Gewoon onderwerp"),
        (None, ""),
    ],
)
def test_a_cell_from_outside_mail_arrives_as_text(cell: object, shown: str) -> None:
    [[read]] = list(csv.reader(io.StringIO(csv_line([cell]))))
    assert read == shown


def test_rows_are_quoted_and_end_in_crlf() -> None:
    out = io.StringIO()
    CsvWriter(out, delimiter=";").writerow(["a;b", 'zei "ja"'])
    assert out.getvalue() == '"a;b";"zei ""ja"""\r\n'
