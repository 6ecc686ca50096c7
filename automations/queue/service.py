"""One work queue for the team: everything open, from every feature, with age, owner and the
action that closes it. Built from the store alone (no Graph call), so it loads fast.

Owners follow the front office / back office model: a rejected draft goes back to the
secretary who prepared it, a dispatch belongs to whoever sent it, a double booking to the
executive's front office of the day, re-planning and missing meeting documents to her back
office (her other secretaries that day).

A waiting approval whose executive was never told (its notice failed: "niet gemeld") says so,
with why, and so does a rejected draft whose secretary was never told of the rejection; the
audit log, where every notice leaves its outcome, is what tells.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from automations.dates import next_working_day
from automations.roster.models import Roster
from automations.store.models import (
    AgendaItemRow,
    ApprovalRow,
    AuditLogRow,
    DispatchRow,
    JobFindingRow,
    MeetingDocumentRow,
    MeetingRow,
    PlanningGuestRow,
    PlanningRequestRow,
    RescheduleRow,
)

__all__ = [
    "KINDS",
    "ORDERS",
    "REJECTION_NOTICE",
    "QueueItem",
    "TeamRow",
    "back_office_on",
    "build_queue",
    "counts_of",
    "narrow",
    "team_of",
    "unnotified",
]

KINDS = {
    "approval": "Concept wacht op besluit",
    "rejected": "Concept afgekeurd",
    "dispatch": "Uitgezet",
    "backlog": "Herplannen",
    "documents": "Stukken ontbreken",
    "conflict": "Agendaconflict",
    "flagged": "Gemarkeerde mail",
    "planning": "Overleg plannen",
}
NOT_NOTIFIED = "Niet gemeld"
# The audit entries that say whether someone was told of an approval (written by
# ``automations.replies``): the request's notice to the executive, sent or failed, and a
# reminder that went out; for a rejected draft, the rejection's notice to the secretariat
# (``approval.notify`` with ``notice`` "rejection"). The last one per approval counts.
NOTICE_ACTIONS = ("approval.notify", "approval.remind")
REJECTION_NOTICE = "rejection"  # details["notice"] of the rejection's notice
MEETING_HORIZON = dt.timedelta(days=7)
# Columns, not entities: plain rows load several times faster than ORM objects.
APPROVAL_COLUMNS = (ApprovalRow.id, ApprovalRow.mailbox, ApprovalRow.subject,
                    ApprovalRow.requested_at, ApprovalRow.status, ApprovalRow.requested_by,
                    ApprovalRow.comment, ApprovalRow.draft_id,
                    ApprovalRow.message_id, ApprovalRow.revises)  # fmt: skip
DISPATCH_COLUMNS = (DispatchRow.id, DispatchRow.mailbox, DispatchRow.subject,
                    DispatchRow.department_name, DispatchRow.dispatched_at,
                    DispatchRow.dispatched_by, DispatchRow.deadline,
                    DispatchRow.message_id)  # fmt: skip
BACKLOG_COLUMNS = (RescheduleRow.id, RescheduleRow.mailbox, RescheduleRow.subject,
                   RescheduleRow.created_at)  # fmt: skip
FINDING_COLUMNS = (JobFindingRow.id, JobFindingRow.mailbox, JobFindingRow.summary,
                   JobFindingRow.created_at, JobFindingRow.owner, JobFindingRow.kind,
                   JobFindingRow.details)  # fmt: skip


@dataclass(frozen=True)
class QueueItem:
    key: str  # "<kind>:<id>": stable, for claims and links
    kind: str
    kind_label: str
    id: str
    mailbox: str
    title: str
    created_at: dt.datetime
    age_days: int
    owner: str | None
    office: str  # front | back | executive | team
    overdue: bool
    due: dt.date | None
    action: str  # what closes it, in Dutch
    detail: str | None = None  # e.g. the executive's comment on a rejected draft
    message_id: str | None = None  # the mail to open in Outlook
    event_ids: tuple[str, ...] = ()  # the appointments to open in Outlook
    meeting_id: str | None = None
    claim_key: str = ""  # the piece of work a claim is held under (claims.work_key)

    def __post_init__(self) -> None:
        if not self.claim_key:
            object.__setattr__(self, "claim_key", self.key)


def back_office_on(roster: Roster, executive: str, day: dt.date) -> list[str]:
    """Her other secretaries that day (the front office is the one on duty)."""
    front = roster.front_office_on(executive, day)
    return sorted(s for s, ex in roster.serves.items() if executive in ex and s != front)


@dataclass(frozen=True)
class TeamRow:
    executive: str
    name: str
    front_today: str | None
    front_tomorrow: str | None  # the next working day
    back_today: list[str]


def team_of(roster: Roster, mailboxes: Sequence[str], today: dt.date) -> list[TeamRow]:
    """Today's team per executive: front office today and on the next working day, back office."""
    tomorrow = next_working_day(today)
    return [
        TeamRow(m, roster.names.get(m, m), roster.front_office_on(m, today),
                roster.front_office_on(m, tomorrow), back_office_on(roster, m, today))
        for m in sorted(mailboxes)
    ]  # fmt: skip


def _age(since: dt.datetime, now: dt.datetime) -> int:
    return max((now - since).days, 0)


async def build_queue(
    session: AsyncSession,
    *,
    roster: Roster,
    mailboxes: Sequence[str],
    today: dt.date,
    now: dt.datetime,
) -> list[QueueItem]:
    boxes = [m.lower() for m in mailboxes]
    items: list[QueueItem] = []
    if not boxes:
        return items

    backs: dict[str, str | None] = {}

    def back(mailbox: str) -> str | None:
        if mailbox not in backs:
            others = back_office_on(roster, mailbox, today)
            backs[mailbox] = others[0] if others else None
        return backs[mailbox]

    approvals = await session.execute(
        select(*APPROVAL_COLUMNS).where(
            ApprovalRow.mailbox.in_(boxes), ApprovalRow.status.in_(("waiting", "rejected"))
        )
    )
    approvals_found = list(approvals)
    untold = await unnotified(session, approvals_found)
    for a in approvals_found:
        waiting = a.status == "waiting"
        action = "Goedkeuren of afwijzen" if waiting else "Concept herzien en opnieuw aanbieden"
        detail = a.comment if not waiting else ("Herziene versie" if a.revises else None)
        if a.id in untold and waiting:  # she does not know it waits: tell her again
            action = f"{NOT_NOTIFIED}: bestuurder opnieuw melden (Bekijken)"
            detail = f"{NOT_NOTIFIED}: {untold[a.id]}"
        elif a.id in untold:  # rejected, but the secretariat was not told: tell it again
            action = f"{NOT_NOTIFIED}: afkeuring opnieuw melden (Bekijken), dan herzien"
            comment = f". Toelichting: {a.comment}" if a.comment else ""
            detail = f"{NOT_NOTIFIED}: {untold[a.id]}{comment}"
        items.append(QueueItem(
            key=f"approval:{a.id}", kind="approval" if waiting else "rejected",
            kind_label=KINDS["approval" if waiting else "rejected"], id=a.id, mailbox=a.mailbox,
            title=a.subject, created_at=a.requested_at, age_days=_age(a.requested_at, now),
            owner=a.mailbox if waiting else a.requested_by,
            office="executive" if waiting else "front", overdue=False, due=None,
            action=action, detail=detail, message_id=a.draft_id,
            claim_key=f"message:{a.message_id or a.draft_id}",
        ))  # fmt: skip

    dispatches = await session.execute(
        select(*DISPATCH_COLUMNS).where(
            DispatchRow.mailbox.in_(boxes), DispatchRow.status == "open"
        )
    )
    for d in dispatches:
        items.append(QueueItem(
            key=f"dispatch:{d.id}", kind="dispatch", kind_label=KINDS["dispatch"], id=d.id,
            mailbox=d.mailbox, title=f"{d.subject} → {d.department_name}",
            created_at=d.dispatched_at, age_days=_age(d.dispatched_at, now), owner=d.dispatched_by,
            office="front", overdue=d.deadline < today, due=d.deadline,
            action="Herinneren of afhandelen", message_id=d.message_id,
            claim_key=f"message:{d.message_id}",
        ))  # fmt: skip

    backlog = await session.execute(
        select(*BACKLOG_COLUMNS).where(
            RescheduleRow.mailbox.in_(boxes), RescheduleRow.status == "open"
        )
    )
    for r in backlog:
        items.append(QueueItem(
            key=f"backlog:{r.id}", kind="backlog", kind_label=KINDS["backlog"], id=r.id,
            mailbox=r.mailbox, title=r.subject, created_at=r.created_at,
            age_days=_age(r.created_at, now), owner=back(r.mailbox), office="back",
            overdue=False, due=None, action="Nieuw moment kiezen of laten vervallen",
        ))  # fmt: skip

    await _planning(session, boxes, today, now, items)

    findings = await session.execute(
        select(*FINDING_COLUMNS).where(
            JobFindingRow.mailbox.in_(boxes), JobFindingRow.status == "open"
        )
    )
    for f in findings:
        items.append(_finding(f, today, now))

    # Agenda items of the coming week's meetings that have no documents yet.
    soon = today + MEETING_HORIZON
    has_documents = (
        select(MeetingDocumentRow.id)
        .where(MeetingDocumentRow.agenda_item_id == AgendaItemRow.id)
        .exists()
    )
    empty = await session.execute(
        select(AgendaItemRow.id, AgendaItemRow.number, AgendaItemRow.title,
               AgendaItemRow.created_at, MeetingRow.id.label("meeting_id"),
               MeetingRow.title.label("meeting_title"), MeetingRow.date,
               MeetingRow.created_by)
        .join(MeetingRow, MeetingRow.id == AgendaItemRow.meeting_id)
        .where(MeetingRow.date >= today, MeetingRow.date <= soon, ~has_documents)
    )  # fmt: skip
    for e in empty:
        # Meetings are the team's: the item shows under the first of the executives whoever
        # made the meeting works for (an admin's meeting: under the first executive asked for).
        served = sorted(set(roster.serves.get(e.created_by, ())) & set(boxes))
        if not served and roster.role(e.created_by) == "secretary":
            continue  # another team's meeting
        team = served[0] if served else boxes[0]
        items.append(QueueItem(
            key=f"documents:{e.id}", kind="documents", kind_label=KINDS["documents"],
            id=e.id, mailbox=team, title=f"{e.meeting_title} {e.date:%d-%m}: "
            f"{e.number:02d} {e.title}", created_at=e.created_at,
            age_days=_age(e.created_at, now), owner=None, office="back",
            overdue=e.date <= today + dt.timedelta(days=1), due=e.date,
            action="Stukken in de vergadermap zetten", meeting_id=e.meeting_id,
        ))  # fmt: skip
    items.sort(key=lambda i: (not i.overdue, i.due or dt.date.max, -i.age_days))
    return items


async def _planning(
    session: AsyncSession, boxes: Sequence[str], today: dt.date, now: dt.datetime,
    items: list[QueueItem],
) -> None:  # fmt: skip
    """Meetings being planned (``automations.planning``), under the organising executive:
    the back office's until booked or withdrawn, due on the decision date."""
    rows = (await session.execute(
        select(PlanningRequestRow.id, PlanningRequestRow.title, PlanningRequestRow.organiser,
               PlanningRequestRow.status, PlanningRequestRow.created_at,
               PlanningRequestRow.created_by, PlanningRequestRow.decide_by,
               PlanningRequestRow.participants)
        .where(PlanningRequestRow.organiser.in_(boxes),
               PlanningRequestRow.status.in_(("open", "holding")))
    )).all()  # fmt: skip
    # Only what she may open: every executive on it is one she works for.
    mine = set(boxes)

    def executives(row: Any) -> set[str]:
        return {p["address"] for p in row.participants if p.get("kind") == "executive"}

    rows = [r for r in rows if executives(r) <= mine]
    if not rows:
        return
    guests = (await session.execute(
        select(PlanningGuestRow.request_id, PlanningGuestRow.answered_at)
        .where(PlanningGuestRow.request_id.in_([r.id for r in rows]))
    )).all()  # fmt: skip
    for r in rows:
        asked = [g for g in guests if g.request_id == r.id]
        answered = sum(1 for g in asked if g.answered_at is not None)
        holding = r.status == "holding"
        items.append(QueueItem(
            key=f"planning:{r.id}", kind="planning", kind_label=KINDS["planning"], id=r.id,
            mailbox=r.organiser, title=r.title, created_at=r.created_at,
            age_days=_age(r.created_at, now), owner=r.created_by, office="back",
            overdue=r.decide_by is not None and r.decide_by < today, due=r.decide_by,
            action="Antwoorden bekijken en boeken" if holding
            else "Momenten kiezen en opties plaatsen",
            detail=f"{answered} van {len(asked)} gasten antwoordden" if asked and holding
            else None,
        ))  # fmt: skip


class _Approval(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def mailbox(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def requested_at(self) -> dt.datetime: ...


async def unnotified(session: AsyncSession, approvals: Sequence[_Approval]) -> dict[str, str]:
    """The approvals nobody was told of: a waiting one whose last notice to the executive
    failed with no reminder reaching her since, and a rejected one whose last rejection notice
    failed; approval id → why."""
    asked = {a.id: a for a in approvals if a.status in ("waiting", "rejected")}
    if not asked:
        return {}
    since = min(a.requested_at for a in asked.values()) - dt.timedelta(minutes=5)
    found = await session.execute(
        select(AuditLogRow.outcome, AuditLogRow.details)
        .where(
            AuditLogRow.action.in_(NOTICE_ACTIONS),
            AuditLogRow.mailbox.in_(sorted({a.mailbox for a in asked.values()})),
            AuditLogRow.at >= since,
        )
        .order_by(AuditLogRow.id)
    )
    last: dict[str, str | None] = {}
    for outcome, details in found:
        details = details or {}
        approval = details.get("approval")
        if approval not in asked:
            continue
        rejection = details.get("notice") == REJECTION_NOTICE
        if rejection != (asked[approval].status == "rejected"):
            continue  # the request's notices say nothing about the rejection's, and v.v.
        last[approval] = (details.get("error") or "onbekend") if outcome == "failure" else None
    return {a: why for a, why in last.items() if why is not None}


def _finding(f: Any, today: dt.date, now: dt.datetime) -> QueueItem:
    """A job's finding: a double booking or tight travel, or flagged mail waiting too long
    (keyed by its message, so a claim in the queue shows when the mail is opened)."""
    details = f.details or {}
    common = {"id": f.id, "mailbox": f.mailbox, "title": f.summary, "created_at": f.created_at,
              "owner": f.owner, "office": "front"}  # fmt: skip
    if f.kind == "flagged":
        received = details.get("received")
        since = dt.datetime.fromisoformat(received) if received else f.created_at
        due = dt.date.fromisoformat(details["due"]) if details.get("due") else None
        return QueueItem(
            key=f"message:{details['message']}", kind="flagged", kind_label=KINDS["flagged"],
            age_days=_age(since, now), overdue=due is not None and due < today, due=due,
            action="Afhandelen en de markering wissen", message_id=details["message"], **common,
        )  # fmt: skip
    return QueueItem(
        key=f"conflict:{f.id}", kind="conflict", kind_label=KINDS["conflict"],
        age_days=_age(f.created_at, now), overdue=False, due=None,
        action="Een van beide verzetten of afvinken", event_ids=tuple(details.get("events", ())),
        **common,
    )  # fmt: skip


def counts_of(items: Sequence[QueueItem]) -> dict[str, int]:
    out: dict[str, int] = {"total": len(items), "overdue": sum(i.overdue for i in items)}
    for i in items:
        out[i.kind] = out.get(i.kind, 0) + 1
    return out


ORDERS = {
    "urgentie": None,  # the queue's own order: overdue first, then due date, then age
    "oudste": lambda i: (-i.age_days, i.created_at),
    "bestuurder": lambda i: i.mailbox,
    "soort": lambda i: i.kind_label,
}


def narrow(
    items: Sequence[QueueItem], *, user: str, claimed_by: Mapping[str, str] | None = None,
    mine: bool = False, overdue: bool = False, office: str | None = None,
    kind: str | None = None, executive: str | None = None, order: str = "urgentie",
) -> list[QueueItem]:  # fmt: skip
    """The filters of the API and the pane alike; "mine" is what I own or have picked up."""
    claimed_by = claimed_by or {}
    out = list(items)
    if mine:
        out = [i for i in out if i.owner == user or claimed_by.get(i.claim_key) == user]
    if overdue:
        out = [i for i in out if i.overdue]
    if office:
        out = [i for i in out if i.office == office]
    if kind:
        out = [i for i in out if i.kind == kind]
    if executive:
        out = [i for i in out if i.mailbox == executive.lower()]
    key = ORDERS.get(order)
    return sorted(out, key=key) if key else out
