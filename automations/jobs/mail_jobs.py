"""Mail jobs: flagged mail that has waited too long goes to the work queue, and the
handover mail where the front office changes tomorrow.

Only the Inbox is read for flags: flagged mail filed elsewhere (Uitgezet) is already in the
queue as a dispatch. A message unflagged or completed in Outlook closes its item at the next run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from automations.dates import AMSTERDAM, from_graph, next_working_day
from automations.graph.pages import read_all
from automations.jobs.calendar_jobs import close_findings, record_finding
from automations.jobs.registry import JobContext, MailboxResult, job
from automations.queue.handover import build_handover, mail_handover

__all__ = ["flagged_mail", "flagged_url", "handover"]

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


@job(
    "handover",
    "Overdracht: waar de frontoffice morgen wisselt, krijgt de volgende een mail met wat open "
    "staat, wat vandaag veranderde en wat morgen moet",
    "0 17 * * 1-5",
)
async def handover(ctx: JobContext, mailbox: str, result: MailboxResult) -> None:
    today = ctx.roster.front_office_on(mailbox, ctx.today)
    following = ctx.roster.front_office_on(mailbox, next_working_day(ctx.today))
    if following is None or following == today:  # the roster alone says: no handover
        result.count("no_switch")
        return
    async with ctx.sessions() as session:
        found = await build_handover(session, roster=ctx.roster, mailboxes=[mailbox],
                                     today=ctx.today, now=ctx.now)  # fmt: skip
    [section] = found.sections
    who = ctx.roster.names.get(following, following)
    result.actions.append(f"overdracht aan {who}: {sum(section.counts.values())} open")
    if ctx.dry_run:
        return
    await mail_handover(ctx.graph, found, sender=mailbox, to=following,
                        names=ctx.roster.names, base_url=ctx.settings.base_url,
                        tag=f"handover/{mailbox}/{ctx.today}")  # fmt: skip
    result.count("sent")
