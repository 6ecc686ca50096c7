"""The control plane beside the emulated API: counters, limits, reseed, coverage, the apps'
certificates (``sandbox.identity.control``), and the change notification controls (delivery
faults, Graph's lifecycle events on demand).

Off unless the sandbox is started with ``--admin``; never part of Graph's surface.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.clock import local_today
from sandbox.identity.control import key_credential_routes
from sandbox.seed import apply as seeding
from sandbox.subscriptions import service as subscriptions

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

    # -- change notifications --------------------------------------------------------------
    notifier = sandbox.notifications

    async def notifications(request: Request) -> Response:
        """GET: settings, counters, queued deliveries, recent attempts. POST: change settings
        (``NotificationSettings`` fields: limits, ``allow_http``, delivery faults)."""
        if request.method == "POST":
            try:
                changes: Any = json.loads(await request.body() or b"{}")
                if not isinstance(changes, dict):
                    raise ValueError("the body must be a JSON object of NotificationSettings")
                notifier.configure(**changes)
            except ValueError as exc:
                return JSONResponse({"error": {"code": "BadRequest", "message": str(exc)}}, 400)
        return JSONResponse(notifier.snapshot())

    async def reset_notifications(request: Request) -> Response:
        notifier.reset()
        return JSONResponse(notifier.snapshot())

    async def subscription_event(request: Request) -> Response:
        """What Graph does to a subscription on its own: ``expire`` (it lapses, silently),
        ``remove`` (``subscriptionRemoved``), ``reauthorizationRequired`` (a challenge;
        ``{"pause": true}`` stops the flow until the app reauthorizes or renews)."""
        sub = sandbox.store.get(request.path_params["id"], subscriptions.KIND)
        if sub is None:
            return JSONResponse({"error": {"code": "NotFound", "message": "no subscription"}}, 404)
        event = request.path_params["event"]
        if event == "expire":
            notifier.counters["expired"] += 1
            notifier.forget(sub.id)
        elif event == "remove":
            notifier.remove(sub)
        elif event == "reauthorizationRequired":
            body: Any = json.loads(await request.body() or b"{}")
            notifier.challenge(sub, pause=bool(isinstance(body, dict) and body.get("pause")))
        else:
            return JSONResponse({"error": {"code": "BadRequest", "message": event}}, 400)
        notifier.kick()
        return JSONResponse(notifier.snapshot())

    return [
        Route("/counters", counters, methods=["GET"]),
        Route("/counters/reset", reset_counters, methods=["POST"]),
        Route("/limits", limits, methods=["POST"]),
        Route("/reset", reseed, methods=["POST"]),
        Route("/coverage", coverage, methods=["GET"]),
        Route("/notifications", notifications, methods=["GET", "POST"]),
        Route("/notifications/reset", reset_notifications, methods=["POST"]),
        Route("/subscriptions/{id}/{event}", subscription_event, methods=["POST"]),
        *key_credential_routes(sandbox),  # the apps' certificates
    ]
