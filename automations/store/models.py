"""Tables for what Graph cannot hold (DESIGN principle 1): roster, operations journal, audit log.

Mail and calendar stay in Graph; these tables only keep our own state. Choices that apply to
all of them:

- Status and role columns are plain strings guarded by named CHECK constraints rather than
  native enums: adding a value later is a one-line migration on both databases, where a
  PostgreSQL ``ENUM`` needs ``ALTER TYPE`` outside a transaction.
- Timestamps are always timezone-aware UTC in Python (``UTCDateTime``); SQLite has no time
  zones, so there they are stored as naive UTC and given their zone back on the way out.
- A naming convention names every constraint, which SQLite's batch migrations need to find
  them again and which makes migrations reviewable.
- UPNs are stored lower-case by the code that writes them; the columns are wide enough for
  any address (320 characters).

The first migration (``migrations/versions/0001_initial.py``) is written by hand from this
module; a test compares the two so they cannot drift.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

__all__ = [
    "AUDIT_OUTCOMES",
    "OPERATION_STATUSES",
    "ROLES",
    "STEP_STATES",
    "APPROVAL_STATUSES",
    "AccessCheckRow",
    "ApprovalRow",
    "AgendaItemRow",
    "AuditLogRow",
    "CalendarMirrorRow",
    "ClaimRow",
    "InboxMessageRow",
    "MailSubscriptionRow",
    "ProcessingLookRow",
    "SeenMessageRow",
    "BACKLOG_STATUSES",
    "Base",
    "JSONType",
    "OperationRow",
    "DeltaLinkRow",
    "DispatchRow",
    "OperationStepRow",
    "QuickStepVersionRow",
    "RosterAssignment",
    "RosterException",
    "RosterFrontOffice",
    "JobFindingRow",
    "JobRunRow",
    "MeetingDocumentRow",
    "MeetingRow",
    "RescheduleRow",
    "RosterMember",
    "TemplateVersionRow",
    "UTCDateTime",
    "VersionRow",
    "stamp",
]

log = logging.getLogger(__name__)

ROLES = ("secretary", "executive", "admin")
OPERATION_STATUSES = ("planned", "running", "done", "failed")
STEP_STATES = ("pending", "running", "done", "failed")
AUDIT_OUTCOMES = ("success", "failure", "denied")
EXCEPTION_KINDS = ("absent", "front_office")

UPN = String(320)
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def stamp(context: Any) -> dt.datetime:
    """A column's time stamp from the clock the session factory carries (``db.session_factory``)."""
    clock = context.execution_options.get("clock")
    if clock is None:
        raise RuntimeError("no clock on this connection: make sessions with session_factory()")
    return clock.now()  # type: ignore[no-any-return]


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes in Python on both databases; refuses naive ones on the way in."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store timestamps as aware UTC")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


# JSONB on PostgreSQL (compact, indexable); JSON text on SQLite.
JSONType = JSON().with_variant(JSONB(), "postgresql")
# A 64-bit id that is still SQLite's auto-incrementing rowid there.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# --- roster -------------------------------------------------------------------------------


class RosterMember(Base):
    """A person the product knows: secretary, executive (bestuurder) or admin."""

    __tablename__ = "roster_members"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    upn: Mapped[str] = mapped_column(UPN, primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=stamp)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=stamp, onupdate=stamp)


class RosterAssignment(Base):
    """Which executives a secretary serves (front or back office): the authorisation basis."""

    __tablename__ = "roster_assignments"

    secretary_upn: Mapped[str] = mapped_column(
        ForeignKey("roster_members.upn", ondelete="CASCADE"), primary_key=True
    )
    executive_upn: Mapped[str] = mapped_column(
        ForeignKey("roster_members.upn", ondelete="CASCADE"), primary_key=True, index=True
    )


class RosterFrontOffice(Base):
    """Per executive and weekday (0 = Monday) the secretary who is front office (4-1, 3-2)."""

    __tablename__ = "roster_front_office"
    __table_args__ = (CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),)

    executive_upn: Mapped[str] = mapped_column(
        ForeignKey("roster_members.upn", ondelete="CASCADE"), primary_key=True
    )
    weekday: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    secretary_upn: Mapped[str] = mapped_column(
        ForeignKey("roster_members.upn", ondelete="CASCADE"), index=True
    )


class RosterException(Base):
    """A dated deviation: a secretary absent, or a one-day front office swap for an executive."""

    __tablename__ = "roster_exceptions"
    __table_args__ = (
        CheckConstraint(_in("kind", EXCEPTION_KINDS), name="kind"),
        CheckConstraint(
            "kind <> 'front_office' OR executive_upn IS NOT NULL", name="front_office_executive"
        ),
        Index(None, "on_date", "secretary_upn"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    on_date: Mapped[dt.date] = mapped_column(Date)
    secretary_upn: Mapped[str] = mapped_column(ForeignKey("roster_members.upn", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    executive_upn: Mapped[str | None] = mapped_column(
        ForeignKey("roster_members.upn", ondelete="CASCADE"), index=True
    )
    note: Mapped[str | None] = mapped_column(String(500))


# --- operations journal -------------------------------------------------------------------


class OperationRow(Base):
    """One user-visible mutation (a quick step, a calamity clear), written before it runs.

    ``fingerprint`` is a hash of what was asked, so a resubmit under the same id can be told
    apart from a different request reusing the id. ``lease_owner``/``lease_expires_at`` let
    exactly one worker run the operation at a time; a crashed worker's lease runs out.
    ``undoes`` names the operation an undo takes back: unique, so it is undone once.
    """

    __tablename__ = "operations"
    __table_args__ = (
        CheckConstraint(_in("status", OPERATION_STATUSES), name="status"),
        Index(None, "mailbox", "created_at"),
        Index(None, "status"),
        Index("uq_operations_undoes", "undoes", unique=True),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    actor_upn: Mapped[str] = mapped_column(UPN)
    on_behalf_of: Mapped[str | None] = mapped_column(UPN)
    mailbox: Mapped[str] = mapped_column(UPN)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    fingerprint: Mapped[str] = mapped_column(String(64))
    result: Mapped[Any | None] = mapped_column(JSONType)
    error: Mapped[str | None] = mapped_column(Text)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=stamp)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=stamp)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    undoes: Mapped[str | None] = mapped_column(String(64))


class OperationStepRow(Base):
    """One planned Graph call of an operation; its state is written before and after the call."""

    __tablename__ = "operation_steps"
    __table_args__ = (
        CheckConstraint(_in("state", STEP_STATES), name="state"),
        ForeignKeyConstraint(["operation_id"], ["operations.id"], ondelete="CASCADE"),
    )

    operation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    index: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    params: Mapped[Any] = mapped_column(JSONType)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[Any | None] = mapped_column(JSONType)
    error: Mapped[str | None] = mapped_column(Text)
    graph_request_id: Mapped[str | None] = mapped_column(String(128))
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


# --- audit log ----------------------------------------------------------------------------


class AuditLogRow(Base):
    """Append-only: who changed what in whose mailbox, with Graph's request id to prove it.

    No foreign key to ``operations``: the audit log must accept entries for work that was
    refused or failed before an operation existed, and must outlive any journal clean-up.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint(_in("outcome", AUDIT_OUTCOMES), name="outcome"),
        Index(None, "actor_upn", "at"),
        Index(None, "mailbox", "at"),
        Index(None, "operation_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=stamp, index=True)
    actor_upn: Mapped[str] = mapped_column(UPN)
    on_behalf_of: Mapped[str | None] = mapped_column(UPN)
    mailbox: Mapped[str | None] = mapped_column(UPN)
    action: Mapped[str] = mapped_column(String(64))
    item_id: Mapped[str | None] = mapped_column(String(512))
    outcome: Mapped[str] = mapped_column(String(16))
    graph_request_id: Mapped[str | None] = mapped_column(String(128))
    operation_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[Any | None] = mapped_column(JSONType)


class _VersionColumns:
    """A document as an admin sent it (comments and all), so an old version reads exactly as it
    was; the newest one is active, and going back is storing an old text again."""

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    author_upn: Mapped[str] = mapped_column(UPN)
    note: Mapped[str | None] = mapped_column(String(400))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=stamp)
    # The version this one took over from (0: the first). Unique, so two admins publishing on
    # the same version cannot both succeed: the second would silently drop the first's change.
    replaces: Mapped[int] = mapped_column(Integer)


class VersionRow(_VersionColumns, Base):
    """A table of documents kept by version (``automations.versions``); one table per kind."""

    __abstract__ = True

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Index, ...]:
        return (Index(f"uq_{cls.__tablename__}_replaces", "replaces", unique=True),)


class QuickStepVersionRow(VersionRow):
    """Every quick-step set that was accepted."""

    __tablename__ = "quickstep_versions"


class TemplateVersionRow(VersionRow):
    """Every reply-template set that was accepted."""

    __tablename__ = "template_versions"


DISPATCH_STATUSES = ("open", "answered")


class DispatchRow(Base):
    """A message put out to a department (uitzetten), until the department answers.

    ``tag`` is the quick step's ``<operation>/<message>/<action>``: recording the same dispatch
    again (a resumed apply) finds the row instead of adding a second one.
    """

    __tablename__ = "dispatches"
    __table_args__ = (
        CheckConstraint(_in("status", DISPATCH_STATUSES), name="status"),
        Index(None, "mailbox", "status"),
        Index(None, "conversation_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tag: Mapped[str] = mapped_column(String(120), unique=True)
    mailbox: Mapped[str] = mapped_column(UPN)
    message_id: Mapped[str] = mapped_column(String(512))
    conversation_id: Mapped[str] = mapped_column(String(512))
    subject: Mapped[str] = mapped_column(String(400))
    department_key: Mapped[str] = mapped_column(String(40))
    department_name: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(UPN)
    deadline: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    dispatched_by: Mapped[str] = mapped_column(UPN)
    dispatched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=stamp)
    status: Mapped[str] = mapped_column(String(16), default="open")
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    answer_message_id: Mapped[str | None] = mapped_column(String(512))
    reminders: Mapped[int] = mapped_column(Integer, default=0)
    last_reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class DeltaLinkRow(Base):
    """Where Graph's delta query of a mailbox folder left off (its ``@odata.deltaLink``)."""

    __tablename__ = "delta_links"

    mailbox: Mapped[str] = mapped_column(UPN, primary_key=True)
    folder: Mapped[str] = mapped_column(String(64), primary_key=True)
    link: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=stamp)


APPROVAL_STATUSES = (
    "waiting", "sending", "sent", "rejected", "deleted", "sent_elsewhere", "revised",
)  # fmt: skip


class ApprovalRow(Base):
    """A reply draft in an executive's mailbox awaiting her decision (DESIGN principle 5).

    ``change_key`` is the draft's version when approval was asked; the executive approves the
    version she saw, and the send refuses any other. ``send_operation_id`` is set once, by the
    first approval, so a second tap (or a retry under another id) resumes that one send.
    ``revises``: the rejected approval of the same draft this one replaces (revised and
    offered again); that one is then closed as "revised" and stays, as the history.
    """

    __tablename__ = "approvals"
    __table_args__ = (
        CheckConstraint(_in("status", APPROVAL_STATUSES), name="status"),
        Index(None, "mailbox", "status"),
        Index(None, "requested_by", "status"),
        Index(None, "draft_id"),
        Index(None, "revises"),
        # One open approval per draft, whatever races: two clicks that both find none and
        # both record one leave one row, the other click answered with it.
        Index(
            "uq_approvals_open_draft",
            "draft_id",
            unique=True,
            sqlite_where=text("status IN ('waiting', 'sending')"),
            postgresql_where=text("status IN ('waiting', 'sending')"),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    mailbox: Mapped[str] = mapped_column(UPN)
    draft_id: Mapped[str] = mapped_column(String(512))
    message_id: Mapped[str] = mapped_column(String(512))
    subject: Mapped[str] = mapped_column(String(400))
    recipients: Mapped[str] = mapped_column(String(1000), default="")
    change_key: Mapped[str] = mapped_column(String(200))
    template: Mapped[str | None] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[str] = mapped_column(UPN)
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=stamp)
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    decided_by: Mapped[str | None] = mapped_column(UPN)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    comment: Mapped[str | None] = mapped_column(Text)
    send_operation_id: Mapped[str | None] = mapped_column(String(64))
    deferred_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    reminders: Mapped[int] = mapped_column(Integer, default=0)
    last_reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revises: Mapped[str | None] = mapped_column(String(36))


BACKLOG_STATUSES = ("open", "planned", "dropped")


class RescheduleRow(Base):
    """A meeting cleared in a calamity, with what it takes to plan it again (herplannen)."""

    __tablename__ = "reschedule_backlog"
    __table_args__ = (
        CheckConstraint(_in("status", BACKLOG_STATUSES), name="status"),
        UniqueConstraint("operation_id", "event_id"),
        Index(None, "mailbox", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    operation_id: Mapped[str] = mapped_column(String(64))
    calamity: Mapped[str] = mapped_column(String(400), default="")
    mailbox: Mapped[str] = mapped_column(UPN)
    event_id: Mapped[str] = mapped_column(String(512))
    action: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(400), default="")
    organizer: Mapped[str] = mapped_column(UPN, default="")
    organizer_name: Mapped[str] = mapped_column(String(200), default="")
    attendees: Mapped[Any] = mapped_column(JSONType, default=list)
    start: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    end: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    location: Mapped[str] = mapped_column(String(400), default="")
    is_online: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=stamp)
    closed_by: Mapped[str | None] = mapped_column(UPN)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    closed_reason: Mapped[str | None] = mapped_column(Text)
    planned_event_id: Mapped[str | None] = mapped_column(String(512))
    planned_start: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class MeetingRow(Base):
    """A meeting of one type (College, Raad …) on a date; from a calendar item or made by hand."""

    __tablename__ = "meetings"
    __table_args__ = (UniqueConstraint("type_key", "event_id"), Index(None, "type_key", "date"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    type_key: Mapped[str] = mapped_column(String(40))
    date: Mapped[dt.date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(200), default="")
    event_id: Mapped[str | None] = mapped_column(String(512))
    created_by: Mapped[str] = mapped_column(UPN)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=stamp)


class AgendaItemRow(Base):
    __tablename__ = "agenda_items"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=stamp)


class MeetingDocumentRow(Base):
    """A file placed under an agenda item: one row per distinct content (its SHA-256).

    The same name with other content is a new version (``version`` counts them per name);
    the same content again is not stored twice.
    """

    __tablename__ = "meeting_documents"
    __table_args__ = (UniqueConstraint("agenda_item_id", "sha256"), Index(None, "agenda_item_id"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    agenda_item_id: Mapped[str] = mapped_column(ForeignKey("agenda_items.id", ondelete="CASCADE"))
    file_name: Mapped[str] = mapped_column(String(200))
    original_name: Mapped[str] = mapped_column(String(400))
    display_name: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    source_mailbox: Mapped[str] = mapped_column(UPN)
    source_message_id: Mapped[str] = mapped_column(String(512))
    source_attachment_id: Mapped[str | None] = mapped_column(String(512))
    target: Mapped[str] = mapped_column(String(16))
    target_ref: Mapped[str] = mapped_column(String(1000))
    placed_by: Mapped[str] = mapped_column(UPN)
    placed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=stamp)


class JobRunRow(Base):
    """One run of a scheduled job (or a one-off): claimed per trigger slot, so of several
    server instances exactly one runs each trigger; per-mailbox outcomes in ``mailboxes``."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "slot"), Index(None, "job", "started_at"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    job: Mapped[str] = mapped_column(String(60))
    slot: Mapped[str] = mapped_column(String(80))
    trigger: Mapped[str] = mapped_column(String(16))
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="running")
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=stamp)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    counts: Mapped[Any] = mapped_column(JSONType, default=dict)
    mailboxes: Mapped[Any] = mapped_column(JSONType, default=list)


class JobRunMailboxRow(Base):
    """One mailbox's outcome in a run that fanned out over the workers (its ``MailboxResult``);
    the run's report is put together from these when the last one is in."""

    __tablename__ = "job_run_mailboxes"

    run_id: Mapped[str] = mapped_column(
        ForeignKey("job_runs.id", ondelete="CASCADE"), primary_key=True
    )
    mailbox: Mapped[str] = mapped_column(UPN, primary_key=True)
    result: Mapped[Any] = mapped_column(JSONType)
    finished_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=stamp)


class CalendarMirrorRow(Base):
    """What a mailbox's calendar holds in the jobs' window, kept current by calendarView delta,
    so a run over an unchanged calendar reads nothing but the delta link's empty answer."""

    __tablename__ = "calendar_mirror"

    mailbox: Mapped[str] = mapped_column(UPN, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(512), primary_key=True)
    data: Mapped[Any] = mapped_column(JSONType)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=stamp)


class JobFindingRow(Base):
    """Something a job found for people to act on (a double booking …): the work queue's."""

    __tablename__ = "job_findings"
    __table_args__ = (UniqueConstraint("job", "key"), Index(None, "mailbox", "status"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    job: Mapped[str] = mapped_column(String(60))
    key: Mapped[str] = mapped_column(String(400))
    mailbox: Mapped[str] = mapped_column(UPN)
    kind: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(String(400))
    details: Mapped[Any] = mapped_column(JSONType, default=dict)
    owner: Mapped[str | None] = mapped_column(UPN)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=stamp)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class ClaimRow(Base):
    """ "Ik pak dit op": who works on a queue item (or a message) since when, until it expires."""

    __tablename__ = "claims"

    key: Mapped[str] = mapped_column(String(600), primary_key=True)
    mailbox: Mapped[str] = mapped_column(UPN)
    claimed_by: Mapped[str] = mapped_column(UPN)
    since: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=stamp)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class SeenMessageRow(Base):
    """ "Gezien": a mail in an executive's Inbox a secretary looked at and found nothing to do
    for (Postverwerking). One row per mail, whoever marked it first: two colleagues clicking at
    once leave one row. Taking it back ("ongedaan maken") deletes the row; the audit log keeps
    both."""

    __tablename__ = "seen_messages"

    mailbox: Mapped[str] = mapped_column(UPN, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(512), primary_key=True)
    seen_by: Mapped[str] = mapped_column(UPN)
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=stamp)
    operation_id: Mapped[str] = mapped_column(String(64))


class ProcessingLookRow(Base):
    """When a secretary last looked at an executive's Postverwerking: where the list starts by
    default the next working day (mail that came in after she left)."""

    __tablename__ = "processing_looks"

    user_upn: Mapped[str] = mapped_column(UPN, primary_key=True)
    mailbox: Mapped[str] = mapped_column(UPN, primary_key=True)
    looked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=stamp)


class MailSubscriptionRow(Base):
    """Our Graph subscription on one executive's Inbox (change notifications, application
    identity). Only a hash of its ``clientState`` is kept: enough to check every notification
    in constant time, and a copy of the store reveals nothing to forge one with."""

    __tablename__ = "mail_subscriptions"
    __table_args__ = (UniqueConstraint("mailbox"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # Graph's subscription id
    mailbox: Mapped[str] = mapped_column(UPN)
    client_state_hash: Mapped[str] = mapped_column(String(64))  # SHA-256, hex
    notification_url: Mapped[str] = mapped_column(String(1000))
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=stamp)
    renewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class InboxMessageRow(Base):
    """A message the Inbox delta has seen in an executive's Inbox (ids only, no content): what
    tells a mail that arrived from one that changed, and what left after Graph's 410 forced a
    full read."""

    __tablename__ = "inbox_messages"

    mailbox: Mapped[str] = mapped_column(UPN, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(512), primary_key=True)
    received_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=stamp)


class PlanningRequestRow(Base):
    """A meeting the back office is planning (``automations.planning``): who, how long, in
    which weeks under which conditions; its options and guests hang off it. ``participants``
    and ``conditions`` are JSON as the planner writes them; ``book_operation_id`` is set once,
    by the first "Boeken", so a second click resumes that booking instead of making another;
    ``hold_operation_id`` likewise for placing the options."""

    __tablename__ = "planning_requests"
    __table_args__ = (Index(None, "status"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    organiser: Mapped[str] = mapped_column(UPN)
    participants: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[dt.date] = mapped_column(Date)
    window_end: Mapped[dt.date] = mapped_column(Date)
    conditions: Mapped[dict[str, Any]] = mapped_column(JSON)
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    location: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_by: Mapped[str] = mapped_column(UPN)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=stamp)
    decide_by: Mapped[dt.date | None] = mapped_column(Date)
    booked_option_id: Mapped[str | None] = mapped_column(String(36))
    booked_event_id: Mapped[str | None] = mapped_column(String(512))
    book_operation_id: Mapped[str | None] = mapped_column(String(64))
    hold_operation_id: Mapped[str | None] = mapped_column(String(64))  # set once, as booking's
    # A meeting a calamity cleared, planned again through the planner: booked, it is planned.
    backlog_id: Mapped[str | None] = mapped_column(String(36))


class PlanningOptionRow(Base):
    """A candidate time held as an option in the executives' calendars (``holds``: executive
    → the hold's event id, filled in as each is placed)."""

    __tablename__ = "planning_options"
    __table_args__ = (Index(None, "request_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("planning_requests.id", ondelete="CASCADE"))
    start: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    end: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    room: Mapped[str | None] = mapped_column(String(320))
    holds: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class PlanningGuestRow(Base):
    """An external guest of a planning request and her answer. Her link's token is kept only
    as a SHA-256 hash: the link is the secret, a copy of the store cannot forge one, and a new
    link (resent) makes the old one useless."""

    __tablename__ = "planning_guests"
    __table_args__ = (UniqueConstraint("token_hash"), UniqueConstraint("request_id", "address"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("planning_requests.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    invited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    suits: Mapped[list[str]] = mapped_column(JSON, default=list)


class TokenCacheRow(Base):
    """One user's MSAL token cache (her on-behalf-of tokens), sealed with the store's key: a
    worker on another machine acts with exactly the delegated rights her click had, and a
    copy of the store without the key holds nothing usable (``automations.graph.vault``)."""

    __tablename__ = "token_caches"

    account: Mapped[str] = mapped_column(UPN, primary_key=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=stamp)


class GraphThrottleRow(Base):
    """Until when Graph asked every process to leave a mailbox alone (its ``Retry-After``)."""

    __tablename__ = "graph_throttles"

    mailbox: Mapped[str] = mapped_column(UPN, primary_key=True)
    until: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class AccessCheckRow(Base):
    """The last self-check of a secretary's own delegate rights on her executives' mailboxes
    (``automations.doctor.access``): run at sign-in when none is younger than a day. ``report``
    is the check's JSON as the flow writes it (verdicts and Dutch texts, no mail content)."""

    __tablename__ = "access_checks"

    user_upn: Mapped[str] = mapped_column(UPN, primary_key=True)
    checked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=stamp)
    report: Mapped[dict[str, Any]] = mapped_column(JSONType)
