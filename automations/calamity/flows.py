"""The calamity clear and the re-planning backlog as the team uses them, one flow each.

The clear is always previewed first (DESIGN principle 2): executing refers to the preview by
its operation id, so it does exactly what was shown; an id that was never previewed is
refused for every adapter alike, unless it names a clear that already started (then running
it again finishes what is missing). A clear whose worker died midway is listed as
interrupted, with what it did, until someone finishes it ("Afmaken": ``resume_clear``).

The window is a quick choice computed from the clock or an explicit from–to (``clear_window``).
A secretary clears the executives she serves in one go (``preview_clears``, ``execute_clears``):
one journaled clear per executive, under ids derived from the group's (``member_id``), all
planned before any runs; finishing one of them (``resume_clear``) finishes the others too. When
the group's worker dies, the clears it had not reached yet are interrupted as well
(``journal.interrupted_members``), each on its own executive's agenda.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from automations.calamity import backlog, clearing, replanning
from automations.calamity.backlog import BacklogEntry
from automations.calamity.models import (
    CANCEL_MESSAGE,
    CUSTOM,
    DECLINE_MESSAGE,
    MAX_WINDOW,
    ClearGroup,
    ClearReport,
    ClearSettings,
    InvalidWindow,
    custom_window,
    group_of,
    window_for,
)
from automations.calamity.preview import preview, preview_id
from automations.calamity.replanning import Invitation, Slot
from automations.calamity.report import report_of
from automations.context import Actor, Deps
from automations.errors import BadRequest, NotFound
from automations.graph import GraphSession
from automations.journal import (
    Operation,
    OperationInProgress,
    OperationNotFound,
    interrupted_members,
)
from automations.queue.flows import working_in
from automations.roster.policy import Action, authorize, may

__all__ = [
    "FINISH_TASK",
    "PreviewFirst",
    "clear_interrupted",
    "clear_progress",
    "clear_window",
    "clears_progress",
    "draft_invitation",
    "drop_entry",
    "execute_clear",
    "execute_clears",
    "finish_clear",
    "interrupted_clears",
    "member_id",
    "list_backlog",
    "plan_entry",
    "preview_clear",
    "preview_clears",
    "propose_slots",
    "resume_clear",
    "start_clear",
    "start_clears",
]


class PreviewFirst(BadRequest):
    code = "preview_first"


MAX_GROUP = 5  # executives in one clear (a team serves two or three)


def clear_window(
    deps: Deps, *, choice: str | None = None, start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> tuple[dt.datetime, dt.datetime]:  # fmt: skip
    """The period to clear: a quick choice from the clock (``vanmiddag``, ``morgenochtend``,
    ``vandaag``, ``morgen``, ``week``) or an explicit from–to (Dutch time when without zone),
    checked: forwards, at most fourteen days."""
    if choice and choice != CUSTOM:
        return window_for(choice, deps.local_now())
    if choice is None and start is None and end is None:
        raise InvalidWindow("Kies een periode: een snelle keuze, of een begin en een einde.")
    return custom_window(start, end)


def member_id(operation_id: str, mailbox: str) -> str:
    """One executive's clear within a group: derived, so the group run again finds it."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"calamity/{operation_id}/{mailbox.lower()}"))


def _members(actor: Actor, mailboxes: Sequence[str]) -> list[str]:
    """Each executive once, in the order given; every one authorised before anything is read."""
    boxes = list(dict.fromkeys(m.lower() for m in mailboxes))
    if not boxes or len(boxes) > MAX_GROUP:
        raise InvalidWindow(f"Kies één tot {MAX_GROUP} agenda's om leeg te maken.")
    for mailbox in boxes:
        authorize(actor.roster, actor.upn, Action.CLEAR_AGENDA, mailbox)
    return boxes


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


async def preview_clears(
    deps: Deps, graph: GraphSession, actor: Actor, *, mailboxes: Sequence[str],
    start: dt.datetime, end: dt.datetime, settings: ClearSettings, toggled: Sequence[str] = (),
    operation_id: str | None = None,
) -> ClearGroup:  # fmt: skip
    """The preview of several executives' agendas at once: one listing per executive, each
    kept under its member id (``member_id``). Nothing changes in Graph."""
    boxes = _members(actor, mailboxes)
    group = operation_id or str(uuid.uuid4())
    reports = [
        await preview_clear(
            deps,
            graph,
            actor,
            mailbox=m,
            start=start,
            end=end,
            settings=settings,
            toggled=toggled,
            operation_id=member_id(group, m),
        )  # fmt: skip
        for m in boxes
    ]
    return group_of(group, reports)


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


async def execute_clears(
    deps: Deps, graph: GraphSession, actor: Actor, *, mailboxes: Sequence[str],
    start: dt.datetime, end: dt.datetime, settings: ClearSettings, operation_id: str,
    toggled: Sequence[str] = (), cancel_message: str = CANCEL_MESSAGE,
    decline_message: str = DECLINE_MESSAGE, calamity: str = "",
) -> ClearGroup:  # fmt: skip
    """Clear several executives' agendas as previewed: every clear is planned (and journaled)
    before the first runs, then they run one after the other, so a crash midway leaves each
    finishable; again under the same id finishes what is missing, nothing twice."""
    planned = await _plan_group(
        deps, graph, actor, mailboxes=mailboxes, operation_id=operation_id, start=start,
        end=end, settings=settings, toggled=toggled, cancel_message=cancel_message,
        decline_message=decline_message, calamity=calamity,
    )  # fmt: skip
    reports = []
    for m, member, _ in planned:
        reports.append(await clearing.resume(graph, deps.journal, roster=actor.roster,
                                             actor=actor.upn, operation_id=member))  # fmt: skip
        deps.publish("changed", m, operation_id=member)
    return group_of(operation_id, reports)


FINISH_TASK = "tasks.calamity_finish"  # a task name, not an audit action


async def start_clear(
    deps: Deps, graph: GraphSession, actor: Actor, *, mailbox: str, start: dt.datetime,
    end: dt.datetime, settings: ClearSettings, operation_id: str, toggled: Sequence[str] = (),
    cancel_message: str = CANCEL_MESSAGE, decline_message: str = DECLINE_MESSAGE,
    calamity: str = "",
) -> ClearReport:  # fmt: skip
    """The click: plan the clear as previewed (journaled), hand the run to a worker and return
    at once; progress is read from the journal. A worker that dies midway is replaced by
    another, which finishes what is missing (``finish_clear``). Clicked again, the same id
    plans nothing new and queues no second run."""
    authorize(actor.roster, actor.upn, Action.CLEAR_AGENDA, mailbox)
    await _previewed_or_started(deps, operation_id)
    report = await clearing.execute(
        graph, deps.sessions, deps.journal, roster=actor.roster, actor=actor.upn,
        mailbox=mailbox, start=start, end=end, settings=settings, operation_id=operation_id,
        toggled=toggled, cancel_message=cancel_message, decline_message=decline_message,
        calamity=calamity, run=False,
    )  # fmt: skip
    await _hand_over(deps, actor, operation_id)
    deps.publish("changed", mailbox, operation_id=operation_id)
    return report


async def start_clears(
    deps: Deps, graph: GraphSession, actor: Actor, *, mailboxes: Sequence[str],
    start: dt.datetime, end: dt.datetime, settings: ClearSettings, operation_id: str,
    toggled: Sequence[str] = (), cancel_message: str = CANCEL_MESSAGE,
    decline_message: str = DECLINE_MESSAGE, calamity: str = "",
) -> ClearGroup:  # fmt: skip
    """The click for several executives: every clear is planned before the first is handed
    over, and each executive's clear is its own task, so workers clear them side by side."""
    planned = await _plan_group(
        deps, graph, actor, mailboxes=mailboxes, operation_id=operation_id, start=start,
        end=end, settings=settings, toggled=toggled, cancel_message=cancel_message,
        decline_message=decline_message, calamity=calamity,
    )  # fmt: skip
    for m, member, _ in planned:
        await _hand_over(deps, actor, member)
        deps.publish("changed", m, operation_id=member)
    return group_of(operation_id, [report for _, _, report in planned])


async def _plan_group(
    deps: Deps, graph: GraphSession, actor: Actor, *, mailboxes: Sequence[str],
    operation_id: str, start: dt.datetime, end: dt.datetime, settings: ClearSettings,
    toggled: Sequence[str], cancel_message: str, decline_message: str, calamity: str,
) -> list[tuple[str, str, ClearReport]]:  # fmt: skip
    """Plan (journal) every executive's clear before any runs, so a crash midway leaves each
    finishable: per executive, the id of her clear and its report as planned."""
    ids = {m: member_id(operation_id, m) for m in _members(actor, mailboxes)}
    for member in ids.values():
        await _previewed_or_started(deps, member)
    planned = []
    for m, member in ids.items():  # planned together: finishing one finishes the others
        report = await clearing.execute(
            graph, deps.sessions, deps.journal, roster=actor.roster, actor=actor.upn,
            mailbox=m, start=start, end=end, settings=settings, operation_id=member,
            toggled=toggled, cancel_message=cancel_message, decline_message=decline_message,
            calamity=calamity, group=list(ids.values()), run=False,
        )  # fmt: skip
        planned.append((m, member, report))
    return planned


async def _hand_over(deps: Deps, actor: Actor, operation_id: str) -> None:
    await deps.tasks.defer(
        FINISH_TASK, lock=operation_id, operation_id=operation_id, actor=actor.upn,
        via=actor.via,
    )  # fmt: skip


async def finish_clear(
    deps: Deps, graph: GraphSession, actor: Actor, *, operation_id: str
) -> ClearReport:
    """What a worker runs: this one clear to the end as it was planned, nothing twice (its
    group's other clears are tasks of their own). Still held by another worker (or by the
    lease of one that died): ``OperationInProgress``, and the task tries again later."""
    report = await clearing.resume(graph, deps.journal, roster=actor.roster, actor=actor.upn,
                                   operation_id=operation_id)  # fmt: skip
    deps.publish("changed", report.mailbox, operation_id=operation_id)
    if report.status in ("running", "interrupted"):
        raise OperationInProgress(f"clear {operation_id} is held by another worker")
    return report


async def clears_progress(
    deps: Deps, actor: Actor, *, operation_id: str, mailboxes: Sequence[str]
) -> ClearGroup:
    """Where a clear of several executives stands, per executive (the pane polls this)."""
    boxes = _members(actor, mailboxes)
    reports = [
        await clear_progress(deps, actor, operation_id=member_id(operation_id, m)) for m in boxes
    ]
    return group_of(operation_id, reports)


async def clear_progress(deps: Deps, actor: Actor, *, operation_id: str) -> ClearReport:
    """Where a clear stands, item by item (the pane polls this while it runs)."""
    try:
        op = await deps.journal.get(operation_id)
    except OperationNotFound:
        raise NotFound("Deze operatie bestaat niet.") from None
    if op.kind != "calamity.clear":
        raise NotFound("Deze operatie bestaat niet.")
    authorize(actor.roster, actor.upn, Action.CLEAR_AGENDA, op.mailbox)
    return await _report(deps, op)


async def interrupted_clears(deps: Deps, actor: Actor, *, mailbox: str) -> list[ClearReport]:
    """Her clears of the last two weeks whose worker died before they were finished (a
    restart or a crash midway, also before a group's worker reached hers), newest first,
    each with what it did."""
    authorize(actor.roster, actor.upn, Action.CLEAR_AGENDA, mailbox)
    found = await deps.journal.unfinished(
        kind="calamity.clear", mailbox=mailbox, since=deps.now() - MAX_WINDOW
    )
    reports = [await _report(deps, op) for op in found]
    return [r for r in reports if r.status == "interrupted"]


async def _group(deps: Deps, op: Operation) -> list[Operation]:
    """The clear and the others planned with it (a group; alone, just the clear)."""
    members = [op]
    for other in op.steps[0].params.get("group", []) if op.steps else []:
        if other == op.id:
            continue
        try:
            members.append(await deps.journal.get(other))
        except OperationNotFound:
            continue
    return members


async def clear_interrupted(deps: Deps, op: Operation) -> bool:
    """Whether a journaled clear's worker died before it was finished: while running it, or
    before it got its turn in a group (that worker will not come back for it)."""
    now = deps.now()
    if op.status != "planned":
        return op.interrupted(now)
    return op.id in interrupted_members(await _group(deps, op), now, quiet=clearing.LEASE)


async def _report(deps: Deps, op: Operation) -> ClearReport:
    """The clear as it stands now (``interrupted`` as ``clear_interrupted`` says)."""
    return report_of(op, now=deps.now(), interrupted=await clear_interrupted(deps, op))


async def resume_clear(
    deps: Deps, graph: GraphSession, actor: Actor, *, operation_id: str
) -> ClearReport:
    """Finish an interrupted (or partly failed) clear by its id, as it was planned: what
    was done is not done again."""
    report = await clearing.resume(graph, deps.journal, roster=actor.roster, actor=actor.upn,
                                   operation_id=operation_id)  # fmt: skip
    deps.publish("changed", report.mailbox, operation_id=operation_id)
    for other in await _unfinished_siblings(deps, actor, operation_id):
        done = await clearing.resume(graph, deps.journal, roster=actor.roster,
                                     actor=actor.upn, operation_id=other)  # fmt: skip
        deps.publish("changed", done.mailbox, operation_id=other)
    return report


async def _unfinished_siblings(deps: Deps, actor: Actor, operation_id: str) -> list[str]:
    """The other clears planned with this one (a group) that are not finished yet and that
    this actor may finish."""
    op = await deps.journal.get(operation_id)
    return [
        sibling.id
        for sibling in (await _group(deps, op))[1:]
        if sibling.status in ("planned", "running", "failed")
        and may(actor.roster, actor.upn, Action.CLEAR_AGENDA, sibling.mailbox)
    ]


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
    """Moments for the executive and the original attendees (findMeetingTimes) after the
    cleared window and within her working hours, each saying who of the attendees is free."""
    return await replanning.propose(graph, deps.sessions, deps.journal, roster=actor.roster,
                                 actor=actor.upn, entry_id=entry_id, now=deps.now())  # fmt: skip


async def draft_invitation(
    deps: Deps, actor: Actor, *, entry_id: str, start: dt.datetime
) -> Invitation:
    """The invitation a chosen moment would send, to read and edit before confirming."""
    return await replanning.invitation(deps.sessions, roster=actor.roster, actor=actor.upn,
                                    entry_id=entry_id, start=start)  # fmt: skip


async def plan_entry(
    deps: Deps, graph: GraphSession, actor: Actor, *, entry_id: str, start: dt.datetime,
    subject: str | None = None, text: str | None = None,
) -> BacklogEntry:  # fmt: skip
    """Invite the original attendees at the chosen moment, with the invitation as confirmed
    (once, however often clicked)."""
    entry = await replanning.replan(graph, deps.sessions, roster=actor.roster, actor=actor.upn,
                                 entry_id=entry_id, start=start, subject=subject,
                                 text=text)  # fmt: skip
    deps.publish("closed", entry.mailbox, key=f"backlog:{entry.id}")
    return entry


async def drop_entry(deps: Deps, actor: Actor, *, entry_id: str, reason: str) -> BacklogEntry:
    """It will not be planned again, and why (for the colleagues)."""
    entry = await backlog.drop(deps.sessions, roster=actor.roster, actor=actor.upn,
                               entry_id=entry_id, reason=reason)  # fmt: skip
    deps.publish("closed", entry.mailbox, key=f"backlog:{entry.id}")
    return entry
