"""Approval of reply drafts (DESIGN principle 5): the executive approves the version she saw.

One module per concept: ``views`` (what an approval is, its statuses, the queries),
``request`` (asking her, and asking again after a revision), ``notice`` (the mail that asks
her), ``decide`` (approve, approve with an edit, reject, later) and
``lifecycle`` (drafts deleted or sent outside the product, reminders). Who may do which is
decided in ``automations.replies.flows``, the one way in for every adapter; scheduled jobs
use ``remind_waiting`` and ``check_open`` directly.
"""

from __future__ import annotations

from automations.replies.approvals.decide import defer, reject, send_approved
from automations.replies.approvals.lifecycle import check_open, read_approval, remind_waiting
from automations.replies.approvals.request import notify_again, request_approval, resubmit
from automations.replies.approvals.views import (
    AWAITING,
    CATEGORIES,
    OPEN,
    STATUS_LABELS,
    ApprovalClosed,
    ApprovalDetail,
    ApprovalView,
    DraftChanged,
    list_approvals,
)

__all__ = [
    "AWAITING",
    "CATEGORIES",
    "OPEN",
    "STATUS_LABELS",
    "ApprovalClosed",
    "ApprovalDetail",
    "ApprovalView",
    "DraftChanged",
    "check_open",
    "defer",
    "list_approvals",
    "notify_again",
    "read_approval",
    "reject",
    "remind_waiting",
    "request_approval",
    "resubmit",
    "send_approved",
]
