"""Postverwerking (API): per executive, the mail nobody has handled yet; "gezien" and undo."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from automations.processing import flows
from automations.processing.models import InboxMail, ProcessingList, SeenOutcome
from server.deps import FlowDeps, Me, UserGraph
from server.fields import MAILBOX_PATTERN, AwareDateTimeQuery, ItemId, OperationId

router = APIRouter(prefix="/api/v1/processing", tags=["processing"])
MailboxPath = Annotated[str, Path(min_length=3, max_length=320, pattern=MAILBOX_PATTERN)]


def mail_json(mail: InboxMail, names: dict[str, str]) -> dict[str, Any]:
    handled = mail.handled
    return {
        "id": mail.id, "subject": mail.subject, "from": mail.sender_name or mail.sender_address,
        "from_address": mail.sender_address, "received": mail.received.isoformat(),
        "is_read": mail.is_read,
        "busy_by": names.get(mail.busy_by, mail.busy_by) if mail.busy_by else None,
        "handled": None if handled is None else {
            "how": handled.how, "label": handled.label,
            "at": handled.at.isoformat() if handled.at else None, "by": handled.by,
            "by_name": names.get(handled.by or "", handled.by_name or handled.by),
        },
    }  # fmt: skip


def list_json(found: ProcessingList, names: dict[str, str]) -> dict[str, Any]:
    return {
        "mailbox": found.mailbox, "since": found.since.isoformat(),
        "default_since": found.default_since, "count": len(found.unhandled),
        "unhandled": [mail_json(m, names) for m in found.unhandled],
        "handled": [mail_json(m, names) for m in found.handled],
    }  # fmt: skip


def outcome_json(found: SeenOutcome) -> dict[str, Any]:
    return {"operation_id": found.operation_id, "mailbox": found.mailbox,
            "marked": found.marked, "already": found.already}  # fmt: skip


@router.get("/counts", operation_id="processing_counts")
async def counts(
    deps: FlowDeps, me: Me, graph: UserGraph,
    executive: Annotated[str | None, Query(max_length=320, pattern=MAILBOX_PATTERN)] = None,
) -> dict[str, int]:  # fmt: skip
    """Per executive I work for: how many mails nobody has handled yet."""
    return await flows.counts(deps, graph, me, executive=executive)


@router.get("/{mailbox}", operation_id="processing_list")
async def unhandled(
    mailbox: MailboxPath, deps: FlowDeps, me: Me, graph: UserGraph,
    since: AwareDateTimeQuery = None,
) -> dict[str, Any]:  # fmt: skip
    """The executive's mail since ``since`` (default: the start of today, or my last look on
    an earlier day) that nobody has handled, and the handled mail still in her Inbox."""
    found = await flows.unhandled(deps, graph, me, mailbox=mailbox, since=since)
    return list_json(found, me.roster.names)


class SeenRequest(BaseModel):
    message_ids: list[ItemId] = Field(min_length=1, max_length=flows.MAX_SEEN)
    operation_id: OperationId  # once per click


@router.post("/{mailbox}/seen", operation_id="processing_mark_seen")
async def mark_seen(
    mailbox: MailboxPath, body: SeenRequest, deps: FlowDeps, me: Me
) -> dict[str, Any]:
    """ "Gezien, niets te doen" on one or several mails (a colleague's earlier mark stays)."""
    return outcome_json(await flows.mark_seen(deps, me, mailbox=mailbox,
                                              message_ids=body.message_ids,
                                              operation_id=body.operation_id))  # fmt: skip


@router.post("/{mailbox}/unseen", operation_id="processing_unmark_seen")
async def unmark_seen(
    mailbox: MailboxPath, body: SeenRequest, deps: FlowDeps, me: Me
) -> dict[str, Any]:
    """Take "gezien" back: the mails are open again."""
    return outcome_json(await flows.unmark_seen(deps, me, mailbox=mailbox,
                                                message_ids=body.message_ids,
                                                operation_id=body.operation_id))  # fmt: skip
