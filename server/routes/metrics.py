"""``/metrics``: the backend's counters for Prometheus, and the request timing behind them.

Who may scrape (docs/observability.md): with ``SECRETARIAAT_METRICS_TOKEN`` set, whoever
sends it as a bearer token; without it, in sandbox mode, this machine only (the app's
middleware already refuses other addresses in sandbox mode); in tenant mode nobody, since a
reverse proxy on the same machine makes every request look local. Metrics name no person:
mailboxes appear as pseudonyms (``automations.metrics.pseudonym``).
"""

from __future__ import annotations

import hmac
import logging

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import Metric
from prometheus_client.registry import Collector
from starlette.routing import Match

from automations.metrics import (
    HTTP_LATENCY,
    REGISTRY,
    StoreSnapshot,
    pseudonym,
    store_families,
    store_snapshot,
)
from server.errors import ApiError
from server.settings import Identity, Settings, is_loopback

__all__ = ["pseudonyms_for", "record_request", "route_template", "router"]

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)  # for Prometheus, not for API clients
UNMATCHED = "unmatched"  # any path no route knows: one label, however many paths are tried


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    """The counters in Prometheus' text format, for an allowed scraper only."""
    _may_scrape(request, request.app.state.settings)
    try:
        tasks = request.app.state.tasks
        await tasks.open()
        clock = request.app.state.clock
        snapshot = await store_snapshot(
            request.app.state.sessions, tasks.app.job_manager, clock.now()
        )
    except Exception as exc:  # the counters still go out; store_up says what is missing
        log.warning("metrics: the store could not be read (%s)", type(exc).__name__)
        snapshot = StoreSnapshot(up=False)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Fixed(list(REGISTRY.collect()) + store_families(snapshot)))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


class _Fixed(Collector):
    """Families gathered for one scrape (the process's counters, the store's gauges)."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> list[Metric]:
        return self.families


def _may_scrape(request: Request, settings: Settings) -> None:
    expected = settings.metrics_token
    if expected is not None:
        sent = request.headers.get("authorization", "")
        scheme, _, token = sent.partition(" ")
        good = expected.get_secret_value().encode()
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), good):
            raise ApiError(
                401, "metrics_unauthorized", "Voor /metrics is het token van de beheerder nodig.",
                headers={"WWW-Authenticate": "Bearer"},
            )  # fmt: skip
        return
    host = request.client.host if request.client else None
    if settings.mode == "tenant" or not is_loopback(host):
        raise ApiError(
            403, "metrics_forbidden",
            "/metrics is alleen bereikbaar met SECRETARIAAT_METRICS_TOKEN (of in de"
            " sandbox-modus vanaf deze computer).",
        )  # fmt: skip


def route_template(request: Request) -> str:
    """The matched route's path template (``/api/v1/calamity/{operation_id}``), never the
    path itself: a label per template, not per message id or address."""
    route = request.scope.get("route")
    template = getattr(route, "path_format", None)
    if isinstance(template, str):
        return template
    for candidate in request.app.router.routes:  # mounts (static files), refused requests
        match, _ = candidate.matches(request.scope)
        if match == Match.FULL:
            found = getattr(candidate, "path_format", None)
            return found if isinstance(found, str) else UNMATCHED
    return UNMATCHED


def record_request(request: Request, status: int, seconds: float) -> None:
    """Time one request under its route template, method and status class."""
    method = request.method if request.method in _METHODS else "other"
    HTTP_LATENCY.labels(route_template(request), method, f"{status // 100}xx").observe(seconds)


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def pseudonyms_for(settings: Settings, identity: Identity, upns: list[str]) -> dict[str, str]:
    """Each address's pseudonym under this deployment's key: how an operator finds which
    mailbox a label or a log line means (compute it for the candidates and compare)."""
    key = settings.pseudonym_secret(identity)
    return {upn: pseudonym(upn, key=key) for upn in upns}
