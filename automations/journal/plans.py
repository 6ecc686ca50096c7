"""Turning what callers hand the journal into what it stores, and stored rows back.

Kept apart from ``service`` so the rules for ids, names and JSON are in one short place: an
operation id travels from the task pane through the API into Graph (as a tag on what we
send), so it is restricted to a safe alphabet; parameters and results are JSON round-tripped
so what the caller gets back now is exactly what a resume reads later.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

from automations.journal.errors import InvalidOperation
from automations.journal.models import Operation, Step, StepOutcome, StepPlan
from automations.store.models import OperationRow, OperationStepRow

__all__ = [
    "as_json",
    "as_outcome",
    "check_plan",
    "describe_error",
    "fingerprint",
    "normalise_upn",
    "to_operation",
]

log = logging.getLogger(__name__)

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_NAME = re.compile(r"[a-z][a-z0-9_.-]{0,63}")
_MAX_ERROR = 2000


def fingerprint(
    *, kind: str, actor: str, on_behalf_of: str | None, mailbox: str, steps: Sequence[StepPlan]
) -> str:
    """A stable hash of what was asked: equal requests give equal fingerprints."""
    request = {
        "kind": kind,
        "actor": actor,
        "on_behalf_of": on_behalf_of,
        "mailbox": mailbox,
        "steps": [[s.name, s.params] for s in steps],
    }
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def normalise_upn(value: str | None, what: str) -> str:
    upn = (value or "").strip().lower()
    if not upn or len(upn) > 320:
        raise InvalidOperation(f"{what} must be a user principal name")
    return upn


def check_plan(op_id: str, kind: str, steps: Sequence[StepPlan]) -> list[StepPlan]:
    if not _ID.fullmatch(op_id):
        raise InvalidOperation("operation id must be 1-64 characters: letters, digits and . _ : - ")
    if not _NAME.fullmatch(kind):
        raise InvalidOperation(f"operation kind {kind!r} is not a valid name")
    if not steps:
        raise InvalidOperation("an operation needs at least one step")
    checked = []
    for step in steps:
        if not _NAME.fullmatch(step.name):
            raise InvalidOperation(f"step name {step.name!r} is not a valid name")
        checked.append(StepPlan(step.name, as_json(step.params, f"params of step {step.name}")))
    return checked


def as_json(value: Any, what: str) -> Any:
    """A JSON round trip: what we return is exactly what the database will give back later."""
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise InvalidOperation(f"{what} must be JSON: {exc}") from exc


def as_outcome(raw: StepOutcome | Mapping[str, Any] | None) -> StepOutcome:
    if raw is None:
        return StepOutcome()
    if isinstance(raw, StepOutcome):
        return StepOutcome(
            as_json(raw.result, "step result"), raw.graph_request_id, tuple(raw.effects)
        )
    return StepOutcome(as_json(dict(raw), "step result"))


def describe_error(exc: Exception) -> str:
    code = getattr(exc, "code", None)
    head = code if isinstance(code, str) else type(exc).__name__
    return f"{head}: {exc}"[:_MAX_ERROR]


def to_operation(row: OperationRow, steps: Sequence[OperationStepRow]) -> Operation:
    """A detached snapshot of stored rows."""
    return Operation(
        id=row.id,
        kind=row.kind,
        actor=row.actor_upn,
        on_behalf_of=row.on_behalf_of,
        mailbox=row.mailbox,
        status=row.status,
        result=row.result,
        error=row.error,
        created_at=row.created_at,
        updated_at=row.updated_at,
        finished_at=row.finished_at,
        lease_expires_at=row.lease_expires_at,
        undoes=row.undoes,
        steps=tuple(
            Step(
                index=s.index,
                name=s.name,
                params=s.params,
                state=s.state,
                attempts=s.attempts,
                result=s.result,
                error=s.error,
                graph_request_id=s.graph_request_id,
                started_at=s.started_at,
                finished_at=s.finished_at,
            )
            for s in steps
        ),
    )
