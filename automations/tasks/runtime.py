"""What a task is given to run a flow with: the flows' dependencies, Graph, and the vault of
the delegations clicks left (whose rights the task acts with)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from automations.context import Actor, Deps, Via
from automations.graph import GraphGateway
from automations.jobs.registry import JobSettings
from automations.roster.service import snapshot

if TYPE_CHECKING:
    from automations.graph.vault import TokenVault

__all__ = ["Runtime"]


@dataclass(frozen=True)
class Runtime:
    deps: Deps
    gateway: GraphGateway
    vault: TokenVault
    job_settings: JobSettings = field(default_factory=JobSettings)

    async def actor(self, upn: str, via: str) -> Actor:
        """Who clicked, judged by the roster as it is now (not as it was at the click)."""
        async with self.deps.sessions() as session:
            roster = await snapshot(session)
        return Actor(upn, roster, cast(Via, via))
