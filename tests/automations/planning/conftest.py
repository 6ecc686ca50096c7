"""The planner's flows against the sandbox, with the backend's own deps and gateway."""

from tests.automations.processing.conftest import actor, as_user, deps
from tests.server.conftest import backend

__all__ = ["actor", "as_user", "backend", "deps"]
