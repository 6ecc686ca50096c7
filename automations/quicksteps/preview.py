"""Preview: exactly what applying a step would change, per message; changes nothing.

DESIGN principle 2: every action on another person's mailbox can be seen before it is done,
including the folders and categories the apply would make.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from automations.graph import GraphSession
from automations.graph.sending import notice_note
from automations.quicksteps.actions import DescribeContext
from automations.quicksteps.checks import (
    authorize_use,
    check_selection,
    resolve_choices,
    step_named,
)
from automations.quicksteps.effects import MessageFacts
from automations.quicksteps.prepare import prepare
from automations.quicksteps.reads import read_facts, why_unreadable
from automations.quicksteps.registry import kinds_of
from automations.quicksteps.service import ActiveSet
from automations.roster.models import Roster

__all__ = ["Preview", "preview"]


@dataclass(frozen=True)
class Preview:
    step: str
    version: int
    messages: list[dict[str, Any]]  # {id, subject, sender, changes: [str]}
    new_folders: list[str]
    new_categories: list[str]
    departments: list[dict[str, Any]] = field(default_factory=list)  # to choose from
    choices: dict[str, str] = field(default_factory=dict)
    # Mail the apply sends from the mailbox (forwards, dispatches, new messages); Exchange
    # sends 30 a minute and holds the rest in the Outbox, so over 30 she is told it takes
    # minutes (automations.graph.sending). The apply itself does not wait for them.
    notices: int = 0
    notice_note: str = ""


async def preview(
    *,
    graph: GraphSession,
    roster: Roster,
    actor: str,
    mailbox: str,
    steps: ActiveSet,
    name: str,
    message_ids: Sequence[str],
    today: dt.date,
    choices: Mapping[str, str] | None = None,
) -> Preview:
    """Exactly what applying would change, per message; changes nothing."""
    step = step_named(steps, name)
    mailbox = mailbox.lower()
    authorize_use(step, roster, actor, mailbox)
    ids = check_selection(message_ids)
    kinds = kinds_of(step)
    chosen = resolve_choices(steps, kinds, choices or {}, today, required=False)
    _, new_folders, new_categories = await prepare(
        graph, mailbox, actor, kinds, chosen, create=False
    )
    facts = await read_facts(graph, mailbox, ids)
    told = DescribeContext(today, frozenset(new_folders), frozenset(new_categories), chosen)
    messages: list[dict[str, Any]] = []
    for i in ids:
        found = facts[i]
        if not isinstance(found, MessageFacts):
            messages.append({"id": i, "subject": "", "sender": "", "error": why_unreadable(found)})
            continue
        changes = [kind.describe(told) for kind in kinds]
        sender = found.sender_name or found.sender_address
        messages.append({"id": i, "subject": found.subject, "sender": sender, "changes": changes})
    sending = sum(1 for kind in kinds if kind.sends)
    notices = sending * sum(1 for m in messages if "error" not in m)
    return Preview(
        step.name,
        steps.info.version,
        messages,
        new_folders,
        new_categories,
        departments=[d.model_dump() for d in steps.parsed.departments]
        if step.asks_department
        else [],
        choices=dict(choices or {}),
        notices=notices,
        notice_note=notice_note(notices),
    )
