"""Reading a whole collection: Graph answers in pages linked by ``@odata.nextLink``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from automations.graph.batch import BatchRequest
from automations.graph.client import GraphSession

__all__ = ["read_all", "relative"]


def relative(link: str) -> str:
    """A next link made relative to the Graph root, as ``BatchRequest`` takes it."""
    return link.split("/v1.0", 1)[-1]


async def read_all(
    graph: GraphSession, url: str, headers: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url:
        [page] = await graph.batch([BatchRequest("GET", next_url, headers=headers or {})])
        page.raise_for_status()
        items.extend(page.body.get("value", []))
        link = page.body.get("@odata.nextLink")
        next_url = relative(link) if link else None
    return items
