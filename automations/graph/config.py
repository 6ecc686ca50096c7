"""How to reach Microsoft Graph: one frozen value, built by the settings module, never from env.

The same fields describe the sandbox (its base URL, authority and CA) and a real tenant
(DESIGN principle 8: only base URLs, authority and CA differ).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import SecretStr

__all__ = ["GRAPH_SCOPES", "PREFER", "GraphConfig"]

# App-only and on-behalf-of both ask for Graph's statically consented permissions.
GRAPH_SCOPES = ("https://graph.microsoft.com/.default",)

# Sent with every request and every $batch sub-request: ids that survive a move (principle 1)
# and times in the municipality's zone.
PREFER = ('IdType="ImmutableId"', 'outlook.timezone="W. Europe Standard Time"')


@dataclass(frozen=True)
class GraphConfig:
    graph_url: str  # https://graph.microsoft.com/v1.0, or the sandbox's /v1.0
    authority: str  # https://login.microsoftonline.com/{tenant}
    client_id: str
    client_secret: SecretStr  # repr() shows '**********'
    ca_cert: Path | None = None  # the sandbox CA; None: the system trust store
    api_audience: str | None = None  # api://{client_id}: what the task pane's token is for
    timeout_s: float = 30.0  # per attempt: connect, read, write, pool
    max_in_flight_per_mailbox: int = 4  # Exchange: 4 concurrent requests per app and mailbox
    max_retries: int = 5  # after the first attempt
    max_retry_after_s: float = 30.0  # a longer Retry-After is handed to the caller (Throttled)
    backoff_base_s: float = 0.25  # exponential backoff with full jitter when no Retry-After
    backoff_max_s: float = 8.0
    scopes: tuple[str, ...] = GRAPH_SCOPES
    # How the gateway waits (Retry-After, backoff): injected so a test sees what was waited
    # for instead of timing it, and a benchmark can run against real waits.
    sleep: Callable[[float], Awaitable[None]] = field(
        default=asyncio.sleep, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if not 1 <= self.max_in_flight_per_mailbox <= 4:
            raise ValueError("max_in_flight_per_mailbox must be 1..4 (Exchange allows 4)")
        if self.timeout_s <= 0 or self.max_retries < 0:
            raise ValueError("timeout_s must be positive and max_retries not negative")

    @property
    def host(self) -> str:
        """The only host that ever gets a Graph token."""
        return urlsplit(self.graph_url).hostname or ""
