"""Actions that change a property of the message: read, importance, categories, flag.

Each is one PATCH of the message, safe to repeat; consecutive ones of a message travel as one
PATCH (``group``), and undo writes back the property as it was read before the apply.
"""

from __future__ import annotations

import copy
import datetime as dt
from abc import abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from automations.graph import BatchRequest
from automations.quicksteps import models as m
from automations.quicksteps.actions.base import (
    ActionType,
    DescribeContext,
    Needs,
    RequestContext,
    Spec,
)
from automations.quicksteps.effects import Prepared, day_start, day_text

__all__ = [
    "CategorizeAction",
    "ClearCategoriesAction",
    "ClearFlagAction",
    "FlagAction",
    "ImportanceAction",
    "MarkCompleteAction",
    "MarkReadAction",
    "MarkUnreadAction",
]


class PropertyChange(ActionType[Spec]):
    """One PATCH of the message; undone by writing back what it changed."""

    @abstractmethod
    def patch(self, ctx: RequestContext) -> dict[str, Any]:
        """The message's new property values."""

    def requests(self, ctx: RequestContext) -> list[BatchRequest]:
        return [BatchRequest("PATCH", ctx.message_url, self.patch(ctx))]


class _FixedChange(PropertyChange[Spec]):
    """A change with no settings: the same words and the same values every time."""

    text: ClassVar[str]
    values: ClassVar[Mapping[str, Any]]

    def describe(self, ctx: DescribeContext) -> str:
        return self.text

    def patch(self, ctx: RequestContext) -> dict[str, Any]:
        return copy.deepcopy(dict(self.values))


class MarkReadAction(_FixedChange[m.MarkRead]):
    name = "mark_read"
    text = "Markeren als gelezen"
    values = {"isRead": True}
    restores = ("isRead",)


class MarkUnreadAction(_FixedChange[m.MarkUnread]):
    name = "mark_unread"
    text = "Markeren als ongelezen"
    values = {"isRead": False}
    restores = ("isRead",)


class ImportanceAction(PropertyChange[m.Importance]):
    name = "importance"
    restores = ("importance",)

    def describe(self, ctx: DescribeContext) -> str:
        return f"Urgentie: {self.spec.level}"

    def patch(self, ctx: RequestContext) -> dict[str, Any]:
        return {"importance": self.spec.level}


class CategorizeAction(PropertyChange[m.Categorize]):
    """Adds categories to those the message has; ones missing from the mailbox are made."""

    name = "categorize"
    restores = ("categories",)

    def describe(self, ctx: DescribeContext) -> str:
        made = [c for c in self.spec.categories if c in ctx.new_categories]
        extra = f" (nieuwe categorie: {', '.join(made)})" if made else ""
        return f"Categorie {', '.join(self.spec.categories)} toevoegen{extra}"

    def needs(self, chosen: Mapping[str, str]) -> Needs:
        return Needs(categories={c: self.spec.colors.get(c, "none") for c in self.spec.categories})

    def patch(self, ctx: RequestContext) -> dict[str, Any]:
        return {"categories": list(self.categories_after(ctx.categories, ctx.prepared))}

    def categories_after(self, categories: tuple[str, ...], prepared: Prepared) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*categories, *self.spec.categories]))


class ClearCategoriesAction(_FixedChange[m.ClearCategories]):
    name = "clear_categories"
    text = "Alle categorieën verwijderen"
    values = {"categories": []}
    restores = ("categories",)

    def categories_after(self, categories: tuple[str, ...], prepared: Prepared) -> tuple[str, ...]:
        return ()


class FlagAction(PropertyChange[m.Flag]):
    """Flagged from today until the due day (relative days count from the day of the apply)."""

    name = "flag"
    restores = ("flag",)

    def describe(self, ctx: DescribeContext) -> str:
        return f"Markeren voor opvolging, uiterlijk {day_text(self.spec.on(ctx.today))}"

    def patch(self, ctx: RequestContext) -> dict[str, Any]:
        return {
            "flag": {
                "flagStatus": "flagged",
                "startDateTime": day_start(ctx.today),
                "dueDateTime": day_start(self.spec.on(ctx.today)),
            }
        }


class MarkCompleteAction(PropertyChange[m.MarkComplete]):
    name = "mark_complete"
    restores = ("flag",)

    def describe(self, ctx: DescribeContext) -> str:
        return "Markering: voltooid"

    def patch(self, ctx: RequestContext) -> dict[str, Any]:
        done = ctx.now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
        return {
            "flag": {
                "flagStatus": "complete",
                "completedDateTime": {"dateTime": done, "timeZone": "UTC"},
            }
        }


class ClearFlagAction(_FixedChange[m.ClearFlag]):
    name = "clear_flag"
    text = "Markering wissen"
    values = {"flag": {"flagStatus": "notFlagged"}}
    restores = ("flag",)
