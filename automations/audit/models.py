"""Audit entries and filters, validated before they reach the database.

An entry describes one change (or refused change) to a mailbox or calendar: who did it, on
whose behalf, what, to which item, how it ended, and Graph's ``request-id`` as proof. UPNs are
lower-cased here so filters match however a name was typed.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, JsonValue

__all__ = ["AuditEntry", "AuditFilter", "AuditPage", "AuditRecord", "Outcome"]

log = logging.getLogger(__name__)

Outcome = Literal["success", "failure", "denied"]


def _lower(value: str | None) -> str | None:
    return value.strip().lower() if value is not None else None


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("timestamps must carry a time zone")
    return value.astimezone(dt.UTC) if value is not None else None


Upn = Annotated[str, Field(min_length=1, max_length=320), AfterValidator(_lower)]
Moment = Annotated[dt.datetime, AfterValidator(_aware)]


class AuditEntry(BaseModel):
    """What to record. ``at`` defaults to the moment of recording."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    actor: Upn
    action: str = Field(min_length=1, max_length=64)
    outcome: Outcome
    on_behalf_of: Upn | None = None
    mailbox: Upn | None = None
    item_id: str | None = Field(default=None, max_length=512)
    graph_request_id: str | None = Field(default=None, max_length=128)
    operation_id: str | None = Field(default=None, max_length=64)
    details: dict[str, JsonValue] | None = None
    at: Moment | None = None


class AuditRecord(AuditEntry):
    """A stored entry: it has an id (ascending in order of recording) and a time."""

    id: int
    at: Moment


class AuditFilter(BaseModel):
    """Which entries to read; every given field must match. ``since`` inclusive, ``until`` not."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    actor: Upn | None = None
    on_behalf_of: Upn | None = None
    mailbox: Upn | None = None
    action: str | None = None
    outcome: Outcome | None = None
    operation_id: str | None = None
    item_id: str | None = None
    since: Moment | None = None
    until: Moment | None = None


class AuditPage(BaseModel):
    """One page, newest first; pass ``next_before`` as ``before`` to get the next (older) one."""

    entries: list[AuditRecord]
    next_before: int | None
