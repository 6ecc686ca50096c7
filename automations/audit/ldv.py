"""The audit log in the shape of the Logboek Dataverwerkingen (LDV, Logius): one JSON line
per audit row, for a municipality's central Logboek.

LDV builds on OpenTelemetry's trace model: a data processing is a trace, each action in it a
span. Our operation (one click: a quick step over several messages, a calamity clear) is the
trace, each audit row a span. Mapping, and what does not map, in docs/observability.md.

The data subject is the executive whose mailbox it is, named by her pseudonym (LDV asks for
an encrypted code, never the address); the processing activity is a URI into the
municipality's register (AVG art. 30), looked up by the action's family (``calamity``,
``approval``, …) in ``Activities``. Rows without a journal operation (a roster change) are a
processing of their own, with a trace id derived from the row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.audit.models import AuditFilter, AuditRecord
from automations.audit.service import stream_records
from automations.metrics import pseudonym

__all__ = ["DEFAULT_ACTIVITY", "SUBJECT_TYPE", "Activities", "export_ldv", "ldv_line", "status_of"]

# A URN until the municipality maps a family onto its register (SECRETARIAAT_LDV_ACTIVITIES).
DEFAULT_ACTIVITY = "urn:secretariaat:verwerkingsactiviteit:{family}"
# What kind of code ``dpl.core.data_subject_id`` is: the product's mailbox pseudonym.
SUBJECT_TYPE = "urn:secretariaat:mailbox-pseudoniem:hmac-sha256"

LdvStatus = Literal["Ok", "Unset", "Error"]


@dataclass(frozen=True)
class Activities:
    """Action family → URI of the processing activity in the municipality's register."""

    by_family: Mapping[str, str] = field(default_factory=dict)

    def of(self, action: str) -> str:
        family = action.split(".", 1)[0]
        return self.by_family.get(family) or DEFAULT_ACTIVITY.format(family=family)


def status_of(outcome: str) -> LdvStatus:
    """LDV's status: ``Error`` only for a failure inside the processing; a refusal of what
    the user asked for was handled correctly, which LDV calls ``Unset``."""
    statuses: dict[str, LdvStatus] = {"success": "Ok", "denied": "Unset"}
    return statuses.get(outcome, "Error")


def _trace_id(record: AuditRecord) -> str:
    """16 bytes as 32 hex: the operation's UUID, else a hash of the row (a trace of its own)."""
    if record.operation_id:
        try:
            return uuid.UUID(record.operation_id).hex
        except ValueError:
            return hashlib.sha256(f"operation:{record.operation_id}".encode()).hexdigest()[:32]
    return hashlib.sha256(f"audit:{record.id}".encode()).hexdigest()[:32]


def _ms(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def ldv_line(
    record: AuditRecord, *, activities: Activities, version: str, key: bytes | None = None
) -> dict[str, Any]:
    """One audit row as an LDV log line (``key``: the pseudonyms' key, else the process's)."""
    subject = record.mailbox or record.on_behalf_of
    attributes: dict[str, Any] = {
        "dpl.core.processing_activity_id": activities.of(record.action),
        "dpl.core.data_subject_id": pseudonym(subject, key=key) if subject else None,
        "dpl.core.data_subject_id_type": SUBJECT_TYPE if subject else None,
    }
    if status_of(record.outcome) == "Error":
        attributes["exception.type"] = record.action
    return {
        "trace_id": _trace_id(record),
        "span_id": f"{record.id:016x}",
        "status": status_of(record.outcome),
        "name": record.action,
        "start_time": _ms(record.at),
        "end_time": _ms(record.at),
        "resource": {"attributes": {"service.name": "secretariaat", "service.version": version}},
        "attributes": {k: v for k, v in attributes.items() if v is not None},
    }


async def export_ldv(
    sessions: async_sessionmaker[AsyncSession],
    filters: AuditFilter | None = None,
    *,
    activities: Activities,
    version: str,
) -> AsyncIterator[str]:
    """JSON lines, one per audit row, in order of recording."""
    async for record in stream_records(sessions, filters):
        line = ldv_line(record, activities=activities, version=version)
        yield json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n"
