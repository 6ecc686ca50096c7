"""What the backend counts for its operators (Prometheus), and the pseudonyms that keep mailboxes
out of those counts and out of the logs.

Metrics are module-level ``prometheus_client`` objects on our own ``REGISTRY`` (not the
library's global one), created once per process: every app built in a process (a test run
builds hundreds) counts into the same objects, and nothing is registered twice. Two gauges
are read from the store at scrape time instead (``store_families``): how many operations run
now, and how many tasks wait or run in the queue. They are a few counted rows by indexed
columns, cheap enough for every scrape.

Privacy rule: no address, subject, body or token in a label or a log line. A mailbox is
named by ``pseudonym(upn)``, the first 10 hex digits of an HMAC-SHA256 of the lower-cased
address under a per-deployment key (``use_pseudonym_key``, see ``docs/observability.md``).
The same address gives the same pseudonym in every process of a deployment, so a dashboard
and a log line can be lined up; without the key nobody can compute it, so a list of staff
addresses does not turn pseudonyms back into names. Until a key is set, a process uses a
random one of its own (pseudonyms then hold within that process only; nothing leaks).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.store.models import OperationRow

__all__ = [
    "GRAPH_REQUESTS",
    "GRAPH_RETRIES",
    "GRAPH_THROTTLES",
    "HTTP_LATENCY",
    "JOB_MAILBOXES",
    "JOB_RUNS",
    "OPERATIONS",
    "REGISTRY",
    "StoreSnapshot",
    "graph_labels",
    "graph_answered",
    "pseudonym",
    "redact_path",
    "store_families",
    "store_snapshot",
    "use_pseudonym_key",
]

# --- pseudonyms -----------------------------------------------------------------------------

PSEUDONYM_PREFIX = "mb-"
_key: bytes = secrets.token_bytes(32)  # until the deployment's key is set


def use_pseudonym_key(key: bytes) -> None:
    """The deployment's key for ``pseudonym`` (set once when a server or worker starts)."""
    global _key
    if len(key) < 16:
        raise ValueError("a pseudonym key needs at least 16 bytes")
    _key = key


def pseudonym(upn: str | None, *, key: bytes | None = None) -> str:
    """``mb-`` and 10 hex digits standing for a mailbox (``-`` for none); stable per key
    (the process's, ``use_pseudonym_key``, unless ``key`` is given)."""
    if not upn:
        return "-"
    digest = hmac.new(key or _key, upn.strip().lower().encode(), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:10]


_USER_SEGMENT = re.compile(r"^(/users/)([^/()]+)", re.IGNORECASE)
_USER_CALL = re.compile(r"^(/users\(')([^']+)('\))", re.IGNORECASE)


def redact_path(path: str) -> str:
    """A Graph path fit for a log line: the mailbox in ``/users/{id}/…`` as its pseudonym."""
    for pattern in (_USER_SEGMENT, _USER_CALL):
        match = pattern.match(path)
        if match:
            who = pseudonym(unquote(match.group(2)))
            return match.group(1) + who + path[match.end(2) :]
    return path


# --- metrics counted where things happen ----------------------------------------------------

REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_LATENCY = Histogram(
    "secretariaat_http_request_duration_seconds",
    "Time to answer an API or pane request, until the response starts.",
    ["route", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
    registry=REGISTRY,
)
GRAPH_REQUESTS = Counter(
    "secretariaat_graph_requests",
    "Requests sent to Microsoft Graph (each attempt), by outcome.",
    ["method", "mailbox", "status"],
    registry=REGISTRY,
)
GRAPH_THROTTLES = Counter(
    "secretariaat_graph_throttles",
    "Graph answers 429 or 503 with Retry-After: Graph asked us to slow down.",
    ["method", "mailbox"],
    registry=REGISTRY,
)
GRAPH_RETRIES = Counter(
    "secretariaat_graph_retries",
    "Graph requests sent again after a retryable answer or a lost connection.",
    ["method", "mailbox"],
    registry=REGISTRY,
)
OPERATIONS = Counter(
    "secretariaat_operations",
    "Journal operations entering a state (planned, running, done, failed), by kind.",
    ["kind", "state"],
    registry=REGISTRY,
)
JOB_RUNS = Counter(
    "secretariaat_job_runs",
    "Scheduled job runs finished, by job and status (done, partial, failed).",
    ["job", "status"],
    registry=REGISTRY,
)
JOB_MAILBOXES = Counter(
    "secretariaat_job_mailboxes",
    "One job's work for one mailbox, by outcome (ok, failed, timed_out, out_of_scope).",
    ["job", "status"],
    registry=REGISTRY,
)

_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def graph_labels(method: str, path: str, mailboxes: Iterable[str]) -> tuple[str, str]:
    """The (method class, mailbox) labels of a Graph request: ``read``, ``write`` or
    ``batch``; the mailbox's pseudonym, ``-`` for none and ``several`` for a batch over
    more than one."""
    verb = method.upper()
    if verb == "POST" and path.rstrip("/").lower() == "/$batch":
        kind = "batch"
    else:
        kind = "read" if verb in _READS else "write"
    boxes = list(mailboxes)
    who = "several" if len(boxes) > 1 else pseudonym(boxes[0] if boxes else None)
    return kind, who


def graph_answered(labels: tuple[str, str], status: int | None, retry_after: bool) -> None:
    """Count one attempt: its status class (``none``: no answer), and a throttle."""
    GRAPH_REQUESTS.labels(*labels, f"{status // 100}xx" if status else "none").inc()
    if retry_after and status in (429, 503):
        GRAPH_THROTTLES.labels(*labels).inc()


# --- gauges read from the store at scrape time ----------------------------------------------


@dataclass(frozen=True)
class StoreSnapshot:
    """Counts read for one scrape; ``up`` is False when the store could not be read."""

    operations: Mapping[tuple[str, str], int] = field(default_factory=dict)
    tasks: Mapping[tuple[str, str], int] = field(default_factory=dict)
    up: bool = True


async def store_snapshot(
    sessions: async_sessionmaker[AsyncSession], job_manager: Any, now: dt.datetime
) -> StoreSnapshot:
    """Running operations by kind (``interrupted``: its worker's lease ran out) and tasks
    waiting (``todo``) or running (``doing``) by task name; Procrastinate's own per-task
    counts (``list_tasks_async``), which the in-memory queue answers as well."""
    interrupted = OperationRow.lease_expires_at.is_not(None) & (OperationRow.lease_expires_at < now)
    async with sessions() as session:
        rows = await session.execute(
            select(OperationRow.kind, interrupted, func.count())
            .where(OperationRow.status == "running")
            .group_by(OperationRow.kind, interrupted)
        )
        operations = {
            (kind, "interrupted" if lost else "running"): int(n) for kind, lost, n in rows
        }
    tasks: dict[tuple[str, str], int] = {}
    for status in ("todo", "doing"):
        for row in await job_manager.list_tasks_async(status=status):
            tasks[(str(row["name"]), status)] = int(row[status])
    return StoreSnapshot(operations=operations, tasks=tasks)


def store_families(snapshot: StoreSnapshot) -> list[Metric]:
    """The scrape-time gauges of one snapshot."""
    up = GaugeMetricFamily(
        "secretariaat_store_up", "1 when this scrape could read the store and the queue."
    )
    up.add_metric([], 1 if snapshot.up else 0)
    running = GaugeMetricFamily(
        "secretariaat_operations_running",
        "Operations running now, by kind; interrupted: their worker stopped renewing its lease.",
        labels=["kind", "state"],
    )
    for (kind, state), n in sorted(snapshot.operations.items()):
        running.add_metric([kind, state], n)
    tasks = GaugeMetricFamily(
        "secretariaat_tasks",
        "Tasks in the queue by task name: todo (waiting) or doing (a worker runs it).",
        labels=["task", "status"],
    )
    for (task, status), n in sorted(snapshot.tasks.items()):
        tasks.add_metric([task, status], n)
    return [up, running, tasks]
