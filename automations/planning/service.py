"""Planning requests in the store: made, read back as ``PlanningRequest``, their options and
their guests (with the guest links' tokens: made here, kept only as a hash).

A guest link's token is 32 random bytes (``secrets.token_urlsafe``): unguessable, so the link
is the key. The store keeps its SHA-256; a lookup hashes what was presented. A link works only
for its own request and guest, until it expires or the request is booked or withdrawn."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from automations.errors import NotFound
from automations.planning.models import (
    Conditions,
    GuestAnswer,
    Option,
    Participant,
    PlanningRequest,
)
from automations.store.models import PlanningGuestRow, PlanningOptionRow, PlanningRequestRow

__all__ = [
    "add_guest_token",
    "conditions_json",
    "create",
    "guest_by_token",
    "load",
    "new_token",
    "request_of",
    "token_hash",
]


def conditions_json(c: Conditions) -> dict[str, Any]:
    return {
        "weekdays": sorted(c.weekdays),
        "day_start": c.day_start.isoformat("minutes"),
        "day_end": c.day_end.isoformat("minutes"),
        "not_on": sorted(c.not_on),
        "mornings_only": c.mornings_only,
        "travel_minutes": int(c.travel.total_seconds() // 60),
    }


def _conditions(data: Mapping[str, Any]) -> Conditions:
    return Conditions(
        weekdays=frozenset(data.get("weekdays", range(5))),
        day_start=dt.time.fromisoformat(data.get("day_start", "09:00")),
        day_end=dt.time.fromisoformat(data.get("day_end", "17:00")),
        not_on=frozenset(data.get("not_on", ())),
        mornings_only=bool(data.get("mornings_only", False)),
        travel=dt.timedelta(minutes=int(data.get("travel_minutes", 0))),
    )


def _participant(data: Mapping[str, Any]) -> Participant:
    return Participant(
        data["address"], data.get("name") or "", data["kind"], bool(data.get("required", True))
    )


def request_of(
    row: PlanningRequestRow,
    options: Iterable[PlanningOptionRow] = (),
    guests: Iterable[PlanningGuestRow] = (),
) -> PlanningRequest:
    booked = next((o for o in options if o.id == row.booked_option_id), None)
    return PlanningRequest(
        id=row.id,
        title=row.title,
        organiser=row.organiser,
        participants=tuple(_participant(p) for p in row.participants),
        duration=dt.timedelta(minutes=row.duration_minutes),
        window_start=row.window_start,
        window_end=row.window_end,
        conditions=_conditions(row.conditions),
        online=row.online,
        location=row.location,
        status=row.status,  # type: ignore[arg-type]
        created_by=row.created_by,
        created_at=row.created_at,
        decide_by=row.decide_by,
        options=tuple(
            Option(o.id, o.start, o.end, o.room, dict(o.holds or {}))
            for o in sorted(options, key=lambda o: o.start)
        ),
        answers=tuple(
            GuestAnswer(g.address, g.name, g.answered_at, frozenset(g.suits or ()))
            for g in sorted(guests, key=lambda g: g.address)
        ),
        booked_start=booked.start if booked else None,
        booked_event_id=row.booked_event_id,
        backlog_id=row.backlog_id,
    )


async def load(session: AsyncSession, request_id: str) -> PlanningRequest:
    row = await session.get(PlanningRequestRow, request_id)
    if row is None:
        raise NotFound("Dit planningsverzoek bestaat niet.")
    options = (
        await session.scalars(
            select(PlanningOptionRow).where(PlanningOptionRow.request_id == request_id)
        )
    ).all()
    guests = (
        await session.scalars(
            select(PlanningGuestRow).where(PlanningGuestRow.request_id == request_id)
        )
    ).all()
    return request_of(row, options, guests)


def create(
    session: AsyncSession,
    *,
    title: str,
    organiser: str,
    participants: Sequence[Participant],
    duration: dt.timedelta,
    window: tuple[dt.date, dt.date],
    conditions: Conditions,
    online: bool,
    location: str,
    created_by: str,
    now: dt.datetime,
    decide_by: dt.date | None,
) -> str:
    request_id = str(uuid.uuid4())
    session.add(
        PlanningRequestRow(
            id=request_id,
            title=title,
            organiser=organiser,
            participants=[
                {"address": p.address, "name": p.name, "kind": p.kind, "required": p.required}
                for p in participants
            ],
            duration_minutes=int(duration.total_seconds() // 60),
            window_start=window[0],
            window_end=window[1],
            conditions=conditions_json(conditions),
            online=online,
            location=location,
            status="open",
            created_by=created_by,
            created_at=now,
            decide_by=decide_by,
        )
    )
    return request_id


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_guest_token(
    session: AsyncSession,
    *,
    request_id: str,
    address: str,
    name: str,
    token: str,
    expires_at: dt.datetime,
) -> str:
    guest_id = str(uuid.uuid4())
    session.add(
        PlanningGuestRow(
            id=guest_id,
            request_id=request_id,
            address=address,
            name=name,
            token_hash=token_hash(token),
            expires_at=expires_at,
            suits=[],
        )
    )
    return guest_id


async def guest_by_token(session: AsyncSession, token: str) -> PlanningGuestRow | None:
    if not token or len(token) > 200:
        return None
    return await session.scalar(
        select(PlanningGuestRow).where(PlanningGuestRow.token_hash == token_hash(token))
    )
