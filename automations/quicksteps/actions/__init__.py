"""Quick-step action types: one class per ``action:``, looked up by name in
``automations.quicksteps.registry``.

See ``base`` for what a type knows; the types are grouped by what they touch: ``properties``
(read, importance, categories, flag), ``folders`` (move, copy, delete), ``mail`` (forward,
reply draft, new message), ``tasks`` (To Do) and ``dispatch`` (uitzetten).
"""

from __future__ import annotations

from automations.quicksteps.actions.base import (
    ActionType,
    DescribeContext,
    Done,
    Finder,
    Made,
    Needs,
    RequestContext,
    Restore,
    Resuming,
    Wanted,
)

__all__ = [
    "ActionType",
    "DescribeContext",
    "Done",
    "Finder",
    "Made",
    "Needs",
    "RequestContext",
    "Restore",
    "Resuming",
    "Wanted",
]
