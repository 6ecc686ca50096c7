"""The handover (overdracht): what the next person needs at the end of a day or when the
front office changes per roster — per executive what is open, what changed today and what is
due on the next working day. Built from the store (queue, closed work, the audit log)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from automations.dates import AMSTERDAM, next_working_day
from automations.graph import GraphSession
from automations.mailboxes.tagged import send_tagged_mail
from automations.plural import counted, plural
from automations.queue.claims import Claim, current_claims
from automations.queue.service import KINDS, QueueItem, build_queue
from automations.roster.models import Roster, first_name
from automations.store.models import (
    ApprovalRow,
    AuditLogRow,
    DispatchRow,
    JobFindingRow,
    RescheduleRow,
)

__all__ = [
    "ExecutiveHandover",
    "Handover",
    "build_handover",
    "mail_handover",
    "render_mail",
    "with_unprocessed",
]

# What the audit log's actions mean to a colleague, counted per day (one, other). Others are
# not news.
ACTIVITY = {
    "quickstep.": ("actie met snelle stappen", "acties met snelle stappen"),
    "approval.request": ("concept ter goedkeuring aangeboden",
                         "concepten ter goedkeuring aangeboden"),
    "approval.approve": ("concept goedgekeurd en verzonden", "concepten goedgekeurd en verzonden"),
    "approval.reject": ("concept afgekeurd", "concepten afgekeurd"),
    "dispatch.remind": ("herinnering aan een afdeling", "herinneringen aan afdelingen"),
    "calamity.cancel": ("afspraak geannuleerd (agenda leeggemaakt)",
                        "afspraken geannuleerd (agenda leeggemaakt)"),
    "calamity.decline": ("uitnodiging afgeslagen (agenda leeggemaakt)",
                         "uitnodigingen afgeslagen (agenda leeggemaakt)"),
    "backlog.replan": ("afspraak opnieuw gepland", "afspraken opnieuw gepland"),
    "planning.book": ("overleg geboekt", "overleggen geboekt"),
    "meetings.push": ("stuk in een vergadermap gezet", "stukken in een vergadermap gezet"),
    "roster.take_over": ("keer frontoffice overgenomen", "keer frontoffice overgenomen"),
}  # fmt: skip
# The open work per kind, counted: "1 concept wacht op besluit", "2 concepten wachten …".
OPEN_COUNTED = {
    KINDS["approval"]: ("concept wacht op besluit", "concepten wachten op besluit"),
    KINDS["rejected"]: ("concept afgekeurd", "concepten afgekeurd"),
    KINDS["dispatch"]: ("uitgezet bij een afdeling", "uitgezet bij afdelingen"),
    KINDS["backlog"]: ("afspraak herplannen", "afspraken herplannen"),
    KINDS["documents"]: ("stuk ontbreekt", "stukken ontbreken"),
    KINDS["conflict"]: ("agendaconflict", "agendaconflicten"),
    KINDS["flagged"]: ("gemarkeerde mail", "gemarkeerde mails"),
    KINDS["planning"]: ("overleg in planning", "overleggen in planning"),
}
DONE = {
    "sent": "goedgekeurd en verzonden", "rejected": "afgekeurd", "deleted": "concept verwijderd",
    "sent_elsewhere": "zelf verzonden", "answered": "beantwoord", "planned": "opnieuw gepland",
    "dropped": "vervallen", "closed": "opgelost", "dismissed": "afgevinkt",
}  # fmt: skip
OPEN_SHOWN = 15  # per executive in the summary; the rest is counted

MAIL = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
)
MAIL.filters["datum"] = lambda d: format_date(d, "EEEE d MMMM", locale="nl")
MAIL.filters["counted"] = counted


@dataclass(frozen=True)
class ExecutiveHandover:
    executive: str
    name: str
    front_today: str | None
    front_next: str | None
    open_items: list[QueueItem]
    counts: dict[str, int]  # open items per kind label
    new_today: int
    due_next: list[QueueItem]  # due on the next working day, or overdue by then
    done_today: list[str]
    activity: list[tuple[str, int]]  # what was done, in the form for its count, and how often
    # Postverwerking's "nog niet verwerkt": subjects of today's mail nobody handled (None: not
    # read, the handover was built without Graph).
    unprocessed: tuple[str, ...] | None = None

    @property
    def open_counted(self) -> list[str]:
        """The open work per kind as Dutch says it: "1 concept afgekeurd", "2 stukken …"."""
        out = []
        for label, n in sorted(self.counts.items()):
            one, other = OPEN_COUNTED.get(label, (label.lower(), label.lower()))
            out.append(counted(n, one, other))
        return out

    @property
    def activity_counted(self) -> list[str]:
        """Today's activity as Dutch says it: "1 concept goedgekeurd en verzonden"."""
        return [f"{n} {what}" for what, n in self.activity]

    @property
    def switches(self) -> bool:
        """The front office changes: tomorrow someone else picks this up."""
        return self.front_next is not None and self.front_next != self.front_today


@dataclass(frozen=True)
class Handover:
    day: dt.date
    next_day: dt.date
    sections: list[ExecutiveHandover] = field(default_factory=list)
    # Who works on what right now, by claim key: the same holder Bericht and the queue show.
    held: dict[str, Claim] = field(default_factory=dict)

    def holder(self, item: QueueItem) -> str | None:
        claim = self.held.get(item.claim_key)
        return claim.claimed_by if claim is not None else None


def with_unprocessed(found: Handover, subjects: Mapping[str, Sequence[str]]) -> Handover:
    """The handover with each executive's mail nobody has handled yet (Postverwerking)."""
    sections = [
        replace(s, unprocessed=tuple(subjects[s.executive])) if s.executive in subjects else s
        for s in found.sections
    ]
    return replace(found, sections=sections)


async def _done_today(
    session: AsyncSession, boxes: list[str], start: dt.datetime
) -> dict[str, list[str]]:
    done: dict[str, list[str]] = {b: [] for b in boxes}
    queries = (
        (ApprovalRow.mailbox, ApprovalRow.subject, ApprovalRow.status, ApprovalRow.decided_at),
        (DispatchRow.mailbox, DispatchRow.subject, DispatchRow.status, DispatchRow.answered_at),
        (RescheduleRow.mailbox, RescheduleRow.subject, RescheduleRow.status,
         RescheduleRow.closed_at),
        (JobFindingRow.mailbox, JobFindingRow.summary, JobFindingRow.status,
         JobFindingRow.closed_at),
    )  # fmt: skip
    for mailbox, title, status, at in queries:
        rows = await session.execute(
            select(mailbox, title, status).where(mailbox.in_(boxes), at >= start).order_by(at)
        )
        for box, text, state in rows:
            done[box].append(f"{text}: {DONE.get(state, state)}")
    return done


async def _activity(
    session: AsyncSession, boxes: list[str], start: dt.datetime
) -> dict[str, list[tuple[str, int]]]:
    rows = await session.execute(
        select(AuditLogRow.mailbox, AuditLogRow.action, func.count())
        .where(AuditLogRow.mailbox.in_(boxes), AuditLogRow.at >= start,
               AuditLogRow.outcome == "success")
        .group_by(AuditLogRow.mailbox, AuditLogRow.action)
    )  # fmt: skip
    by_key: dict[str, Counter[str]] = {b: Counter() for b in boxes}
    for box, action, n in rows:
        assert box is not None  # the query's IN (boxes) leaves out rows without a mailbox
        key = next((key for key in ACTIVITY if action.startswith(key)), None)
        if key is not None and action != "quickstep.undo":
            by_key[box][key] += n
    return {
        b: [(plural(n, *ACTIVITY[key]), n) for key, n in sorted(c.items(), key=lambda kv: -kv[1])]
        for b, c in by_key.items()
    }


async def build_handover(
    session: AsyncSession,
    *,
    roster: Roster,
    mailboxes: Sequence[str],
    today: dt.date,
    now: dt.datetime,
) -> Handover:
    boxes = sorted(m.lower() for m in mailboxes)
    next_day = next_working_day(today)
    start = dt.datetime.combine(today, dt.time(), AMSTERDAM).astimezone(dt.UTC)
    items = await build_queue(session, roster=roster, mailboxes=boxes, today=today, now=now)
    done = await _done_today(session, boxes, start)
    activity = await _activity(session, boxes, start)
    sections = []
    for box in boxes:
        mine = [i for i in items if i.mailbox == box]
        due_next = [i for i in mine if i.due is not None and i.due <= next_day]
        sections.append(ExecutiveHandover(
            executive=box, name=roster.names.get(box, box),
            front_today=roster.front_office_on(box, today),
            front_next=roster.front_office_on(box, next_day), open_items=mine[:OPEN_SHOWN],
            counts=dict(Counter(i.kind_label for i in mine)),
            new_today=sum(i.created_at >= start for i in mine), due_next=due_next,
            done_today=done[box], activity=activity[box],
        ))  # fmt: skip
    held = await current_claims(session, mailboxes=boxes, now=now)
    return Handover(day=today, next_day=next_day, sections=sections, held=held)


def render_mail(handover: Handover, *, names: dict[str, str], to: str, base_url: str) -> str:
    """The handover as a mail body (HTML, everything from mail escaped)."""
    return MAIL.get_template("overdracht.html").render(
        handover=handover, names=names, to=first_name(names.get(to, to)), base_url=base_url,
        shown=OPEN_SHOWN,
    )  # fmt: skip


async def mail_handover(
    graph: GraphSession, handover: Handover, *, sender: str, to: str, names: dict[str, str],
    base_url: str, tag: str,
) -> None:  # fmt: skip
    """Sent once per ``tag`` (a retry finds the first mail)."""
    who = ", ".join(s.name for s in handover.sections)
    subject = f"Overdracht {format_date(handover.next_day, 'EEEE d MMMM', locale='nl')}: {who}"
    html = render_mail(handover, names=names, to=to, base_url=base_url)
    await send_tagged_mail(graph, sender, [to], subject[:250], html, tag)
