"""Reading a quick-step file: YAML with line numbers in, a validated set or every problem out.

Beyond the shape, every template is tried before the set can be published: its variables
must be ones a quick step offers, and it is rendered once against a sample message, so a
template that would fail on every apply (a misspelt name, a filter that fails, a range over
the sandbox's limit) is refused here, with its line, instead of failing for a secretary.
"""

from __future__ import annotations

import re

from jinja2 import TemplateSyntaxError, meta
from pydantic import ValidationError

from automations import templating
from automations.errors import Unprocessable
from automations.plural import counted
from automations.quicksteps.models import (
    TEMPLATES,
    TEXT_TEMPLATES,
    VARIABLES,
    QuickStepSet,
    templated,
)
from automations.yamlfile import MAX_BYTES, Located, YamlError, describe, load

__all__ = ["SAMPLE", "DefinitionError", "parse"]

# A message to try every template on: the values ``effects.template_values`` gives (with a
# letter: ``letters.Letter.values``).
SAMPLE = {
    "subject": "Voorbeeld <onderwerp> & meer",
    "sender_name": "Jan de Vries",
    "sender_address": "jan@example.nl",
    "received": "2026-01-05",
    "mailbox": "Bestuurder",
    "actor": "Secretaresse",
    "salutation": "Geachte heer/mevrouw De Vries",
    "executive": {"name": "Bestuurder", "function": "Wethouder", "address": "b@example.nl"},
}


class DefinitionError(Unprocessable):
    """The file is refused as a whole; ``problems`` names each one with its line."""

    code = "invalid_quicksteps"

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        count = counted(len(problems), "fout", "fouten")
        super().__init__(f"Snelle stappen afgewezen ({count}): " + "; ".join(problems))


def parse(text: str) -> QuickStepSet:
    if len(text.encode()) > MAX_BYTES:
        raise DefinitionError([f"het bestand is groter dan {MAX_BYTES // 1024} KiB"])
    try:
        located = load(text)
    except YamlError as exc:
        raise DefinitionError([str(exc)]) from None
    if not isinstance(located.data, dict):
        raise DefinitionError(["regel 1: verwacht 'format:' en 'steps:' bovenaan"])
    try:
        parsed = QuickStepSet.model_validate(located.data)
    except ValidationError as exc:
        raise DefinitionError([describe(located, e) for e in exc.errors()]) from None
    problems = _check_templates(located, parsed)
    if problems:
        raise DefinitionError(problems)
    return parsed


def _check_templates(located: Located, parsed: QuickStepSet) -> list[str]:
    problems: list[str] = []
    for i, step in enumerate(parsed.steps):
        for j, action in enumerate(step.actions):
            for field, template, html in templated(action):
                path = ("steps", i, "actions", j, field)
                where = f"steps[{i}].actions[{j}].{field} (stap '{step.name}')"
                problem, lineno = _try(template, html)
                if problem:
                    line = located.text_line(path, lineno)
                    problems.append(f"regel {line}, {where}: {problem}")
    return problems


def _try(template: str, html: bool) -> tuple[str | None, int | None]:
    """What is wrong with one template (and the template's line), or ``(None, None)``."""
    env = TEMPLATES if html else TEXT_TEMPLATES
    try:
        unknown = sorted(meta.find_undeclared_variables(env.parse(template)) - set(VARIABLES))
    except TemplateSyntaxError as exc:  # the model checked the syntax; this is belt and braces
        return f"sjabloonfout: {exc.message}", exc.lineno
    if unknown:
        names = ", ".join(f"'{u}'" for u in unknown)
        first = re.compile(rf"\b{re.escape(unknown[0])}\b")
        lineno = next((n for n, s in enumerate(template.splitlines(), 1) if first.search(s)), None)
        return f"onbekende variabele {names}; bekend zijn: {', '.join(VARIABLES)}", lineno
    try:
        env.from_string(template).render(**SAMPLE)
    except templating.RENDER_ERRORS as exc:
        return templating.problem(exc), templating.line(exc)
    return None, None
