"""Errors of the operations journal, as subclasses of the product's typed errors.

AppError
 ├── BadRequest
 │    └── InvalidOperation      400  an id, step or parameter the journal cannot store
 ├── NotFound
 │    └── OperationNotFound     404  no operation with this id
 └── Conflict
      ├── OperationConflict     409  same id, different request (not a resubmit)
      └── OperationInProgress   409  another worker holds the operation right now
"""

from __future__ import annotations

from automations.errors import BadRequest, Conflict, NotFound

__all__ = ["InvalidOperation", "OperationConflict", "OperationInProgress", "OperationNotFound"]


class InvalidOperation(BadRequest):
    code = "invalid_operation"


class OperationNotFound(NotFound):
    code = "operation_not_found"


class OperationConflict(Conflict):
    code = "operation_conflict"


class OperationInProgress(Conflict):
    code = "operation_in_progress"
