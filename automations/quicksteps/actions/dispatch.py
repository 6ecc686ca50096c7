"""Uitzetten: forward the message to a department with a deadline, label and flag the original,
and track the answer (a dispatch row in the store).

The department is the action's own or the one chosen when applying; the deadline counts
working days from the day of the apply. The forward is a tagged draft sent after the group's
changes, found by its tag on a resume. Undo puts the categories and flag back; the forward
stays sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from automations.dispatch.service import NewDispatch, dispatch_row
from automations.errors import BadRequest
from automations.graph import BatchRequest
from automations.journal import Effect
from automations.quicksteps import models as m
from automations.quicksteps.actions.base import (
    ActionType,
    DescribeContext,
    Done,
    Needs,
    RequestContext,
)
from automations.quicksteps.actions.mail import TAGGED
from automations.quicksteps.effects import Prepared, day_start, day_text, render

__all__ = ["DISPATCH_COLOR", "DispatchAction", "dispatch_category", "working_days_after"]

DISPATCH_COLOR = "preset1"  # the demo tenant's "Uitgezet" colour


def dispatch_category(name: str) -> str:
    return f"Uitgezet: {name}"


def working_days_after(day: dt.date, count: int) -> dt.date:
    """``count`` working days (Monday to Friday) after ``day``; public holidays not counted."""
    while count:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


class DispatchAction(ActionType[m.Dispatch]):
    name = "dispatch"
    finder = TAGGED
    restores = ("categories", "flag")
    kept = "verstuurd naar de afdeling; de categorie en markering gaan terug"

    @property
    def sends(self) -> bool:
        return True

    def describe(self, ctx: DescribeContext) -> str:
        chosen = ctx.dispatch
        if not chosen:
            return f"Uitzetten bij een vakafdeling (termijn {self.spec.deadline_days} werkdagen)"
        deadline = day_text(dt.date.fromisoformat(chosen["deadline"]))
        return (
            f"Uitzetten bij {chosen['name']} ({chosen['address']}), antwoord uiterlijk"
            f" {deadline}; categorie {dispatch_category(chosen['name'])}"
        )

    def resolve(
        self,
        steps: m.QuickStepSet,
        choices: Mapping[str, str],
        today: dt.date,
        *,
        required: bool,
    ) -> dict[str, str] | None:
        """The department (its own, or the one chosen) and the deadline; ``{}`` while none is
        chosen in a preview."""
        key = self.spec.department or choices.get("department", "")
        department = steps.department(key) if key else None
        if department is None:
            if required or key:
                raise BadRequest("Kies de afdeling waar het bericht naartoe gaat.")
            return {}
        deadline = working_days_after(today, self.spec.deadline_days)
        return {
            "key": department.key,
            "name": department.name,
            "address": department.address,
            "deadline": deadline.isoformat(),
        }

    def needs(self, chosen: Mapping[str, str]) -> Needs:
        if not chosen:
            return Needs()
        return Needs(categories={dispatch_category(chosen["name"]): DISPATCH_COLOR})

    def requests(self, ctx: RequestContext) -> list[BatchRequest]:
        department = ctx.prepared.dispatch
        deadline = dt.date.fromisoformat(department["deadline"])
        note = render(self.spec.note, ctx.values).strip()
        asked = (
            f"Graag afhandelen en antwoorden vóór {day_text(deadline)}; antwoord in dit"
            " gesprek, dan ziet het bestuurssecretariaat dat het is opgepakt."
        )
        forward = {
            "comment": "<br>\n<br>\n".join(part for part in (note, asked) if part),
            "message": {
                "toRecipients": [{"emailAddress": {"address": department["address"]}}],
                "singleValueExtendedProperties": ctx.tagged,
            },
        }
        patch = {
            "categories": list(self.categories_after(ctx.categories, ctx.prepared)),
            "flag": {
                "flagStatus": "flagged",
                "startDateTime": day_start(ctx.today),
                "dueDateTime": day_start(deadline),
            },
        }
        return [
            BatchRequest("POST", f"{ctx.message_url}/createForward", forward),
            BatchRequest("PATCH", ctx.message_url, patch),
        ]

    def categories_after(self, categories: tuple[str, ...], prepared: Prepared) -> tuple[str, ...]:
        label = dispatch_category(prepared.dispatch["name"])
        return tuple(dict.fromkeys([*categories, label]))

    def records(self, done: Done) -> list[Effect]:
        """The dispatch to track until the department answers."""
        department = done.prepared.dispatch
        new = NewDispatch(
            tag=done.tag,
            mailbox=done.mailbox,
            message_id=done.message_id,
            conversation_id=done.facts.conversation_id,
            subject=done.facts.subject[:400],
            department_key=department["key"],
            department_name=department["name"],
            address=department["address"],
            deadline=dt.date.fromisoformat(department["deadline"]),
            note=self.spec.note,
            dispatched_by=done.actor,
        )
        return [dispatch_row(new)]
