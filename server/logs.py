"""Request ids in every log line, without passing them around; text or JSON lines.

``SECRETARIAAT_LOG_FORMAT=json`` gives one JSON object per line with a fixed set of fields
(``time``, ``level``, ``logger``, ``message``, ``request_id``, and ``exception`` when there is
one); the default is the text line below. The JSON formatter is a few lines of the standard
library rather than python-json-logger: it copies no ``extra`` attributes into the line, so
what a log line can carry is exactly this list (a privacy rule: see docs/observability.md).

Every line, ours or a library's, goes out with each e-mail address in it replaced by its
pseudonym (``redact``): Procrastinate, for one, logs a task's arguments (``actor='…'``) in
its "Starting job" lines. Our own lines name a mailbox by pseudonym to begin with.

Libraries that log whole URLs (httpx: ``HTTP Request: GET …/users/{address}/messages``),
token traffic (msal, urllib3) or SQL with its values (aiosqlite at DEBUG: subjects and all)
are held at WARNING whatever the level (``QUIET_LOGGERS``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
from contextvars import ContextVar
from typing import IO, Literal, get_args
from urllib.parse import unquote

from automations.metrics import pseudonym

__all__ = [
    "QUIET_LOGGERS",
    "JsonFormatter",
    "LogFormat",
    "RequestIdFilter",
    "TextFormatter",
    "configure_logging",
    "log_format_from_env",
    "log_handler",
    "redact",
    "request_id_var",
]

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

LogFormat = Literal["text", "json"]
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
# Third-party loggers whose INFO/DEBUG lines carry URLs with mailbox addresses, tokens, or
# SQL with its parameters (aiosqlite logs every statement with its values at DEBUG).
QUIET_LOGGERS = (
    "httpx", "httpcore", "urllib3", "msal", "hpack", "kiota_http", "azure",
    "aiosqlite", "sqlalchemy", "psycopg", "asyncpg",
)  # fmt: skip


# An address as it appears in a line: plain, or percent-encoded in a URL (%40).
_ADDRESS = re.compile(
    r"[A-Za-z0-9._%+-][A-Za-z0-9._%+'-]*(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
)


def redact(text: str) -> str:
    """``text`` with every e-mail address replaced by its mailbox pseudonym."""
    return _ADDRESS.sub(lambda m: pseudonym(unquote(m.group(0))), text)


class TextFormatter(logging.Formatter):
    """The text line, addresses redacted."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, str] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "request_id": str(getattr(record, "request_id", request_id_var.get())),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = redact(record.exc_text)
        return json.dumps(line, ensure_ascii=False)


def log_format_from_env() -> LogFormat:
    """``SECRETARIAAT_LOG_FORMAT`` (``text`` unless set); anything else is refused."""
    value = os.environ.get("SECRETARIAAT_LOG_FORMAT", "text").strip().lower() or "text"
    if value not in get_args(LogFormat):
        raise ValueError(f"SECRETARIAAT_LOG_FORMAT must be text or json, not {value!r}")
    return value  # type: ignore[return-value]


def log_handler(fmt: LogFormat = "text", stream: IO[str] | None = None) -> logging.Handler:
    """A handler writing ``fmt`` lines (to stderr unless ``stream``), request ids filled in."""
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter(TEXT_FORMAT))
    return handler


def configure_logging(
    level: int = logging.INFO, *, fmt: LogFormat | None = None, stream: IO[str] | None = None
) -> logging.Handler:
    """One line per event with the request id; bodies and tokens are never logged. ``fmt``
    defaults to ``SECRETARIAAT_LOG_FORMAT``. Returns the root's one handler."""
    handler = log_handler(fmt or log_format_from_env(), stream)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    return handler
