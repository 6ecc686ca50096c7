"""The team's quick-step set in the store, kept by version (see ``automations.versions``)."""

from __future__ import annotations

from automations.quicksteps.definitions import DefinitionError, parse
from automations.quicksteps.models import QuickStepSet
from automations.store.models import QuickStepVersionRow
from automations.versions import Active, VersionedDocument, VersionInfo

__all__ = [
    "ActiveSet",
    "DefinitionError",
    "VersionInfo",
    "active",
    "parse",
    "publish",
    "read_version",
    "versions",
]

ActiveSet = Active[QuickStepSet]

DOCUMENT = VersionedDocument(
    row=QuickStepVersionRow,
    parse=parse,
    audit_action="quicksteps.publish",
    label="snelle stappen",
    summary=lambda steps: {"steps": len(steps.steps)},
)

publish = DOCUMENT.publish
active = DOCUMENT.active
read_version = DOCUMENT.read_version
versions = DOCUMENT.versions
