"""Exchange Online's sending limits, applied where a message leaves a mailbox.

Every message a mailbox submits counts: sendMail, send, reply, replyAll, forward, and the
meeting messages Exchange sends for it (requests, updates, cancellations, responses). Per
mailbox, as the Exchange Online limits page says
(https://learn.microsoft.com/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits#sending-limits):

- **Message rate limit**, 30 messages a minute. Graph accepts the message (202) and Exchange
  holds it: "any excess in message submission will be throttled and successively carried over
  to the following minutes"
  (https://learn.microsoft.com/troubleshoot/exchange/send-emails/smtp-submission-improvements).
  Here a message leaves in the first minute, counted from now, that has fewer than 30
  departures; its ``sentDateTime`` (and the recipients' ``receivedDateTime``) is that moment.
- **Recipient limit**, 500 recipients in To, Cc and Bcc of one message. The message is
  accepted and not delivered to anyone; the sender gets an NDR "550 5.5.3
  RESOLVER.ADR.RecipLimit; too many recipients" (KB 3024804,
  https://learn.microsoft.com/exchange/troubleshoot/administration/too-many-recipients-update-meeting-distribution-group).
- **Recipient rate limit**, 10,000 recipients in 24 hours (rolling). "Once the recipient rate
  limit is reached, messages can't be sent from the mailbox until the number of recipients that
  were sent messages in the past 24 hours drops below the limit": the sender gets an NDR
  "550 5.1.90 Your message can't be sent because you've reached your daily limit for message
  recipients" (https://learn.microsoft.com/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online).
  A message that would take the count over the limit is refused whole (unverified: the pages
  say "reached").

The settings are the request's (``sandbox.limits.Limits.slot`` sets them); the ledger of
departures per mailbox is kept in the store, so a restart keeps it, and runs on the store's
clock, never the machine's.
"""

from __future__ import annotations

import datetime as dt
import logging
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sandbox.store import Store

__all__ = [
    "Departure",
    "SendingLimits",
    "current_limits",
    "departures",
    "non_delivery_report",
    "submit",
]

log = logging.getLogger(__name__)

MINUTE = 60
DAY = dt.timedelta(hours=24)
POSTMASTER = "MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@zeeveen.nl"


@dataclass(frozen=True)
class SendingLimits:
    message_rate: int = 30  # messages a minute per mailbox
    recipient_rate: int = 10_000  # recipients in 24 hours per mailbox
    recipient_limit: int = 500  # recipients (To, Cc, Bcc) in one message


# The limits of the request being served; outside a request (seeding, tests) the defaults.
current_limits: ContextVar[SendingLimits | None] = ContextVar(
    "sandbox_sending_limits", default=None
)


@dataclass(frozen=True)
class Departure:
    """When a submitted message leaves its Outbox, or the NDR that stopped it."""

    at: str  # Graph's format; for an NDR the moment it was refused
    ndr: tuple[str, str] | None = None  # (status code, text) when it is not sent

    @property
    def sent(self) -> bool:
        return self.ndr is None


def _key(mailbox_id: str) -> str:
    return f"outbox/{mailbox_id}"


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def departures(store: Store, mailbox_id: str) -> list[dict[str, Any]]:
    """The mailbox's departures of the last 24 hours (and those still waiting): ``at``
    (when it leaves), ``recipients``, ``kind`` and ``subject``; in order of leaving."""
    return list(store.get_meta(_key(mailbox_id)) or [])


def submit(
    store: Store, mailbox_id: str, recipients: int, *, kind: str = "message", subject: str = ""
) -> Departure:
    """One message submitted from ``mailbox_id`` to ``recipients`` recipients: when it leaves,
    or why Exchange will not send it (the caller drops the NDR and delivers nothing)."""
    limits = current_limits.get() or SendingLimits()
    now = store.clock.now().astimezone(dt.UTC).replace(microsecond=0)
    ledger = [d for d in departures(store, mailbox_id) if _moment(d["at"]) > now - DAY]
    if recipients > limits.recipient_limit:
        text = (
            "This message wasn't delivered to anyone because there are too many recipients."
            f" The limit is {limits.recipient_limit}. This message has {recipients} recipients."
        )
        return Departure(_iso(now), ("550 5.5.3 RESOLVER.ADR.RecipLimit; too many recipients",
                                     text))  # fmt: skip
    if sum(d["recipients"] for d in ledger) + recipients > limits.recipient_rate:
        text = (
            "Your message can't be sent because you've reached your daily limit for message"
            " recipients."
        )
        return Departure(_iso(now), ("550 5.1.90 " + text, text))
    leaves = _first_free_minute(ledger, now, limits.message_rate)
    ledger.append(
        {"at": _iso(leaves), "recipients": recipients, "kind": kind, "subject": subject[:120]}
    )
    ledger.sort(key=lambda d: d["at"])
    store.set_meta(_key(mailbox_id), ledger)
    if leaves > now:
        log.info("%s: message rate limit, %s leaves at %s", mailbox_id, kind, _iso(leaves))
    return Departure(_iso(leaves))


def _first_free_minute(ledger: list[dict[str, Any]], now: dt.datetime, rate: int) -> dt.datetime:
    """Now, if this minute has room; else the start of the first later minute that has."""
    per_minute: dict[int, int] = {}
    for d in ledger:
        minute = int(_moment(d["at"]).timestamp()) // MINUTE
        per_minute[minute] = per_minute.get(minute, 0) + 1
    minute = int(now.timestamp()) // MINUTE
    while per_minute.get(minute, 0) >= rate:
        minute += 1
    start = dt.datetime.fromtimestamp(minute * MINUTE, dt.UTC)
    return max(now, start)


def non_delivery_report(
    store: Store, mailbox_id: str, original: dict[str, Any], departure: Departure
) -> None:
    """The NDR Exchange drops in the sender's Inbox for a message it did not send."""
    from sandbox.mail import service  # the mail service imports nothing of this module

    assert departure.ndr is not None
    code, text = departure.ndr
    subject = original.get("subject") or ""
    recipients = [
        r["emailAddress"]["address"]
        for key in ("toRecipients", "ccRecipients", "bccRecipients")
        for r in original.get(key) or []
    ]
    shown = ", ".join(recipients[:20]) + (" …" if len(recipients) > 20 else "")
    content = (
        f"{text}\n\nDiagnostic information for administrators:\n\n{code}\n\n"
        f"Original message: {subject}\nRecipients: {shown}"
    )
    postmaster = {"emailAddress": {"name": "Microsoft Outlook", "address": POSTMASTER}}
    owner = original.get("from") or original.get("sender")
    report = {
        "subject": f"Undeliverable: {subject}",
        "body": {"contentType": "text", "content": content},
        "from": postmaster,
        "sender": postmaster,
        "toRecipients": [owner] if owner else [],
        "importance": "normal",
        "receivedDateTime": departure.at,
        "sentDateTime": departure.at,
    }
    inbox = service.well_known(store, mailbox_id, "inbox")
    service.deliver(store, mailbox_id, inbox.id, report)
    log.info("%s: NDR for %r (%s)", mailbox_id, subject[:60], code.split(" ")[1])
