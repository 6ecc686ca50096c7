"""Postverwerking as a secretary does it: per executive, the mail that came in since a moment
and that nobody has handled; "gezien" (nothing to do) on one or several mails, and its undo;
the counts per executive for the team table and the handover.

Handled means: a quick step applied, dispatched, a draft made, marked "gezien" — what the team
did, read from the records those actions leave in the store (``service.handled_in_store``),
with who and when — or answered, moved or deleted in Outlook itself, which the live Inbox read
shows (``service.read_mailbox``). So nothing else in the product writes for this list but
"gezien", and mail handled anywhere leaves it by itself.

The list starts, unless she chooses a moment, at the start of today or at her last look at it
on an earlier day, whichever is earlier: mail that came in after she left yesterday is there
in the morning. "Gezien" is journaled once per operation id and announced (a ``processing``
event), so a colleague's open list redraws.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from automations.audit import AuditEntry
from automations.context import Actor, Deps
from automations.dates import AMSTERDAM
from automations.errors import BadRequest
from automations.graph import GraphSession
from automations.graph import mail as graph_mail
from automations.journal import Once, StepContext, StepOutcome, StepPlan
from automations.processing import service
from automations.processing.models import InboxMail, ProcessingList, SeenOutcome
from automations.roster.policy import Action, acting_for, authorize

__all__ = [
    "MAX_SEEN",
    "MAX_SPAN",
    "counts",
    "default_since",
    "mark_seen",
    "mark_selected_seen",
    "unhandled",
    "unmark_seen",
    "unprocessed_subjects",
    "working_in",
]

MAX_SEEN = 100  # mails in one "gezien"
MAX_SPAN = dt.timedelta(days=14)  # the furthest back a list reaches (a long holiday)
EVENT = "processing"


def working_in(actor: Actor, executive: str | None = None) -> list[str]:
    """One executive (checked), or every executive whose mailbox I work in."""
    if executive:
        authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, executive)
        return [executive.lower()]
    return acting_for(actor.roster, actor.upn)


def _start_of_today(deps: Deps) -> dt.datetime:
    return dt.datetime.combine(deps.today(), dt.time(), AMSTERDAM).astimezone(dt.UTC)


async def default_since(deps: Deps, actor: Actor, mailbox: str) -> dt.datetime:
    """The start of today, or her last look on an earlier day (not longer ago than
    ``MAX_SPAN``)."""
    start = _start_of_today(deps)
    async with deps.sessions() as session:
        looked = await service.last_look(session, user=actor.upn, mailbox=mailbox)
    if looked is None or looked >= start:
        return start
    return max(looked, deps.now() - MAX_SPAN)


async def _read(
    deps: Deps, graph: GraphSession, mailbox: str, since: dt.datetime
) -> tuple[list[InboxMail], list[InboxMail]]:
    inbox, sent, drafts = await service.read_mailbox(graph, mailbox, since)
    mails = {raw["id"]: (raw, service.inbox_mail(raw)) for raw in inbox}
    async with deps.sessions() as session:
        ours = await service.handled_in_store(session, mailbox=mailbox, message_ids=list(mails),
                                              since=since)  # fmt: skip
        busy = await service.claims_on(session, mailbox=mailbox, message_ids=mails,
                                       now=deps.now())  # fmt: skip
    unhandled: list[InboxMail] = []
    handled: list[InboxMail] = []
    for item, (raw, mail) in mails.items():
        how = ours.get(item) or service.handled_in_graph(raw, mail, sent, drafts)
        shown = replace(mail, handled=how, busy_by=busy.get(item))
        (handled if how is not None else unhandled).append(shown)
    return unhandled, handled


async def unhandled(
    deps: Deps, graph: GraphSession, actor: Actor, *, mailbox: str,
    since: dt.datetime | None = None, look: bool = True,
) -> ProcessingList:  # fmt: skip
    """The executive's mail since ``since`` (default: ``default_since``) that nobody has
    handled, newest first, and the handled mail still in her Inbox with who did what.
    ``look``: this is her looking at the list (remembered as her last look)."""
    mailbox = mailbox.lower()
    authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, mailbox)
    if since is not None and since.tzinfo is None:
        raise BadRequest("Geef het moment met tijdzone.")
    chosen = since is not None
    since = since if since is not None else await default_since(deps, actor, mailbox)
    since = max(since, deps.now() - MAX_SPAN)
    open_mail, done = await _read(deps, graph, mailbox, since)
    if look:
        async with deps.sessions() as session, session.begin():
            await service.record_look(session, user=actor.upn, mailbox=mailbox, now=deps.now())
    return ProcessingList(mailbox=mailbox, since=since, default_since=not chosen,
                          unhandled=open_mail, handled=done)  # fmt: skip


async def counts(
    deps: Deps, graph: GraphSession, actor: Actor, *, executive: str | None = None
) -> dict[str, int]:
    """How many mails nobody has handled, per executive I work for (from each one's default
    moment); counting is not looking."""
    boxes = working_in(actor, executive)

    async def one(box: str) -> int:
        since = await default_since(deps, actor, box)
        open_mail, _ = await _read(deps, graph, box, since)
        return len(open_mail)

    found = await asyncio.gather(*(one(b) for b in boxes))
    return dict(zip(boxes, found, strict=True))


async def unprocessed_subjects(
    deps: Deps, graph: GraphSession, actor: Actor, *, mailboxes: Sequence[str]
) -> dict[str, list[str]]:
    """Per executive (of those given that I work for): the subjects of her mail nobody has
    handled since the start of today, newest first (the handover's "nog niet verwerkt")."""
    boxes = [b.lower() for b in mailboxes]
    for box in boxes:
        authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, box)
    since = _start_of_today(deps)

    async def one(box: str) -> list[str]:
        open_mail, _ = await _read(deps, graph, box, since)
        return [m.subject for m in open_mail]

    found = await asyncio.gather(*(one(b) for b in boxes))
    return dict(zip(boxes, found, strict=True))


def _checked(message_ids: Sequence[str]) -> list[str]:
    ids = list(dict.fromkeys(m for m in message_ids if m))
    if not ids:
        raise BadRequest("Kies minstens één bericht.")
    if len(ids) > MAX_SEEN:
        raise BadRequest(f"Hooguit {MAX_SEEN} berichten tegelijk.")
    return ids


async def mark_seen(
    deps: Deps, actor: Actor, *, mailbox: str, message_ids: Sequence[str], operation_id: str
) -> SeenOutcome:
    """ "Gezien, niets te doen" on one or several mails: once per ``operation_id``; a mail a
    colleague marked already stays hers (one ledger entry per mail)."""
    mailbox = mailbox.lower()
    authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, mailbox)
    ids = _checked(message_ids)

    async def run(ctx: StepContext) -> StepOutcome:
        async with deps.sessions() as session, session.begin():
            marked, already = await service.record_seen(
                session, mailbox=mailbox, message_ids=ids, actor=ctx.actor,
                operation_id=ctx.operation_id, now=ctx.now,
            )  # fmt: skip
        audit = [Once(AuditEntry(actor=ctx.actor, mailbox=mailbox, action="processing.seen",
                                 outcome="success", item_id=m, operation_id=ctx.operation_id))
                 for m in marked]  # fmt: skip
        return StepOutcome(result={"marked": marked, "already": already}, effects=tuple(audit))

    op = await deps.journal.submit(
        kind="processing.seen", actor=actor.upn, mailbox=mailbox,
        steps=[StepPlan("seen", {"messages": ids})], executor=run, operation_id=operation_id,
    )  # fmt: skip
    result = op.steps[0].result or {}
    deps.publish(EVENT, mailbox, operation_id=operation_id, by=actor.upn)
    return SeenOutcome(op.id, mailbox, list(result.get("marked", [])),
                       dict(result.get("already", {})))  # fmt: skip


async def mark_selected_seen(
    deps: Deps, graph: GraphSession, actor: Actor, *, mailbox: str,
    message_ids: Sequence[str], operation_id: str, undo: bool = False,
) -> SeenOutcome:  # fmt: skip
    """ "Gezien" (or its undo) on mails selected in Outlook. Outlook names a mail by its
    current id, which changes with every move; the team's list knows it by its immutable id,
    so Graph is asked for that first (the gateway prefers immutable ids)."""
    mailbox = mailbox.lower()
    authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, mailbox)
    ids = _checked(message_ids)
    known_as = await graph_mail.immutable_ids(graph, mailbox, ids)
    gone = [m for m in ids if m not in known_as]
    if not known_as:
        raise BadRequest("Deze berichten staan niet (meer) in het postvak.")
    act = unmark_seen if undo else mark_seen
    found = await act(deps, actor, mailbox=mailbox, message_ids=list(known_as.values()),
                      operation_id=operation_id)  # fmt: skip
    return replace(found, known_as=known_as, gone=gone)


async def unmark_seen(
    deps: Deps, actor: Actor, *, mailbox: str, message_ids: Sequence[str], operation_id: str
) -> SeenOutcome:
    """Take "gezien" back (hers or a colleague's: the team's list): the mails are open again.
    Once per ``operation_id``."""
    mailbox = mailbox.lower()
    authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, mailbox)
    ids = _checked(message_ids)

    async def run(ctx: StepContext) -> StepOutcome:
        async with deps.sessions() as session, session.begin():
            taken = await service.forget_seen(session, mailbox=mailbox, message_ids=ids)
        audit = [Once(AuditEntry(actor=ctx.actor, mailbox=mailbox, action="processing.unseen",
                                 outcome="success", item_id=m, operation_id=ctx.operation_id,
                                 details={"was": by}))
                 for m, by in taken.items()]  # fmt: skip
        return StepOutcome(result={"marked": list(taken), "already": {}}, effects=tuple(audit))

    op = await deps.journal.submit(
        kind="processing.unseen", actor=actor.upn, mailbox=mailbox,
        steps=[StepPlan("unseen", {"messages": ids})], executor=run, operation_id=operation_id,
    )  # fmt: skip
    result = op.steps[0].result or {}
    deps.publish(EVENT, mailbox, operation_id=operation_id, by=actor.upn)
    return SeenOutcome(op.id, mailbox, list(result.get("marked", [])), {})
