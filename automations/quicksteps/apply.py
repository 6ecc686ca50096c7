"""Apply a quick step to one or more messages in an executive's mailbox, exactly once.

Shape of an apply (DESIGN principles 3 and 4):

1. The roster decides (the mailbox, and the step's ``allowed``), before Graph is asked
   (``checks``).
2. Folders, categories and To Do lists the step needs are found or made; that is idempotent
   and happens before the journal, so their ids can be part of the plan (``prepare``).
3. The journal plans one step per group of up to 20 messages; a group runs each message's
   requests in order and the messages side by side, four in flight per mailbox (``group``),
   each action's requests coming from its type (``actions``).
4. A retried group first looks up what it already created and does not make it again
   (``resume``); the other actions are idempotent. A resubmit with the same operation id
   returns the result.

This module also gathers the names adapters and other features import (``preview``,
``may_use``, ``MAX_MESSAGES``, ``ensure_categories``, the result types).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.errors import Throttled, Unavailable
from automations.graph import GraphSession, retry_delay
from automations.journal import Journal, StepContext, StepOutcome, StepPlan
from automations.quicksteps.checks import (
    MAX_MESSAGES,
    authorize_use,
    check_selection,
    may_use,
    resolve_choices,
    step_named,
)
from automations.quicksteps.group import run_group
from automations.quicksteps.letters import Letter, letter_for
from automations.quicksteps.prepare import ensure_categories, prepare
from automations.quicksteps.preview import Preview, preview
from automations.quicksteps.registry import kinds_of
from automations.quicksteps.results import ActionResult, MessageResult, results_of
from automations.quicksteps.service import ActiveSet
from automations.roster.models import Roster

__all__ = [
    "MAX_MESSAGES",
    "ActionResult",
    "MessageResult",
    "Preview",
    "apply",
    "ensure_categories",
    "may_use",
    "preview",
    "results_of",
]

log = logging.getLogger(__name__)

GROUP_SIZE = 20
RESUMES = 3  # in-process resumes of an operation that met transient faults


def _groups(ids: list[str]) -> list[list[int]]:
    """Up to 20 messages per journal step: what a retry of a step redoes and what is committed
    at once. A group keeps the mailbox's four slots busy on its own (60 requests for a step of
    three per message), so between groups little of the window goes unused."""
    size = GROUP_SIZE
    return [list(range(i, min(i + size, len(ids)))) for i in range(0, len(ids), size)]


async def check_apply(
    *,
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    roster: Roster,
    actor: str,
    mailbox: str,
    steps: ActiveSet,
    name: str,
    message_ids: Sequence[str],
    today: dt.date,
    choices: Mapping[str, str] | None = None,
) -> tuple[list[str], dict[str, str], Letter | None]:
    """Every refusal an apply makes before it changes anything (the step, who may, the
    selection, the choices, the letter): also asked at the click when a worker applies it,
    so she hears of it at once rather than from a task that failed."""
    step = step_named(steps, name)
    authorize_use(step, roster, actor.lower(), mailbox.lower())
    ids = check_selection(message_ids)
    chosen = resolve_choices(steps, kinds_of(step), choices or {}, today, required=True)
    letter = await letter_for(graph, sessions, mailbox.lower(), step)
    return ids, chosen, letter


async def apply(
    *,
    graph: GraphSession,
    journal: Journal,
    sessions: async_sessionmaker[AsyncSession],
    roster: Roster,
    actor: str,
    mailbox: str,
    steps: ActiveSet,
    name: str,
    message_ids: Sequence[str],
    operation_id: str,
    today: dt.date,
    choices: Mapping[str, str] | None = None,
) -> list[MessageResult]:
    """Apply step ``name`` to the messages, exactly once per ``operation_id``."""
    step = step_named(steps, name)
    mailbox, actor = mailbox.lower(), actor.lower()
    ids, chosen, letter = await check_apply(
        graph=graph, sessions=sessions, roster=roster, actor=actor, mailbox=mailbox,
        steps=steps, name=name, message_ids=message_ids, today=today, choices=choices,
    )  # fmt: skip
    kinds = kinds_of(step)
    prepared, _, _ = await prepare(graph, mailbox, actor, kinds, chosen, create=True)
    plans = [
        StepPlan(
            "messages",
            {
                "quickstep": step.name,
                "version": steps.info.version,
                "messages": [ids[i] for i in group],
                "first": group[0],
                "folders": dict(prepared.folders),
                "todo_lists": dict(prepared.todo_lists),
                "dispatch": chosen,
                "today": today.isoformat(),
            },
        )
        for group in _groups(ids)
    ]
    names = {"mailbox": roster.names.get(mailbox, mailbox), "actor": roster.names.get(actor, actor)}

    async def run(ctx: StepContext) -> StepOutcome:
        return await run_group(graph, ctx, kinds, names, letter)

    for attempt in range(RESUMES + 1):
        try:
            op = await journal.submit(
                kind="quickstep",
                actor=actor,
                mailbox=mailbox,
                steps=plans,
                executor=run,
                operation_id=operation_id,
            )
            return results_of(op)
        except (Throttled, Unavailable) as exc:  # GraphTimeout is an Unavailable
            # The gateway's rule decides the wait; a Retry-After it would not wait for is
            # handed to the caller at once rather than slept through here.
            wait = getattr(exc, "retry_after", None)
            delay = retry_delay(graph.config, attempt, wait) if attempt < RESUMES else None
            if delay is None:
                raise
            log.info("operation %s meets %s; resuming in %.1fs", operation_id, exc.code, delay)
            await graph.config.sleep(delay)
    raise AssertionError("unreachable")
