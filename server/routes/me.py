"""Who am I: the signed-in user as the backend sees her."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from server.deps import CurrentUser

router = APIRouter(prefix="/api/v1", tags=["me"])


class Me(BaseModel):
    id: str
    upn: str
    display_name: str | None


@router.get("/me", operation_id="get_me", response_model=Me)
async def get_me(user: CurrentUser) -> Me:
    """The signed-in user from her validated token."""
    return Me(id=user.oid, upn=user.upn, display_name=user.name)
