"""Every quick-step action type by its ``action:`` name: the one place that knows them all.

Everything else — preview, apply, resume, undo, the step list — asks the registry for the
action's class and then asks the class; none switches on the name. Adding an action: its
model in ``models``, its class in ``actions``, its line here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Set
from typing import Any

from automations.quicksteps.actions.base import ActionType, DescribeContext
from automations.quicksteps.actions.dispatch import DispatchAction
from automations.quicksteps.actions.folders import CopyAction, DeleteAction, MoveAction
from automations.quicksteps.actions.mail import (
    ForwardAction,
    ForwardAsAttachmentAction,
    NewMessageAction,
    ReplyDraftAction,
)
from automations.quicksteps.actions.properties import (
    CategorizeAction,
    ClearCategoriesAction,
    ClearFlagAction,
    FlagAction,
    ImportanceAction,
    MarkCompleteAction,
    MarkReadAction,
    MarkUnreadAction,
)
from automations.quicksteps.actions.tasks import TodoTaskAction
from automations.quicksteps.models import QuickStep

__all__ = ["ACTION_TYPES", "describe", "kind_of", "kinds_of", "sends_mail"]

ACTION_TYPES: Mapping[str, type[ActionType[Any]]] = {
    kind.name: kind
    for kind in (
        MoveAction,
        CopyAction,
        DeleteAction,
        MarkReadAction,
        MarkUnreadAction,
        ImportanceAction,
        CategorizeAction,
        ClearCategoriesAction,
        FlagAction,
        MarkCompleteAction,
        ClearFlagAction,
        ForwardAction,
        ForwardAsAttachmentAction,
        ReplyDraftAction,
        NewMessageAction,
        TodoTaskAction,
        DispatchAction,
    )
}


def kind_of(spec: Any) -> ActionType[Any]:
    """The action type wrapping one parsed action of a step."""
    kind = ACTION_TYPES.get(spec.action)
    if kind is None:
        raise ValueError(f"unknown action {spec.action}")
    return kind(spec)


def kinds_of(step: QuickStep) -> list[ActionType[Any]]:
    """The step's actions, in order, each wrapped in its type."""
    return [kind_of(spec) for spec in step.actions]


def describe(
    spec: Any,
    today: dt.date,
    new_folders: Set[str] = frozenset(),
    new_categories: Set[str] = frozenset(),
    dispatch: Mapping[str, str] | None = None,
) -> str:
    """One action's Dutch line (for lists of steps; the preview says what the mailbox lacks)."""
    ctx = DescribeContext(today, new_folders, new_categories, dispatch or {})
    return kind_of(spec).describe(ctx)


def sends_mail(step: QuickStep) -> bool:
    """Applying the step sends mail (the pane says so before the click)."""
    return any(kind.sends for kind in kinds_of(step))
