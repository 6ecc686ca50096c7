"""The tenant's places: its rooms, as ``/places`` lists them (``Place.Read.All``)."""

from __future__ import annotations

from typing import Any

from automations.errors import AccessDenied, NotFound
from automations.graph.client import GraphSession
from automations.graph.pages import read_all

__all__ = ["list_rooms"]


async def list_rooms(graph: GraphSession) -> list[dict[str, Any]]:
    """Every room, following Graph's pages; none when the tenant has no places or the app
    may not list them (the caller says what that means for its user)."""
    try:
        return await read_all(graph, "/places/microsoft.graph.room?$top=100")
    except (AccessDenied, NotFound):
        return []
