"""What an apply reports per message and action, as the journal keeps it and adapters show it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from automations.journal import Operation

__all__ = ["ActionResult", "MessageResult", "Progress", "as_json", "progress_of", "results_of"]


@dataclass(frozen=True)
class ActionResult:
    action: str
    label: str
    status: str  # "done" | "failed" | "not_run"
    detail: str = ""


@dataclass(frozen=True)
class MessageResult:
    id: str
    subject: str
    actions: list[ActionResult]


def results_of(op: Operation) -> list[MessageResult]:
    """The results of a (finished) apply, read back from its journal steps."""
    out = []
    for s in op.steps:
        for m in (s.result or {}).get("messages", []):
            actions = [ActionResult(**a) for a in m["actions"]]
            out.append(MessageResult(m["id"], m["subject"], actions))
    return out


@dataclass(frozen=True)
class Progress:
    """How far an apply is: messages finished (their step done, or recorded by a step still
    running) of all it was planned for."""

    done: int
    total: int


def progress_of(op: Operation) -> Progress:
    total = done = 0
    for s in op.steps:
        planned = len(s.params.get("messages") or [])
        total += planned
        if s.state == "done":
            done += planned
        elif isinstance(s.result, dict):  # what a running step recorded so far
            done += min(planned, len(s.result.get("messages") or []))
    return Progress(done, total)


def as_json(result: MessageResult) -> dict[str, Any]:
    return {
        "id": result.id,
        "subject": result.subject,
        "actions": [a.__dict__ for a in result.actions],
    }
