"""An entry added to a list of a YAML file as text: the rest of the file as it was written, and
where the layout is one the text cannot follow, the whole file dumped anew (still complete)."""

from __future__ import annotations

import pytest

from automations.yamlfile import load
from automations.yamltext import append_entry, field_problems

FILE = """# The team's list
format: 1
things:
  - name: a   # the first
    tags: [x]

  - name: b
    text: |
      two
      lines
# about what follows
other: 1
"""


def test_the_entry_goes_after_the_last_one_in_its_style_and_the_rest_stays() -> None:
    added = append_entry(FILE, "things", {"name": "c: d", "tags": ["y", "z"], "text": "e\nf\n"})
    assert added.kept_layout
    assert added.text == FILE.replace(
        "      lines\n",
        "      lines\n\n  - name: 'c: d'\n    tags: [y, z]\n    text: |\n      e\n      f\n",
    )
    assert load(added.text).data["things"][-1] == {
        "name": "c: d",
        "tags": ["y", "z"],
        "text": "e\nf\n",
    }


def test_a_missing_list_starts_above_the_key_named_with_its_comment() -> None:
    added = append_entry(FILE, "more", {"name": "n"}, before="other")
    assert added.kept_layout
    assert "      lines\nmore:\n  - name: n\n\n# about what follows\nother: 1\n" in added.text


def test_a_list_in_flow_style_is_dumped_anew_complete() -> None:
    added = append_entry("format: 1\nthings: [{name: a}]\n", "things", {"name": "b"})
    assert not added.kept_layout
    assert load(added.text).data == {"format": 1, "things": [{"name": "a"}, {"name": "b"}]}


@pytest.mark.parametrize("text", ["a\n\n\nb\n", " indented\nfirst\n", "tab\there\n"])
def test_text_a_literal_block_cannot_hold_is_still_kept_exactly(text: str) -> None:
    added = append_entry(FILE, "things", {"name": "x", "text": text})
    assert load(added.text).data["things"][-1]["text"] == text


def test_problems_about_the_new_entry_go_to_their_fields() -> None:
    error = field_problems(
        ["regel 30, things[2].name: te lang (grens 80)",
         "regel 31, things[2].body (Nieuw): onbekende variabele 'x'",
         "regel 3, things[0].name: iets anders"],
        "things", 2, {"name": "name", "body": "body"},
    )  # fmt: skip
    assert error.fields == {"name": "te lang (grens 80)", "body": "onbekende variabele 'x'"}
    assert error.general == ["regel 3, things[0].name: iets anders"]
