"""The audit log: an append-only record of every change made to a mailbox or calendar."""

from automations.audit.models import AuditEntry, AuditFilter, AuditPage, AuditRecord, Outcome
from automations.audit.service import CSV_COLUMNS, MAX_PAGE, export_csv, query, record

__all__ = [
    "CSV_COLUMNS",
    "MAX_PAGE",
    "AuditEntry",
    "AuditFilter",
    "AuditPage",
    "AuditRecord",
    "Outcome",
    "export_csv",
    "query",
    "record",
]
