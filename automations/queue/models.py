"""What the work queue's callers see of a claim: who holds which piece of work since when,
and the conflict a second colleague gets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from automations.dates import AMSTERDAM
from automations.errors import Conflict

__all__ = ["Claim", "ClaimHeld", "message_key"]


@dataclass(frozen=True)
class Claim:
    key: str
    mailbox: str
    claimed_by: str
    since: dt.datetime
    expires_at: dt.datetime


class ClaimHeld(Conflict):
    code = "claimed"

    def __init__(self, held: Claim, name: str) -> None:
        local = held.since.astimezone(AMSTERDAM)
        super().__init__(f"{name} is hiermee bezig (sinds {local:%H:%M}).")
        self.held = held


def message_key(message_id: str) -> str:
    return f"message:{message_id}"
