"""Who am I: the signed-in user, her role and whom she serves today."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from pydantic import BaseModel

from automations.roster.policy import serving_today
from server.deps import CurrentUser, RosterDep, Today

router = APIRouter(prefix="/api/v1", tags=["me"])


class Serving(BaseModel):
    executive: str
    display_name: str
    office: str  # "front" | "back"


class Me(BaseModel):
    id: str
    upn: str
    display_name: str | None
    role: str | None  # None: signed in, but not on the secretariat's roster
    today: dt.date
    serves_today: list[Serving]


@router.get("/me", operation_id="get_me", response_model=Me)
async def get_me(user: CurrentUser, roster: RosterDep, today: Today) -> Me:
    """The signed-in user from her token, with her role and today's front/back office."""
    role = roster.role(user.upn)
    serving = []
    if role == "secretary":
        serving = [
            Serving(
                executive=s["executive"],
                display_name=roster.names.get(s["executive"], s["executive"]),
                office=s["office"],
            )
            for s in serving_today(roster, user.upn, today)
        ]
    return Me(
        id=user.oid,
        upn=user.upn,
        display_name=user.name or roster.names.get(user.upn),
        role=role,
        today=today,
        serves_today=serving,
    )
