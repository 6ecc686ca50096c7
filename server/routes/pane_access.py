"""Toegang controleren in the pane: the notice on the start view when her own rights fall
short somewhere (checked when she signs in, at most once a day), the view with every executive
she serves and what to ask IT, and "Opnieuw controleren"."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from automations.doctor import access
from server.deps import FlowDeps, Me, UserGraph
from server.routes.pane import fragment

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/pane/toegang/melding", response_class=HTMLResponse)
async def access_notice(request: Request, deps: FlowDeps, me: Me, graph: UserGraph) -> HTMLResponse:
    """Asked once when the pane opens: her last check (a new one when none is younger than a
    day); a short notice when something is not in order, else nothing."""
    report = await access.recent_access(deps, graph, me)
    return fragment(request, "views/toegang_melding.html", report=report)


@router.get("/pane/toegang/inhoud", response_class=HTMLResponse)
async def access_view(request: Request, deps: FlowDeps, me: Me, graph: UserGraph) -> HTMLResponse:
    """The view: per executive ✓ or ✗ for each thing she must be able to do, with what to ask
    IT, and "Opnieuw controleren"."""
    report = await access.recent_access(deps, graph, me)
    return fragment(request, "views/toegang.html", report=report, again=False)


@router.post("/pane/toegang/controleren", response_class=HTMLResponse)
async def access_recheck(
    request: Request, deps: FlowDeps, me: Me, graph: UserGraph
) -> HTMLResponse:
    """Check again now, and show the view with the new result."""
    report = await access.check_access(deps, graph, me)
    return fragment(request, "views/toegang.html", report=report, again=True)
