"""Errors of the operations journal, as subclasses of the product's typed errors.

AppError
 ├── BadRequest
 │    └── InvalidOperation      400  an id, step or parameter the journal cannot store
 ├── NotFound
 │    └── OperationNotFound     404  no operation with this id
 ├── Conflict
 │    ├── AlreadyUndone         409  the operation was undone already (by whom, at what time)
 │    ├── OperationConflict     409  same id, different request (not a resubmit)
 │    └── OperationInProgress   409  another worker holds the operation right now
 └── Unavailable
      └── IncompleteStep        503  part of a step was done; the rest runs when it resumes
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from automations.dates import AMSTERDAM
from automations.errors import BadRequest, Conflict, NotFound, Unavailable

__all__ = [
    "AlreadyUndone",
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


class AlreadyUndone(Conflict):
    """A second undo of the same operation, whichever way in it came: refused, with who undid
    it (``by``, a UPN) and when (``at``: when that undo was started); ``told`` words it for
    the user, with her colleague's name."""

    code = "already_undone"

    def __init__(
        self, *, by: str, at: dt.datetime, undo_id: str, who: str | None = None,
        what: str = "Deze actie",
    ) -> None:  # fmt: skip
        self.by, self.at, self.undo_id = by, at, undo_id
        when = at.astimezone(AMSTERDAM).strftime("%H:%M")
        super().__init__(f"{what} is al ongedaan gemaakt door {who or by} om {when}.")

    def told(self, who: str, what: str = "Deze actie") -> AlreadyUndone:
        """The same refusal naming the one who undid it as the user knows her."""
        return AlreadyUndone(by=self.by, at=self.at, undo_id=self.undo_id, who=who, what=what)


class IncompleteStep(Unavailable):
    """A step handled some of its items before Graph stopped answering: the journal records the
    failure together with ``effects`` for what was handled (``journal.effects.Once``)."""

    code = "incomplete_step"

    def __init__(self, message: str, *, effects: Sequence[Any]) -> None:
        super().__init__(message)
        self.effects = tuple(effects)
