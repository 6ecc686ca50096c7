"""The calamity clear and the re-planning backlog as the team uses them, one flow each.

The clear is always previewed first (DESIGN principle 2): executing refers to the preview by
its operation id, so it does exactly what was shown; an id that was never previewed is
refused for every adapter alike, unless it names a clear that already started (then running
it again finishes what is missing). A clear whose worker died midway is listed as
interrupted, with what it did, until someone finishes it ("Afmaken": ``resume_clear``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from automations.calamity import backlog, clearing
from automations.calamity.backlog import BacklogEntry, Slot
from automations.calamity.models import CANCEL_MESSAGE, DECLINE_MESSAGE, ClearReport, ClearSettings
from automations.calamity.preview import preview, preview_id
from automations.calamity.report import report_of
from automations.context import Actor, Deps
from automations.errors import BadRequest, NotFound
from automations.graph import GraphSession
from automations.journal import OperationNotFound
from automations.queue.flows import working_in
from automations.roster.policy import Action, authorize

__all__ = [
    "PreviewFirst",
    "clear_progress",
    "drop_entry",
    "execute_clear",
    "interrupted_clears",
    "list_backlog",
    "plan_entry",
    "preview_clear",
    "propose_slots",
    "resume_clear",
]


class PreviewFirst(BadRequest):
    code = "preview_first"


async def preview_clear(
    deps: Deps, graph: GraphSession, actor: Actor, *, mailbox: str, start: dt.datetime,
    end: dt.datetime, settings: ClearSettings, toggled: Sequence[str] = (),
    operation_id: str | None = None,
) -> ClearReport:  # fmt: skip
    """What clearing the window would do to each item; kept under its operation id so the
    clear does exactly this. Nothing changes in Graph."""
    return await preview(
        graph, roster=actor.roster, actor=actor.upn, mailbox=mailbox, start=start, end=end,
        settings=settings, toggled=toggled, journal=deps.journal, operation_id=operation_id,
    )  # fmt: skip


async def _previewed_or_started(deps: Deps, operation_id: str) -> None:
    for known in (operation_id, preview_id(operation_id)):
        try:
            await deps.journal.get(known)
            return
        except OperationNotFound:
            continue
    raise PreviewFirst("Bekijk eerst het voorbeeld: pas daarna wordt de agenda leeggemaakt.")


async def execute_clear(
    deps: Deps, graph: GraphSession, actor: Actor, *, mailbox: str, start: dt.datetime,
    end: dt.datetime, settings: ClearSettings, operation_id: str, toggled: Sequence[str] = (),
    cancel_message: str = CANCEL_MESSAGE, decline_message: str = DECLINE_MESSAGE,
    calamity: str = "",
) -> ClearReport:  # fmt: skip
    """Cancel, decline and remove as previewed; again under the same id finishes the rest.
    What was handled joins the re-planning backlog (the queue is told)."""
    authorize(actor.roster, actor.upn, Action.CLEAR_AGENDA, mailbox)
    await _previewed_or_started(deps, operation_id)
    report = await clearing.execute(
        graph, deps.sessions, deps.journal, roster=actor.roster, actor=actor.upn,
        mailbox=mailbox, start=start, end=end, settings=settings, operation_id=operation_id,
        toggled=toggled, cancel_message=cancel_message, decline_message=decline_message,
        calamity=calamity,
    )  # fmt: skip
    deps.publish("changed", mailbox, operation_id=operation_id)
    return report


async def clear_progress(deps: Deps, actor: Actor, *, operation_id: str) -> ClearReport:
    """Where a clear stands, item by item (the pane polls this while it runs)."""
    try:
        op = await deps.journal.get(operation_id)
    except OperationNotFound:
        raise NotFound("Deze operatie bestaat niet.") from None
    if op.kind != "calamity.clear":
        raise NotFound("Deze operatie bestaat niet.")
    authorize(actor.roster, actor.upn, Action.CLEAR_AGENDA, op.mailbox)
    return report_of(op, now=deps.now())


async def interrupted_clears(deps: Deps, actor: Actor, *, mailbox: str) -> list[ClearReport]:
    """Her clears of the last two weeks whose worker died before they were finished (a
    restart or a crash midway), newest first, each with what it did."""
    authorize(actor.roster, actor.upn, Action.CLEAR_AGENDA, mailbox)
    now = deps.now()
    found = await deps.journal.running(
        kind="calamity.clear", mailbox=mailbox, since=now - clearing.MAX_WINDOW
    )
    return [report_of(op, now=now) for op in found if op.interrupted(now)]


async def resume_clear(
    deps: Deps, graph: GraphSession, actor: Actor, *, operation_id: str
) -> ClearReport:
    """Finish an interrupted (or partly failed) clear by its id, as it was planned: what
    was done is not done again."""
    report = await clearing.resume(graph, deps.journal, roster=actor.roster, actor=actor.upn,
                                   operation_id=operation_id)  # fmt: skip
    deps.publish("changed", report.mailbox, operation_id=operation_id)
    return report


async def list_backlog(
    deps: Deps, actor: Actor, *, mailbox: str | None = None, status: str | None = "open"
) -> list[BacklogEntry]:
    """What waits to be planned again, for the executives I work for (or one of them)."""
    boxes = working_in(actor, mailbox)
    async with deps.sessions() as session:
        return await backlog.list_backlog(session, mailboxes=boxes, status=status)


async def propose_slots(
    deps: Deps, graph: GraphSession, actor: Actor, *, entry_id: str
) -> list[Slot]:
    """Free moments for the executive and the original attendees (findMeetingTimes)."""
    return await backlog.propose(graph, deps.sessions, roster=actor.roster, actor=actor.upn,
                                 entry_id=entry_id, now=deps.now())  # fmt: skip


async def plan_entry(
    deps: Deps, graph: GraphSession, actor: Actor, *, entry_id: str, start: dt.datetime
) -> BacklogEntry:
    """Invite the original attendees at the chosen moment (once, however often clicked)."""
    entry = await backlog.replan(graph, deps.sessions, roster=actor.roster, actor=actor.upn,
                                 entry_id=entry_id, start=start)  # fmt: skip
    deps.publish("closed", entry.mailbox, key=f"backlog:{entry.id}")
    return entry


async def drop_entry(deps: Deps, actor: Actor, *, entry_id: str, reason: str) -> BacklogEntry:
    """It will not be planned again, and why (for the colleagues)."""
    entry = await backlog.drop(deps.sessions, roster=actor.roster, actor=actor.upn,
                               entry_id=entry_id, reason=reason)  # fmt: skip
    deps.publish("closed", entry.mailbox, key=f"backlog:{entry.id}")
    return entry
