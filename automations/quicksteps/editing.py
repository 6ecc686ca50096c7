"""The common changes to the team's quick steps, as Beheer's forms make them: a department for
"uitzetten", or a step of the simple actions a secretary combines (a category, a flag, read,
a folder).

``with_department`` and ``with_step`` are pure: the active file's text and the addition in,
the new whole file out (added as text, comments and layout kept: ``automations.yamltext``),
checked by the same validator as a published file (``definitions.parse``). A problem is a
``FormError`` naming the form's field, in Dutch. ``add_department`` and ``add_step`` are the
flows: they publish the new file through ``flows.publish_steps``, so versioning, validation and
audit are the one path a YAML publish takes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from automations.context import Actor, Deps
from automations.quicksteps import flows
from automations.quicksteps.definitions import DefinitionError, parse
from automations.quicksteps.models import Move, QuickStepSet
from automations.quicksteps.service import VersionInfo, active
from automations.roster.policy import Action, authorize
from automations.versions import Superseded
from automations.yamltext import ATTEMPTS, FormError, append_entry, field_problems

__all__ = [
    "DUE_CHOICES",
    "ICONS",
    "DepartmentForm",
    "StepForm",
    "add_department",
    "add_step",
    "key_for",
    "with_department",
    "with_step",
]

# The step icons the pane's sprite holds (web/build.mjs vendors the ones the YAML files name,
# and Flash, the default), with what an admin calls them. Another name is valid YAML but shows
# no icon, so the form offers only these.
ICONS: Mapping[str, str] = {
    "Flash": "Bliksem",
    "PeopleTeam": "Team",
    "Compose": "Opstellen",
    "CheckmarkCircle": "Vinkje",
    "Eye": "Oog",
    "Megaphone": "Megafoon",
    "TaskListAdd": "Takenlijst",
    "ShareAndroid": "Delen",
}
# How soon a flag falls due (the models' RELATIVE_DUE), as the form offers it.
DUE_CHOICES: Mapping[str, str] = {
    "today": "vandaag",
    "tomorrow": "morgen",
    "this_week": "deze week (vrijdag)",
    "next_week": "volgende week (maandag)",
}
EMPTY = "format: 1\n"  # what there is before the first version


@dataclass(frozen=True)
class DepartmentForm:
    name: str
    address: str
    key: str = ""  # empty: made from the name
    subjects: str = ""  # comma separated


@dataclass(frozen=True)
class StepForm:
    name: str
    description: str = ""
    icon: str = "Flash"
    category: str = ""  # empty: no category
    flag: str = ""  # a DUE_CHOICES key; empty: no flag
    mark_read: bool = False
    folder: str = ""  # empty: not moved


def key_for(name: str) -> str:
    """A department's key from its name: "Financiën & Belastingen" -> "financien-belastingen"."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:40].strip("-")


def _current(text: str) -> QuickStepSet | None:
    return parse(text) if text.strip() and text.strip() != EMPTY.strip() else None


def with_department(text: str, form: DepartmentForm) -> str:
    """The quick-step file ``text`` with one more department (see the module's doc)."""
    current = _current(text)
    known = current.departments if current else []
    name, address = form.name.strip(), form.address.strip()
    key = form.key.strip().lower() or key_for(name)
    subjects = [s.strip() for s in form.subjects.split(",") if s.strip()]
    problems: dict[str, str] = {}
    if not name:
        problems["name"] = "Vul de naam van de afdeling in."
    elif len(name) > 80:
        problems["name"] = "De naam is te lang (hoogstens 80 tekens)."
    elif any(d.name.casefold() == name.casefold() for d in known):
        problems["name"] = f"Er is al een afdeling '{name}'."
    if name and not form.key.strip() and not key:
        problems["key"] = "Uit deze naam volgt geen sleutel: vul er zelf een in."
    elif key and not re.fullmatch(r"[a-z0-9\-]{1,40}", key):
        problems["key"] = (
            "Een sleutel heeft alleen kleine letters, cijfers en streepjes (hoogstens 40)."
        )
    elif (same := next((d for d in known if d.key == key), None)) is not None:
        field = "key" if form.key.strip() else "name"
        problems.setdefault(field, f"Er is al een afdeling met de sleutel '{key}' ({same.name}).")
    if not address:
        problems["address"] = "Vul het e-mailadres van de afdeling in."
    elif not re.fullmatch(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+", address) or len(address) > 320:
        problems["address"] = f"'{address}' is geen e-mailadres (zoals naam@zeeveen.nl)."
    if any(len(s) > 80 for s in subjects):
        problems["subjects"] = "Een onderwerp is hoogstens 80 tekens; scheid ze met komma's."
    if problems:
        raise FormError(problems)
    entry: dict[str, Any] = {"key": key, "name": name, "address": address}
    if subjects:
        entry["subjects"] = subjects
    new = append_entry(text or EMPTY, "departments", entry, before="steps").text
    index = len(known)
    _validated(new, "departments", index, {"key": "key", "name": "name", "address": "address",
                                           "subjects": "subjects"})  # fmt: skip
    return new


def with_step(text: str, form: StepForm) -> str:
    """The quick-step file ``text`` with one more step of simple actions (see the module's doc)."""
    current = _current(text)
    known = current.steps if current else []
    name, description = form.name.strip(), form.description.strip()
    category, folder = form.category.strip(), form.folder.strip()
    problems: dict[str, str] = {}
    if not name:
        problems["name"] = "Vul de naam van de snelle stap in."
    elif len(name) > 80:
        problems["name"] = "De naam is te lang (hoogstens 80 tekens)."
    elif any(s.name.casefold() == name.casefold() for s in known):
        problems["name"] = f"Er is al een snelle stap '{name}'."
    if len(description) > 400:
        problems["description"] = "De beschrijving is te lang (hoogstens 400 tekens)."
    if form.icon not in ICONS:
        problems["icon"] = "Kies een van de pictogrammen uit de lijst."
    if len(category) > 255:
        problems["category"] = "De categorie is te lang (hoogstens 255 tekens)."
    if form.flag and form.flag not in DUE_CHOICES:
        problems["flag"] = "Kies wanneer de markering afloopt uit de lijst."
    if folder:
        try:
            folder = Move(action="move", folder=folder).folder
        except ValueError:
            problems["folder"] = (
                "Een map is een pad als Inbox/Backoffice: namen gescheiden door '/',"
                " zonder lege delen."
            )
    actions: list[tuple[str, dict[str, Any]]] = []
    if category:
        actions.append(("category", {"action": "categorize", "categories": [category]}))
    if form.flag:
        actions.append(("flag", {"action": "flag", "due": form.flag}))
    if form.mark_read:
        actions.append(("mark_read", {"action": "mark_read"}))
    if folder:
        actions.append(("folder", {"action": "move", "folder": folder}))
    if not actions and not problems:
        problems["actions"] = (
            "Kies minstens één handeling: een categorie, een markering, gelezen of een map."
        )
    if problems:
        raise FormError(problems)
    entry: dict[str, Any] = {"name": name, "icon": form.icon}
    if description:
        entry["description"] = description
    entry["actions"] = [spec for _, spec in actions]
    new = append_entry(text or EMPTY, "steps", entry).text
    fields = {"name": "name", "icon": "icon", "description": "description"}
    fields |= {f"actions[{i}]": field for i, (field, _) in enumerate(actions)}
    _validated(new, "steps", len(known), fields)
    return new


def _validated(text: str, list_key: str, index: int, fields: Mapping[str, str]) -> None:
    """The whole new file through the publish validator; a problem with the new entry goes
    beside its field."""
    try:
        parse(text)
    except DefinitionError as exc:
        raise field_problems(exc.problems, list_key, index, fields) from None


async def _active(deps: Deps) -> tuple[str, int]:
    async with deps.sessions() as session:
        steps = await active(session)
    return (steps.text, steps.info.version) if steps else (EMPTY, 0)


async def _publish_with(
    deps: Deps, actor: Actor, add: Callable[[str], str], note: str
) -> VersionInfo:
    """An addition to the newest version: when a colleague published in between, it is made
    again on hers (an addition does not depend on what else changed), never over it."""
    for attempt in range(ATTEMPTS):
        text, version = await _active(deps)
        try:
            return await flows.publish_steps(deps, actor, add(text), note, based_on=version)
        except Superseded:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


async def add_department(
    deps: Deps, actor: Actor, form: DepartmentForm, note: str | None = None
) -> VersionInfo:
    """A new version: the active quick steps with one more department (admins)."""
    authorize(actor.roster, actor.upn, Action.EDIT_CONFIGURATION)
    note = note or f"Afdeling '{form.name.strip()}' toegevoegd"
    return await _publish_with(deps, actor, lambda text: with_department(text, form), note)


async def add_step(
    deps: Deps, actor: Actor, form: StepForm, note: str | None = None
) -> VersionInfo:
    """A new version: the active quick steps with one more step (admins)."""
    authorize(actor.roster, actor.upn, Action.EDIT_CONFIGURATION)
    note = note or f"Snelle stap '{form.name.strip()}' toegevoegd"
    return await _publish_with(deps, actor, lambda text: with_step(text, form), note)
