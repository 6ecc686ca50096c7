"""The team's reply templates in the store, kept by version (see ``automations.versions``)."""

from __future__ import annotations

from automations.replies.templates import TemplateSet, parse
from automations.store.models import TemplateVersionRow
from automations.versions import Active, VersionedDocument

__all__ = ["ActiveTemplates", "DOCUMENT"]

ActiveTemplates = Active[TemplateSet]

DOCUMENT = VersionedDocument(
    row=TemplateVersionRow,
    parse=parse,
    audit_action="templates.publish",
    label="sjablonen",
    summary=lambda found: {"templates": len(found.templates)},
)
