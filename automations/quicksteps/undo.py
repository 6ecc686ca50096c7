"""Undo a quick step where Graph allows it: properties back, the message back to its folder.

What was sent, drafted, copied or put in To Do stays; the result says so per action. The state
to restore is what the apply read before it changed anything; an apply that needed a retry
could not be sure of that state, so its messages are not undone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.audit import AuditEntry, record
from automations.errors import NotFound
from automations.graph import BatchRequest, GraphSession
from automations.journal import Journal, OperationNotFound, StepContext, StepPlan
from automations.roster.models import Roster
from automations.roster.policy import Action, authorize

__all__ = ["UndoResult", "undo"]

PROPERTIES = {
    "mark_read": "isRead",
    "mark_unread": "isRead",
    "importance": "importance",
    "categorize": "categories",
    "clear_categories": "categories",
    "flag": "flag",
    "mark_complete": "flag",
    "clear_flag": "flag",
}
MOVES = frozenset({"move", "delete"})
KEPT = {
    "forward": "verstuurd; dat kan niet terug",
    "forward_as_attachment": "verstuurd; dat kan niet terug",
    "new_message": "opgesteld of verstuurd; verwijder een concept zelf",
    "reply_draft": "het concept blijft staan; verwijder het zelf",
    "todo_task": "de taak blijft staan; verwijder haar zelf in To Do",
    "copy": "de kopie blijft staan",
    "dispatch": "verstuurd naar de afdeling; de categorie en markering gaan terug",
}


@dataclass(frozen=True)
class UndoResult:
    id: str
    subject: str
    undone: list[str]
    kept: list[str]
    status: str  # "done" | "failed" | "not_possible"
    detail: str = ""


def _flag(value: Mapping[str, Any] | None) -> dict[str, Any]:
    value = dict(value or {})
    if value.get("flagStatus") != "flagged":
        return {"flagStatus": value.get("flagStatus") or "notFlagged"}
    return {k: value[k] for k in ("flagStatus", "startDateTime", "dueDateTime") if value.get(k)}


def _plan(message: Mapping[str, Any]) -> tuple[dict[str, Any], str | None, list[str], list[str]]:
    before = message.get("before") or {}
    patch: dict[str, Any] = {}
    move_to = None
    undone, kept = [], []
    for action in message["actions"]:
        if action["status"] != "done":
            continue
        kind = action["action"]
        if kind in PROPERTIES or kind == "dispatch":
            for prop in ("categories", "flag") if kind == "dispatch" else (PROPERTIES[kind],):
                patch[prop] = _flag(before.get("flag")) if prop == "flag" else before.get(prop)
        if kind in MOVES:
            move_to = before.get("parentFolderId")
        if kind in KEPT:
            kept.append(f"{action['label']}: {KEPT[kind]}")
        if kind in PROPERTIES or kind in MOVES:
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
        done = await journal.submit(
            kind="quickstep.undo",
            actor=actor,
            mailbox=mailbox,
            steps=plans,
            executor=restore,
            operation_id=undo_id,
        )
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
