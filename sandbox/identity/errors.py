"""The token endpoint's error, serialised in one place in Entra ID's shape.

``error``, ``error_description`` (``AADSTS<code>: ...``), ``error_codes``, ``timestamp``,
``trace_id``, ``correlation_id`` and ``error_uri``, so MSAL raises what it would raise
against the real service.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

__all__ = ["OAuthError"]


class OAuthError(Exception):
    def __init__(self, status: int, error: str, code: int, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.code, self.description = status, error, code, description

    def body(self, now: dt.datetime) -> dict[str, Any]:
        """``now`` is the tenant's time (the timestamp is shown, not checked)."""
        trace = str(uuid.uuid4())
        return {
            "error": self.error,
            "error_description": f"AADSTS{self.code}: {self.description} Trace ID: {trace}",
            "error_codes": [self.code],
            "timestamp": now.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ"),
            "trace_id": trace,
            "correlation_id": str(uuid.uuid4()),
            "error_uri": "https://login.microsoftonline.com/error?code=" + str(self.code),
        }
