"""The field types every request model shares, defined once (validated at the edge).

``Field`` constraints work in bodies and, with ``Annotated[..., Query()]`` around them, in
query strings too; ``MailboxQuery`` and friends are those query forms.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import Field

from automations.fields import MAILBOX_PATTERN, OPERATION_PATTERN

__all__ = [
    "MAILBOX_PATTERN",
    "OPERATION_PATTERN",
    "EventId",
    "ItemId",
    "Mailbox",
    "MailboxQuery",
    "OperationId",
    "OptionalMailboxQuery",
]


Mailbox = Annotated[str, Field(min_length=3, max_length=320, pattern=MAILBOX_PATTERN)]
OperationId = Annotated[str, Field(min_length=8, max_length=64, pattern=OPERATION_PATTERN)]
ItemId = Annotated[str, Field(min_length=1, max_length=512)]  # a Graph message or event id
EventId = ItemId

MailboxQuery = Annotated[str, Query(min_length=3, max_length=320, pattern=MAILBOX_PATTERN)]
OptionalMailboxQuery = Annotated[
    str | None, Query(min_length=3, max_length=320, pattern=MAILBOX_PATTERN)
]
