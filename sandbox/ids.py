"""Opaque ids shaped like Exchange's, and change keys."""

from __future__ import annotations

import base64
import secrets
import uuid

__all__ = ["change_key", "new_id", "new_guid"]

_PREFIX = {
    "message": "AAMkAGI2",
    "mailFolder": "AAMkAGI2AC",
    "event": "AAMkAGI2AE",
    "attachment": "AAMkAGI2AT",
    "category": "",
    "todoTaskList": "AQMkADAw",
    "todoTask": "AQMkADAwT",
}


def new_id(kind: str) -> str:
    """An Exchange-looking id: a kind prefix and 33 random bytes, URL-safe base64."""
    raw = base64.urlsafe_b64encode(secrets.token_bytes(33)).decode()
    return _PREFIX.get(kind, "AAMk") + raw + "="


def new_guid() -> str:
    return str(uuid.uuid4())


def change_key() -> str:
    """Exchange change keys are base64 strings that change on every update."""
    return "CQAAABYAAAA" + base64.b64encode(secrets.token_bytes(12)).decode().rstrip("=")
