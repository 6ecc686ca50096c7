"""What the calamity clear shows and reports: items, the report, the default messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from automations.calamity.classify import ClearSettings
from automations.dates import AMSTERDAM
from automations.graph.sending import notice_note

__all__ = [
    "WINDOWS",
    "CANCEL_MESSAGE",
    "DECLINE_MESSAGE",
    "STATUS_LABELS",
    "ClearItem",
    "ClearReport",
    "ClearSettings",
    "counts_of",
    "notices_of",
    "window_for",
]

# The windows the pane offers in a calamity: from now to the end of today, of tomorrow, of Sunday.
WINDOWS = {
    "vandaag": "Rest van vandaag",
    "morgen": "Vandaag en morgen",
    "week": "Deze week",
}


def window_for(choice: str, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """From now (to the minute) until midnight after today, tomorrow or Sunday, in Dutch time;
    midnight is taken on the calendar, so a day with a clock change is 23 or 25 hours."""
    now = now.astimezone(AMSTERDAM).replace(second=0, microsecond=0)
    days = {"vandaag": 0, "morgen": 1, "week": 6 - now.weekday()}[choice]
    end = dt.datetime.combine(now.date() + dt.timedelta(days=days + 1), dt.time(), AMSTERDAM)
    return now, end


CANCEL_MESSAGE = (
    "Wegens onvoorziene omstandigheden gaat deze afspraak helaas niet door. Wij nemen zo snel"
    " mogelijk contact met u op om een nieuw moment te plannen."
)
DECLINE_MESSAGE = (
    "Wegens onvoorziene omstandigheden kan ik helaas niet aanwezig zijn. Mijn secretariaat"
    " neemt contact met u op als een nieuw moment nodig is."
)
STATUS_LABELS = {
    "planned": "wacht",
    "done": "gedaan",
    "gone": "was al weg",
    "failed": "mislukt",
    "kept": "blijft staan",
}


@dataclass(frozen=True)
class ClearItem:
    id: str
    subject: str
    start: str  # local time in the Netherlands, ISO
    end: str
    action: str  # cancel | decline | remove | keep
    reason: str
    status: str = "planned"  # planned | done | gone | failed | kept
    detail: str = ""
    organizer: str = ""
    series: bool = False
    toggled: bool = False


@dataclass(frozen=True)
class ClearReport:
    operation_id: str
    mailbox: str
    start: str
    end: str
    status: str  # preview | running | interrupted (its worker died) | done | failed
    items: list[ClearItem]
    cancel_message: str = CANCEL_MESSAGE
    decline_message: str = DECLINE_MESSAGE
    counts: dict[str, int] = field(default_factory=dict)
    # Each cancellation and decline is a message from her mailbox; Exchange sends 30 a minute
    # and holds the rest in her Outbox (automations.graph.sending). The calendar work is done
    # when the items are; the notices may follow for minutes, and she is told so.
    notices: int = 0  # notices the clear sends (preview: will send)
    notice_note: str = ""  # Dutch, when they take minutes to go out; else empty
    last_notice_at: str = ""  # ISO: when the last one leaves her Outbox (estimate), once done

    def __post_init__(self) -> None:
        if not self.notice_note and self.notices:
            object.__setattr__(self, "notice_note", notice_note(self.notices))


NOTICE_ACTIONS = ("cancel", "decline")  # remove (her own appointment) tells nobody


def notices_of(items: Sequence[ClearItem]) -> int:
    """The notices a clear sends: its cancellations and declines still to do or done."""
    return sum(1 for i in items if i.action in NOTICE_ACTIONS and i.status in ("planned", "done"))


def counts_of(items: Sequence[ClearItem]) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        out[item.action] = out.get(item.action, 0) + 1
        out[f"status_{item.status}"] = out.get(f"status_{item.status}", 0) + 1
    return out
