"""A quick step's letters greet and sign by the replies' rules (``automations.replies``), and
their templates may use ``salutation`` and ``executive`` like a reply template's."""

from __future__ import annotations

import pytest

from automations.quicksteps.definitions import DefinitionError, parse
from automations.quicksteps.effects import template_values
from automations.quicksteps.letters import Letter, used_in
from automations.quicksteps.models import render
from automations.replies.service import greeting
from automations.replies.service import parse as parse_templates
from server.startup import DEMO_QUICKSTEPS, DEMO_TEMPLATES
from tests.automations.quicksteps.cases import FACTS

SIGNER = {"name": "Ingrid Zwanenburg", "function": "Burgemeester",
          "address": "ingrid.zwanenburg@zeeveen.nl"}  # fmt: skip


def one_step(body: str, action: str = "reply_draft") -> str:
    extra = "\n        to: [a@zeeveen.nl]\n        subject: x" if action == "new_message" else ""
    return (
        "format: 1\nsteps:\n  - name: Brief\n    actions:\n"
        f"      - action: {action}{extra}\n        body: |\n          {body}\n"
    )


def test_the_demo_reply_step_greets_and_signs_as_a_reply_template_does() -> None:
    steps = parse(DEMO_QUICKSTEPS.read_text(encoding="utf-8"))
    [step] = [s for s in steps.steps if s.name == "Concept klaarzetten"]
    assert used_in(step) == {"salutation", "executive"}
    assert not any(used_in(s) for s in steps.steps if s is not step)  # no lookups for those
    values = template_values(FACTS, "Ingrid Zwanenburg", "Monique Verschuren", Letter(SIGNER))
    html = render(step.actions[0].body, values, html=True)  # type: ignore[union-attr]
    expected = greeting(FACTS.sender_name, FACTS.sender_address)
    assert html.startswith(f"{expected},<br>")
    assert html.endswith("Met vriendelijke groet,<br>\nIngrid Zwanenburg<br>\nBurgemeester")
    assert "@" not in html


def test_a_known_preference_in_the_reply_templates_wins() -> None:
    templates = parse_templates(DEMO_TEMPLATES.read_text(encoding="utf-8"))
    address, preferred = next(iter(templates.salutations.items()))
    letter = Letter(None, templates)
    assert letter.values("Wie dan ook", address) == {"salutation": preferred}
    assert "executive" not in letter.values("Wie dan ook", address)


def test_without_a_letter_the_values_are_as_before() -> None:
    values = template_values(FACTS, "Ingrid Zwanenburg", "Monique Verschuren")
    assert set(values) == {"subject", "sender_name", "sender_address", "received", "mailbox",
                           "actor"}  # fmt: skip


@pytest.mark.parametrize("action", ["reply_draft", "new_message"])
def test_letter_variables_are_accepted_in_a_published_file(action: str) -> None:
    steps = parse(one_step("{{ salutation }}, {{ executive.name }} {{ mailbox }}", action))
    assert used_in(steps.steps[0]) == {"salutation", "executive"}


def test_a_misspelt_letter_variable_is_refused_with_its_line() -> None:
    with pytest.raises(DefinitionError) as refused:
        parse(one_step("{{ aanhef }},"))
    [problem] = refused.value.problems
    assert problem.startswith("regel 7, ") and "onbekende variabele 'aanhef'" in problem
    assert "salutation" in problem and "executive" in problem  # the known ones are listed
