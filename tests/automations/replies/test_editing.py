"""Beheer's form adds a reply template: the new whole file holds it (the rest as written), and
a duplicate name or a body the validator refuses comes back beside its field, in Dutch."""

from __future__ import annotations

from pathlib import Path

import pytest

from automations.replies.editing import SKELETON, STYLES, TemplateForm, with_template
from automations.replies.templates import parse
from automations.yamltext import FormError

DEMO = (Path(__file__).resolve().parents[3] / "automations" / "replies" / "demo.yaml").read_text(
    encoding="utf-8"
)


def test_a_template_is_added_at_the_end_and_the_rest_is_kept_as_written() -> None:
    form = TemplateForm(name="Afspraak bevestigd", description="De afspraak staat.",
                        style="informeel", body=SKELETON)  # fmt: skip
    new = with_template(DEMO, form)

    parsed = parse(new)
    added = parsed.templates[-1]
    assert (added.name, added.description, added.style) == (
        "Afspraak bevestigd", "De afspraak staat.", "informeel",
    )  # fmt: skip
    assert added.body == SKELETON
    assert parsed.templates[:-1] == parse(DEMO).templates
    assert new.startswith(DEMO.rstrip("\n") + "\n\n  - name: Afspraak bevestigd\n")
    assert "    body: |\n      <p>{{ salutation }},</p>\n" in new


def test_the_skeleton_uses_the_salutation_and_the_executives_name() -> None:
    assert "{{ salutation }}" in SKELETON and "{{ executive.name }}" in SKELETON
    assert STYLES == ("formeel", "informeel")


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (TemplateForm(name="ontvangstbevestiging", body=SKELETON), "name",
         "Er is al een sjabloon 'ontvangstbevestiging'."),
        (TemplateForm(name="Leeg", body="  \n"), "body", "Schrijf de tekst"),
        (TemplateForm(name="Stijl", body=SKELETON, style="zakelijk"), "style",
         "formeel of informeel"),
        (TemplateForm(name="Fout", body="<p>{{ aanhef }}</p>"), "body",
         "onbekende variabele 'aanhef'"),
        (TemplateForm(name="Kapot", body="<p>{{ salutation </p>"), "body", "Jinja2-fout"),
    ],
)  # fmt: skip
def test_a_duplicate_or_bad_template_is_refused_beside_its_field(
    form: TemplateForm, field: str, message: str
) -> None:
    with pytest.raises(FormError) as refused:
        with_template(DEMO, form)
    assert message in refused.value.fields[field]
    assert not refused.value.general
