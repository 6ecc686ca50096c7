"""What the Inbox delta found, and what keeping a subscription did: plain values, no mail
content (ids and counts only), safe to log and to publish."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["InboxDelta", "Kept", "Receipt"]

# What the subscription upkeep did for one mailbox (``flows.keep_subscription``).
Kept = Literal["created", "renewed", "replaced", "kept", "removed", "off"]


@dataclass(frozen=True)
class InboxDelta:
    """One run of an executive's Inbox delta: the message ids that arrived in the Inbox, changed
    there, or left it (moved out, deleted) since the run before.

    ``full`` is a complete read (the first one, or after Graph's 410 dropped the sync state);
    after the very first one (``baseline``) nothing is reported as arrived, because nothing was
    known before it. ``reasons`` are why it ran (``notification``, ``missed``, ``poll`` …).
    """

    mailbox: str
    arrived: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    left: tuple[str, ...] = ()
    full: bool = False
    baseline: bool = False
    at: dt.datetime | None = None
    requests: int = 0
    reasons: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.arrived or self.changed or self.left)

    def counts(self) -> dict[str, int]:
        """For the ``inbox`` event and the logs: how many, never which or what."""
        return {"arrived": len(self.arrived), "changed": len(self.changed), "left": len(self.left)}


@dataclass
class Receipt:
    """What one webhook post held: accepted change notifications per mailbox, lifecycle events
    acted on, and items dropped (unknown subscription or a ``clientState`` that did not match)."""

    mailboxes: set[str] = field(default_factory=set)
    lifecycle: list[str] = field(default_factory=list)
    dropped: int = 0
