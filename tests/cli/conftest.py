"""The CLI runs as a subprocess against the module's sandbox and a store of its own."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from automations.clock import SetClock
from sandbox.server import RunningSandbox


@pytest.fixture
def env(running: RunningSandbox, tmp_path: Path, clock: SetClock) -> dict[str, str]:
    return {
        **os.environ,
        # The command starts where the test's clock is: the same day as the tenant's.
        "SECRETARIAAT_CLOCK": clock.now().isoformat(),
        "SECRETARIAAT_SANDBOX_STATE": str(Path(running.info["ca_cert"]).parent),
        "SECRETARIAAT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'store.sqlite3'}",
    }
