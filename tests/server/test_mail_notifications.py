"""Mail as it arrives, with Graph's change notifications: the backend serves its webhook over
HTTPS (the sandbox's certificate, as in development), the ``mail-subscriptions`` job subscribes
to every executive's Inbox with the app's identity, and a mail sent to an executive reaches her
secretary's open pane as an ``inbox`` event. Faults in delivery lose no mail and count none
twice; a removed subscription is made again.

The sandbox delivers on the tenant's clock; tests advance it and wait for what the backend did
(its store, its watcher, the event stream), never for the machine's time.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from automations.clock import SetClock
from automations.inbox.service import sync_inbox
from sandbox import clock as sandbox_clocks
from sandbox.server import RunningSandbox, free_port
from server.app import create_app
from server.operator import operator_graph, run_job_as_app
from server.settings import MAIL_NOTIFICATIONS_PATH, Settings
from server.startup import prepare_store
from tests.automations.inbox.mailing import mail_to
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, GEMEENTESECRETARIS, SECRETARY_A, WETHOUDERS
from tests.sandbox.webhooks import eventually

EXECUTIVES = sorted([BURGEMEESTER, GEMEENTESECRETARIS, *WETHOUDERS])
PATIENCE_S = 20  # a safety net for a broken run, not a duration


@dataclass
class Backend:
    settings: Settings
    app: FastAPI
    clock: SetClock

    @property
    def url(self) -> str:
        return self.settings.base_url

    @property
    def reported(self) -> int:
        return int(self.app.state.inbox.reported)

    def idle(self) -> bool:
        return not self.app.state.inbox.busy


async def _read_every_inbox(settings: Settings, clock: SetClock) -> None:
    """What the backend does at start: each Inbox read once, the base later reads compare to."""
    async with operator_graph(settings, clock=clock) as (sessions, _, graph):
        for mailbox in EXECUTIVES:
            await sync_inbox(graph=graph, sessions=sessions, mailbox=mailbox)


@pytest.fixture(scope="module")
def backend(
    running: RunningSandbox, tmp_path_factory: pytest.TempPathFactory,
    tenant_clock: sandbox_clocks.SetClock,
) -> Iterator[Backend]:  # fmt: skip
    """The backend on its own HTTPS port with notifications on, on the tenant's clock."""
    state = Path(running.info["ca_cert"]).parent
    port = free_port()
    settings = Settings(
        sandbox_state=state,
        database_url=f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('store') / 'store.sqlite3'}",
        base_url=f"https://127.0.0.1:{port}",
        mail_notifications="webhook",
    )
    clock = SetClock(tenant_clock.now())
    asyncio.run(prepare_store(settings, clock=clock))
    asyncio.run(_read_every_inbox(settings, clock))
    app = create_app(settings, clock=clock)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, ssl_certfile=str(state / "server.pem"),
        ssl_keyfile=str(state / "server-key.pem"), log_level="warning", lifespan="off",
        timeout_graceful_shutdown=1,
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="backend", daemon=True)
    thread.start()
    eventually(lambda: server.started)
    served = Backend(settings, app, clock)
    yield served
    eventually(served.idle)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def control(admin: httpx.Client) -> Iterator[httpx.Client]:
    """The sandbox's control plane; notification faults are reset after each test."""
    yield admin
    admin.post("/notifications/reset").raise_for_status()


async def until(check: Callable[[], Any]) -> Any:
    """Wait for the backend's or the sandbox's state (not for time) without blocking the loop."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PATIENCE_S
    while not (result := check()):
        assert loop.time() < deadline, "condition never became true"
        await asyncio.sleep(0.02)
    return result


async def graph_subscriptions(tenant: Tenant) -> dict[str, dict[str, Any]]:
    """The app's subscriptions at Graph, by the mailbox whose Inbox each watches."""
    async with tenant.raw() as app:
        listed = (await app.get("/subscriptions")).json()["value"]
    return {s["resource"].split("/")[1]: s for s in listed}


async def subscribed(backend: Backend) -> None:
    """The upkeep job, as the scheduler runs it."""
    report = await run_job_as_app(backend.settings, "mail-subscriptions", clock=backend.clock)
    assert report is not None and report.status == "done", report


def delivered(control: httpx.Client, sub_id: str) -> int:
    """Change notifications the backend accepted (202) for one subscription."""
    sent = control.get("/notifications").json()["sent"]
    return sum(1 for s in sent if s["subscriptionId"] == sub_id and s["status"] == 202
               and s["event"] in ("created", "updated", "deleted"))  # fmt: skip


@contextlib.asynccontextmanager
async def open_pane(tenant: Tenant, backend: Backend, upn: str) -> AsyncIterator[asyncio.Queue]:
    """A secretary's open pane, following the event stream; yields the events it hears."""
    heard: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    connected = asyncio.Event()
    headers = {"Authorization": f"Bearer {tenant.user_token(upn)}"}
    async with httpx.AsyncClient(verify=tenant.tls, timeout=None) as client:

        async def follow() -> None:
            url = backend.url + "/api/v1/queue/events"
            async with client.stream("GET", url, headers=headers) as stream:
                name = None
                async for line in stream.aiter_lines():
                    if line.startswith(": verbonden"):
                        connected.set()
                    elif line.startswith("event:"):
                        name = line[6:].strip()
                    elif line.startswith("data:") and name:
                        heard.put_nowait({"event": name, **json.loads(line[5:])})

        task = asyncio.create_task(follow())
        await asyncio.wait_for(connected.wait(), PATIENCE_S)
        try:
            yield heard
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


# -- the handshake -------------------------------------------------------------------------
async def test_the_webhook_echoes_graphs_validation_token_decoded_as_plain_text(
    backend: Backend, tenant: Tenant
) -> None:
    token = "Validation: Testing client application reachability for subscription Request-Id: 1"
    async with httpx.AsyncClient(verify=tenant.tls) as client:
        resp = await client.post(backend.url + MAIL_NOTIFICATIONS_PATH,
                                 params={"validationToken": token})  # fmt: skip
    assert resp.status_code == 200
    assert resp.headers["content-type"].split(";")[0] == "text/plain"
    assert resp.text == token


# -- the subscriptions ---------------------------------------------------------------------
async def test_every_executive_gets_a_subscription_renewed_well_before_it_expires(
    backend: Backend, tenant: Tenant, tenant_clock: sandbox_clocks.SetClock
) -> None:
    first = await run_job_as_app(backend.settings, "mail-subscriptions", clock=backend.clock)
    assert first is not None and first.counts["created"] == len(EXECUTIVES)
    made = await graph_subscriptions(tenant)
    assert sorted(made) == EXECUTIVES
    for sub in made.values():
        assert sub["notificationUrl"] == backend.url + MAIL_NOTIFICATIONS_PATH
        assert sub["lifecycleNotificationUrl"] == sub["notificationUrl"]
        assert sub["changeType"] == "created,updated,deleted"
        expires = dt.datetime.fromisoformat(sub["expirationDateTime"])
        assert expires - tenant_clock.now() < dt.timedelta(minutes=4230)  # the cap seen in use
    quiet = await run_job_as_app(backend.settings, "mail-subscriptions", clock=backend.clock)
    assert quiet is not None and quiet.counts.get("kept") == len(EXECUTIVES)
    later = dt.timedelta(hours=47)  # 23 hours left: inside the renewal margin
    backend.clock.advance(later)
    tenant_clock.advance(later)
    renewal = await run_job_as_app(backend.settings, "mail-subscriptions", clock=backend.clock)
    assert renewal is not None and renewal.counts.get("renewed") == len(EXECUTIVES)
    renewed = await graph_subscriptions(tenant)
    for mailbox, sub in renewed.items():
        assert sub["id"] == made[mailbox]["id"]
        assert sub["expirationDateTime"] > made[mailbox]["expirationDateTime"]


# -- a mail arrives ------------------------------------------------------------------------
async def test_a_mail_to_the_burgemeester_reaches_her_secretarys_open_pane(
    backend: Backend, tenant: Tenant
) -> None:
    await subscribed(backend)
    async with open_pane(tenant, backend, SECRETARY_A) as heard:
        new = await mail_to(tenant, BURGEMEESTER, "Uitnodiging jaarvergadering")
        while (event := await asyncio.wait_for(heard.get(), PATIENCE_S))["event"] != "inbox":
            pass
    assert event == {"event": "inbox", "type": "inbox", "mailbox": BURGEMEESTER,
                     "arrived": 1, "changed": 0, "left": 0}  # fmt: skip
    assert backend.app.state.inbox.latest[BURGEMEESTER].arrived == (new,)


async def test_a_notification_with_the_wrong_secret_is_ignored_and_the_secret_not_logged(
    backend: Backend, tenant: Tenant, control: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    await subscribed(backend)
    sub = (await graph_subscriptions(tenant))[BURGEMEESTER]
    forged = {"value": [{"subscriptionId": sub["id"], "clientState": "geraden-geheim-123",
                         "changeType": "created", "resource": "Users/x/Messages/y"},
                        {"subscriptionId": "onbekend", "clientState": "x"}]}  # fmt: skip
    await until(lambda: backend.idle() and not control.get("/notifications").json()["pending"])
    before = backend.app.state.inbox.runs
    with caplog.at_level(logging.WARNING, logger="automations.inbox"):
        async with httpx.AsyncClient(verify=tenant.tls) as client:
            resp = await client.post(backend.url + MAIL_NOTIFICATIONS_PATH, json=forged)
        assert resp.status_code == 202
        assert backend.idle() and backend.app.state.inbox.runs == before  # no read was asked
    assert "clientState mismatch" in caplog.text and "unknown subscription" in caplog.text
    assert "geraden-geheim-123" not in caplog.text


# -- faults in delivery --------------------------------------------------------------------
async def test_a_duplicated_notification_counts_the_mail_once(
    backend: Backend, tenant: Tenant, control: httpx.Client
) -> None:
    await subscribed(backend)
    sub = (await graph_subscriptions(tenant))[GEMEENTESECRETARIS]
    before, sent = backend.reported, delivered(control, sub["id"])
    control.post("/notifications", json={"next_faults": ["duplicate"]}).raise_for_status()
    new = await mail_to(tenant, GEMEENTESECRETARIS, "Twee keer gemeld")
    await until(lambda: delivered(control, sub["id"]) == sent + 2 and backend.idle())
    assert backend.reported - before == 1
    assert new in backend.app.state.inbox.latest[GEMEENTESECRETARIS].arrived


async def test_a_dropped_notification_is_missed_and_the_delta_finds_the_mail(
    backend: Backend, tenant: Tenant, control: httpx.Client
) -> None:
    await subscribed(backend)
    before = backend.reported
    control.post("/notifications", json={"next_faults": ["drop"]}).raise_for_status()
    new = await mail_to(tenant, WETHOUDERS[0], "Nooit gemeld")
    found = await until(lambda: backend.app.state.inbox.latest.get(WETHOUDERS[0]))
    await until(lambda: new in backend.app.state.inbox.latest[WETHOUDERS[0]].arrived)
    assert "missed" in backend.app.state.inbox.latest[WETHOUDERS[0]].reasons, found
    assert backend.reported - before == 1


async def test_a_late_notification_loses_nothing(
    backend: Backend, tenant: Tenant, control: httpx.Client,
    tenant_clock: sandbox_clocks.SetClock,
) -> None:  # fmt: skip
    await subscribed(backend)
    before = backend.reported
    control.post("/notifications", json={"next_faults": ["late"], "late_s": 900})
    new = await mail_to(tenant, WETHOUDERS[1], "Te laat gemeld")
    await until(lambda: control.get("/notifications").json()["pending"])
    assert backend.reported == before  # nothing told us yet
    tenant_clock.advance(dt.timedelta(seconds=901))
    await until(lambda: backend.reported - before == 1 and backend.idle())
    assert backend.app.state.inbox.latest[WETHOUDERS[1]].arrived == (new,)


async def test_a_subscription_graph_removed_is_made_again_and_mail_flows(
    backend: Backend, tenant: Tenant, control: httpx.Client
) -> None:
    await subscribed(backend)
    mailbox = WETHOUDERS[2]
    old = (await graph_subscriptions(tenant))[mailbox]["id"]
    control.post(f"/subscriptions/{old}/remove").raise_for_status()

    async def replaced() -> bool:
        now = (await graph_subscriptions(tenant)).get(mailbox)
        return now is not None and now["id"] != old

    deadline = asyncio.get_running_loop().time() + PATIENCE_S
    while not await replaced():
        assert asyncio.get_running_loop().time() < deadline, "never made again"
        await asyncio.sleep(0.02)
    await until(backend.idle)
    before = backend.reported
    new = await mail_to(tenant, mailbox, "Na het nieuwe abonnement")
    await until(lambda: backend.reported - before == 1 and backend.idle())
    assert backend.app.state.inbox.latest[mailbox].arrived == (new,)


async def test_a_reauthorization_challenge_renews_and_mail_of_the_pause_is_found(
    backend: Backend, tenant: Tenant, control: httpx.Client
) -> None:
    await subscribed(backend)
    old = (await graph_subscriptions(tenant))[BURGEMEESTER]
    before = backend.reported
    control.post(f"/subscriptions/{old['id']}/reauthorizationRequired", json={"pause": True})
    new = await mail_to(tenant, BURGEMEESTER, "Tijdens de pauze")  # Graph may never notify it
    await until(lambda: backend.reported - before == 1 and backend.idle())
    assert new in backend.app.state.inbox.latest[BURGEMEESTER].arrived
    renewed = (await graph_subscriptions(tenant))[BURGEMEESTER]
    assert renewed["id"] == old["id"]
    assert renewed["expirationDateTime"] > old["expirationDateTime"]


async def test_what_is_not_a_graph_notification_is_refused(
    backend: Backend, tenant: Tenant
) -> None:
    url = backend.url + MAIL_NOTIFICATIONS_PATH
    async with httpx.AsyncClient(verify=tenant.tls) as client:
        for body in (b"geen json", b'{"value": 3}', b"[]"):
            resp = await client.post(url, content=body)
            assert (resp.status_code, resp.json()["error"]["code"]) == (400, "bad_request")
        long = await client.post(url, params={"validationToken": "x" * 2000})
        assert long.status_code == 400
