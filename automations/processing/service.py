"""Data access for Postverwerking: the Inbox read live from Graph, what the team did read
from the store (the records every action leaves already), and the "gezien" ledger.

Graph, at list time, in one ``$batch`` (then each collection's next pages):

- the Inbox, received since the moment, with one ``$select`` and the mail's
  PidTagLastVerbExecuted (0x1081): mail moved or deleted anywhere is simply not there, and
  Outlook marks a mail it replied to or forwarded with that property;
- Sent Items since the moment (conversation and sender only): a reply sent from any client
  — Outlook, a phone, Graph — is a sent mail in the same conversation after the mail came in;
- Drafts since the moment (conversation only): an answer being written.

The store, for who did what: the audit log's ``quickstep.*`` lines (one per mail and action,
undone by ``quickstep.undo``), ``dispatches`` (uitzetten), ``approvals`` (a draft offered
for approval answers its mail), live ``claims`` (someone is on it; not yet handled) and
``seen_messages``, the one table of our own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from automations.graph import BatchRequest, GraphSession
from automations.processing.models import Handled, InboxMail
from automations.store.models import (
    ApprovalRow,
    AuditLogRow,
    ClaimRow,
    DispatchRow,
    ProcessingLookRow,
    SeenMessageRow,
)

__all__ = [
    "LAST_VERB",
    "MAX_MAILS",
    "claims_on",
    "forget_seen",
    "handled_in_graph",
    "handled_in_store",
    "last_look",
    "read_mailbox",
    "record_look",
    "record_seen",
]

# PidTagLastVerbExecuted: what Outlook last did with a mail. MS-OXOMSG 2.2.1.29:
# 102 reply to sender, 103 reply to all, 104 forward.
LAST_VERB = "Integer 0x1081"
VERBS = {"102": "replied", "103": "replied", "104": "forwarded"}
PAGE = 100
MAX_MAILS = 1000  # a list longer than this is not a morning's mail: she narrows the moment
_INBOX_FIELDS = "id,subject,from,receivedDateTime,conversationId,isRead"


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _urls(mailbox: str, since: dt.datetime) -> list[str]:
    at = _iso(since)
    base = f"/users/{mailbox}/mailFolders"
    return [
        f"{base}/inbox/messages?$filter=receivedDateTime ge {at}&$orderby=receivedDateTime desc"
        f"&$select={_INBOX_FIELDS}&$top={PAGE}"
        f"&$expand=singleValueExtendedProperties($filter=id eq '{LAST_VERB}')",
        f"{base}/sentitems/messages?$filter=sentDateTime ge {at}"
        f"&$select=conversationId,sentDateTime,sender&$top={PAGE}",
        f"{base}/drafts/messages?$filter=createdDateTime ge {at}"
        f"&$select=conversationId,createdDateTime&$top={PAGE}",
    ]


def _relative(link: str) -> str:
    return link.split("/v1.0", 1)[-1]


async def read_mailbox(
    graph: GraphSession, mailbox: str, since: dt.datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Inbox, Sent Items and Drafts since ``since``: first pages in one ``$batch``, then the
    next pages of each together, until every collection is read (or ``MAX_MAILS``)."""
    found: list[list[dict[str, Any]]] = [[], [], []]
    pending: dict[int, str] = dict(enumerate(_urls(mailbox.lower(), since)))
    while pending:
        order = list(pending)
        answers = await graph.batch([BatchRequest("GET", pending[i]) for i in order])
        pending = {}
        for i, answer in zip(order, answers, strict=True):
            answer.raise_for_status()
            found[i].extend(answer.body.get("value", []))
            link = answer.body.get("@odata.nextLink")
            if link and len(found[i]) < MAX_MAILS:
                pending[i] = _relative(link)
    return found[0], found[1], found[2]


def _when(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(dt.UTC)


def inbox_mail(raw: Mapping[str, Any]) -> InboxMail:
    sender = (raw.get("from") or {}).get("emailAddress") or {}
    received = _when(raw.get("receivedDateTime")) or dt.datetime.min.replace(tzinfo=dt.UTC)
    return InboxMail(
        id=raw["id"], subject=raw.get("subject") or "(geen onderwerp)",
        sender_name=sender.get("name") or "", sender_address=sender.get("address") or "",
        received=received, conversation_id=raw.get("conversationId") or "",
        is_read=bool(raw.get("isRead")),
    )  # fmt: skip


def handled_in_graph(
    raw: Mapping[str, Any], mail: InboxMail, sent: Sequence[Mapping[str, Any]],
    drafts: Sequence[Mapping[str, Any]],
) -> Handled | None:  # fmt: skip
    """Answered outside the product, as Graph shows it: a sent mail in the conversation after
    this one came in (who sent it: Graph's sender), else Outlook's mark on the mail, else an
    answer in Drafts."""
    replies = [
        s for s in sent
        if s.get("conversationId") == mail.conversation_id
        and (_when(s.get("sentDateTime")) or mail.received) >= mail.received
    ]  # fmt: skip
    if replies:
        first = min(replies, key=lambda s: s.get("sentDateTime") or "")
        who = ((first.get("sender") or {}).get("emailAddress")) or {}
        return Handled("answered", _when(first.get("sentDateTime")),
                       by=(who.get("address") or "").lower() or None,
                       by_name=who.get("name") or None)  # fmt: skip
    for prop in raw.get("singleValueExtendedProperties") or []:
        if prop.get("id", "").lower() == LAST_VERB.lower() and str(prop.get("value")) in VERBS:
            return Handled(VERBS[str(prop["value"])], None)  # type: ignore[arg-type]
    if any(
        d.get("conversationId") == mail.conversation_id
        and (_when(d.get("createdDateTime")) or mail.received) >= mail.received
        for d in drafts
    ):
        return Handled("draft", None)
    return None


async def handled_in_store(
    session: AsyncSession, *, mailbox: str, message_ids: Sequence[str], since: dt.datetime
) -> dict[str, Handled]:
    """What the team did to these mails in the product, by message id: "gezien" first (said
    in so many words), then a draft offered for approval, a dispatch, a quick step."""
    ids = list(message_ids)
    out: dict[str, Handled] = {}
    if not ids:
        return out
    steps = await session.execute(
        select(AuditLogRow.item_id, AuditLogRow.action, AuditLogRow.actor_upn, AuditLogRow.at,
               AuditLogRow.details)
        .where(AuditLogRow.mailbox == mailbox, AuditLogRow.at >= since,
               AuditLogRow.action.like("quickstep.%"), AuditLogRow.outcome == "success",
               AuditLogRow.item_id.in_(ids))
        .order_by(AuditLogRow.id)
    )  # fmt: skip
    for item, action, actor, at, details in steps:
        if action == "quickstep.undo":
            out.pop(item, None)  # the step was taken back: the mail is as it was
        elif item not in out:
            name = str((details or {}).get("quickstep") or "")
            out[item] = Handled("quickstep", at, by=actor, detail=name)
    dispatched = await session.execute(
        select(DispatchRow.message_id, DispatchRow.dispatched_by, DispatchRow.dispatched_at,
               DispatchRow.department_name)
        .where(DispatchRow.mailbox == mailbox, DispatchRow.message_id.in_(ids))
    )  # fmt: skip
    for item, by, at, department in dispatched:
        out[item] = Handled("dispatch", at, by=by, detail=department)
    drafted = await session.execute(
        select(ApprovalRow.message_id, ApprovalRow.requested_by, ApprovalRow.requested_at)
        .where(ApprovalRow.mailbox == mailbox, ApprovalRow.message_id.in_(ids))
        .order_by(ApprovalRow.requested_at)
    )  # fmt: skip
    for item, by, at in drafted:
        out[item] = Handled("draft", at, by=by, detail="ter goedkeuring")
    seen = await session.execute(
        select(SeenMessageRow).where(
            SeenMessageRow.mailbox == mailbox, SeenMessageRow.message_id.in_(ids)
        )
    )
    for row in seen.scalars():
        out[row.message_id] = Handled("seen", row.seen_at, by=row.seen_by,
                                      operation_id=row.operation_id)  # fmt: skip
    return out


async def claims_on(
    session: AsyncSession, *, mailbox: str, message_ids: Iterable[str], now: dt.datetime
) -> dict[str, str]:
    """Live "ik pak dit op" on these mails: message id → who."""
    keys = {f"message:{m}": m for m in message_ids}
    if not keys:
        return {}
    rows = await session.execute(
        select(ClaimRow.key, ClaimRow.claimed_by).where(
            ClaimRow.key.in_(list(keys)), ClaimRow.mailbox == mailbox, ClaimRow.expires_at > now
        )
    )
    return {keys[key]: by for key, by in rows}


async def record_seen(
    session: AsyncSession, *, mailbox: str, message_ids: Sequence[str], actor: str,
    operation_id: str, now: dt.datetime,
) -> tuple[list[str], dict[str, str]]:  # fmt: skip
    """Mark the mails "gezien" unless a colleague did (one row per mail, whatever races);
    returns the ones marked now and the ones already marked, with by whom."""
    rows = await session.execute(
        select(SeenMessageRow.message_id, SeenMessageRow.seen_by, SeenMessageRow.operation_id)
        .where(SeenMessageRow.mailbox == mailbox, SeenMessageRow.message_id.in_(message_ids))
    )  # fmt: skip
    already: dict[str, str] = {}
    marked: list[str] = []
    for item, by, op in rows:
        if op == operation_id:
            marked.append(item)  # this operation's own, from an earlier attempt
        else:
            already[item] = by
    for item in dict.fromkeys(message_ids):
        if item in already or item in marked:
            continue
        try:
            async with session.begin_nested():
                session.add(SeenMessageRow(mailbox=mailbox, message_id=item, seen_by=actor,
                                           seen_at=now, operation_id=operation_id))  # fmt: skip
        except IntegrityError:  # a colleague's click got there first
            winner = await session.get(SeenMessageRow, (mailbox, item))
            already[item] = winner.seen_by if winner is not None else ""
            continue
        marked.append(item)
    return marked, already


async def forget_seen(
    session: AsyncSession, *, mailbox: str, message_ids: Sequence[str]
) -> dict[str, str]:
    """Take "gezien" back; returns what was taken back (message id → who had marked it)."""
    rows = await session.execute(
        select(SeenMessageRow.message_id, SeenMessageRow.seen_by).where(
            SeenMessageRow.mailbox == mailbox, SeenMessageRow.message_id.in_(message_ids)
        )
    )
    found = {item: by for item, by in rows}
    if found:
        await session.execute(
            delete(SeenMessageRow).where(
                SeenMessageRow.mailbox == mailbox, SeenMessageRow.message_id.in_(list(found))
            )
        )
    return found


async def last_look(session: AsyncSession, *, user: str, mailbox: str) -> dt.datetime | None:
    row = await session.get(ProcessingLookRow, (user, mailbox))
    return row.looked_at if row is not None else None


async def record_look(session: AsyncSession, *, user: str, mailbox: str, now: dt.datetime) -> None:
    row = await session.get(ProcessingLookRow, (user, mailbox))
    if row is None:
        try:
            async with session.begin_nested():
                session.add(ProcessingLookRow(user_upn=user, mailbox=mailbox, looked_at=now))
            return
        except IntegrityError:  # her other pane looked at the same moment
            row = await session.get(ProcessingLookRow, (user, mailbox))
            if row is None:
                return
    row.looked_at = now
