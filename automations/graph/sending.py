"""Exchange Online's sending limits, as the product plans with them.

Per mailbox Exchange sends 30 messages a minute, to at most 10,000 recipients a day and 500 in
one message (https://learn.microsoft.com/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits#sending-limits).
Meeting messages (cancellations, declines with a response, invitations) count like any mail.

Graph accepts a message over the rate with 202 and Exchange holds it in the Outbox: "any excess
in message submission will be throttled and successively carried over to the following
minutes" (https://learn.microsoft.com/troubleshoot/exchange/send-emails/smtp-submission-improvements).
So the product does not wait between sends itself: a calamity clear cancels its sixty meetings
as fast as Graph allows (the calendar work the user is waiting for) and the notices follow
from the Outbox, thirty a minute. What the product does is *tell* her when notices will take
minutes (``notice_note``) and say when the last one leaves (``last_notice_at``). No message
the product sends comes near 500 recipients (one notice per meeting or per colleague).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

__all__ = [
    "MESSAGE_RATE",
    "last_notice_at",
    "notice_minutes",
    "notice_note",
]

MESSAGE_RATE = 30  # messages a minute per mailbox


def notice_minutes(count: int, *, rate: int = MESSAGE_RATE) -> int:
    """In how many minutes (counting this one) ``count`` messages from one mailbox leave."""
    return math.ceil(count / rate) if count > 0 else 0


def notice_note(count: int, *, rate: int = MESSAGE_RATE) -> str:
    """What the user is told when ``count`` notices from one mailbox take minutes to go out;
    empty when they all leave within the minute."""
    minutes = notice_minutes(count, rate=rate)
    if minutes <= 1:
        return ""
    return (
        f"De {count} meldingen gaan in de komende {minutes} minuten de deur uit"
        f" (Exchange verstuurt er {rate} per minuut)."
    )


def last_notice_at(sent: Sequence[dt.datetime], *, rate: int = MESSAGE_RATE) -> dt.datetime | None:
    """When the last of these messages, submitted from one mailbox at these moments, leaves
    its Outbox: thirty a minute, the excess carried over to the following minutes. Counts only
    these messages; other mail from the same mailbox in the same minutes makes it later."""
    if not sent:
        return None
    per_minute: dict[int, int] = {}
    last = min(sent)
    for moment in sorted(sent):
        minute = int(moment.timestamp()) // 60
        while per_minute.get(minute, 0) >= rate:
            minute += 1
        per_minute[minute] = per_minute.get(minute, 0) + 1
        leaves = max(moment, dt.datetime.fromtimestamp(minute * 60, moment.tzinfo or dt.UTC))
        last = max(last, leaves)
    return last
