"""When a Graph request may be sent again, and how long to wait first.

The rule (DESIGN principles 3 and 4):

- **Transient** (``is_transient``) are 429, 503 and 504: Graph may answer differently when
  asked again later. This is the one definition; features ask it of an answer the gateway's
  retries did not settle, to let the journal resume the operation.
- **429 and 503** mean Graph refused the request before doing anything (throttling, or the
  service shedding load, both with ``Retry-After``): every method is retried, POST included.
- **504, a dropped connection, a read or write timeout**: the request may have been carried
  out. Only requests that are safe to repeat are retried: GET, HEAD, OPTIONS, PUT, DELETE and
  PATCH (Graph's PATCH sets properties, so repeating it gives the same state), and a
  ``$batch`` whose sub-requests are all of those. A POST (send, forward, reply, cancel,
  create) is not: the caller gets ``Unavailable(outcome_unknown=True)`` and checks the
  extended property carrying its operation id before it tries again.
- **A connection that was never made** (connect error or timeout, no free connection): nothing
  was sent, so every method is retried.

Waits: ``Retry-After`` as Graph says plus a little jitter, but a wait longer than
``max_retry_after_s`` is not slept through (the caller gets ``Throttled`` and its job can
reschedule); otherwise exponential backoff with full jitter. Attempts are bounded by
``max_retries``.
"""

from __future__ import annotations

import random
from email.utils import parsedate_to_datetime
from time import time

from automations.graph.config import GraphConfig

__all__ = [
    "IDEMPOTENT_METHODS",
    "TRANSIENT_STATUSES",
    "backoff",
    "is_transient",
    "parse_retry_after",
    "retry_delay",
    "status_is_retryable",
]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"})
TRANSIENT_STATUSES = frozenset({429, 503, 504})
_JITTER_S = 0.2


def is_transient(status: int) -> bool:
    """Throttled (429), unavailable (503) or timed out (504): worth asking again later.

    Graph's 500 and 502 are not, but ``translate`` reports them as ``Unavailable`` (503),
    so judged by an ``AppError``'s ``status`` they count as transient.
    """
    return status in TRANSIENT_STATUSES


def status_is_retryable(status: int, *, idempotent: bool) -> bool:
    """Transient, and for a 504 (Graph may have acted) only when repeating cannot do harm."""
    return is_transient(status) and (status != 504 or idempotent)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time())
    except (TypeError, ValueError):
        return None


def backoff(config: GraphConfig, attempt: int) -> float:
    """Full jitter: a random wait up to base * 2^attempt, capped."""
    return random.uniform(0, min(config.backoff_max_s, config.backoff_base_s * 2**attempt))


def retry_delay(config: GraphConfig, attempt: int, retry_after: float | None) -> float | None:
    """How long to wait before attempt ``attempt + 1``; None: do not retry."""
    if attempt >= config.max_retries:
        return None
    if retry_after is None:
        return backoff(config, attempt)
    if retry_after > config.max_retry_after_s:
        return None
    return retry_after + random.uniform(0, _JITTER_S)
