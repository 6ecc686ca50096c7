"""Making a planning request: checked whole (who may, the executives, the weeks, the people,
internal ones found in the directory) before anything is stored."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from automations.audit import AuditEntry, record
from automations.context import Actor, Deps
from automations.errors import Unprocessable
from automations.graph import GraphSession, users
from automations.planning import service
from automations.planning.access import staff_for
from automations.planning.models import Conditions, Participant, PlanningRequest

__all__ = ["DEFAULT_CONDITIONS", "EVENT", "MAX_PARTICIPANTS", "MAX_SPAN", "create_request"]

DEFAULT_CONDITIONS = Conditions()  # weekdays 09:00-17:00
EVENT = "planning"  # the queue's event when a request changes (a guest answered, booked)
MAX_PARTICIPANTS = 30
MAX_SPAN = dt.timedelta(weeks=8)  # getSchedule reads at most 62 days (DST hour included)
# An address as it may go into a Graph path and a mail header: no spaces, slashes, query or
# fragment marks, quotes of a header.
_ADDRESS = re.compile(r"^[^@\s<>/?#\\\"]+@[^@\s<>/?#\\\"']+\.[^@\s<>/?#\\\"']+$")


async def _names_from_directory(graph: GraphSession, addresses: Sequence[str]) -> dict[str, str]:
    """Each internal attendee's name, and a clear refusal for an address not in the tenant."""
    found = await users.find_users(graph, addresses, select=["displayName"])
    names = {}
    for address, user in found.items():
        if user is None:
            raise Unprocessable(f"{address} staat niet in de adreslijst van de gemeente; "
                                "nodig hem of haar uit als externe deelnemer.")  # fmt: skip
        names[address] = str(user.get("displayName") or address)
    return names


async def create_request(
    deps: Deps,
    graph: GraphSession,
    actor: Actor,
    *,
    title: str,
    executives: Sequence[str],
    organiser: str | None = None,
    internal: Sequence[tuple[str, bool]] = (),
    external: Sequence[tuple[str, str]] = (),
    duration_minutes: int,
    window_start: dt.date,
    window_end: dt.date,
    conditions: Conditions = DEFAULT_CONDITIONS,
    online: bool = False,
    location: str = "",
    decide_by: dt.date | None = None,
) -> PlanningRequest:
    """A new planning request, checked whole before anything is stored."""
    executives = list(dict.fromkeys(e.lower() for e in executives))
    if not executives:
        raise Unprocessable("Kies minstens één bestuurder.")
    organiser = (organiser or executives[0]).lower()
    if organiser not in executives:
        raise Unprocessable("De organisator is een van de bestuurders van het overleg.")
    staff_for(actor, executives)
    title = title.strip()
    if not title:
        raise Unprocessable("Geef het overleg een titel.")
    if not 15 <= duration_minutes <= 8 * 60 or duration_minutes % 15:
        raise Unprocessable("De duur is een veelvoud van 15 minuten, tussen 15 minuten en 8 uur.")
    today = deps.today()
    if window_start < today or window_end < window_start:
        raise Unprocessable("Kies een periode vanaf vandaag, met het einde na het begin.")
    if window_end - window_start >= MAX_SPAN:
        raise Unprocessable("Kies een periode van hooguit acht weken.")
    if decide_by is not None and not today <= decide_by <= window_end:
        raise Unprocessable("De beslisdatum ligt tussen vandaag en het einde van de periode.")
    inside = [(a.lower(), required) for a, required in internal if a.lower() not in executives]
    outside = [(a.strip().lower(), n.strip()) for a, n in external]
    for address, _ in [*inside, *outside]:
        if not _ADDRESS.match(address):
            raise Unprocessable(f"{address or '(leeg)'} is geen geldig e-mailadres.")
    everyone = [*executives, *(a for a, _ in inside), *(a for a, _ in outside)]
    if len(everyone) != len(set(everyone)):
        raise Unprocessable("Iemand staat twee keer bij de deelnemers.")
    if len(everyone) > MAX_PARTICIPANTS:
        raise Unprocessable(f"Hooguit {MAX_PARTICIPANTS} deelnemers.")
    names = await _names_from_directory(graph, [a for a, _ in inside])
    people = [
        *(Participant(e, actor.roster.names.get(e, e), "executive") for e in executives),
        *(Participant(a, names[a], "internal", required) for a, required in inside),
        *(Participant(a, n or a, "external") for a, n in outside),
    ]
    async with deps.sessions() as session, session.begin():
        request_id = service.create(
            session,
            title=title[:200],
            organiser=organiser,
            participants=people,
            duration=dt.timedelta(minutes=duration_minutes),
            window=(window_start, window_end),
            conditions=conditions,
            online=online,
            location=location.strip()[:200],
            created_by=actor.upn,
            now=deps.now(),
            decide_by=decide_by,
        )
        await record(
            session,
            AuditEntry(
                actor=actor.upn,
                action="planning.create",
                outcome="success",
                mailbox=organiser,
                item_id=request_id,
                details={"title": title[:200], "participants": len(people)},
            ),
        )
        found = await service.load(session, request_id)
    deps.publish(EVENT, organiser, request=request_id)
    return found
