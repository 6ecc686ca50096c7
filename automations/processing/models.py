"""What Postverwerking shows: a mail in the Inbox, and how (and by whom) it was handled."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["HOW", "Handled", "HowHandled", "InboxMail", "ProcessingList", "SeenOutcome"]

HowHandled = Literal["seen", "draft", "dispatch", "quickstep", "replied", "forwarded", "answered"]

# What each way of handling reads as, in Dutch ("gezien door Karin Molenaar 09:12").
HOW: dict[str, str] = {
    "seen": "gezien",
    "draft": "concept gemaakt",
    "dispatch": "uitgezet",
    "quickstep": "snelle stap",
    "replied": "beantwoord",
    "forwarded": "doorgestuurd",
    "answered": "beantwoord",
}


@dataclass(frozen=True)
class Handled:
    """How a mail was handled: ``by`` is a UPN when we know who (our own actions and
    "gezien"), a display name from Graph (``by_name``) for a reply sent in Outlook, or
    nobody we can name (a reply Outlook marked on the mail)."""

    how: HowHandled
    at: dt.datetime | None
    by: str | None = None
    by_name: str | None = None
    detail: str = ""  # the quick step's name, the department
    operation_id: str | None = None  # "gezien": what an undo takes back

    @property
    def label(self) -> str:
        what = HOW[self.how]
        return f"{what} ({self.detail})" if self.detail else what


@dataclass(frozen=True)
class InboxMail:
    id: str
    subject: str
    sender_name: str
    sender_address: str
    received: dt.datetime
    conversation_id: str
    is_read: bool
    handled: Handled | None = None
    busy_by: str | None = None  # a colleague's live "ik pak dit op" on it


@dataclass(frozen=True)
class ProcessingList:
    mailbox: str
    since: dt.datetime
    default_since: bool  # the start of the day or her last look, not a moment she chose
    unhandled: list[InboxMail] = field(default_factory=list)
    handled: list[InboxMail] = field(default_factory=list)  # still in the Inbox, handled


@dataclass(frozen=True)
class SeenOutcome:
    """A "gezien" (or its undo) on several mails: which ones it changed, and the ones a
    colleague had marked already (message id → her UPN)."""

    operation_id: str
    mailbox: str
    marked: list[str]
    already: dict[str, str]
    # Asked by Outlook's id (a selection): that id → the immutable one the list knows it by;
    # a mail Graph no longer has is left out (``gone``).
    known_as: dict[str, str] = field(default_factory=dict)
    gone: list[str] = field(default_factory=list)
