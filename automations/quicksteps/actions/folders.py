"""Actions that put the message in a folder: move, copy, delete.

A move (and a delete, which is a move to Deleted Items) is safe to repeat and undone by moving
the message back; a copy makes a new item, so a resumed run looks for it first, and undo
leaves it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from automations.graph import BatchRequest, GraphSession
from automations.mailboxes.folders import shown_path
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
from automations.quicksteps.reads import get_one

__all__ = ["CopiesInFolder", "CopyAction", "DeleteAction", "MoveAction"]


class CopiesInFolder(Finder):
    """A copy keeps the original's internetMessageId: look for it in the target folder."""

    async def find(
        self, graph: GraphSession, where: Resuming, wanted: Sequence[Wanted]
    ) -> dict[str, Made]:
        made: dict[str, Made] = {}
        for item in wanted:
            if item.facts is None or not item.facts.internet_message_id:
                continue
            folder = where.prepared.folders[item.kind.spec.folder]
            escaped = item.facts.internet_message_id.replace("'", "''")
            url = (
                f"/users/{where.mailbox}/mailFolders/{folder}/messages"
                f"?$filter=internetMessageId eq '{escaped}'&$select=id"
            )
            copies = (await get_one(graph, url))["value"]
            if copies:
                made[item.tag] = Made(copies[0]["id"], False)
        return made


COPIES = CopiesInFolder()


class MoveAction(ActionType[m.Move]):
    name = "move"
    moves_back = True

    def describe(self, ctx: DescribeContext) -> str:
        made = " (map wordt aangemaakt)" if self.spec.folder in ctx.new_folders else ""
        return f"Verplaatsen naar {shown_path(self.spec.folder)}{made}"

    def needs(self, chosen: Mapping[str, str]) -> Needs:
        return Needs(folders=(self.spec.folder,))

    def requests(self, ctx: RequestContext) -> list[BatchRequest]:
        body = {"destinationId": ctx.prepared.folders[self.spec.folder]}
        return [BatchRequest("POST", f"{ctx.message_url}/move", body)]


class CopyAction(ActionType[m.Copy]):
    name = "copy"
    finder = COPIES
    kept = "de kopie blijft staan"

    def describe(self, ctx: DescribeContext) -> str:
        made = " (map wordt aangemaakt)" if self.spec.folder in ctx.new_folders else ""
        return f"Kopiëren naar {shown_path(self.spec.folder)}{made}"

    def needs(self, chosen: Mapping[str, str]) -> Needs:
        return Needs(folders=(self.spec.folder,))

    def requests(self, ctx: RequestContext) -> list[BatchRequest]:
        body = {"destinationId": ctx.prepared.folders[self.spec.folder]}
        return [BatchRequest("POST", f"{ctx.message_url}/copy", body)]


class DeleteAction(ActionType[m.Delete]):
    """What Graph's DELETE does to a message, but safe to repeat: a second DELETE of an item
    already in Deleted Items would remove it for good."""

    name = "delete"
    moves_back = True

    def describe(self, ctx: DescribeContext) -> str:
        return "Verwijderen (naar Verwijderde items)"

    def requests(self, ctx: RequestContext) -> list[BatchRequest]:
        return [BatchRequest("POST", f"{ctx.message_url}/move", {"destinationId": "deleteditems"})]
