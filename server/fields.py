"""The field types every request model shares, defined once (validated at the edge).

``Field`` constraints work in bodies and, with ``Annotated[..., Query()]`` around them, in
query strings too; ``MailboxQuery`` and friends are those query forms.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema

from automations.fields import MAILBOX_PATTERN, OPERATION_PATTERN

__all__ = [
    "BOUNDED_DATE_PATTERN",
    "EARLIEST_DATE",
    "ISO_DATETIME_PATTERN",
    "ISO_DATE_PATTERN",
    "LATEST_DATE",
    "MAILBOX_PATTERN",
    "MAX_ROW_ID",
    "OPERATION_PATTERN",
    "AwareDateTime",
    "AwareDateTimeQuery",
    "BoundedDate",
    "BoundedIsoDate",
    "EventId",
    "IsoDate",
    "IsoDateTime",
    "IsoDateTimeQuery",
    "ItemId",
    "Mailbox",
    "MailboxQuery",
    "OperationId",
    "OptionalMailboxQuery",
    "RowId",
]


Mailbox = Annotated[str, Field(min_length=3, max_length=320, pattern=MAILBOX_PATTERN)]
OperationId = Annotated[str, Field(min_length=8, max_length=64, pattern=OPERATION_PATTERN)]
ItemId = Annotated[str, Field(min_length=1, max_length=512)]  # a Graph message or event id
EventId = ItemId

# The version a new quick-step or template text was made from (0: none yet); a publish on an
# older one than the active version is refused with 409 rather than undoing a colleague's change.
BasedOn = Annotated[
    int | None,
    Query(
        ge=0,
        description="De versie waarop deze tekst gebaseerd is (0: nog geen); een oudere"
        " dan de actieve wordt geweigerd (409).",
    ),
]
MailboxQuery = Annotated[str, Query(min_length=3, max_length=320, pattern=MAILBOX_PATTERN)]
OptionalMailboxQuery = Annotated[
    str | None, Query(min_length=3, max_length=320, pattern=MAILBOX_PATTERN)
]


# Dates and moments arrive as ISO 8601 text only. Pydantic's lax mode also reads a number as a
# Unix time (``to=0`` was 1 January 1970): a client that sends one has a bug worth a 422.
ISO_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
ISO_DATETIME_PATTERN = (
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}(:?\d{2})?)?$"
)


def _iso(pattern: str, example: str) -> Callable[[object], object]:
    def check(value: object) -> object:
        if isinstance(value, dt.date):  # already parsed (a default, or Python callers)
            return value
        if not isinstance(value, str) or not re.fullmatch(pattern, value):
            raise ValueError(f"verwacht ISO 8601 als {example}")
        return value

    return check


def _with_offset(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("verwacht een tijd met tijdzone, zoals 2026-11-24T10:00:00+01:00")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso(ISO_DATE_PATTERN, "2026-11-24"))]
IsoDateTime = Annotated[
    dt.datetime, BeforeValidator(_iso(ISO_DATETIME_PATTERN, "2026-11-24T10:00:00+01:00"))
]
AwareDateTime = Annotated[IsoDateTime, AfterValidator(_with_offset)]
IsoDateTimeQuery = Annotated[IsoDateTime, Query()]
AwareDateTimeQuery = Annotated[AwareDateTime | None, Query()]


# A calendar date within reason (ISO 8601 text, as ``IsoDate``): a day or two of arithmetic on
# it (a default range, "the day after") never runs past Python's date.max (9999-12-31), which
# would be a 500, not an answer.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2999, 12, 31)
BoundedDate = Annotated[IsoDate, Field(ge=EARLIEST_DATE, le=LATEST_DATE)]


# JSON Schema has no minimum or maximum for a date: the description says the years with a
# pattern instead, so a client (or schemathesis) that follows it stays inside BoundedDate.
BOUNDED_DATE_PATTERN = r"^(19|2\d)\d\d-\d\d-\d\d$"
BoundedIsoDate = Annotated[
    BoundedDate,
    WithJsonSchema({"type": "string", "format": "date", "pattern": BOUNDED_DATE_PATTERN}),
]


# A number that names a row of ours (a published version, a roster exception) in a path or a
# body. SQLite's integers end at 2**63 - 1 and a larger one is an OverflowError (a 500)
# before the query runs; ours stay far below 2**31, so anything above is a 422 at the edge.
MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]  # FastAPI reads it in a path as it is
