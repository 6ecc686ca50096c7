"""The whole OpenAPI description against the app in-process (schemathesis): every operation, a
fixed number of derandomised examples each, as the admin. No answer may be a 500 or a status
the description does not name, and a request the schema calls valid must not be refused as
malformed: not with a 400, and not with the 422 ``invalid_request`` of the schema check (then
the schema and the code disagree). A 422 with a code of its own stays allowed: the request is
well formed but against a rule no schema can say (a colleague who is not on the roster, a YAML
set that does not hold together), and the description names that answer.

Operations that still fail are listed in ``KNOWN`` with what goes wrong; the test fails when
a listed one passes, so the list shrinks as they are fixed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import status_code_conformance

from automations.clock import SetClock
from sandbox import clock as sandbox_clocks
from sandbox.server import RunningSandbox
from server.app import create_app
from server.settings import Settings
from server.startup import prepare_store
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import ADMIN

EXAMPLES = 10  # per operation: the whole run takes well under a minute
# Server-sent events never end: a short read each (schemathesis keeps what arrived).
STREAMS = {"/api/v1/queue/events"}


def valid_requests_are_not_refused_as_malformed(ctx: Any, response: Any, case: Any) -> None:
    """Schemathesis's positive-data check, knowing our one error shape (see the docstring)."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return
    status = response.status_code
    code = None
    if status == 422:
        with contextlib.suppress(ValueError, KeyError, TypeError):
            code = response.json()["error"]["code"]
    if status == 400 or (status == 422 and code in (None, "invalid_request")):
        raise AssertionError(f"a request the schema calls valid was refused: {status} {code}")


CHECKS = [not_a_server_error, status_code_conformance, valid_requests_are_not_refused_as_malformed]

# "METHOD /path": what fails there, in routes owned elsewhere. Empty when every operation passes.
KNOWN: dict[str, str] = {}


@pytest.fixture(scope="module")
def app(
    running: RunningSandbox,
    tmp_path_factory: pytest.TempPathFactory,
    tenant_clock: sandbox_clocks.SetClock,
) -> Iterator[FastAPI]:
    store = tmp_path_factory.mktemp("fuzz") / "store.sqlite3"
    config = Settings(
        sandbox_state=Path(running.info["ca_cert"]).parent,
        database_url=f"sqlite+aiosqlite:///{store}",
        meetings_root=store.parent / "vergadermappen",
    )
    clock = SetClock(tenant_clock.now())
    asyncio.run(prepare_store(config, clock=clock))
    yield create_app(config, clock=clock)
    shutdown_lifespans()  # schemathesis started the app's lifespan; stop it while the sandbox runs


def run_operation(operation: Any, headers: dict[str, str]) -> str | None:
    """The first failure on ``operation`` as one line, or None."""

    stream = operation.path in STREAMS

    @settings(
        max_examples=2 if stream else EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=schemathesis_strategies(operation))
    def check(data: Any) -> None:
        data.call_and_validate(headers=headers, checks=CHECKS, timeout=1 if stream else 30)

    try:
        check()
    except (Exception, BaseExceptionGroup) as exc:  # each is collected, then all reported
        return summary(exc)
    return None


def summary(exc: BaseException) -> str:
    """Schemathesis's report in one line: which checks, the status, the body, the request
    (of each sub-exception too: a flaky failure says only that it was flaky)."""
    if isinstance(exc, BaseExceptionGroup):
        inner = " || ".join(summary(e) for e in exc.exceptions)
        return f"{type(exc).__name__}: {exc.message} [{inner}]"[:1200]
    lines = [line.strip() for line in str(exc).splitlines()]
    keep = [
        line
        for line in lines
        if line.startswith(("- ST", "Received:", "[", "`", "curl"))
        or (lines.index(line) == 0 and not line.startswith("Schemathesis found"))
    ]
    return f"{type(exc).__name__}: " + " | ".join(line for line in keep if line)[:600]


def schemathesis_strategies(operation: Any) -> Any:
    positive = operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE)
    negative = operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE)
    return positive | negative


def test_every_operation_answers_as_its_description_says(app: FastAPI, tenant: Tenant) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {tenant.user_token(ADMIN)}"}
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        failure = run_operation(operation, headers)
        if failure:
            failures[label] = failure
    unexpected = {k: v for k, v in failures.items() if k not in KNOWN}
    fixed = sorted(set(KNOWN) - set(failures))
    report = "\n".join(f"{k}: {v}" for k, v in sorted(unexpected.items()))
    assert not unexpected, f"{len(unexpected)} operations fail:\n{report}"
    assert not fixed, f"these pass now; remove them from KNOWN: {fixed}"
