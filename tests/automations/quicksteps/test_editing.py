"""Beheer's form additions to the quick steps: the new whole file holds the addition, the rest
of it is unchanged (comments and layout too), and a duplicate or a bad value is refused with a
Dutch message for the field it is about."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from automations.quicksteps.definitions import parse
from automations.quicksteps.editing import (
    DUE_CHOICES,
    ICONS,
    DepartmentForm,
    StepForm,
    key_for,
    with_department,
    with_step,
)
from automations.quicksteps.models import RELATIVE_DUE
from automations.yamltext import FormError

ROOT = Path(__file__).resolve().parents[3]
DEMO = (ROOT / "automations" / "quicksteps" / "demo.yaml").read_text(encoding="utf-8")
SPRITE = ROOT / "server" / "pane" / "static" / "vendor" / "fluent-icons.svg"
BURGERZAKEN = DepartmentForm(
    name="Burgerzaken", address="eva.bakker@zeeveen.nl", subjects="paspoorten, rijbewijzen"
)


def without(new: str, added: str) -> str:
    """The new text with the added lines taken out again."""
    assert added in new
    return new.replace(added, "", 1)


def test_a_department_is_added_after_the_last_and_the_rest_is_kept_as_written() -> None:
    new = with_department(DEMO, BURGERZAKEN)

    parsed = parse(new)
    added = parsed.departments[-1]
    assert (added.key, added.name, added.address) == (
        "burgerzaken", "Burgerzaken", "eva.bakker@zeeveen.nl",
    )  # fmt: skip
    assert added.subjects == ["paspoorten", "rijbewijzen"]
    before = parse(DEMO)
    assert parsed.departments[:-1] == before.departments and parsed.steps == before.steps
    lines = (
        "  - key: burgerzaken\n    name: Burgerzaken\n    address: eva.bakker@zeeveen.nl\n"
        "    subjects: [paspoorten, rijbewijzen]\n"
    )
    assert without(new, lines) == DEMO  # comments, order, blank lines: all as they were
    assert new.index(lines) < new.index("\nsteps:")


def test_a_department_key_is_made_from_its_name_or_taken_as_given() -> None:
    assert key_for("Financiën & Belastingen") == "financien-belastingen"
    assert key_for("  Wonen / Zorg  ") == "wonen-zorg"
    new = with_department(DEMO, DepartmentForm(name="Wonen", key="wonen-2", address="w@zeeveen.nl"))
    assert parse(new).departments[-1].key == "wonen-2"
    assert parse(new).departments[-1].subjects == []


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (DepartmentForm(name="Communicatie", address="x@zeeveen.nl"), "name",
         "Er is al een afdeling 'Communicatie'."),
        (DepartmentForm(name="Pers", key="communicatie", address="x@zeeveen.nl"), "key",
         "Er is al een afdeling met de sleutel 'communicatie' (Communicatie)."),
        (DepartmentForm(name="Financien", address="x@zeeveen.nl"), "name",
         "Er is al een afdeling met de sleutel 'financien' (Financiën)."),
        (DepartmentForm(name="", address="x@zeeveen.nl"), "name", "Vul de naam"),
        (DepartmentForm(name="Pers", address="geen adres"), "address", "geen e-mailadres"),
        (DepartmentForm(name="Pers", key="Pers Zaken", address="x@zeeveen.nl"), "key",
         "alleen kleine letters"),
        (DepartmentForm(name="???", address="x@zeeveen.nl"), "key", "vul er zelf een in"),
    ],
)  # fmt: skip
def test_a_duplicate_or_bad_department_is_refused_beside_its_field(
    form: DepartmentForm, field: str, message: str
) -> None:
    with pytest.raises(FormError) as refused:
        with_department(DEMO, form)
    assert message in refused.value.fields[field]
    assert refused.value.status == 400


def test_a_step_of_simple_actions_is_added_at_the_end_in_the_files_style() -> None:
    form = StepForm(name="Naar Burgerzaken", description="Categorie en map.", icon="Eye",
                    category="Burgerzaken", flag="this_week", mark_read=True,
                    folder=" Inbox / Burgerzaken ")  # fmt: skip
    new = with_step(DEMO, form)

    step = parse(new).steps[-1]
    assert (step.name, step.icon, step.description) == (
        "Naar Burgerzaken",
        "Eye",
        "Categorie en map.",
    )
    assert [a.model_dump(exclude_defaults=True) for a in step.actions] == [
        {"action": "categorize", "categories": ["Burgerzaken"]},
        {"action": "flag", "due": "this_week"},
        {"action": "mark_read"},
        {"action": "move", "folder": "Inbox/Burgerzaken"},
    ]
    assert parse(new).steps[:-1] == parse(DEMO).steps
    assert new.startswith(DEMO.rstrip("\n") + "\n\n  - name: Naar Burgerzaken\n")  # spaced


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (StepForm(name="afgehandeld", mark_read=True), "name",
         "Er is al een snelle stap 'afgehandeld'."),
        (StepForm(name="Leeg"), "actions", "Kies minstens één handeling"),
        (StepForm(name="Map", folder="Inbox//Wonen"), "folder", "zonder lege delen"),
        (StepForm(name="Icoon", icon="Calendar", mark_read=True), "icon", "pictogrammen"),
        (StepForm(name="Wanneer", flag="gisteren"), "flag", "Kies wanneer"),
    ],
)  # fmt: skip
def test_a_duplicate_or_bad_step_is_refused_beside_its_field(
    form: StepForm, field: str, message: str
) -> None:
    with pytest.raises(FormError) as refused:
        with_step(DEMO, form)
    assert message in refused.value.fields[field]


def test_the_forms_icons_are_in_the_panes_sprite_and_the_due_choices_are_the_models() -> None:
    if not SPRITE.exists():
        pytest.skip("the sprite is built by web/build.mjs")
    symbols = set(re.findall(r'<symbol id="([A-Za-z0-9]+)"', SPRITE.read_text(encoding="utf-8")))
    assert set(ICONS) <= symbols
    assert set(DUE_CHOICES) == set(RELATIVE_DUE)


def test_the_first_step_and_department_start_a_file_that_had_none() -> None:
    new = with_step("format: 1\n", StepForm(name="Gelezen", mark_read=True))
    assert [s.name for s in parse(new).steps] == ["Gelezen"]
    with_departments = with_department(new, BURGERZAKEN)
    assert with_departments.index("departments:") < with_departments.index("steps:")
    assert parse(with_departments).departments[0].key == "burgerzaken"
