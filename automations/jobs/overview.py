"""The daily overview (dagoverzicht): each evening a readable mail to each executive and her
front office with tomorrow's agenda, the drafts waiting for her, and what changed."""

from __future__ import annotations

from pathlib import Path

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import select

from automations.dates import from_graph, next_working_day
from automations.jobs.mirror import refresh
from automations.jobs.registry import JobContext, MailboxResult, job
from automations.mailboxes.tagged import send_tagged_mail
from automations.plural import counted
from automations.store.models import ApprovalRow, CalendarMirrorRow, JobRunRow

__all__ = ["daily_overview"]

ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
)
ENV.filters["datum"] = lambda d: format_date(d, "EEEE d MMMM y", locale="nl")
ENV.filters["counted"] = counted


@job(
    "daily-overview",
    "Dagoverzicht: de agenda van morgen, wachtende concepten en wijzigingen, per mail",
    "0 18 * * 1-5",
)
async def daily_overview(ctx: JobContext, mailbox: str, result: MailboxResult) -> None:
    mirror = await refresh(ctx.graph, ctx.sessions, mailbox, ctx.today)
    result.count("requests", mirror.requests)
    day = next_working_day(ctx.today)
    on_day = (e for e in mirror.events
              if not e.get("isCancelled") and from_graph(e["start"]).date() == day)  # fmt: skip
    events = sorted(
        on_day,
        key=lambda e: (not e.get("isAllDay"), from_graph(e["start"])),
    )
    async with ctx.sessions() as session:
        waiting = (ApprovalRow.mailbox == mailbox, ApprovalRow.status == "waiting")
        approvals = list(await session.scalars(select(ApprovalRow).where(*waiting)))
        last = await session.scalar(
            select(JobRunRow.started_at)
            .where(JobRunRow.job == "daily-overview", JobRunRow.dry_run.is_(False),
                   JobRunRow.status.in_(("done", "partial")))
            .order_by(JobRunRow.started_at.desc()).limit(1)
        )  # fmt: skip
        changed = []
        if last is not None:
            since = (CalendarMirrorRow.mailbox == mailbox, CalendarMirrorRow.updated_at > last)
            rows = await session.scalars(select(CalendarMirrorRow).where(*since))
            changed = [r.data for r in rows]
    front = ctx.roster.front_office_on(mailbox, day)
    html = ENV.get_template("dagoverzicht.html").render(
        name=ctx.roster.names.get(mailbox, mailbox),
        day=day,
        front=ctx.roster.names.get(front, front) if front else None,
        events=[
            {"subject": e.get("subject") or "(geen onderwerp)",
             "start": f"{from_graph(e['start']):%H:%M}", "end": f"{from_graph(e['end']):%H:%M}",
             "all_day": bool(e.get("isAllDay")),
             "location": (e.get("location") or {}).get("displayName") or ""}
            for e in events
        ],
        approvals=approvals,
        changes=[f"{c.get('subject') or '(geen onderwerp)'} ({from_graph(c['start']):%d-%m %H:%M})"
                 for c in changed][:30],
        base_url=ctx.settings.base_url,
    )  # fmt: skip
    result.actions.append(
        f"dagoverzicht {day:%d-%m-%Y}: {counted(len(events), 'afspraak', 'afspraken')},"
        f" {counted(len(approvals), 'concept', 'concepten')},"
        f" {counted(len(changed), 'wijziging', 'wijzigingen')}"
    )
    result.count("events", len(events))
    if ctx.dry_run:
        return
    to = [mailbox, *([front] if front else [])]
    subject = f"Dagoverzicht {format_date(day, 'EEEE d MMMM', locale='nl')}"
    await send_tagged_mail(ctx.graph, mailbox, to, subject, html, f"daily-overview/{mailbox}/{day}")
    result.count("sent")
