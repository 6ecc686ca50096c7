"""Outlook's master category list of a mailbox: what a category gets its colour from, made
when a quick step, an approval or a meeting folder first uses it."""

from __future__ import annotations

from collections.abc import Mapping

from automations.graph import BatchRequest, GraphSession
from automations.mailboxes.tagged import graph_one

__all__ = ["ensure_categories"]


async def ensure_categories(
    graph: GraphSession, mailbox: str, wanted: Mapping[str, str], *, create: bool
) -> list[str]:
    """The wanted categories missing from the mailbox's master list (made if ``create``)."""
    if not wanted:
        return []
    url = f"/users/{mailbox}/outlook/masterCategories"
    known = {
        c["displayName"].lower()
        for c in (await graph_one(graph, BatchRequest("GET", url)))["value"]
    }
    missing = [c for c in wanted if c.lower() not in known]
    if create and missing:
        answers = await graph.batch(
            [BatchRequest("POST", url, {"displayName": c, "color": wanted[c]}) for c in missing]
        )
        for answer in answers:
            if answer.status != 409:  # 409: made meanwhile; fine
                answer.raise_for_status()
    return missing
