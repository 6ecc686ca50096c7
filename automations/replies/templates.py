"""Reply templates: a versioned YAML file of Jinja2 bodies, rendered safely against a message.

The environment is sandboxed (a template cannot reach Python internals) and autoescaped (a
sender called ``<script>`` arrives as text). Undefined variables are errors, never empty
strings: at validation every body is compiled, its variables checked against the ones a
reply offers, and rendered once against a sample message so a misspelt attribute, or code
the sandbox refuses (``range(100001)``), is caught before the file is published. Rendering at
reply time turns whatever template code raises into a ``TemplateError`` (400), never a 500.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, Literal

from babel.dates import format_date
from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, meta
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from automations import templating
from automations.errors import Unprocessable
from automations.plural import counted
from automations.yamlfile import Located, YamlError, describe, load

__all__ = [
    "VARIABLES",
    "ReplyTemplate",
    "TemplateError",
    "TemplateSet",
    "parse",
    "render_body",
]

MAX_BYTES = 256 * 1024

# What a reply template may use, with what each holds (shown in the Beheer pane and README).
VARIABLES: dict[str, str] = {
    "salutation": (
        "de aanhef zonder komma, bijvoorbeeld 'Geachte heer/mevrouw De Vries'; zonder "
        "achternaam ('Geachte heer/mevrouw') als die niet zeker is"
    ),
    "sender": "de afzender: .name, .address, .first_name, .surname (leeg als niet zeker)",
    "executive": "de bestuurder: .name, .function, .address",
    "secretary": "wie het concept klaarzet: .name",
    "subject": "het onderwerp van het bericht",
    "received": "wanneer het bericht binnenkwam (gebruik |datum)",
    "today": "de datum van vandaag (gebruik |datum)",
}


def _datum(value: dt.date | dt.datetime) -> str:
    return format_date(value, "d MMMM y", locale="nl")


def _datum_kort(value: dt.date | dt.datetime) -> str:
    return format_date(value, "dd-MM-y", locale="nl")


ENV = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
ENV.filters.update(datum=_datum, datum_kort=_datum_kort)


class TemplateError(Unprocessable):
    """A template file refused as a whole, or one template that cannot render this message."""

    code = "invalid_templates"

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        count = counted(len(problems), "fout", "fouten")
        super().__init__(f"Sjablonen afgewezen ({count}): " + "; ".join(problems))


class Signature(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, max_length=120)
    function: str | None = Field(default=None, max_length=160)


class ReplyTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=80)
    description: str = Field(default="", max_length=400)
    style: Literal["formeel", "informeel"] = "formeel"
    reply_all: bool = False
    body: str = Field(min_length=1, max_length=20_000)


class TemplateSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: Literal[1]
    signatures: dict[str, Signature] = Field(default_factory=dict)
    salutations: dict[str, str] = Field(default_factory=dict)
    templates: list[ReplyTemplate] = Field(min_length=1, max_length=100)

    @field_validator("signatures", "salutations")
    @classmethod
    def _lower_keys(cls, value: dict[str, Any]) -> dict[str, Any]:
        return {k.lower(): v for k, v in value.items()}

    @field_validator("templates")
    @classmethod
    def _unique(cls, value: list[ReplyTemplate]) -> list[ReplyTemplate]:
        seen: set[str] = set()
        for t in value:
            if t.name.casefold() in seen:
                raise ValueError(f"sjabloon '{t.name}' komt twee keer voor")
            seen.add(t.name.casefold())
        return value

    def template(self, name: str) -> ReplyTemplate:
        for t in self.templates:
            if t.name.casefold() == name.casefold():
                return t
        known = ", ".join(t.name for t in self.templates)
        raise Unprocessable(f"Sjabloon '{name}' bestaat niet; kies uit: {known}.")


def _sample() -> dict[str, Any]:
    person = {"name": "Jan de Vries", "address": "jan@example.nl", "first_name": "Jan",
              "surname": "de Vries"}  # fmt: skip
    return {
        "salutation": "Geachte heer/mevrouw De Vries",
        "sender": person,
        "executive": {"name": "Bestuurder", "function": "Wethouder", "address": "b@example.nl"},
        "secretary": {"name": "Secretaresse"},
        "subject": "Voorbeeld",
        "received": dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC),
        "today": dt.date(2026, 1, 6),
    }


def _body_line(located: Located, index: int, lineno: int | None) -> int | None:
    """The file line of line ``lineno`` of a body (a block scalar starts on the next line)."""
    return located.text_line(("templates", index, "body"), lineno)


def _check_bodies(located: Located, parsed: TemplateSet) -> list[str]:
    problems: list[str] = []
    for i, t in enumerate(parsed.templates):
        where = f"templates[{i}].body ({t.name})"
        try:
            ast = ENV.parse(t.body)
            used = meta.find_undeclared_variables(ast)  # compiles: unknown filters show here
        except TemplateSyntaxError as exc:
            line = _body_line(located, i, exc.lineno)
            problems.append(f"regel {line}, {where}: Jinja2-fout: {exc.message}")
            continue
        unknown = sorted(used - VARIABLES.keys())
        if unknown:
            line = _body_line(located, i, None)
            names = ", ".join(f"'{u}'" for u in unknown)
            problems.append(
                f"regel {line}, {where}: onbekende variabele {names}; bekend zijn: "
                + ", ".join(VARIABLES)
            )
            continue
        try:
            ENV.from_string(t.body).render(**_sample())
        except templating.RENDER_ERRORS as exc:
            line = _body_line(located, i, templating.line(exc) or _line_naming(t.body, exc))
            problems.append(f"regel {line}, {where}: {_undefined(exc)}")
    return problems


def _missing_name(exc: Exception) -> str | None:
    found = re.search(r"no attribute '([^']+)'", str(exc))
    return found.group(1) if found else None


def _line_naming(body: str, exc: Exception) -> int | None:
    """The body line that uses the missing attribute, when the traceback names no line."""
    name = _missing_name(exc)
    for number, line in enumerate(body.splitlines(), 1):
        if name and re.search(rf"\.{re.escape(name)}\b", line):
            return number
    return None


def _undefined(exc: Exception) -> str:
    if isinstance(exc, UndefinedError):
        name = _missing_name(exc)
        return f"onbekend veld '{name}'" if name else f"ontbrekende waarde ({exc.message})"
    return templating.problem(exc)


def parse(text: str) -> TemplateSet:
    if len(text.encode()) > MAX_BYTES:
        raise TemplateError([f"het bestand is groter dan {MAX_BYTES // 1024} KiB"])
    try:
        located = load(text)
    except YamlError as exc:
        raise TemplateError([str(exc)]) from None
    if not isinstance(located.data, dict):
        raise TemplateError(["regel 1: verwacht 'format:' en 'templates:' bovenaan"])
    try:
        parsed = TemplateSet.model_validate(located.data)
    except ValidationError as exc:
        raise TemplateError([describe(located, e) for e in exc.errors()]) from None
    problems = _check_bodies(located, parsed)
    if problems:
        raise TemplateError(problems)
    return parsed


def render_body(template: ReplyTemplate, values: Mapping[str, Any]) -> str:
    """The template's HTML for one message; a value the message lacks is a clear error."""
    try:
        return ENV.from_string(template.body).render(**values)
    except templating.RENDER_ERRORS as exc:
        raise TemplateError([f"sjabloon '{template.name}': {_undefined(exc)}"]) from None
