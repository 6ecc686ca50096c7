"""Mail jobs: flagged mail that has waited too long goes to the work queue.

Only the Inbox is read: flagged mail elsewhere was filed on purpose. A message unflagged or
completed in Outlook closes its queue item at the next run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from automations.dates import AMSTERDAM, from_graph
from automations.graph.pages import read_all
from automations.jobs.calendar_jobs import close_findings, record_finding
from automations.jobs.registry import JobContext, MailboxResult, job

__all__ = ["flagged_mail", "flagged_url"]

FIELDS = "id,subject,from,receivedDateTime,flag"


def flagged_url(mailbox: str, before: dt.datetime) -> str:
    when = before.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    query = f"flag/flagStatus eq 'flagged' and receivedDateTime le {when}"
    return (
        f"/users/{mailbox}/mailFolders/inbox/messages?$filter={quote(query)}"
        f"&$select={FIELDS}&$top=100"
    )


def _due(message: dict[str, Any]) -> str | None:
    due = (message.get("flag") or {}).get("dueDateTime")
    return from_graph(due).astimezone(AMSTERDAM).date().isoformat() if due else None


@job(
    "flagged-mail",
    "Gemarkeerde mail in het Postvak IN die langer dan het ingestelde aantal dagen wacht, naar "
    "de werkvoorraad",
    "0 8,13 * * 1-5",
)
async def flagged_mail(ctx: JobContext, mailbox: str, result: MailboxResult) -> None:
    before = ctx.now - dt.timedelta(days=ctx.settings.flagged_days)
    messages = await read_all(ctx.graph, flagged_url(mailbox, before))
    result.count("flagged", len(messages))
    owner = ctx.roster.front_office_on(mailbox, ctx.today)
    keys = set()
    for m in messages:
        key = f"{mailbox}:{m['id']}"
        keys.add(key)
        sender = ((m.get("from") or {}).get("emailAddress") or {}).get("name") or ""
        subject = m.get("subject") or "(geen onderwerp)"
        summary = f"{subject} — {sender}" if sender else subject
        result.actions.append(f"gemarkeerd: {summary}")
        if not ctx.dry_run:
            details = {"message": m["id"], "received": m.get("receivedDateTime"), "due": _due(m)}
            await record_finding(ctx, "flagged-mail", key, mailbox, "flagged", summary[:400],
                                 owner, details)  # fmt: skip
    if not ctx.dry_run:
        result.count("resolved", await close_findings(ctx, "flagged-mail", mailbox, keys))
