"""Toegang controleren in the API: the signed-in secretary's own delegate rights on the
mailboxes of the executives she serves (``automations.doctor.access``), as the pane shows them."""

from __future__ import annotations

from fastapi import APIRouter

from automations.doctor import access
from server.deps import FlowDeps, Me, UserGraph

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["me"])


@router.get("/me/access", operation_id="get_my_access")
async def get_my_access(deps: FlowDeps, me: Me, graph: UserGraph) -> access.AccessReport:
    """Per executive she serves: can she read the Inbox, write a draft and see the calendar
    with her own rights (``ok``, ``refused``, ``not_found`` or ``other``), and what to ask IT
    when not (Dutch, naming the Exchange Online setting). Her last check if it is younger than
    a day, else a new one."""
    return await access.recent_access(deps, graph, me)


@router.post("/me/access", operation_id="check_my_access")
async def check_my_access(deps: FlowDeps, me: Me, graph: UserGraph) -> access.AccessReport:
    """Check again now. Writing a draft is tried for real: a draft is made in each
    executive's Drafts and removed again at once (``permanentDelete``: not to Deleted Items)."""
    return await access.check_access(deps, graph, me)
