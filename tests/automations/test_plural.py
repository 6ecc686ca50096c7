"""Counted nouns follow Dutch's plural rule (CLDR, through Babel): one only for exactly 1."""

from __future__ import annotations

import pytest

from automations.plural import counted, plural


@pytest.mark.parametrize(
    ("n", "said"),
    [(0, "0 concepten"), (1, "1 concept"), (2, "2 concepten"), (21, "21 concepten")],
)
def test_a_count_takes_the_dutch_form_for_it(n: int, said: str) -> None:
    assert counted(n, "concept", "concepten") == said


def test_one_piece_is_one_stuk_never_one_stukken() -> None:
    assert counted(1, "stuk", "stukken") == "1 stuk"
    assert counted(2, "stuk", "stukken") == "2 stukken"


def test_the_form_alone_is_chosen_by_the_count() -> None:
    assert plural(1, "concept wacht", "concepten wachten") == "concept wacht"
    assert plural(3, "concept wacht", "concepten wachten") == "concepten wachten"
