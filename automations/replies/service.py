"""The replies' public service: the team's templates in the store (kept by version, see
``automations.versions``), and what jobs and tools use without a user's flow — reminding of
waiting drafts, validating a template file, the HTML allow-list for mail shown in the pane,
and how a letter greets its reader and who signs it (``greeting``, ``signer_of``: the rules a
reply template's ``salutation`` and ``executive`` follow, for quick steps' drafts too)."""

from __future__ import annotations

from automations.replies.approvals import ApprovalView, remind_waiting
from automations.replies.drafts import greeting, signer_of
from automations.replies.html import clean
from automations.replies.templates import TemplateError, TemplateSet, parse
from automations.store.models import TemplateVersionRow
from automations.versions import Active, VersionedDocument

__all__ = [
    "DOCUMENT",
    "ActiveTemplates",
    "ApprovalView",
    "TemplateError",
    "TemplateSet",
    "clean",
    "greeting",
    "parse",
    "remind_waiting",
    "signer_of",
]

ActiveTemplates = Active[TemplateSet]

DOCUMENT = VersionedDocument(
    row=TemplateVersionRow,
    parse=parse,
    audit_action="templates.publish",
    label="sjablonen",
    summary=lambda found: {"templates": len(found.templates)},
)
