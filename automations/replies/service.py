"""The replies' public service: the team's templates in the store (kept by version, see
``automations.versions``), and what jobs and tools use without a user's flow — reminding of
waiting drafts, validating a template file, the HTML allow-list for mail shown in the pane."""

from __future__ import annotations

from automations.replies.approvals import ApprovalView, remind_waiting
from automations.replies.html import clean
from automations.replies.templates import TemplateError, TemplateSet, parse
from automations.store.models import TemplateVersionRow
from automations.versions import Active, VersionedDocument

__all__ = [
    "DOCUMENT",
    "ActiveTemplates",
    "ApprovalView",
    "TemplateError",
    "clean",
    "parse",
    "remind_waiting",
]

ActiveTemplates = Active[TemplateSet]

DOCUMENT = VersionedDocument(
    row=TemplateVersionRow,
    parse=parse,
    audit_action="templates.publish",
    label="sjablonen",
    summary=lambda found: {"templates": len(found.templates)},
)
