"""Colleagues are greeted by their first name, taken from the roster's display name."""

from __future__ import annotations

import pytest

from automations.roster.models import first_name


@pytest.mark.parametrize(
    ("name", "greeted"),
    [
        ("Ellen Dijkhuis", "Ellen"),
        ("Monique van der Berg", "Monique"),
        ("mw. Dijkhuis", "mw. Dijkhuis"),  # no first name: the whole name
        ("Dijkhuis", "Dijkhuis"),
        ("ellen.dijkhuis@zeeveen.nl", "ellen.dijkhuis@zeeveen.nl"),
        ("J. Dijkhuis", "J. Dijkhuis"),
    ],
)
def test_the_first_name_or_else_the_whole_name(name: str, greeted: str) -> None:
    assert first_name(name) == greeted
