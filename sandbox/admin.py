"""The control plane beside the emulated API: counters, limits, reseed, coverage.

Off unless the sandbox is started with ``--admin``; never part of Graph's surface.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.clock import local_today
from sandbox.seed import apply as seeding

if TYPE_CHECKING:
    from sandbox.dispatch import Sandbox

__all__ = ["admin_routes"]


def admin_routes(sandbox: Sandbox) -> list[Route]:
    async def counters(request: Request) -> Response:
        return JSONResponse(sandbox.limits.snapshot())

    async def reset_counters(request: Request) -> Response:
        sandbox.limits.reset()
        return JSONResponse(sandbox.limits.snapshot())

    async def limits(request: Request) -> Response:
        try:
            changes: Any = json.loads(await request.body() or b"{}")
            if not isinstance(changes, dict):
                raise ValueError("the body must be a JSON object of LimitSettings fields")
            sandbox.limits.configure(**changes)
        except ValueError as exc:
            return JSONResponse({"error": {"code": "BadRequest", "message": str(exc)}}, 400)
        sandbox.limits.reset()
        return JSONResponse(sandbox.limits.snapshot())

    async def reseed(request: Request) -> Response:
        # The week around the tenant's today, which may have moved on since the start.
        seeding.seed_demo(sandbox.store, today=local_today(sandbox.store.clock))
        sandbox.directory.reload()
        sandbox.limits.reset()
        return JSONResponse({"status": "reseeded"})

    async def coverage(request: Request) -> Response:
        return JSONResponse({"endpoints": sandbox.router.coverage()})

    return [
        Route("/counters", counters, methods=["GET"]),
        Route("/counters/reset", reset_counters, methods=["POST"]),
        Route("/limits", limits, methods=["POST"]),
        Route("/reset", reseed, methods=["POST"]),
        Route("/coverage", coverage, methods=["GET"]),
    ]
