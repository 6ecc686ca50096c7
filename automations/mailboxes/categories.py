"""Outlook's master category list of a mailbox: what a category gets its colour from, made
when a quick step, an approval or a meeting folder first uses it.

The list is a mailbox setting, which Exchange keeps from delegates: it is read and written
with the app's identity (``GraphSession.mailbox_settings``). A category works on a message
without an entry in the list (Outlook shows it without a colour), so a list that cannot be
reached is logged and the work goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from automations.errors import AppError
from automations.graph import BatchRequest, GraphSession
from automations.mailboxes.tagged import graph_one

log = logging.getLogger(__name__)

__all__ = ["ensure_categories"]


async def ensure_categories(
    graph: GraphSession, mailbox: str, wanted: Mapping[str, str], *, create: bool
) -> list[str]:
    """The wanted categories missing from the mailbox's master list (made if ``create``)."""
    if not wanted:
        return []
    try:
        async with graph.mailbox_settings() as settings:
            return await _ensure(settings, mailbox, wanted, create=create)
    except AppError as exc:
        log.warning("master category list of a mailbox not reachable: %s", exc.message)
        return []


async def _ensure(
    graph: GraphSession, mailbox: str, wanted: Mapping[str, str], *, create: bool
) -> list[str]:
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
