"""The To Do task action: a task in the acting secretary's own list, linked to the message.

To Do has no delegate access, so the task goes to the actor's list, not the executive's. Its
linked resource carries the tag as ``externalId``: a resumed run finds the task by it. Undo
leaves the task; the secretary deletes it in To Do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from automations.graph import BatchRequest, GraphSession
from automations.quicksteps import models as m
from automations.quicksteps.actions.base import (
    ActionType,
    DescribeContext,
    Finder,
    Made,
    Needs,
    RequestContext,
    Resuming,
    Wanted,
)
from automations.quicksteps.effects import day_start, day_text, render
from automations.quicksteps.reads import get_all

__all__ = ["LINKED_TASKS", "LinkedTasks", "TodoTaskAction"]


class LinkedTasks(Finder):
    """Tasks in the step's lists whose linked resource carries this operation's tag."""

    async def find(
        self, graph: GraphSession, where: Resuming, wanted: Sequence[Wanted]
    ) -> dict[str, Made]:
        made: dict[str, Made] = {}
        if not wanted:
            return made
        for list_id in set(where.prepared.todo_lists.values()):
            url = f"/users/{where.actor}/todo/lists/{list_id}/tasks?$expand=linkedResources"
            for task in await get_all(graph, url):
                for link in task.get("linkedResources") or []:
                    if str(link.get("externalId", "")).startswith(where.operation_id + "/"):
                        made[link["externalId"]] = Made(task["id"], False)
        return made


LINKED_TASKS = LinkedTasks()


class TodoTaskAction(ActionType[m.TodoTask]):
    name = "todo_task"
    finder = LINKED_TASKS
    kept = "de taak blijft staan; verwijder haar zelf in To Do"

    def describe(self, ctx: DescribeContext) -> str:
        due = self.spec.due
        when = f", uiterlijk {day_text(m.DueDate(due=due).on(ctx.today))}" if due else ""
        return f"Taak in To Do-lijst '{self.spec.task_list}'{when}"

    def needs(self, chosen: Mapping[str, str]) -> Needs:
        return Needs(todo_lists=(self.spec.task_list,))

    def requests(self, ctx: RequestContext) -> list[BatchRequest]:
        facts = ctx.facts
        task: dict[str, Any] = {
            "title": render(self.spec.title, ctx.values, html=False),
            "linkedResources": [
                {
                    "webUrl": facts.web_link or f"https://outlook.office.com/mail/{facts.id}",
                    "applicationName": "Secretariaat",
                    "displayName": facts.subject or "(geen onderwerp)",
                    "externalId": ctx.tag,
                }
            ],
        }
        if self.spec.due:
            task["dueDateTime"] = day_start(m.DueDate(due=self.spec.due).on(ctx.today))
        list_id = ctx.prepared.todo_lists[self.spec.task_list]
        return [BatchRequest("POST", f"/users/{ctx.actor}/todo/lists/{list_id}/tasks", task)]
