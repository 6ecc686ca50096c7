"""Safe names: whatever a mail calls its files, what lands on disk, in SharePoint and in a ZIP
stays inside the meeting folder and reads as what it is."""

from __future__ import annotations

import pytest

from automations.meetings.names import (
    MAX_NAME,
    document_name,
    folder_name,
    safe_name,
    unique_name,
)


@pytest.mark.parametrize(
    ("original", "safe"),
    [
        ("agenda.pdf", "agenda.pdf"),
        ("../../etc/passwd", "passwd"),  # path parts dropped
        ("C:\\Users\\x\\brief.docx", "brief.docx"),
        ("CON.pdf", "_CON.pdf"),  # Windows device names
        ("lpt1", "_lpt1"),
        ("con.txt.pdf", "_con.txt.pdf"),
        ("rapport\u202efdp.exe", "rapportfdp.exe"),  # a right-to-left override, removed
        ("zwj\u200dname.pdf", "zwjname.pdf"),  # invisible format characters too
        ("a\tb.pdf", "ab.pdf"),  # control characters
        ("a<b>c.pdf", "a_b_c.pdf"),  # reserved characters replaced
        ("#1 100%.pdf", "_1 100_.pdf"),  # SharePoint's # and %
        ("  notulen .pdf  ", "notulen.pdf"),  # spaces around the stem
        ("archief.tar.gz", "archief.tar.gz"),
        ("file.verylongextension1", "file.verylongextension1"),  # not an extension
        ("Cafe\u0301.pdf", "Caf\u00e9.pdf"),  # one normal form (NFC)
        ("", "bestand"),
        ("...", "bestand"),
        (".eml", "eml"),
    ],
)
def test_safe_name(original: str, safe: str) -> None:
    assert safe_name(original) == safe


@pytest.mark.parametrize("original", ["x" * 300 + ".pdf", "y" * 500, "z" * 118 + " .docx"])
def test_a_long_name_is_capped_and_keeps_its_extension(original: str) -> None:
    name = safe_name(original)
    assert len(name) <= MAX_NAME
    assert name.rpartition(".")[2] == original.rpartition(".")[2] or "." not in original
    assert not name.rpartition(".")[0].endswith((" ", "."))


def test_an_empty_name_gets_the_fallback_asked_for() -> None:
    assert safe_name("", "bericht") == "bericht"


@pytest.mark.parametrize(
    ("text", "folder"),
    [
        ("College van B&W", "College van B&W"),
        ("2026-12-01 MT-overleg", "2026-12-01 MT-overleg"),
        ("a/b", "a_b"),
        ("Notulen...", "Notulen"),
        (" x ", "x"),
        ("NUL", "_NUL"),
        ("com1.backup", "_com1.backup"),
        ("", "map"),
        ("___", "map"),
        ("a" * 130, "a" * MAX_NAME),
    ],
)
def test_folder_name(text: str, folder: str) -> None:
    assert folder_name(text) == folder


@pytest.mark.parametrize(
    ("number", "title", "original", "name"),
    [
        (1, "Begroting 2027", "Bijlagenboek.pdf", "01-Begroting 2027-Bijlagenboek.pdf"),
        (2, "Opening", "agenda MT.pdf", "02-Opening-agenda MT.pdf"),
        (12, "x" * 60, "a.pdf", "12-" + "x" * 40 + "-a.pdf"),  # the title at most 40
        (1, "", "a.pdf", "01-agendapunt-a.pdf"),
        (3, "Stukken", "../../etc/passwd", "03-Stukken-passwd"),
        (4, "Wat/nu?", "CON.pdf", "04-Wat_nu_-_CON.pdf"),
        (100, "Rondvraag", "b.pdf", "100-Rondvraag-b.pdf"),
    ],
)
def test_document_name(number: int, title: str, original: str, name: str) -> None:
    assert document_name(number, title, original) == name


@pytest.mark.parametrize(
    ("names", "unique"),
    [
        (["a.pdf", "b.pdf"], ["a.pdf", "b.pdf"]),
        (["a.pdf", "a.pdf", "a.pdf"], ["a.pdf", "a-2.pdf", "a-3.pdf"]),
        (["notulen", "notulen", "notulen"], ["notulen", "notulen-2", "notulen-3"]),
        (["a.pdf", "a-2.pdf", "a.pdf"], ["a.pdf", "a-2.pdf", "a-3.pdf"]),
        (["x.tar.gz", "x.tar.gz"], ["x.tar.gz", "x.tar-2.gz"]),
    ],
)
def test_two_files_of_one_name_are_both_kept(names: list[str], unique: list[str]) -> None:
    taken: set[str] = set()
    assert [unique_name(n, taken) for n in names] == unique
    assert taken == set(unique)
