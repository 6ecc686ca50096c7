"""The upkeep of the Inbox subscriptions: each executive's Inbox has one live subscription
while the backend takes Graph's notifications, renewed well before it expires, replaced when
Graph dropped it; none when the backend polls instead (``JobSettings.mail_webhook_url``).

Hourly, so a renewal due within a day (``automations.inbox``'s ``RENEW_BEFORE``) has many
chances; the server also runs it once at start (``server/scheduler.py``).
"""

from __future__ import annotations

from automations.inbox import flows as inbox
from automations.jobs.registry import JobContext, MailboxResult, job

__all__ = ["mail_subscriptions"]

SAID = {
    "created": "abonnement op het Postvak IN gemaakt",
    "renewed": "abonnement verlengd",
    "replaced": "abonnement vervangen (Graph had het niet meer, of het adres is veranderd)",
    "kept": "abonnement in orde",
    "removed": "abonnement opgeheven: de backend haalt nieuwe mail zelf op",
    "off": "geen abonnement: de backend haalt nieuwe mail zelf op",
}


@job(
    "mail-subscriptions",
    "Meldingen van nieuwe mail: per bestuurder een abonnement op het Postvak IN, op tijd verlengd",
    "20 * * * *",
)
async def mail_subscriptions(ctx: JobContext, mailbox: str, result: MailboxResult) -> None:
    done = await inbox.keep_subscription(
        graph=ctx.graph, sessions=ctx.sessions, mailbox=mailbox,
        url=ctx.settings.mail_webhook_url, now=ctx.now, dry_run=ctx.dry_run,
    )  # fmt: skip
    result.count(done)
    result.actions.append(SAID[done])
