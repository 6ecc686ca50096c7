"""All the checks in one call: a tenant in order is in order throughout, and against the
sandbox the registration's own Application ID URI decides the API audience."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from automations.doctor import LABELS, examine, judge
from automations.doctor.models import RosterFacts, Setup
from automations.graph import GraphGateway, token_source_for
from automations.store import create_engine
from sandbox.server import RunningSandbox
from tests.automations.doctor.facts import facts
from tests.automations.graph.conftest import graph_config


def test_a_tenant_in_order_passes_every_verdict_in_the_reports_order() -> None:
    checks = judge(facts())
    assert [c.check for c in checks] == list(LABELS)
    assert {c.check: c.status for c in checks if c.status != "ok"} == {}
    assert all(c.fix is None for c in checks)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    made = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'store.sqlite3'}")
    yield made
    await made.dispose()


async def sandbox_checks(running: RunningSandbox, engine: AsyncEngine, audience: str) -> dict:
    config = graph_config(running)
    setup = Setup("sandbox", "https://127.0.0.1:8443", config.client_id, audience)
    async with GraphGateway(config, token_source_for(config)) as gateway:
        async with gateway.for_app() as graph:
            found = await examine(
                graph=graph, engine=engine, setup=setup, roster=RosterFacts(None, "geen")
            )
    return {c.check: c for c in found}


async def test_the_sandbox_registration_holds_the_backends_audience(
    running: RunningSandbox, engine: AsyncEngine
) -> None:
    client_id = running.info["client_id"]
    checks = await sandbox_checks(running, engine, f"api://{client_id}")

    assert checks["app-audience"].status == "ok", checks["app-audience"]
    assert checks["app-redirect-uris"].status == "ok", checks["app-redirect-uris"]


async def test_an_audience_the_sandbox_registration_lacks_fails(
    running: RunningSandbox, engine: AsyncEngine
) -> None:
    """README step 2's other form (api://<host>/<client id>), set in the backend while Entra
    kept api://<client id>: by the README's forms alone it would have passed."""
    client_id = running.info["client_id"]
    checks = await sandbox_checks(running, engine, f"api://127.0.0.1/{client_id}")

    check = checks["app-audience"]
    assert check.status == "fail", check
    assert f"Application ID URI: api://{client_id}." in check.message
    assert f"de Application ID URI op api://127.0.0.1/{client_id}" in (check.fix or "")
    ok_by_readme = replace(
        facts(registration=None).setup, api_audience="api://secretariaat.x.nl/c1d"
    )
    assert judge(facts(setup=ok_by_readme, registration=None))[1].status == "ok"
