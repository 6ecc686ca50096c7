"""What the calamity clear shows and reports: items, the report, the default messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from babel.dates import format_date

from automations.calamity.classify import ClearSettings
from automations.dates import AMSTERDAM, next_working_day
from automations.errors import Unprocessable
from automations.graph.sending import notice_note

__all__ = [
    "CANCEL_MESSAGE",
    "CUSTOM",
    "DECLINE_MESSAGE",
    "MAX_WINDOW",
    "STATUS_LABELS",
    "WINDOWS",
    "ClearGroup",
    "ClearItem",
    "ClearReport",
    "ClearSettings",
    "InvalidWindow",
    "by_day",
    "group_of",
    "checked_window",
    "counts_of",
    "custom_window",
    "day_label",
    "notices_of",
    "outcome_of",
    "window_for",
]

# The quick choices, computed from the clock (``window_for``); the order is the pane's. The
# first three names are the original windows, kept for the API and the CLI.
WINDOWS = {
    "vanmiddag": "Vanmiddag",
    "vandaag": "Rest van vandaag",
    "morgenochtend": "Morgenochtend",
    "morgen": "Vandaag en morgen",
    "week": "Deze week",
}
CUSTOM = "eigen"  # an explicit from–to
MAX_WINDOW = dt.timedelta(days=14)
WORKDAY = (dt.time(8), dt.time(12), dt.time(17))  # start, noon, end of a working day
LOCALE = "nl_NL"


class InvalidWindow(Unprocessable):
    """A period that cannot be cleared (backwards, too long, or an afternoon already over)."""

    code = "invalid_window"


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, AMSTERDAM)


def window_for(choice: str, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """A quick choice as a period in Dutch time, from ``now`` (to the minute).

    ``vandaag``, ``morgen`` and ``week`` run until midnight after today, tomorrow or Sunday
    (midnight on the calendar, so a day with a clock change is 23 or 25 hours); ``vanmiddag``
    from noon (or now, if later) to the end of the working day; ``morgenochtend`` the next
    working day's morning."""
    now = now.astimezone(AMSTERDAM).replace(second=0, microsecond=0)
    today = now.date()
    start_of_day, noon, end_of_day = WORKDAY
    if choice == "vanmiddag":
        if now >= _at(today, end_of_day):
            raise InvalidWindow(
                "De middag is al voorbij: kies ‘Rest van vandaag’ of een eigen periode."
            )
        return max(now, _at(today, noon)), _at(today, end_of_day)
    if choice == "morgenochtend":
        day = next_working_day(today)
        return _at(day, start_of_day), _at(day, noon)
    days = {"vandaag": 0, "morgen": 1, "week": 6 - now.weekday()}.get(choice)
    if days is None:
        raise InvalidWindow(f"Onbekende periode {choice!r}: kies {', '.join(WINDOWS)}.")
    return now, _at(today + dt.timedelta(days=days + 1), dt.time())


def checked_window(start: dt.datetime, end: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """A from–to that can be cleared: with a time zone, forwards, at most fourteen days."""
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidWindow(
            "Geef begin en einde met tijdzone (bijvoorbeeld 2026-11-24T14:00+01:00)."
        )
    if end <= start:
        raise InvalidWindow("Kies een einde na het begin van de periode.")
    if end - start > MAX_WINDOW:
        raise InvalidWindow("Kies een periode van hoogstens 14 dagen.")
    return start, end


def custom_window(
    start: dt.datetime | None, end: dt.datetime | None
) -> tuple[dt.datetime, dt.datetime]:
    """An explicit from–to; a time without zone (the pane's fields) is Dutch time."""
    if start is None or end is None:
        raise InvalidWindow("Vul het begin en het einde van de periode in.")
    local = [m if m.tzinfo is not None else m.replace(tzinfo=AMSTERDAM) for m in (start, end)]
    return checked_window(local[0], local[1])


def day_label(day: dt.date | str) -> str:
    """``dinsdag 24 november``: a day of the report (an ISO date or date-time string)."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    return format_date(day, "EEEE d MMMM", locale=LOCALE)


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
# What happened to an item, in the words of the report: once done, by its action.
DONE_LABELS = {"cancel": "geannuleerd", "decline": "afgemeld", "remove": "verwijderd"}
PLANNED_LABELS = {
    "cancel": "wordt geannuleerd",
    "decline": "wordt afgemeld",
    "remove": "wordt verwijderd",
    "keep": "blijft staan",
}


def outcome_of(action: str, status: str) -> str:
    """The item's outcome in Dutch: geannuleerd, afgemeld, verwijderd, blijft staan, …"""
    if status == "done":
        return DONE_LABELS.get(action, STATUS_LABELS["done"])
    if status == "planned":
        return PLANNED_LABELS.get(action, STATUS_LABELS["planned"])
    return STATUS_LABELS.get(status, status)


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
    all_day: bool = False  # shown as "hele dag", never 00:00
    outcome: str = ""  # Dutch, from action and status (``outcome_of``)

    def __post_init__(self) -> None:
        if not self.outcome:
            object.__setattr__(self, "outcome", outcome_of(self.action, self.status))

    @property
    def day(self) -> str:
        """The ISO date it starts on (the report groups by it)."""
        return self.start[:10]


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


def by_day(items: Sequence[ClearItem]) -> list[tuple[str, list[ClearItem]]]:
    """The items per day they start on, in agenda order, with the day's Dutch name."""
    days: dict[str, list[ClearItem]] = {}
    for item in sorted(items, key=lambda i: (i.start, not i.all_day, i.subject)):
        days.setdefault(item.day, []).append(item)
    return [(day_label(day), found) for day, found in days.items()]


@dataclass(frozen=True)
class ClearGroup:
    """A clear of several executives at once (a secretary's two): one journaled clear per
    executive, each under an id derived from the group's, so running the group again finishes
    each of them and an interrupted one is resumed on its own agenda too."""

    operation_id: str
    start: str
    end: str
    status: str  # the least finished of its clears: preview | running | interrupted | failed | done
    reports: list[ClearReport]
    notices: int = 0  # of all its clears
    # Exchange's limit is per mailbox, so the clear with the most notices sets the pace.
    notice_note: str = ""


GROUP_ORDER = ("preview", "interrupted", "failed", "running", "done")


def group_of(operation_id: str, reports: Sequence[ClearReport]) -> ClearGroup:
    """The group as a whole: its window, the least finished status, its notices."""
    status = min((r.status for r in reports), key=GROUP_ORDER.index, default="done")
    busiest = max((r.notices for r in reports), default=0)
    return ClearGroup(
        operation_id=operation_id,
        start=reports[0].start if reports else "",
        end=reports[0].end if reports else "",
        status=status,
        reports=list(reports),
        notices=sum(r.notices for r in reports),
        notice_note=notice_note(busiest) if busiest else "",
    )
