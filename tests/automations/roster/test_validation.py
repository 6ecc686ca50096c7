"""Issue 20: a roster that is refused says why in Dutch, at its place (and line, for a file),
naming people by their roster names; no English message of pydantic's gets through."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from automations.errors import AccessDenied, Unprocessable
from automations.roster.exceptions import add_exception
from automations.roster.models import Roster
from automations.roster.service import (
    RosterError,
    load_roster_file,
    parse_roster,
    parse_roster_text,
)
from server.startup import DEMO_ROSTER
from tests.sandbox.people import ADMIN, BURGEMEESTER, SECRETARY_A, SECRETARY_B

ENGLISH = re.compile(
    r"field required|value error|input should|string should|should be|does not|is not a"
    r"|not a valid|unexpected|\bor\b|\bmust\b|extra inputs",
    re.IGNORECASE,
)
TEXT = DEMO_ROSTER.read_text(encoding="utf-8")


def refused_text(text: str) -> list[str]:
    with pytest.raises(RosterError) as refused:
        parse_roster_text(text)
    assert refused.value.code == "invalid_roster" and refused.value.status == 422
    for problem in refused.value.problems:
        assert not ENGLISH.search(problem), problem
    return refused.value.problems


def refused_document(doc: dict[str, Any]) -> list[str]:
    with pytest.raises(RosterError) as refused:
        parse_roster(doc)
    for problem in refused.value.problems:
        assert not ENGLISH.search(problem), problem
    return refused.value.problems


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def demo() -> dict[str, Any]:
    return load_roster_file(DEMO_ROSTER).model_dump()


def test_the_demo_roster_is_valid_and_takes_no_anchors() -> None:
    assert len(parse_roster_text(TEXT).members) == 10  # a file with anchors is refused


def test_a_stranger_in_serves_is_named_at_the_line_she_is_on() -> None:
    ruben = "ruben.stapel@zeeveen.nl:\n    ["
    text = TEXT.replace(f"{ruben}joost", f"{ruben}nobody@zeeveen.nl, joost")
    line = line_of(text, "nobody@zeeveen.nl")
    assert refused_text(text) == [
        f"regel {line}, serves.ruben.stapel@zeeveen.nl[0]: nobody@zeeveen.nl staat niet in het"
        " rooster; voeg die eerst toe onder members"
    ]


def test_a_member_in_the_wrong_role_is_named_by_name() -> None:
    monique = "monique.verschuren@zeeveen.nl: ["
    text = TEXT.replace(f"{monique}ingrid", f"{monique}karin.molenaar@zeeveen.nl, ingrid")
    [problem] = refused_text(text)
    line = line_of(text, f"{monique}karin")
    assert problem == (
        f"regel {line}, serves.monique.verschuren@zeeveen.nl[0]: Karin Molenaar is"
        " secretaresse, geen bestuurder"
    )


def test_a_front_office_who_does_not_serve_is_one_problem_with_her_days() -> None:
    ruben = "    thu: ruben.stapel@zeeveen.nl\n    fri: ruben.stapel@zeeveen.nl\n  fatima"
    text = TEXT.replace(ruben, ruben.replace("ruben.stapel", "ellen.dijkhuis"), 1)
    [problem] = refused_text(text)
    line = line_of(text, "thu: ellen.dijkhuis")
    assert problem == (
        f"regel {line}, front_office.joost.brinkhorst@zeeveen.nl.thu: Ellen Dijkhuis is op"
        " donderdag en vrijdag frontoffice voor Joost Brinkhorst, maar ondersteunt Joost"
        " Brinkhorst niet volgens serves"
    )


def test_someone_listed_twice_and_a_roster_without_admin() -> None:
    text = TEXT.replace(
        "  - {upn: dennis.vos@zeeveen.nl, display_name: Dennis Vos, role: admin}\n",
        "  - {upn: Ellen.Dijkhuis@zeeveen.nl, display_name: E. Dijkhuis, role: secretary}\n",
    )
    twice, no_admin = refused_text(text)
    line = line_of(text, "E. Dijkhuis")
    assert twice == (
        f"regel {line}, members[9].upn: Ellen Dijkhuis staat twee keer in het rooster"
        " (bij E. Dijkhuis)"
    )
    line = line_of(text, "members:") + 1  # where the list under it starts
    assert no_admin.startswith(f"regel {line}, members: er staat geen beheerder (role: admin)")


DENNIS = "  - {upn: dennis.vos@zeeveen.nl, display_name: Dennis Vos, role: admin}"
FRIDAY = "    fri: ellen.dijkhuis@zeeveen.nl\n  maarten"


@pytest.mark.parametrize(
    ("was", "becomes", "said"),
    [
        (DENNIS, DENNIS.replace("admin", "beheerder"),
         "members[9].role: ongeldige waarde 'beheerder'; kies uit 'secretary', 'executive' of"
         " 'admin' (bij Dennis Vos)"),
        (DENNIS, DENNIS.replace("upn: dennis.vos@zeeveen.nl", "upn: dennis"),
         "members[9].upn: geen geldig e-mailadres: 'dennis' (bij Dennis Vos)"),
        (DENNIS, DENNIS.replace("Dennis Vos", '""'),
         "members[9].display_name: mag niet leeg zijn"),
        (DENNIS, DENNIS.replace("display_name: Dennis Vos, ", ""),
         "members[9].display_name: verplicht veld 'display_name' ontbreekt"),
        (DENNIS, DENNIS.replace("role: admin", "role: admin, team: A"),
         "members[9].team: onbekend veld 'team' (bij Dennis Vos)"),
        (FRIDAY, FRIDAY.replace("fri:", "vrijdag:"),
         "front_office.ingrid.zwanenburg@zeeveen.nl.vrijdag: ongeldige waarde 'vrijdag'; kies"
         " uit 'mon', 'tue', 'wed', 'thu', 'fri', 'sat' of 'sun'"),
    ],
    ids=["role", "address", "empty-name", "missing-name", "unknown-field", "weekday"],
)  # fmt: skip
def test_shape_problems_are_dutch_and_name_their_line(was: str, becomes: str, said: str) -> None:
    text = TEXT.replace(was, becomes, 1)
    [problem] = refused_text(text)
    line = line_of(text, becomes.splitlines()[0].strip())
    assert problem == f"regel {line}, {said}"


def test_yaml_that_is_not_a_roster_is_refused_with_its_line() -> None:
    assert refused_text("members: &a []\nserves: *a\n") == [
        "regel 1: ankers en verwijzingen (&, *) worden niet ondersteund"
    ]
    assert refused_text("- a\n- b\n") == ["regel 1: verwacht 'members:' bovenaan"]
    [problem] = refused_text("members: [\n")
    assert problem.startswith("regel ") and "geen geldige YAML" in problem


def test_the_api_document_is_refused_at_its_place_without_lines() -> None:
    doc = demo()
    doc["members"][5]["upn"] = 42
    doc["teams"] = {}
    assert refused_document(doc) == [
        "members[5].upn: verwacht tekst, niet 42 (bij Monique Verschuren)",
        "teams: onbekend veld 'teams'",
    ]
    with pytest.raises(RosterError) as refused:
        parse_roster(doc)
    assert refused.value.message.startswith("Rooster afgewezen (2 fouten): members[5].upn")


def test_one_problem_is_counted_in_the_singular() -> None:
    doc = demo()
    doc["serves"][SECRETARY_A].append("nobody@zeeveen.nl")
    with pytest.raises(RosterError) as refused:
        parse_roster(doc)
    assert refused.value.message.startswith("Rooster afgewezen (1 fout): ")


def test_an_exception_for_someone_who_is_no_secretary_names_her() -> None:
    roster = Roster.from_document(load_roster_file(DEMO_ROSTER))
    day = dt.date(2026, 11, 24)

    async def add(**kwargs: Any) -> Any:
        return await add_exception(None, roster, actor=ADMIN, first=day, last=day, **kwargs)  # type: ignore[arg-type]

    import asyncio

    with pytest.raises(Unprocessable, match="^Ingrid Zwanenburg is bestuurder, geen secretaresse"):
        asyncio.run(add(kind="absent", secretary=BURGEMEESTER))
    with pytest.raises(Unprocessable, match="^nobody@zeeveen.nl staat niet in het rooster"):
        asyncio.run(add(kind="absent", secretary="nobody@zeeveen.nl"))
    with pytest.raises(Unprocessable) as refused:
        asyncio.run(add(kind="front_office", secretary=SECRETARY_B, executive=BURGEMEESTER))
    assert refused.value.message == (
        "Karin Molenaar ondersteunt deze bestuurder niet (Ingrid Zwanenburg); kies iemand die"
        " Ingrid Zwanenburg wel ondersteunt."
    )
    assert not isinstance(refused.value, AccessDenied)
