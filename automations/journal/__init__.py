"""The operations journal: every mutation planned, recorded step by step, resumable.

See ``service`` for the guarantees and how they are kept. Executors and verifiers are plain
async callables supplied by the feature; nothing here talks to Graph.
"""

from automations.journal.effects import Effect, Once
from automations.journal.errors import (
    AlreadyUndone,
    IncompleteStep,
    InvalidOperation,
    OperationConflict,
    OperationInProgress,
    OperationNotFound,
)
from automations.journal.groups import interrupted_members
from automations.journal.models import (
    Executor,
    Operation,
    Recorder,
    Step,
    StepContext,
    StepOutcome,
    StepPlan,
    Verifier,
)
from automations.journal.plans import fingerprint
from automations.journal.service import DEFAULT_LEASE, Journal

__all__ = [
    "DEFAULT_LEASE",
    "AlreadyUndone",
    "Effect",
    "Executor",
    "IncompleteStep",
    "InvalidOperation",
    "Journal",
    "Operation",
    "OperationConflict",
    "OperationInProgress",
    "OperationNotFound",
    "Once",
    "Recorder",
    "Step",
    "StepContext",
    "StepOutcome",
    "StepPlan",
    "Verifier",
    "fingerprint",
    "interrupted_members",
]
