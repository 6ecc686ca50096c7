"""The sandbox's own tests call endpoints to check Graph's behaviour, not because the product
needs them: their requests stay out of the suite's list of permissions the product uses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.permissions import PermissionLog


@pytest.fixture(autouse=True)
def _not_the_product(permission_log: PermissionLog) -> Iterator[None]:
    permission_log.recording = False
    yield
    permission_log.recording = True
