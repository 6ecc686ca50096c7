"""Errors of the operations journal, as subclasses of the product's typed errors.

AppError
 ├── BadRequest
 │    └── InvalidOperation      400  an id, step or parameter the journal cannot store
 ├── NotFound
 │    └── OperationNotFound     404  no operation with this id
 ├── Conflict
 │    ├── OperationConflict     409  same id, different request (not a resubmit)
 │    └── OperationInProgress   409  another worker holds the operation right now
 └── Unavailable
      └── IncompleteStep        503  part of a step was done; the rest runs when it resumes
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from automations.errors import BadRequest, Conflict, NotFound, Unavailable

__all__ = [
    "IncompleteStep",
    "InvalidOperation",
    "OperationConflict",
    "OperationInProgress",
    "OperationNotFound",
]


class InvalidOperation(BadRequest):
    code = "invalid_operation"


class OperationNotFound(NotFound):
    code = "operation_not_found"


class OperationConflict(Conflict):
    code = "operation_conflict"


class OperationInProgress(Conflict):
    code = "operation_in_progress"


class IncompleteStep(Unavailable):
    """A step handled some of its items before Graph stopped answering: the journal records the
    failure together with ``effects`` for what was handled (``journal.effects.Once``)."""

    code = "incomplete_step"

    def __init__(self, message: str, *, effects: Sequence[Any]) -> None:
        super().__init__(message)
        self.effects = tuple(effects)
