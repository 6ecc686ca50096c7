"""/metrics: what moves after real work, how requests are labelled, and who may scrape.

Counters are per process and every test's app counts into them, so each test compares a
scrape after its work with one before it (or uses labels no other test touches).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from automations.clock import Clock
from automations.graph import GraphConfig
from automations.graph.limits import MailboxLimiter
from automations.graph.transport import GraphTransport
from automations.jobs.runner import MAILBOX_TASK
from automations.metrics import REGISTRY, pseudonym
from automations.store.models import OperationRow
from server.app import create_app
from server.routes.metrics import pseudonyms_for
from server.settings import Settings
from tests.sandbox.people import ADMIN, BURGEMEESTER, SECRETARY_A
from tests.server.test_quicksteps_api import apply, new_message

TOKEN = "scrape-" + "k" * 24


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a scrape by name and labels (parsed as Prometheus parses it)."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(scraped: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str,
          **labels: str) -> float:  # fmt: skip
    return scraped.get((name, frozenset(labels.items())), 0.0)


async def scrape(api: httpx.AsyncClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    resp = await api.get("/metrics")
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/plain")
    return samples(resp.text)


@asynccontextmanager
async def client_of(
    app: FastAPI, client: tuple[str, int] = ("127.0.0.1", 50123)
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=client)
    async with httpx.AsyncClient(transport=transport, base_url="https://backend.test") as c:
        yield c


@asynccontextmanager
async def another_app(settings: Settings, clock: Clock | None = None) -> AsyncIterator[FastAPI]:
    app = create_app(settings, clock=clock)
    try:
        yield app
    finally:
        await app.state.tasks.aclose()
        await app.state.validator.aclose()
        await app.state.gateway.aclose()
        await app.state.engine.dispose()


async def test_a_quick_step_moves_the_journal_graph_and_request_counters(
    api: httpx.AsyncClient,
    login,
    tenant,  # noqa: ANN001
) -> None:
    message_id = await new_message(tenant, "Klacht over de gladheidsbestrijding")
    before = await scrape(api)
    resp = await apply(api, login, "Ter afhandeling backoffice", [message_id])
    assert resp.status_code == 200, resp.text
    after = await scrape(api)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    for state in ("planned", "running", "done"):
        assert moved("secretariaat_operations_total", kind="quickstep", state=state) >= 1
    her = pseudonym(BURGEMEESTER)
    assert moved("secretariaat_graph_requests_total", method="write", mailbox=her, status="2xx")
    timed = "secretariaat_http_request_duration_seconds_count"
    assert moved(timed, route="/api/v1/quicksteps/apply", method="POST", status="2xx") == 1


async def test_route_labels_are_templates_never_the_paths_asked_for(
    api: httpx.AsyncClient,
    login,  # noqa: ANN001
) -> None:
    unknown = uuid.uuid4().hex
    asked = await api.get(f"/api/v1/calamity/{unknown}", headers=login(SECRETARY_A))
    assert asked.status_code == 404, asked.text
    assert (await api.get(f"/nergens/{unknown}")).status_code == 404
    text = (await api.get("/metrics")).text
    scraped = samples(text)
    assert unknown not in text
    timed = "secretariaat_http_request_duration_seconds_count"
    for route in ("/api/v1/calamity/{operation_id}", "unmatched"):
        assert value(scraped, timed, route=route, method="GET", status="4xx") >= 1, route


async def test_a_job_run_from_beheer_is_counted_by_job_status_and_mailbox_outcome(
    api: httpx.AsyncClient,
    login,  # noqa: ANN001
) -> None:
    before = await scrape(api)
    resp = await api.post(
        "/pane/beheer/taken/conflicts", json={"dry_run": True}, headers=login(ADMIN)
    )
    assert resp.status_code == 200, resp.text
    after = await scrape(api)
    runs = ("secretariaat_job_runs_total", {"job": "conflicts", "status": "done"})
    boxes = ("secretariaat_job_mailboxes_total", {"job": "conflicts", "status": "ok"})
    assert value(after, runs[0], **runs[1]) - value(before, runs[0], **runs[1]) == 1
    assert value(after, boxes[0], **boxes[1]) - value(before, boxes[0], **boxes[1]) == 5


class Answering(httpx.AsyncBaseTransport):
    """Graph as a list of (status, headers) answers, one per attempt, their bodies unread."""

    def __init__(self, answers: Iterator[tuple[int, dict[str, str]]]) -> None:
        self.answers = answers

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        status, headers = next(self.answers)
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(b"{}"))


async def test_a_throttled_read_counts_a_throttle_and_a_retry_by_the_mailboxs_pseudonym() -> None:
    upn = f"x{uuid.uuid4().hex[:8]}@zeeveen.nl"  # a mailbox no other test counts for
    answers = iter([(429, {"Retry-After": "0"}), (200, {})])
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    config = GraphConfig(
        graph_url="https://graph.test/v1.0", authority="https://login.test/t", client_id="c",
        client_secret=SecretStr("s"), sleep=sleep,
    )  # fmt: skip
    transport = GraphTransport(config, Answering(answers), MailboxLimiter())
    async with httpx.AsyncClient(transport=transport) as client:
        resp = await client.get(f"https://graph.test/v1.0/users/{upn}/messages")
    assert resp.status_code == 200 and len(waited) == 1
    exported = samples(_exposition())
    who = {"method": "read", "mailbox": pseudonym(upn)}
    assert value(exported, "secretariaat_graph_throttles_total", **who) == 1
    assert value(exported, "secretariaat_graph_retries_total", **who) == 1
    assert value(exported, "secretariaat_graph_requests_total", **who, status="4xx") == 1
    assert value(exported, "secretariaat_graph_requests_total", **who, status="2xx") == 1
    assert upn not in _exposition()


def _exposition() -> str:
    return generate_latest(REGISTRY).decode()


async def test_waiting_tasks_and_running_operations_are_read_from_the_store(
    backend: FastAPI, api: httpx.AsyncClient
) -> None:
    tasks = backend.state.tasks
    await tasks.open()  # deferred past TaskQueue: no in-process worker picks it up
    await tasks.app.configure_task(MAILBOX_TASK).defer_async(run_id="r", mailbox="m@x.nl")
    now = backend.state.clock.now()
    async with backend.state.sessions() as session, session.begin():
        for lease in (dt.timedelta(minutes=-1), dt.timedelta(minutes=1)):
            session.add(OperationRow(
                id=str(uuid.uuid4()), kind="metrics.test", actor_upn=SECRETARY_A,
                mailbox=BURGEMEESTER, status="running", fingerprint="f", created_at=now,
                updated_at=now, lease_owner="w", lease_expires_at=now + lease,
            ))  # fmt: skip
    scraped = await scrape(api)
    assert value(scraped, "secretariaat_tasks", task=MAILBOX_TASK, status="todo") == 1
    for state in ("running", "interrupted"):
        assert value(scraped, "secretariaat_operations_running", kind="metrics.test",
                     state=state) == 1  # fmt: skip
    assert value(scraped, "secretariaat_store_up") == 1


async def test_with_a_token_set_a_scrape_without_it_is_refused(backend: FastAPI) -> None:
    settings = backend.state.settings.model_copy(update={"metrics_token": SecretStr(TOKEN)})
    async with another_app(settings) as app, client_of(app) as client:
        bare = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer " + "x" * 31})
        right = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert bare.status_code == wrong.status_code == 401
    assert bare.json()["error"]["code"] == "metrics_unauthorized"
    assert bare.headers["www-authenticate"] == "Bearer"
    assert right.status_code == 200 and "secretariaat_graph_requests_total" in right.text


async def test_the_sandbox_refuses_a_scraper_on_another_machine(backend: FastAPI) -> None:
    async with client_of(backend, client=("192.0.2.7", 50123)) as client:
        resp = await client.get("/metrics")
    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "sandbox_loopback_only"


async def test_a_tenant_serves_metrics_to_no_one_until_a_token_is_set(tmp_path: Path) -> None:
    settings = Settings(
        mode="tenant", tenant_id="11111111-2222-3333-4444-555555555555",
        client_id="66666666-7777-8888-9999-000000000000",
        client_secret="a-real-looking-secret-value",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 's.sqlite3'}",
    )  # fmt: skip
    async with another_app(settings) as app, client_of(app) as client:
        local = await client.get("/metrics")
    assert local.status_code == 403
    assert local.json()["error"]["code"] == "metrics_forbidden"


async def test_many_apps_in_one_process_each_serve_their_metrics(backend: FastAPI) -> None:
    settings = backend.state.settings
    for _ in range(3):
        async with another_app(settings) as app, client_of(app) as client:
            scraped = await scrape(client)
            assert value(scraped, "secretariaat_store_up") == 1


async def test_an_operator_finds_a_mailboxs_pseudonym_under_the_deployments_key(
    backend: FastAPI,
) -> None:
    settings, identity = backend.state.settings, backend.state.identity
    found = pseudonyms_for(settings, identity, [BURGEMEESTER.upper()])
    assert found == {BURGEMEESTER.upper(): pseudonym(BURGEMEESTER)}  # as labels and logs say
    keyed = settings.model_copy(update={"pseudonym_key": SecretStr("k" * 32)})
    assert pseudonyms_for(keyed, identity, [BURGEMEESTER]) != found  # another key, another name
