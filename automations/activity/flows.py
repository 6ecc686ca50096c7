"""Laatste acties as a user sees them: what happened in this mailbox today, and undo.

Every adapter (the API, the pane's section, the CLI) calls these. The list is the journal's:
today's operations (Amsterdam day, from the injected clock) on the mailbox, newest first, by
whoever on the team did them. Undo is the quick steps' own (``undo_step``) under an id made
from the apply's, so her second click gets the first result; any other undo of the same apply
(a colleague's, or the outcome's own button) is refused by the journal (``AlreadyUndone``),
which also tells the list what was undone (``Operation.undoes``).
"""

from __future__ import annotations

import datetime as dt
import uuid

from automations.activity.models import RecentAction
from automations.activity.service import operations_between
from automations.calamity import flows as calamity
from automations.context import Actor, Deps
from automations.dates import AMSTERDAM
from automations.errors import Conflict, NotFound
from automations.graph import GraphSession
from automations.journal import Operation, OperationNotFound
from automations.quicksteps import flows as quicksteps
from automations.quicksteps.flows import UndoResult
from automations.roster.policy import Action, authorize

__all__ = ["RecentAction", "UndoResult", "recent_actions", "undo_action", "undo_id_for"]

# Undo ids are derived from the apply's id in this namespace: one undo per apply.
UNDO_NAMESPACE = uuid.UUID("6f1d7c52-3b8e-4a53-9d0f-2a7c4e1b9a60")

WHAT = {
    "calamity.clear": "Agenda leeggemaakt (calamiteit)",
    "meetings.push": "Stukken naar de vergadermap",
    "approval.send": "Goedgekeurd antwoord verstuurd",
}


def undo_id_for(operation_id: str) -> str:
    """The one undo operation an apply can have."""
    return str(uuid.uuid5(UNDO_NAMESPACE, operation_id))


def _day(deps: Deps) -> tuple[dt.datetime, dt.datetime]:
    today = deps.today()
    start = dt.datetime.combine(today, dt.time(), AMSTERDAM)
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), AMSTERDAM)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def _hhmm(moment: dt.datetime) -> str:
    return moment.astimezone(AMSTERDAM).strftime("%H:%M")


def _step_name(op: Operation) -> str:
    return str(op.steps[0].params.get("quickstep", "")) if op.steps else ""


def _subjects(op: Operation) -> list[str]:
    if op.kind == "quickstep":
        return [r.subject or "(geen onderwerp)" for r in quicksteps.results_of(op)]
    if op.kind == "calamity.clear":
        reasons = {str(s.params.get("calamity") or "") for s in op.steps} - {""}
        return sorted(reasons)
    return []


def _outcome(op: Operation, now: dt.datetime, stopped: set[str]) -> str:
    if op.status == "done":
        if op.kind == "quickstep":
            results = quicksteps.results_of(op)
            whole = all(a.status == "done" for r in results for a in r.actions)
            return "gelukt" if whole else "niet alles gelukt"
        if op.kind == "quickstep.undo":
            whole = all((s.result or {}).get("ok") for s in op.steps)
            return "teruggezet" if whole else "niet alles teruggezet"
        return "gelukt"
    if op.status == "failed":
        return "mislukt"
    if op.id in stopped or (op.status == "running" and op.interrupted(now)):
        return "onderbroken"
    return "bezig" if op.status == "running" else "gepland"


def _line(
    op: Operation, actor: Actor, now: dt.datetime, undos: dict[str, tuple[str, str]],
    undone_ops: dict[str, Operation], stopped: set[str],
) -> RecentAction:  # fmt: skip
    def who(upn: str) -> str:
        return "ik" if upn == actor.upn else actor.name(upn)

    subjects = _subjects(op)
    undoable = False
    if op.kind == "quickstep":
        what = f"Snelle stap ‘{_step_name(op)}’"
        undoable = (
            op.status == "done"
            and op.id not in undos
            and quicksteps.can_undo(quicksteps.results_of(op))
        )
    elif op.kind == "quickstep.undo":
        original = undone_ops.get(op.id)
        what = f"Ongedaan gemaakt: ‘{_step_name(original)}’" if original else "Ongedaan gemaakt"
        subjects = _subjects(original) if original else []
    else:
        what = WHAT.get(op.kind, f"Actie ({op.kind})")
    undone = undos.get(op.id)
    return RecentAction(
        operation_id=op.id, kind=op.kind, actor=op.actor, who=who(op.actor),
        at=_hhmm(op.created_at), what=what, subjects=subjects, outcome=_outcome(op, now, stopped),
        status=op.status, undoable=undoable, undone_by=who(undone[1]) if undone else None,
    )  # fmt: skip


async def recent_actions(deps: Deps, actor: Actor, *, mailbox: str) -> list[RecentAction]:
    """Today's operations on ``mailbox``, newest first; only for those who may act there."""
    mailbox = mailbox.lower()
    authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, mailbox)
    start, end = _day(deps)
    async with deps.sessions() as session:
        ops = await operations_between(session, mailbox=mailbox, start=start, end=end)
    # An undo is newer than what it undid: both are on today's list when the apply is.
    undos = {op.undoes: (op.id, op.actor) for op in ops if op.undoes is not None}
    by_id = {op.id: op for op in ops}
    undone_ops = {undo: by_id[applied] for applied, (undo, _) in undos.items() if applied in by_id}
    # A clear a group's dead worker never started is interrupted, not waiting (``calamity``).
    stopped = {
        op.id for op in ops
        if op.kind == "calamity.clear" and op.status == "planned"
        and await calamity.clear_interrupted(deps, op)
    }  # fmt: skip
    now = deps.now()
    return [_line(op, actor, now, undos, undone_ops, stopped) for op in ops]


async def undo_action(
    deps: Deps, graph: GraphSession, actor: Actor, *, mailbox: str, operation_id: str
) -> list[UndoResult]:
    """Undo a quick step from the list, once: the undo's id is made from the apply's, so her
    second click is answered with the first result, and an undo already done (by a colleague,
    or with the outcome's own button) is refused (``AlreadyUndone``, by the journal)."""
    mailbox = mailbox.lower()
    authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, mailbox)
    try:
        applied = await deps.journal.get(operation_id)
    except OperationNotFound:
        raise NotFound("Deze actie is niet (meer) bekend.") from None
    if applied.mailbox != mailbox or applied.kind != "quickstep":
        raise NotFound("Deze actie is niet (meer) bekend.")
    if not quicksteps.can_undo(quicksteps.results_of(applied)):
        raise Conflict("Van deze snelle stap valt niets ongedaan te maken.")
    return await quicksteps.undo_step(
        deps, graph, actor, operation_id=operation_id, undo_id=undo_id_for(operation_id)
    )
