"""Liveness and readiness for load balancers and the demo script."""

from __future__ import annotations

from fastapi import APIRouter, Request

router = APIRouter(tags=["health"])


@router.get("/healthz", operation_id="health")
async def health() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@router.get("/readyz", operation_id="ready")
async def ready(request: Request) -> dict[str, str]:
    """The tenant's signing keys can be fetched (the first thing every request needs)."""
    validator = request.app.state.validator
    await validator._refresh(force=False)  # noqa: SLF001 - readiness probes the key cache
    return {"status": "ready"}
