"""Dispatches (uitzetten) as the team works with them: what is out, answers, reminders."""

from __future__ import annotations

import logging

from automations.context import Actor, Deps
from automations.dispatch import service
from automations.dispatch.service import Dispatch
from automations.errors import AppError
from automations.graph import GraphSession
from automations.queue.flows import working_in
from automations.roster.policy import Action, authorize

__all__ = ["check_answers", "dispatches_of_message", "list_dispatches", "remind"]

log = logging.getLogger(__name__)


async def list_dispatches(
    deps: Deps, actor: Actor, *, mailbox: str | None = None, status: str | None = None,
    message_id: str | None = None,
) -> list[Dispatch]:  # fmt: skip
    """Dispatches of the executives I work for (or one of them), deadline first."""
    boxes = working_in(actor, mailbox)
    async with deps.sessions() as session:
        return await service.list_dispatches(session, mailboxes=boxes, today=deps.today(),
                                             status=status, message_id=message_id)  # fmt: skip


async def check_answers(deps: Deps, graph: GraphSession, actor: Actor, *, mailbox: str) -> int:
    """Look for departments' answers (a Graph delta: cheap when nothing arrived)."""
    authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, mailbox)
    answered = await service.check_answers(graph, deps.sessions, mailbox)
    if answered:
        deps.publish("closed", mailbox)
    return answered


async def dispatches_of_message(
    deps: Deps, graph: GraphSession, actor: Actor, *, mailbox: str, message_id: str
) -> list[Dispatch]:
    """One mail's dispatches; with open ones, first a look for answers. The pane still shows
    what it knows when Graph cannot be asked."""
    found = await list_dispatches(deps, actor, mailbox=mailbox, message_id=message_id)
    if any(d.status == "open" for d in found):
        try:
            if await check_answers(deps, graph, actor, mailbox=mailbox):
                found = await list_dispatches(deps, actor, mailbox=mailbox, message_id=message_id)
        except AppError as exc:
            log.info("no answer check for %s: %s", mailbox, exc)
    return found


async def remind(
    deps: Deps, graph: GraphSession, actor: Actor, *, dispatch_id: str, operation_id: str
) -> Dispatch:
    """A reminder to the department in the same conversation; once per ``operation_id``."""
    return await service.remind(graph, deps.sessions, roster=actor.roster, dispatch_id=dispatch_id,
                                actor=actor.upn, operation_id=operation_id)  # fmt: skip
