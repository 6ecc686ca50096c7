"""A reply template added the way Beheer's form does it: name, description, style and body.

``with_template`` is pure: the active file's text and the new template in, the new whole file
out (added as text, comments and layout kept: ``automations.yamltext``), checked by the same
validator as a published file (``templates.parse``: the body's variables, a trial render). A
problem is a ``FormError`` naming the form's field, in Dutch. ``add_template`` is the flow: it
publishes through ``flows.publish_templates``, the one path of versioning and audit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, get_args

from automations.context import Actor, Deps
from automations.replies import flows
from automations.replies.service import DOCUMENT
from automations.replies.templates import ReplyTemplate, TemplateError, parse
from automations.roster.policy import Action, authorize
from automations.versions import Superseded, VersionInfo
from automations.yamltext import ATTEMPTS, FormError, append_entry, field_problems

__all__ = ["SKELETON", "STYLES", "TemplateForm", "add_template", "with_template"]

STYLES: tuple[str, ...] = get_args(ReplyTemplate.model_fields["style"].annotation)

# What the form's body starts with: the salutation, a line to write, the signature.
SKELETON = """<p>{{ salutation }},</p>
<p>Hartelijk dank voor uw bericht over &lsquo;{{ subject }}&rsquo;.</p>
<p>Met vriendelijke groet,</p>
<p>{{ executive.name }}<br>{% if executive.function %}{{ executive.function }}<br>{% endif %}</p>
"""
EMPTY = "format: 1\n"  # what there is before the first version


@dataclass(frozen=True)
class TemplateForm:
    name: str
    body: str
    description: str = ""
    style: str = "formeel"


def with_template(text: str, form: TemplateForm) -> str:
    """The template file ``text`` with one more template (see the module's doc)."""
    current = parse(text) if text.strip() != EMPTY.strip() else None
    known = current.templates if current else []
    name, description = form.name.strip(), form.description.strip()
    body = form.body.replace("\r\n", "\n").strip("\n")
    problems: dict[str, str] = {}
    if not name:
        problems["name"] = "Vul de naam van het sjabloon in."
    elif len(name) > 80:
        problems["name"] = "De naam is te lang (hoogstens 80 tekens)."
    elif any(t.name.casefold() == name.casefold() for t in known):
        problems["name"] = f"Er is al een sjabloon '{name}'."
    if len(description) > 400:
        problems["description"] = "De beschrijving is te lang (hoogstens 400 tekens)."
    if form.style not in STYLES:
        problems["style"] = "Kies formeel of informeel."
    if not body.strip():
        problems["body"] = "Schrijf de tekst van het sjabloon."
    elif len(body) > 20_000:
        problems["body"] = "De tekst is te lang (hoogstens 20.000 tekens)."
    if problems:
        raise FormError(problems)
    entry: dict[str, Any] = {"name": name}
    if description:
        entry["description"] = description
    entry |= {"style": form.style, "body": body + "\n"}
    new = append_entry(text or EMPTY, "templates", entry).text
    try:
        parse(new)
    except TemplateError as exc:
        fields = {"name": "name", "description": "description", "style": "style", "body": "body"}
        raise field_problems(exc.problems, "templates", len(known), fields) from None
    return new


async def add_template(
    deps: Deps, actor: Actor, form: TemplateForm, note: str | None = None
) -> VersionInfo:
    """A new version: the active reply templates with one more (admins)."""
    authorize(actor.roster, actor.upn, Action.EDIT_CONFIGURATION)
    note = note or f"Sjabloon '{form.name.strip()}' toegevoegd"
    for attempt in range(ATTEMPTS):  # made again on a colleague's newer version, never over it
        async with deps.sessions() as session:
            found = await DOCUMENT.active(session)
        text, version = (found.text, found.info.version) if found else (EMPTY, 0)
        try:
            return await flows.publish_templates(
                deps, actor, with_template(text, form), note, based_on=version
            )
        except Superseded:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")
