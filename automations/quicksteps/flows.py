"""Quick steps as a user does them: read the set, publish it, preview, apply, undo.

Every adapter (the API, the pane, the CLI's ``--actor``) calls these, so a click and a script
get the same checks in the same order: may she work in this mailbox and use this step, does
a colleague hold the mail (asked first), then the journaled operation, and an event so open
panes redraw.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from automations.context import Actor, Deps
from automations.errors import AccessDenied, NotFound
from automations.graph import GraphSession
from automations.journal import OperationNotFound
from automations.queue.flows import ensure_unclaimed
from automations.quicksteps import apply as applying
from automations.quicksteps.apply import MessageResult, Preview
from automations.quicksteps.models import MAX_MESSAGES
from automations.quicksteps.registry import describe, sends_mail
from automations.quicksteps.results import Progress, progress_of, results_of
from automations.quicksteps.service import ActiveSet, VersionInfo, active, publish
from automations.quicksteps.undo import UndoResult, can_undo, undo
from automations.roster.policy import Action, authorize

__all__ = [
    "APPLY_TASK",
    "MAX_MESSAGES",
    "Progress",
    "StepInfo",
    "StepList",
    "UndoResult",
    "apply_progress",
    "apply_step",
    "can_undo",
    "active_set",
    "finish_step",
    "list_steps",
    "preview_step",
    "publish_steps",
    "results_of",
    "start_step",
    "step_outcome",
    "undo_step",
]


async def active_set(deps: Deps) -> ActiveSet:
    async with deps.sessions() as session:
        steps = await active(session)
    if steps is None:
        raise NotFound("Er zijn nog geen snelle stappen ingesteld; vraag de beheerder.")
    return steps


@dataclass(frozen=True)
class StepInfo:
    name: str
    icon: str
    description: str
    shortcut: str | None
    sends_mail: bool
    asks_department: bool
    actions: list[str]  # what each action does, in Dutch


@dataclass(frozen=True)
class StepList:
    version: int
    author: str
    departments: list[dict[str, Any]]
    steps: list[StepInfo]


async def list_steps(deps: Deps, actor: Actor, *, every: bool = False) -> StepList:
    """The steps of the active set that I may use (``every``: all of them, for admins)."""
    if every:
        authorize(actor.roster, actor.upn, Action.EDIT_CONFIGURATION)
    steps = await active_set(deps)
    today = deps.today()
    shown = [
        StepInfo(
            name=s.name, icon=s.icon, description=s.description, shortcut=s.shortcut,
            sends_mail=sends_mail(s), asks_department=s.asks_department,
            actions=[describe(a, today) for a in s.actions],
        )
        for s in steps.parsed.steps
        if every or applying.may_use(s, actor.roster, actor.upn)
    ]  # fmt: skip
    departments = [d.model_dump() for d in steps.parsed.departments]
    return StepList(steps.info.version, steps.info.author, departments, shown)


async def publish_steps(
    deps: Deps, actor: Actor, text: str, note: str | None, based_on: int | None = None
) -> VersionInfo:
    """A new version of the team's set (admins); a bad file is refused whole and audited, and
    one started from an older version than the active one is refused (``Superseded``)."""
    authorize(actor.roster, actor.upn, Action.EDIT_CONFIGURATION)
    async with deps.sessions() as session:
        try:
            return await publish(
                session,
                text,
                author=actor.upn,
                note=note,
                based_on=based_on,
                names=actor.roster.names,
            )
        finally:
            await session.commit()  # the version, or the audit entry of the refusal


def _may_apply(actor: Actor, steps: ActiveSet, name: str, mailbox: str) -> None:
    """Membership first, always: nobody outside the team learns whose claim holds."""
    authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, mailbox)
    step = next((s for s in steps.parsed.steps if s.name == name), None)
    if step is not None and not applying.may_use(step, actor.roster, actor.upn):
        raise AccessDenied(f"U mag de snelle stap '{step.name}' niet gebruiken.")


async def preview_step(
    deps: Deps, graph: GraphSession, actor: Actor, *, mailbox: str, step: str,
    messages: Sequence[str], choices: Mapping[str, str] | None = None,
) -> Preview:  # fmt: skip
    """Exactly what applying would change, per message; nothing is changed."""
    steps = await active_set(deps)
    _may_apply(actor, steps, step, mailbox)
    return await applying.preview(
        graph=graph, roster=actor.roster, actor=actor.upn, mailbox=mailbox, steps=steps,
        name=step, message_ids=messages, today=deps.today(), choices=choices,
    )  # fmt: skip


async def apply_step(
    deps: Deps, graph: GraphSession, actor: Actor, *, mailbox: str, step: str,
    messages: Sequence[str], operation_id: str, choices: Mapping[str, str] | None = None,
    despite_claim: bool = False,
) -> list[MessageResult]:  # fmt: skip
    """Apply a step to the messages, once per ``operation_id``; mail a colleague picked up is
    ``ClaimHeld`` (409) unless she goes ahead anyway (audited)."""
    steps = await active_set(deps)
    _may_apply(actor, steps, step, mailbox)
    await ensure_unclaimed(deps, actor, mailbox=mailbox, message_ids=messages,
                           despite=despite_claim)  # fmt: skip
    results = await applying.apply(
        graph=graph, journal=deps.journal, sessions=deps.sessions, roster=actor.roster,
        actor=actor.upn, mailbox=mailbox, steps=steps, name=step, message_ids=messages,
        operation_id=operation_id, today=deps.today(), choices=choices,
    )  # fmt: skip
    deps.publish("changed", mailbox, operation_id=operation_id)
    return results


APPLY_TASK = "tasks.quickstep_apply"
FINISHED = ("done", "failed")  # journal states in which an apply's outcome is what it is


async def start_step(
    deps: Deps, graph: GraphSession, actor: Actor, *, mailbox: str, step: str,
    messages: Sequence[str], operation_id: str, choices: Mapping[str, str] | None = None,
    despite_claim: bool = False,
) -> None:  # fmt: skip
    """The click on several messages: every refusal now (who may, a colleague's claim, the
    step's own checks), then the apply is a task a worker carries out (``finish_step``), so
    a dying instance or worker does not leave it half done. Follow it with ``step_outcome``
    (and ``apply_progress`` meanwhile). The same id again queues nothing new."""
    steps = await active_set(deps)
    _may_apply(actor, steps, step, mailbox)
    await ensure_unclaimed(deps, actor, mailbox=mailbox, message_ids=messages,
                           despite=despite_claim)  # fmt: skip
    await applying.check_apply(
        graph=graph, sessions=deps.sessions, roster=actor.roster, actor=actor.upn,
        mailbox=mailbox, steps=steps, name=step, message_ids=messages, today=deps.today(),
        choices=choices,
    )  # fmt: skip
    await deps.tasks.defer(
        APPLY_TASK, lock=operation_id, mailbox=mailbox, step=step, messages=list(messages),
        operation_id=operation_id, choices=dict(choices or {}), actor=actor.upn, via=actor.via,
    )  # fmt: skip


async def finish_step(
    deps: Deps, graph: GraphSession, actor: Actor, *, mailbox: str, step: str,
    messages: Sequence[str], operation_id: str, choices: Mapping[str, str] | None = None,
) -> list[MessageResult]:  # fmt: skip
    """What a worker runs: the apply she clicked (her claim question was answered then)."""
    return await apply_step(
        deps, graph, actor, mailbox=mailbox, step=step, messages=messages,
        operation_id=operation_id, choices=choices, despite_claim=True,
    )  # fmt: skip


async def step_outcome(
    deps: Deps, actor: Actor, *, operation_id: str
) -> list[MessageResult] | None:
    """Per message what a handed-over apply did, once it is finished; None while it runs (or
    is not planned yet)."""
    try:
        op = await deps.journal.get(operation_id)
    except OperationNotFound:
        return None
    if op.kind != "quickstep":
        raise NotFound("Deze operatie bestaat niet.")
    authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, op.mailbox)
    return results_of(op) if op.status in FINISHED else None


async def apply_progress(deps: Deps, actor: Actor, *, operation_id: str) -> Progress | None:
    """How far an apply on a selection is, for the pane's line while it runs ("12 van 50");
    None while it is not planned yet. Only for those who work in its mailbox."""
    try:
        op = await deps.journal.get(operation_id)
    except OperationNotFound:
        return None
    if op.kind != "quickstep":
        raise NotFound("Deze operatie bestaat niet.")
    authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, op.mailbox)
    return progress_of(op)


async def undo_step(
    deps: Deps, graph: GraphSession, actor: Actor, *, operation_id: str, undo_id: str
) -> list[UndoResult]:
    """Put back what Graph allows (folder, categories, flag, read, importance) of an apply."""
    results = await undo(graph=graph, journal=deps.journal, sessions=deps.sessions,
                         roster=actor.roster, actor=actor.upn, operation_id=operation_id,
                         undo_id=undo_id)  # fmt: skip
    applied = await deps.journal.get(operation_id)
    deps.publish("changed", applied.mailbox, operation_id=undo_id)
    return results
