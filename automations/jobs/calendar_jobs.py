"""The calendar jobs. Each reads the mailbox's window through the delta mirror, so a run over
an unchanged calendar costs one request per mailbox, whatever the calendar's size."""

from __future__ import annotations

from typing import Any

from automations.graph import BatchRequest
from automations.jobs.mirror import forget, refresh
from automations.jobs.registry import JobContext, MailboxResult, job

__all__ = ["cancelled_leftovers"]


def _when(event: dict[str, Any]) -> str:
    return (event.get("start") or {}).get("dateTime", "")[:16].replace("T", " ")


@job(
    "cancelled-leftovers",
    "Vergaderingen die de organisator heeft geannuleerd maar nog in de agenda staan, verwijderen",
    "*/30 7-19 * * 1-5",
)
async def cancelled_leftovers(ctx: JobContext, mailbox: str, result: MailboxResult) -> None:
    mirror = await refresh(ctx.graph, ctx.sessions, mailbox, ctx.today)
    result.count("requests", mirror.requests)
    result.count("changed", len(mirror.changed) if not mirror.full else 0)
    if mirror.full:
        result.count("full_reads")
    leftovers = [e for e in mirror.events if e.get("isCancelled") and not e.get("isOrganizer")]
    for event in leftovers:
        subject = event.get("subject") or "(geen onderwerp)"
        result.actions.append(f"verwijderen: {subject}, {_when(event)}")
    if ctx.dry_run or not leftovers:
        result.count("found", len(leftovers))
        return
    answers = await ctx.graph.batch(
        [BatchRequest("DELETE", f"/users/{mailbox}/events/{e['id']}") for e in leftovers]
    )
    gone = []
    for event, answer in zip(leftovers, answers, strict=True):
        if answer.ok or answer.status == 404:
            gone.append(event["id"])
        else:
            answer.raise_for_status()
    result.count("removed", len(gone))
    await forget(ctx.sessions, mailbox, gone)
