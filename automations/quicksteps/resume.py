"""A retried group first finds what its earlier attempt made, so it is not made twice.

Each action type that makes something names its ``Finder`` (tagged messages, copies by
internetMessageId, To Do tasks by their linked resource); the finders look for all of a
group's items at once. Everything else a step does is safe to repeat.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from automations.graph import BatchResponse, GraphSession
from automations.journal import StepContext
from automations.quicksteps.actions import ActionType, Finder, Made, Resuming, Wanted
from automations.quicksteps.effects import MessageFacts, Prepared, tag_of

__all__ = ["already_made", "position"]


async def already_made(
    graph: GraphSession,
    ctx: StepContext,
    kinds: Sequence[ActionType[Any]],
    ids: Sequence[str],
    facts: Mapping[str, MessageFacts | BatchResponse],
    prepared: Prepared,
) -> dict[str, Made]:
    """Tag -> what an earlier attempt of this step made (and whether it is still a draft)."""
    first = ctx.params["first"]
    wanted: dict[Finder, list[Wanted]] = {}
    for n, message_id in enumerate(ids):
        found = facts.get(message_id)
        readable = found if isinstance(found, MessageFacts) else None
        for a, kind in enumerate(kinds):
            if kind.finder is not None:
                tag = tag_of(ctx.operation_id, first + n, a)
                wanted.setdefault(kind.finder, []).append(Wanted(tag, kind, readable))
    where = Resuming(ctx.mailbox, ctx.actor, ctx.operation_id, prepared)
    made: dict[str, Made] = {}
    for finder, items in wanted.items():
        made.update(await finder.find(graph, where, items))
    return made


def position(tag: str, first: int) -> tuple[int, int]:
    """(message within the group, action) of a tag made by this group."""
    _, message, action = tag.rsplit("/", 2)
    return int(message) - first, int(action)
