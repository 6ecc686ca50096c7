"""A clear as the pane shows it: every item with its state, from the journaled operation.

Items are read from what each chunk recorded so far, finished or not, so a clear whose worker
was killed shows exactly what was done; such a clear is ``interrupted`` (its worker is gone
and "Afmaken" finishes it). Apart from the calendar work, the report says how many notices the
clear sends and, once it is done, when the last one leaves her Outbox: Exchange sends thirty a
minute (``automations.graph.sending``); each notice is taken as sent when its chunk finished.
"""

from __future__ import annotations

import datetime as dt

from automations.calamity.models import (
    CANCEL_MESSAGE,
    DECLINE_MESSAGE,
    NOTICE_ACTIONS,
    ClearItem,
    ClearReport,
    counts_of,
    notices_of,
)
from automations.graph.sending import last_notice_at
from automations.journal import Operation

__all__ = ["report_of"]


def report_of(
    op: Operation, *, now: dt.datetime | None = None, interrupted: bool | None = None
) -> ClearReport:
    """The operation as the pane shows it: every item with its state, in agenda order.
    Given ``now``, a clear whose worker died reads as ``interrupted``, not ``running``;
    ``interrupted`` says so outright (a group's member that never got its turn)."""
    items: list[ClearItem] = []
    sent: list[dt.datetime] = []  # per notice sent, when its chunk finished
    for step in op.steps:
        results = (step.result or {}).get("items", {}) if isinstance(step.result, dict) else {}
        for entry in step.params.get("items", []):
            got = results.get(entry["id"], {})
            status = got.get("status") or ("kept" if step.name == "keep" else "planned")
            if step.state == "failed" and status == "planned":
                status, detail = "failed", step.error or ""
            else:
                detail = got.get("detail", "")
            if status == "done" and entry["action"] in NOTICE_ACTIONS:
                sent.append(step.finished_at or op.updated_at)
            items.append(
                ClearItem(
                    id=entry["id"],
                    subject=entry["subject"],
                    start=entry["start"],
                    end=entry["end"],
                    action=entry["action"],
                    reason=entry["reason"],
                    status=status,
                    detail=detail,
                    organizer=entry.get("organizer", ""),
                    series=entry.get("series", False),
                    toggled=entry.get("toggled", False),
                    # planned before this was stored: the rules keep every all-day item
                    all_day=entry.get("all_day", entry["reason"] == "hele dag"),
                )
            )
    items.sort(key=lambda i: (i.start, not i.all_day, i.subject))
    first = op.steps[1].params if len(op.steps) > 1 else {}
    messages = first.get("messages", {})
    status = {"planned": "running", "running": "running"}.get(op.status, op.status)
    if interrupted is None:
        interrupted = now is not None and op.interrupted(now)
    if interrupted and op.status in ("planned", "running"):
        status = "interrupted"
    window = op.steps[0].params if op.steps else {}
    return ClearReport(
        operation_id=op.id,
        mailbox=op.mailbox,
        start=window.get("start", ""),
        end=window.get("end", ""),
        status=status,
        items=items,
        cancel_message=messages.get("cancel", CANCEL_MESSAGE),
        decline_message=messages.get("decline", DECLINE_MESSAGE),
        counts=counts_of(items),
        notices=notices_of(items),
        last_notice_at=_last(sent) if status == "done" else "",
    )


def _last(sent: list[dt.datetime]) -> str:
    last = last_notice_at(sent)
    return last.isoformat() if last is not None else ""
