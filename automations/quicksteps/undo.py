"""Undo a quick step where Graph allows it: properties back, the message back to its folder.

What was sent, drafted, copied or put in To Do stays; the result says so per action. The state
to restore is what the apply read before it changed anything; an apply that needed a retry
could not be sure of that state, so its messages are not undone.

An apply is undone once, whichever way in (the step's outcome, Laatste acties, the API): the
journal refuses a second undo (``AlreadyUndone``, 409) before anything is sent to Graph; the
same undo again (its id) answers with the first result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.audit import AuditEntry, record
from automations.errors import NotFound
from automations.graph import BatchRequest, GraphSession
from automations.journal import AlreadyUndone, Journal, OperationNotFound, StepContext, StepPlan
from automations.quicksteps.registry import ACTION_TYPES
from automations.quicksteps.results import MessageResult
from automations.roster.models import Roster
from automations.roster.policy import Action, authorize

__all__ = ["MOVES", "PROPERTIES", "UNDOABLE", "UndoResult", "can_undo", "undo"]

# Which done actions make an undo worth offering, as the action types say; the pane imports
# it as PROPERTIES (put back) and MOVES (moved back).
UNDOABLE = frozenset(name for name, kind in ACTION_TYPES.items() if kind.undoable())
PROPERTIES = {name: ACTION_TYPES[name].restores for name in UNDOABLE if ACTION_TYPES[name].restores}
MOVES = frozenset(name for name in UNDOABLE if ACTION_TYPES[name].moves_back)


def can_undo(results: Sequence[MessageResult]) -> bool:
    """Whether an apply left anything "Ongedaan maken" can put back."""
    return any(
        a.status == "done" and (a.action in PROPERTIES or a.action in MOVES)
        for r in results
        for a in r.actions
    )


@dataclass(frozen=True)
class UndoResult:
    id: str
    subject: str
    undone: list[str]
    kept: list[str]
    status: str  # "done" | "failed" | "not_possible"
    detail: str = ""


def _plan(message: Mapping[str, Any]) -> tuple[dict[str, Any], str | None, list[str], list[str]]:
    """The message's PATCH and folder to return to, from what each done action says undoes
    it; with the labels of what is undone and what stays."""
    before = message.get("before") or {}
    patch: dict[str, Any] = {}
    move_to = None
    undone, kept = [], []
    for action in message["actions"]:
        if action["status"] != "done":
            continue
        kind = ACTION_TYPES.get(action["action"])
        if kind is None:  # journaled by a version that knew an action this one does not
            continue
        restore = kind.undo(before)
        patch.update(restore.patch)
        move_to = restore.folder or move_to
        if kind.kept:
            kept.append(f"{action['label']}: {kind.kept}")
        if kind.undoable():
            undone.append(action["label"])
    return patch, move_to, undone, kept


async def undo(
    *,
    graph: GraphSession,
    journal: Journal,
    sessions: async_sessionmaker[AsyncSession],
    roster: Roster,
    actor: str,
    operation_id: str,
    undo_id: str,
) -> list[UndoResult]:
    """Undo the apply ``operation_id``, once per ``undo_id``."""
    try:
        applied = await journal.get(operation_id)
    except OperationNotFound:
        raise NotFound("Deze snelle stap is niet (meer) bekend.") from None
    if applied.kind != "quickstep":
        raise NotFound("Deze snelle stap is niet (meer) bekend.")
    authorize(roster, actor, Action.ACT_ON_MAILBOX, applied.mailbox)
    messages = [m for s in applied.steps for m in (s.result or {}).get("messages", [])]
    plans, results = [], {}
    for message in messages:
        patch, move_to, undone, kept = _plan(message)
        if "before" not in message:
            results[message["id"]] = UndoResult(
                message["id"], message["subject"], [], kept, "not_possible",
                "De toestand vóór de stap is niet zeker (de stap moest opnieuw); niets teruggezet.",
            )  # fmt: skip
        elif patch or move_to:
            params = {"message": message["id"], "patch": patch, "move_to": move_to}
            plans.append(StepPlan("restore", params))
            results[message["id"]] = UndoResult(message["id"], message["subject"], undone, kept, "")
        else:
            results[message["id"]] = UndoResult(
                message["id"],
                message["subject"],
                [],
                kept,
                "not_possible",
                "Niets terug te zetten.",
            )
    mailbox = applied.mailbox

    async def restore(ctx: StepContext) -> dict[str, Any]:
        url = f"/users/{mailbox}/messages/{ctx.params['message']}"
        statuses = []
        if ctx.params["patch"]:
            [patched] = await graph.batch([BatchRequest("PATCH", url, ctx.params["patch"])])
            statuses.append(patched.status)
        if ctx.params["move_to"] and all(200 <= s < 300 for s in statuses):
            body = {"destinationId": ctx.params["move_to"]}
            [moved] = await graph.batch([BatchRequest("POST", f"{url}/move", body)])
            statuses.append(moved.status)
        ok = all(200 <= s < 300 for s in statuses)
        async with sessions() as session, session.begin():
            await record(
                session,
                AuditEntry(
                    actor=actor,
                    mailbox=mailbox,
                    action="quickstep.undo",
                    outcome="success" if ok else "failure",
                    item_id=ctx.params["message"],
                    operation_id=ctx.operation_id,
                    details={"undoes": operation_id},
                ),
            )
        return {"ok": ok, "statuses": statuses}

    if plans:
        try:
            done = await journal.submit(
                kind="quickstep.undo",
                actor=actor,
                mailbox=mailbox,
                steps=plans,
                executor=restore,
                operation_id=undo_id,
                undoes=operation_id,
            )
        except AlreadyUndone as refused:
            by = refused.by
            who = "uzelf" if by == actor.lower() else roster.names.get(by, by)
            raise refused.told(who, "Deze snelle stap") from None
        for step in done.steps:
            found = results[step.params["message"]]
            ok = bool((step.result or {}).get("ok"))
            results[found.id] = UndoResult(
                found.id,
                found.subject,
                found.undone if ok else [],
                found.kept,
                "done" if ok else "failed",
                "" if ok else "Microsoft 365 weigerde het terugzetten.",
            )
    return [results[m["id"]] for m in messages]
