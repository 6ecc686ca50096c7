"""What the meeting folders need from the deployment, handed to the flows by each adapter
(the server from its settings, the CLI from the same): ``automations`` reads no environment."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from automations.graph import GraphSession
from automations.meetings.targets import Targets
from automations.meetings.types import DEMO, MeetingTypes, load_types

__all__ = ["MeetingSettings"]


@dataclass(frozen=True)
class MeetingSettings:
    root: Path  # the local target's directory tree
    types_file: Path | None = None  # meeting types, their folders and targets; None: the demo's

    def types(self) -> MeetingTypes:
        """Read on every use, so an edited file counts without a restart (it is small)."""
        return load_types(self.types_file or DEMO)

    def targets(self, graph: GraphSession, types: MeetingTypes) -> Targets:
        """Where each type's files go; the SharePoint library is named in the types file."""
        return Targets(graph, root=self.root, sharepoint=types.sharepoint)
