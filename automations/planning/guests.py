"""The guest's side: an external attendee opens her personal link (no Microsoft 365 account),
sees the candidate times in Dutch, and marks which suit her.

The link's token is the key (``service``): unknown or tampered is "ongeldig" (404); past its
date, or once the meeting is booked or withdrawn, "verlopen" (410). What she sees is the
request's title, the organiser's name, where, and the times — never another guest's name,
address or answer. Rate limiting is the web adapter's (per client, before this is called)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from automations.audit import AuditEntry, record
from automations.context import Deps
from automations.errors import AppError, NotFound, Unprocessable
from automations.planning import service
from automations.planning.models import PlanningRequest
from automations.store.models import PlanningGuestRow

__all__ = ["GuestOption", "GuestView", "LinkExpired", "answer_as_guest", "guest_view"]


class LinkExpired(AppError):
    code, status = "link_expired", 410


@dataclass(frozen=True)
class GuestOption:
    id: str
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class GuestView:
    name: str  # hers
    title: str
    organiser: str  # the organising executive's name
    where: str
    options: list[GuestOption]
    suits: frozenset[str]
    answered: bool
    expires_at: dt.datetime


def _where(request: PlanningRequest) -> str:
    if request.online:
        return "Online (Microsoft Teams)"
    return request.location or "Stadhuis; de zaal staat in de uitnodiging"


async def _found(deps: Deps, token: str) -> tuple[PlanningGuestRow, PlanningRequest]:
    async with deps.sessions() as session:
        guest = await service.guest_by_token(session, token)
        if guest is None:
            raise NotFound("Deze link is ongeldig. Gebruik de link uit uw uitnodiging.")
        request = await service.load(session, guest.request_id)
    if guest.expires_at <= deps.now() or request.status != "holding":
        raise LinkExpired("Deze link is verlopen: er wordt niet meer gepland met deze momenten.")
    return guest, request


def _view(guest: PlanningGuestRow, request: PlanningRequest, now: dt.datetime) -> GuestView:
    return GuestView(
        name=guest.name or guest.address,
        title=request.title,
        organiser=request.names().get(request.organiser, request.organiser),
        where=_where(request),
        options=[GuestOption(o.id, o.start, o.end) for o in request.options if o.start > now],
        suits=frozenset(guest.suits or ()),
        answered=guest.answered_at is not None,
        expires_at=guest.expires_at,
    )


async def guest_view(deps: Deps, *, token: str) -> GuestView:
    guest, request = await _found(deps, token)
    return _view(guest, request, deps.now())


async def answer_as_guest(deps: Deps, *, token: str, suits: Sequence[str]) -> GuestView:
    """Her answer (again: the last one counts); the back office's matrix redraws."""
    guest, request = await _found(deps, token)
    known = {o.id for o in request.options}
    chosen = sorted(set(suits))
    if set(chosen) - known:
        raise Unprocessable("Een gekozen moment hoort niet bij deze uitnodiging.")
    async with deps.sessions() as session, session.begin():
        row = await session.get(PlanningGuestRow, guest.id)
        assert row is not None
        row.suits, row.answered_at = chosen, deps.now()
        await record(
            session,
            AuditEntry(
                actor=guest.address,
                action="planning.guest_answer",
                outcome="success",
                mailbox=request.organiser,
                item_id=request.id,
                details={"suits": len(chosen), "options": len(known)},
            ),
        )
        fresh = await session.get(PlanningGuestRow, guest.id)
        assert fresh is not None
        view = _view(fresh, request, deps.now())
    deps.publish("planning", request.organiser, request=request.id)
    return view
