"""The shape of a quick-step action type: everything about one kind of action, in one class.

An action type wraps one parsed action (``spec``: the user's YAML as ``models`` reads it) and
knows

- ``describe``: its line in the preview and the result, in Dutch;
- ``needs``: the folders, categories and To Do lists the mailbox must hold first;
- ``resolve``: what it settles when applied (a dispatch: the department and the deadline);
- ``requests``: its Graph request(s) for one message, and ``categories_after``: the message's
  categories after it, so a later action in the same chain builds on them;
- ``finder``: when its first request makes something (a draft, a copy, a task), how a resumed
  run finds that instead of making it again; ``sends``: whether what it made is then sent;
- ``records``: what it leaves in the store besides Graph (a dispatch's tracking row);
- ``restores``/``moves_back``/``undo``: how it is undone; ``kept``: what stays, and why.

Adding an action: a model in ``models`` (the user's format), one class, one line in
``registry``.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, NamedTuple, TypeVar

from pydantic import BaseModel

from automations.graph import BatchRequest, GraphSession
from automations.journal import Effect
from automations.quicksteps.effects import TAG_PROPERTY, MessageFacts, Prepared
from automations.quicksteps.models import QuickStepSet

__all__ = [
    "ActionType",
    "DescribeContext",
    "Done",
    "Finder",
    "Made",
    "Needs",
    "RequestContext",
    "Restore",
    "Resuming",
    "Wanted",
    "restored_flag",
]

Spec = TypeVar("Spec", bound=BaseModel)


@dataclass(frozen=True)
class DescribeContext:
    """What a description may mention: the day, what the step makes, the chosen department."""

    today: dt.date
    new_folders: Set[str] = frozenset()
    new_categories: Set[str] = frozenset()
    dispatch: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RequestContext:
    """What one action's requests for one message are made of."""

    mailbox: str
    actor: str
    facts: MessageFacts
    categories: tuple[str, ...]  # the message's categories after the earlier actions
    prepared: Prepared
    values: Mapping[str, Any]  # what the templates may use
    tag: str  # marks what this action makes: <operation>/<message>/<action>
    today: dt.date
    now: dt.datetime

    @property
    def message_url(self) -> str:
        return f"/users/{self.mailbox}/messages/{self.facts.id}"

    @property
    def tagged(self) -> list[dict[str, str]]:
        """The extended property that lets a retry find the message this action makes."""
        return [{"id": TAG_PROPERTY, "value": self.tag}]


@dataclass(frozen=True)
class Needs:
    """What the mailbox (or the actor's To Do) must hold before the action can run."""

    folders: tuple[str, ...] = ()  # paths: "Inbox/Backoffice"
    categories: Mapping[str, str] = field(default_factory=dict)  # name -> colour if made
    todo_lists: tuple[str, ...] = ()


@dataclass(frozen=True)
class Done:
    """An action carried out on one message: what its store records are made of."""

    tag: str
    mailbox: str
    actor: str
    message_id: str
    facts: MessageFacts
    prepared: Prepared


@dataclass(frozen=True)
class Restore:
    """What undoing one action sends to Graph: properties put back, a folder to return to."""

    patch: Mapping[str, Any] = field(default_factory=dict)
    folder: str | None = None


class Made(NamedTuple):
    """Something an earlier attempt made: its id, and whether it is still an unsent draft."""

    id: str
    draft: bool


@dataclass(frozen=True)
class Wanted:
    """One action on one message whose first attempt may have made something."""

    tag: str
    kind: ActionType[Any]
    facts: MessageFacts | None  # None: the message could not be read this time


@dataclass(frozen=True)
class Resuming:
    """Where a resumed group looks for what its first attempt made."""

    mailbox: str
    actor: str
    operation_id: str
    prepared: Prepared


class Finder(ABC):
    """How a resumed run finds what its first attempt made. One finder looks for all its
    actions' items of a group at once, so a resume costs a few reads, not one per action."""

    @abstractmethod
    async def find(
        self, graph: GraphSession, where: Resuming, wanted: Sequence[Wanted]
    ) -> dict[str, Made]:
        """Tag -> what was made, for the ``wanted`` items that exist."""


def restored_flag(value: Mapping[str, Any] | None) -> dict[str, Any]:
    """A flag as Graph takes it back: a date only on a flag that is still flagged."""
    value = dict(value or {})
    if value.get("flagStatus") != "flagged":
        return {"flagStatus": value.get("flagStatus") or "notFlagged"}
    return {k: value[k] for k in ("flagStatus", "startDateTime", "dueDateTime") if value.get(k)}


# How a property read before the apply is written back; the rest go back as they were read.
RESTORED_AS: Mapping[str, Callable[[Any], Any]] = {"flag": restored_flag}


class ActionType(ABC, Generic[Spec]):
    """One kind of quick-step action; an instance wraps one action of a step."""

    name: ClassVar[str]  # the YAML's ``action:`` value
    finder: ClassVar[Finder | None] = None  # set when the first request makes something
    restores: ClassVar[tuple[str, ...]] = ()  # message properties undo puts back
    moves_back: ClassVar[bool] = False  # undo returns the message to its folder
    kept: ClassVar[str] = ""  # what undo leaves, said to the user ("" when fully undone)

    def __init__(self, spec: Spec) -> None:
        self.spec = spec

    @abstractmethod
    def describe(self, ctx: DescribeContext) -> str:
        """One line of the preview and the result, in Dutch."""

    @abstractmethod
    def requests(self, ctx: RequestContext) -> list[BatchRequest]:
        """The Graph request(s) for one message, in order (no ``depends_on`` yet)."""

    def needs(self, chosen: Mapping[str, str]) -> Needs:
        """Folders, categories and lists to find or make first (``chosen``: ``resolve``)."""
        return Needs()

    def resolve(
        self, steps: QuickStepSet, choices: Mapping[str, str], today: dt.date, *, required: bool
    ) -> dict[str, str] | None:
        """What this action settles before it runs; None when it settles nothing."""
        return None

    def categories_after(self, categories: tuple[str, ...], prepared: Prepared) -> tuple[str, ...]:
        """The message's categories after this action: the next action in the chain builds
        on them (one PATCH sets the whole list)."""
        return categories

    @property
    def sends(self) -> bool:
        """What the first request made is a draft to send once the group's changes are done."""
        return False

    def records(self, done: Done) -> list[Effect]:
        """Store rows committed with the journal step, so a resume never writes them twice."""
        return []

    @classmethod
    def undoable(cls) -> bool:
        """Undo takes it back entirely (the pane offers undo when one such action was done)."""
        return bool(cls.restores or cls.moves_back) and not cls.kept

    @classmethod
    def undo(cls, before: Mapping[str, Any]) -> Restore:
        """What puts the message back as it was ``before`` the apply (the journal keeps the
        action's name and that state, not its settings, so this asks only the type)."""
        patch = {p: RESTORED_AS.get(p, _same)(before.get(p)) for p in cls.restores}
        folder = before.get("parentFolderId") if cls.moves_back else None
        return Restore(patch, folder)


def _same(value: Any) -> Any:
    return value
