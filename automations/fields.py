"""The field shapes the whole product shares, defined once: the API's request models
(``server.fields``) and the domain's documents (the roster) check an address the same way."""

from __future__ import annotations

__all__ = ["MAILBOX_PATTERN", "OPERATION_PATTERN"]

MAILBOX_PATTERN = r"^[^@\s]+@[^@\s]+$"  # a UPN / SMTP address: one @, no spaces
OPERATION_PATTERN = r"^[A-Za-z0-9\-_]{8,64}$"  # the client's id for one click
