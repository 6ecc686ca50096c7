"""A quick-step set as the YAML file and the admin API hold it: named, ordered action lists.

Each action is one ``action:`` entry; its other keys are that action's settings. Everything is
checked before a set can become active, including the Jinja2 templates (syntax here; the
variables and a trial render against a sample message in ``definitions``) and that a step's
shortcut and name are unique, so a bad file is refused as a whole.

Templates are sandboxed (a definition is data, not code) and undefined names are errors.
What a template renders goes where the action puts it: into HTML (the comment of a forward
or reply, which Graph places in the HTML body) or into plain text (a subject, a text body, a
task title). ``render`` escapes values from mail for HTML — a sender called ``<b>`` arrives as
text — and leaves plain text alone, so nothing is escaped twice.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from jinja2 import StrictUndefined, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from automations import templating
from automations.errors import BadRequest

__all__ = [
    "MAX_MESSAGES",
    "Action",
    "DueDate",
    "QuickStep",
    "QuickStepSet",
    "RenderError",
    "TEMPLATES",
    "TEXT_TEMPLATES",
    "VARIABLES",
    "render",
    "templated",
]

MAX_MESSAGES = 50  # messages one quick step is applied to at once (a selection)

# What a template may use (``effects.template_values`` fills them for each message; the last
# two, a letter's salutation and signer, only for a step whose templates use them: ``letters``).
VARIABLES = ("subject", "sender_name", "sender_address", "received", "mailbox", "actor",
             "salutation", "executive")  # fmt: skip

# For text that lands in HTML: values are escaped. For plain text: as they are.
TEMPLATES = SandboxedEnvironment(
    autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True
)
TEXT_TEMPLATES = SandboxedEnvironment(
    autoescape=False, undefined=StrictUndefined, keep_trailing_newline=True
)


class RenderError(BadRequest):
    """A published template that cannot be rendered for this message."""

    code, status = "quickstep_template_failed", 422


def render(template: str, values: Mapping[str, Any], *, html: bool) -> str:
    """``template`` for one message; ``html``: the text lands in HTML, so values are escaped.
    A template that fails is a ``RenderError`` (422), never an unexpected error."""
    env = TEMPLATES if html else TEXT_TEMPLATES
    try:
        text = env.from_string(template).render(**values)
    except templating.RENDER_ERRORS as exc:
        line = templating.line(exc)
        where = f" (sjabloonregel {line})" if line else ""
        raise RenderError(
            f"Een sjabloon van de snelle stap kan niet worden opgemaakt{where}:"
            f" {templating.problem(exc)}. Vraag de beheerder het sjabloon aan te passen."
        ) from None
    if not html:
        return text
    # In HTML a bare newline is white space: the lines the admin wrote stay lines (the
    # trailing newline a YAML block leaves is no line of its own).
    return text.strip("\n").replace("\n", "<br>\n")


Address = Annotated[str, Field(pattern=r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$", max_length=320)]
Color = Annotated[str, Field(pattern=r"^(none|preset([0-9]|1[0-9]|2[0-4]))$")]
Role = Literal["secretary", "executive", "admin"]
RELATIVE_DUE = ("today", "tomorrow", "this_week", "next_week")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _template(value: str) -> str:
    try:
        TEMPLATES.parse(value)
    except TemplateSyntaxError as exc:
        raise ValueError(f"sjabloonfout: {exc.message}") from None
    return value


Template = Annotated[str, Field(max_length=20_000)]


class DueDate(_Strict):
    """``today``, ``tomorrow``, ``this_week`` (Friday), ``next_week`` (next Monday) or a date."""

    due: str = Field(pattern=r"^(today|tomorrow|this_week|next_week|\d{4}-\d{2}-\d{2})$")

    @field_validator("due")
    @classmethod
    def _real_date(cls, value: str) -> str:
        if value not in RELATIVE_DUE:
            dt.date.fromisoformat(value)
        return value

    def on(self, today: dt.date) -> dt.date:
        if self.due == "today":
            return today
        if self.due == "tomorrow":
            return today + dt.timedelta(days=1)
        if self.due == "this_week":
            return today + dt.timedelta(days=max(0, 4 - today.weekday()))
        if self.due == "next_week":
            return today + dt.timedelta(days=7 - today.weekday())
        return dt.date.fromisoformat(self.due)


class Move(_Strict):
    action: Literal["move"]
    folder: str = Field(min_length=1, max_length=400)  # a path: "Inbox/Backoffice/Wonen"

    @field_validator("folder")
    @classmethod
    def _path(cls, value: str) -> str:
        parts = [p.strip() for p in value.strip("/").split("/")]
        if any(not p for p in parts):
            raise ValueError("een mappad bestaat uit namen gescheiden door '/', zonder lege delen")
        return "/".join(parts)


class Copy(Move):
    action: Literal["copy"]  # type: ignore[assignment]


class Delete(_Strict):
    action: Literal["delete"]


class MarkRead(_Strict):
    action: Literal["mark_read"]


class MarkUnread(_Strict):
    action: Literal["mark_unread"]


class Importance(_Strict):
    action: Literal["importance"]
    level: Literal["low", "normal", "high"]


class Categorize(_Strict):
    action: Literal["categorize"]
    categories: list[Annotated[str, Field(min_length=1, max_length=255)]] = Field(min_length=1)
    colors: dict[str, Color] = Field(default_factory=dict)  # for categories made if missing

    @model_validator(mode="after")
    def _colors_name_categories(self) -> Categorize:
        unknown = set(self.colors) - set(self.categories)
        if unknown:
            raise ValueError(f"kleur voor een categorie die niet in categories staat: {unknown}")
        return self


class ClearCategories(_Strict):
    action: Literal["clear_categories"]


class Flag(DueDate):
    action: Literal["flag"]
    due: str = Field(
        default="today", pattern=r"^(today|tomorrow|this_week|next_week|\d{4}-\d{2}-\d{2})$"
    )


class MarkComplete(_Strict):
    action: Literal["mark_complete"]


class ClearFlag(_Strict):
    action: Literal["clear_flag"]


class Forward(_Strict):
    action: Literal["forward"]
    to: list[Address] = Field(min_length=1, max_length=50)
    comment: Template = ""
    as_attachment: bool = False

    _check = field_validator("comment")(_template)


class ForwardAsAttachment(Forward):
    action: Literal["forward_as_attachment"]  # type: ignore[assignment]
    as_attachment: bool = True


class ReplyDraft(_Strict):
    action: Literal["reply_draft"]
    body: Template = Field(min_length=1)
    reply_all: bool = False

    _check = field_validator("body")(_template)


class NewMessage(_Strict):
    action: Literal["new_message"]
    to: list[Address] = Field(min_length=1, max_length=50)
    subject: Template = Field(min_length=1, max_length=400)
    body: Template = ""
    send: bool = False  # False: leave it as a draft for the secretary to check

    _check = field_validator("subject", "body")(_template)


class TodoTask(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    action: Literal["todo_task"]
    task_list: str = Field(default="Taken", min_length=1, max_length=255, alias="list")
    title: Template = Field(default="{{ subject }}", min_length=1, max_length=400)
    due: str | None = Field(
        default=None, pattern=r"^(today|tomorrow|this_week|next_week|\d{4}-\d{2}-\d{2})$"
    )

    _check = field_validator("title")(_template)


class Dispatch(_Strict):
    """Uitzetten: forward to a department, label the original, and track the answer."""

    action: Literal["dispatch"]
    department: str | None = Field(default=None, max_length=40)  # None: chosen when applied
    deadline_days: int = Field(default=5, ge=1, le=90)  # working days
    note: Template = ""

    _check = field_validator("note")(_template)


class Department(_Strict):
    """An entry of the address list dispatches go to."""

    key: str = Field(pattern=r"^[a-z0-9\-]{1,40}$")
    name: str = Field(min_length=1, max_length=80)
    address: Address
    subjects: list[Annotated[str, Field(min_length=1, max_length=80)]] = Field(default_factory=list)


Action = Annotated[
    Move
    | Copy
    | Delete
    | MarkRead
    | MarkUnread
    | Importance
    | Categorize
    | ClearCategories
    | Flag
    | MarkComplete
    | ClearFlag
    | Forward
    | ForwardAsAttachment
    | ReplyDraft
    | NewMessage
    | TodoTask
    | Dispatch,
    Field(discriminator="action"),
]

SHORTCUT = re.compile(r"^(Ctrl\+)?(Shift\+)?(Alt\+)?[A-Z0-9]$")


class Allowed(_Strict):
    """Who may use a step: roles and/or named people (lower-cased UPNs)."""

    roles: list[Role] = Field(default_factory=lambda: list[Role](["secretary"]))
    users: list[Address] = Field(default_factory=list)


class QuickStep(_Strict):
    name: str = Field(min_length=1, max_length=80)
    icon: str = Field(default="Flash", pattern=r"^[A-Za-z0-9]{1,40}$")  # a Fluent icon name
    description: str = Field(default="", max_length=400)
    shortcut: str | None = None
    allowed: Allowed = Field(default_factory=Allowed)
    actions: list[Action] = Field(min_length=1, max_length=20)

    @field_validator("shortcut")
    @classmethod
    def _shortcut(cls, value: str | None) -> str | None:
        if value is not None and not SHORTCUT.fullmatch(value):
            raise ValueError("sneltoets als Ctrl+Shift+1: Ctrl/Shift/Alt en één letter of cijfer")
        return value

    @property
    def asks_department(self) -> bool:
        return any(a.action == "dispatch" and a.department is None for a in self.actions)


class QuickStepSet(_Strict):
    """The team's whole set; names and shortcuts are unique."""

    format: Literal[1] = 1
    departments: list[Department] = Field(default_factory=list, max_length=200)
    steps: list[QuickStep] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _departments_exist(self) -> QuickStepSet:
        keys = [d.key for d in self.departments]
        if len(set(keys)) != len(keys):
            raise ValueError("een afdeling (key) komt twee keer voor in departments")
        for step in self.steps:
            for action in step.actions:
                if action.action == "dispatch" and action.department not in (None, *keys):
                    raise ValueError(
                        f"stap '{step.name}': afdeling '{action.department}' staat niet in"
                        " departments"
                    )
        return self

    def department(self, key: str) -> Department | None:
        return next((d for d in self.departments if d.key == key), None)

    @model_validator(mode="after")
    def _unique(self) -> QuickStepSet:
        for what in ("name", "shortcut"):
            seen: set[str] = set()
            for step in self.steps:
                value = getattr(step, what)
                if value is None:
                    continue
                if value.lower() in seen:
                    raise ValueError(f"{what} '{value}' komt twee keer voor")
                seen.add(value.lower())
        return self

    def step(self, name: str) -> QuickStep | None:
        return next((s for s in self.steps if s.name.lower() == name.lower()), None)


def templated(action: object) -> list[tuple[str, str, bool]]:
    """The action's templates as ``(field, template, html)``; ``html`` when the rendered text
    lands in an HTML body (a forward's or reply's comment), not in plain text."""
    if isinstance(action, Forward):
        inline = not (action.as_attachment or isinstance(action, ForwardAsAttachment))
        return [("comment", action.comment, inline)]
    if isinstance(action, ReplyDraft):
        return [("body", action.body, True)]
    if isinstance(action, NewMessage):
        return [("subject", action.subject, False), ("body", action.body, False)]
    if isinstance(action, TodoTask):
        return [("title", action.title, False)]
    if isinstance(action, Dispatch):
        return [("note", action.note, True)]
    return []
