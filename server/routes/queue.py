"""The work queue (werkvoorraad): everything open for the executives I work for."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from automations.queue.service import back_office_on, build_queue, counts_of
from automations.roster.policy import Action, authorize, may
from server.deps import CurrentUser, Now, RosterDep, SessionDep, Today

router = APIRouter(prefix="/api/v1/queue", tags=["queue"])


@router.get("", operation_id="get_queue")
async def queue(
    user: CurrentUser,
    roster: RosterDep,
    session: SessionDep,
    today: Today,
    now: Now,
    executive: Annotated[str | None, Query(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")] = None,
    mine: bool = False,
    office: Literal["front", "back", "executive"] | None = None,
    overdue: bool = False,
    kind: Annotated[str | None, Query(max_length=20)] = None,
) -> dict[str, Any]:
    """Open items with age, owner and the action that closes them; filters narrow it down,
    the counts are of what is shown."""
    if executive:
        authorize(roster, user.upn, Action.ACT_ON_MAILBOX, executive)
        mailboxes = [executive]
    else:
        executives = [u for u, role in roster.roles.items() if role == "executive"]
        mailboxes = [m for m in executives if may(roster, user.upn, Action.ACT_ON_MAILBOX, m)]
    items = await build_queue(
        session, roster=roster, mailboxes=mailboxes, today=today, now=now.astimezone(dt.UTC)
    )
    if mine:
        items = [i for i in items if i.owner == user.upn]
    if office:
        items = [i for i in items if i.office == office]
    if overdue:
        items = [i for i in items if i.overdue]
    if kind:
        items = [i for i in items if i.kind == kind]
    team = [
        {
            "executive": m,
            "name": roster.names.get(m, m),
            "front_today": roster.front_office_on(m, today),
            "front_tomorrow": roster.front_office_on(m, today + dt.timedelta(days=1)),
            "back_today": back_office_on(roster, m, today),
        }
        for m in sorted(mailboxes)
    ]
    return {"items": [asdict(i) for i in items], "counts": counts_of(items), "team": team}
