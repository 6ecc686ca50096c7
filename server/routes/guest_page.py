"""The guest's page: an external attendee of a planning request opens her personal link, sees
the candidate times in Dutch and ticks which suit her — no Microsoft 365 account, no script
(a plain form), nothing about the other guests. The link is the credential
(``automations.planning.guests``); this adapter adds what a public page needs: a limit per
client and per link, no caching, no referrer (the token stays out of other sites' logs), no
indexing, and an answer that is a page, never a JSON error."""

from __future__ import annotations

import collections
import time
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from automations.errors import AppError
from automations.planning import flows
from server.deps import FlowDeps
from server.routes.pane import fragment

__all__ = ["GuestLimiter", "router"]

router = APIRouter(include_in_schema=False)

PER_MINUTE = 20  # page views and answers per client address, and per link
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}


class GuestLimiter:
    """At most ``per_minute`` requests per key in any minute (a sliding window kept in this
    process: enough against guessing and hammering one instance; IT's reverse proxy is the
    place for a tenant-wide limit)."""

    def __init__(self, per_minute: int = PER_MINUTE, wall: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self.wall = wall
        self._seen: dict[str, collections.deque[float]] = {}

    def allow(self, *keys: str) -> bool:
        now = self.wall()
        ok = True
        for key in keys:
            seen = self._seen.setdefault(key, collections.deque())
            while seen and seen[0] <= now - 60:
                seen.popleft()
            if len(seen) >= self.per_minute:
                ok = False
            else:
                seen.append(now)
        if len(self._seen) > 10_000:  # forget the quiet ones
            self._seen = {k: v for k, v in self._seen.items() if v and v[-1] > now - 60}
        return ok


def _limiter(request: Request) -> GuestLimiter:
    state = request.app.state
    if getattr(state, "guest_limiter", None) is None:
        state.guest_limiter = GuestLimiter()
    limiter: GuestLimiter = state.guest_limiter
    return limiter


def _page(request: Request, status: int = 200, **values: Any) -> HTMLResponse:
    response = fragment(request, "gast.html", status_code=status, **values)
    response.headers.update(HEADERS)
    return response


def _refused(request: Request, exc: AppError) -> HTMLResponse:
    return _page(request, exc.status, problem=exc.message, view=None, saved=False)


def _allowed(request: Request, token: str) -> bool:
    client = request.client.host if request.client else "?"
    return _limiter(request).allow(f"ip:{client}", f"link:{token[:16]}")


@router.get("/gast/{token}", response_class=HTMLResponse)
async def guest_page(request: Request, token: str, deps: FlowDeps) -> Response:
    if not _allowed(request, token):
        return _page(request, 429, problem="Te veel verzoeken. Probeer het over een minuut "
                     "opnieuw.", view=None, saved=False)  # fmt: skip
    try:
        view = await flows.guest_view(deps, token=token)
    except AppError as exc:
        return _refused(request, exc)
    return _page(request, view=view, saved=False, problem=None)


@router.post("/gast/{token}", response_class=HTMLResponse)
async def guest_answer(request: Request, token: str, deps: FlowDeps) -> Response:
    if not _allowed(request, token):
        return _page(request, 429, problem="Te veel verzoeken. Probeer het over een minuut "
                     "opnieuw.", view=None, saved=False)  # fmt: skip
    form = await request.form()
    suits = [str(v) for v in form.getlist("past")][:20]
    try:
        view = await flows.answer_as_guest(deps, token=token, suits=suits)
    except AppError as exc:
        return _refused(request, exc)
    return _page(request, view=view, saved=True, problem=None)
