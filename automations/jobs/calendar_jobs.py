"""The calendar jobs. Each reads the mailbox's window through the delta mirror, so a run over
an unchanged calendar costs one request per mailbox, whatever the calendar's size."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from markupsafe import escape
from sqlalchemy import select

from automations.dates import AMSTERDAM, from_graph
from automations.graph import calendar
from automations.holds import PLACED_BY, hold_until
from automations.jobs.mirror import forget, refresh
from automations.jobs.registry import JobContext, MailboxResult, job
from automations.mailboxes.tagged import send_tagged_mail
from automations.replies.service import remind_waiting
from automations.store import clock_of
from automations.store.models import JobFindingRow

__all__ = [
    "approval_reminders",
    "cancelled_leftovers",
    "conflicts",
    "expired_holds",
    "find_conflicts",
    "hold_until",
]


def _when(event: dict[str, Any]) -> str:
    start: dict[str, str] = event.get("start") or {}  # a dateTimeTimeZone
    return start.get("dateTime", "")[:16].replace("T", " ")


@job(
    "cancelled-leftovers",
    "Vergaderingen die de organisator heeft geannuleerd maar nog in de agenda staan, verwijderen",
    "*/30 7-19 * * 1-5",
)
async def cancelled_leftovers(ctx: JobContext, mailbox: str, result: MailboxResult) -> None:
    mirror = await refresh(ctx.graph, ctx.sessions, mailbox, ctx.today)
    result.count("requests", mirror.requests)
    result.count("changed", len(mirror.changed) if not mirror.full else 0)
    if mirror.full:
        result.count("full_reads")
    leftovers = [e for e in mirror.events if e.get("isCancelled") and not e.get("isOrganizer")]
    for event in leftovers:
        subject = event.get("subject") or "(geen onderwerp)"
        result.actions.append(f"verwijderen: {subject}, {_when(event)}")
    if ctx.dry_run or not leftovers:
        result.count("found", len(leftovers))
        return
    gone = await calendar.delete_events(ctx.graph, mailbox, [e["id"] for e in leftovers])
    result.count("removed", len(gone))
    await forget(ctx.sessions, mailbox, gone)


# --- expired holds ---------------------------------------------------------------------------
# What a hold is (and who placed it) is ``automations.holds``': one definition for the product.


@job(
    "expired-holds",
    "Opties waarvan de datum voorbij is vrijgeven en wie de optie plaatste laten weten",
    "0 7 * * *",
)
async def expired_holds(ctx: JobContext, mailbox: str, result: MailboxResult) -> None:
    mirror = await refresh(ctx.graph, ctx.sessions, mailbox, ctx.today)
    result.count("requests", mirror.requests)
    expired = [
        e for e in mirror.events
        if e.get("isOrganizer") and (until := hold_until(e)) is not None and until < ctx.today
    ]  # fmt: skip
    for e in expired:
        result.actions.append(f"vrijgeven: {e.get('subject')}, {_when(e)}")
    result.count("expired", len(expired))
    if ctx.dry_run or not expired:
        return
    # Whoever placed a hold is told before it goes (once per hold, by its tag): a run cut off
    # between the two finds the hold again next time, knows she was told, and releases it.
    # The other way round, a cut-off run would leave a released hold nobody was told about.
    for event in expired:
        placed = PLACED_BY.search((event.get("bodyPreview") or "") + " " + _body(event))
        if placed:
            html = (
                f"<p>De optie <b>{escape(event.get('subject') or '')}</b> ({_when(event)}) in de"
                " agenda van de bestuurder is verlopen en vrijgegeven.</p>"
            )
            await send_tagged_mail(ctx.graph, mailbox, [placed.group(1)], "Optie vrijgegeven",
                                   html, f"hold-released/{event['id']}")  # fmt: skip
            result.count("told")
    released = await calendar.delete_events(ctx.graph, mailbox, [e["id"] for e in expired])
    result.count("released", len(released))
    await forget(ctx.sessions, mailbox, released)


def _body(event: dict[str, Any]) -> str:
    return ((event.get("body") or {}).get("content") or "")[:4000]


# --- conflicts -------------------------------------------------------------------------------
BLOCKING = ("busy", "oof", "tentative", "workingElsewhere")


def _span(event: dict[str, Any]) -> tuple[dt.datetime, dt.datetime]:
    return from_graph(event["start"]), from_graph(event["end"])


def find_conflicts(
    events: list[dict[str, Any]], today: dt.date, days: int, travel: dt.timedelta
) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Double bookings, and back-to-back meetings at different places without travel time."""
    start = dt.datetime.combine(today, dt.time(), AMSTERDAM)
    end = start + dt.timedelta(days=days)
    timed = sorted(
        (e for e in events
         if not e.get("isAllDay") and not e.get("isCancelled")
         and e.get("showAs", "busy") in BLOCKING and start <= _span(e)[0] < end),
        key=lambda e: _span(e)[0],
    )  # fmt: skip
    found = []
    for i, a in enumerate(timed):
        a_start, a_end = _span(a)
        for b in timed[i + 1 :]:
            b_start, b_end = _span(b)
            if b_start >= a_end + travel:
                break
            if b_start < a_end:
                found.append(("double", a, b))
                continue
            here = ((a.get("location") or {}).get("displayName") or "").strip()
            there = ((b.get("location") or {}).get("displayName") or "").strip()
            online = a.get("isOnlineMeeting") or b.get("isOnlineMeeting")
            if here and there and here.casefold() != there.casefold() and not online:
                found.append(("travel", a, b))
    return found


@job(
    "conflicts",
    "Dubbele boekingen en vergaderingen zonder reistijd in de komende weken naar de werkvoorraad",
    "15 7,12 * * 1-5",
)
async def conflicts(ctx: JobContext, mailbox: str, result: MailboxResult) -> None:
    mirror = await refresh(ctx.graph, ctx.sessions, mailbox, ctx.today)
    result.count("requests", mirror.requests)
    travel = dt.timedelta(minutes=ctx.settings.travel_minutes)
    found = find_conflicts(mirror.events, ctx.today, ctx.settings.conflict_days, travel)
    owner = ctx.roster.front_office_on(mailbox, ctx.today)
    keys = set()
    for kind, a, b in found:
        key = f"{mailbox}:{kind}:{a['id']}:{b['id']}"
        keys.add(key)
        what = "dubbel geboekt" if kind == "double" else "geen reistijd"
        summary = f"{what}: {a.get('subject')} ({_when(a)}) en {b.get('subject')} ({_when(b)})"
        result.actions.append(summary)
        if not ctx.dry_run:
            await record_finding(ctx, "conflicts", key, mailbox, kind, summary[:400], owner,
                                 {"events": [a["id"], b["id"]]})  # fmt: skip
    result.count("conflicts", len(found))
    if not ctx.dry_run:
        result.count("resolved", await close_findings(ctx, "conflicts", mailbox, keys))


async def record_finding(
    ctx: JobContext, job_name: str, key: str, mailbox: str, kind: str, summary: str,
    owner: str | None, details: dict[str, Any],
) -> None:  # fmt: skip
    async with ctx.sessions() as session, session.begin():
        row = await session.scalar(
            select(JobFindingRow).where(JobFindingRow.job == job_name, JobFindingRow.key == key)
        )
        if row is None:
            session.add(JobFindingRow(
                id=str(uuid.uuid4()), job=job_name, key=key, mailbox=mailbox, kind=kind,
                summary=summary, details=details, owner=owner, status="open",
            ))  # fmt: skip
        elif row.status == "closed":  # it holds again; "dismissed" (set aside by hand) stays
            row.status, row.closed_at, row.owner = "open", None, owner


async def close_findings(ctx: JobContext, job_name: str, mailbox: str, current: set[str]) -> int:
    """Findings that no longer hold (moved, cancelled) close by themselves."""
    async with ctx.sessions() as session, session.begin():
        rows = list(await session.scalars(select(JobFindingRow).where(
            JobFindingRow.job == job_name, JobFindingRow.mailbox == mailbox,
            JobFindingRow.status == "open",
        )))  # fmt: skip
        stale = [r for r in rows if r.key not in current]
        for r in stale:
            r.status, r.closed_at = "closed", clock_of(session).now()
    return len(stale)


# --- approval reminders ----------------------------------------------------------------------
@job(
    "approval-reminders",
    "Concepten die te lang op een besluit wachten: de bestuurder eenmaal per periode herinneren",
    "0 9,14 * * 1-5",
)
async def approval_reminders(ctx: JobContext, mailbox: str, result: MailboxResult) -> None:
    reminded = await remind_waiting(
        ctx.graph, ctx.sessions, mailbox=mailbox, sender=mailbox,
        after=dt.timedelta(hours=ctx.settings.approval_reminder_hours), now=ctx.now,
        link_base=ctx.settings.base_url, dry_run=ctx.dry_run,
    )  # fmt: skip
    for view in reminded:
        result.actions.append(f"herinneren: {view.subject}")
    result.count("reminded", len(reminded))
