"""Messages we made, found again by the operation tag they carry (an extended property), so a
retried click finds its earlier draft or sent mail instead of making a second one."""

from __future__ import annotations

from typing import Any

from automations.graph import BatchRequest, GraphSession
from automations.quicksteps.effects import TAG_PROPERTY

__all__ = ["find_tagged", "graph_one"]


async def graph_one(graph: GraphSession, request: BatchRequest) -> Any:
    """One Graph request's body; Graph's refusal as the typed error."""
    [answer] = await graph.batch([request])
    answer.raise_for_status()
    return answer.body


async def find_tagged(graph: GraphSession, mailbox: str, tag: str) -> dict[str, Any] | None:
    """The message this mailbox holds with our operation tag, if any (sent or draft)."""
    url = (
        f"/users/{mailbox}/messages?$filter=singleValueExtendedProperties/any(ep: ep/id eq"
        f" '{TAG_PROPERTY}' and ep/value eq '{tag}')&$select=id,isDraft,changeKey,subject"
    )
    found = (await graph_one(graph, BatchRequest("GET", url)))["value"]
    return found[0] if found else None
