"""Time limits (issue 19): every Graph call and every job's work per mailbox comes to an end.

A Graph that never answers is simulated below the gateway's retries and limits: the request
goes (or does not go) to the sandbox, and its answer never arrives. The limits are set tiny,
so nothing here waits for long; nothing asserts how long anything took.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from pydantic import SecretStr

from automations.clock import SetClock, local_today
from automations.errors import GraphTimeout
from automations.graph import BatchRequest, GraphConfig, GraphGateway, token_source_for
from automations.graph.transport import GraphTransport
from automations.jobs.catalog import JOBS
from automations.jobs.registry import JobContext, JobSettings
from automations.jobs.runner import RunReport, run_job
from automations.mailboxes.tagged import send_tagged_mail
from sandbox.server import RunningSandbox
from server.operator import operator_graph, run_job_as_app
from server.settings import Settings
from tests.conftest import TODAY
from tests.dates import dutch_day, next_working_day
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, GEMEENTESECRETARIS, WETHOUDERS

Silence = Callable[..., None]


@pytest.fixture
def settings(running: RunningSandbox, tmp_path: Path, clock: SetClock) -> Settings:
    return Settings(
        sandbox_state=Path(running.info["ca_cert"]).parent,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'store.sqlite3'}",
        clock=clock.now().isoformat(),
    )


@pytest.fixture
def silence(monkeypatch: pytest.MonkeyPatch) -> Silence:
    """``silence(text)``: requests whose URL or body holds ``text`` never get an answer —
    ``sent=True``: the sandbox carries them out first (the answer is lost on the way back)."""
    rules: list[tuple[str, bool]] = []
    send = GraphTransport._send

    async def silent(self: GraphTransport, request: httpx.Request) -> httpx.Response:
        # The URL as written (a request alone goes plainly, percent-encoded) or inside a $batch.
        seen = f"{unquote(str(request.url))} {request.content.decode(errors='replace')}"
        matching = [sent for text, sent in rules if text in seen]
        if not matching:
            return await send(self, request)
        if matching[0]:
            await send(self, request)
        await asyncio.Event().wait()  # never
        raise AssertionError("unreachable")

    monkeypatch.setattr(GraphTransport, "_send", silent)

    def add(text: str, *, sent: bool = False) -> None:
        rules.append((text, sent))

    return add


async def run_limited(
    settings: Settings, clock: SetClock, name: str, mailboxes: list[str], *, limit_s: float,
    dry_run: bool = False,
) -> tuple[RunReport, dict[str, dict]]:  # fmt: skip
    async with operator_graph(settings, clock=clock) as (sessions, roster, graph):
        ctx = JobContext(
            graph=graph, sessions=sessions, roster=roster, today=local_today(clock),
            now=clock.now(), dry_run=dry_run, settings=JobSettings(time_limit_s=limit_s),
        )  # fmt: skip
        report = await asyncio.wait_for(run_job(JOBS[name], ctx, mailboxes), 60)  # safety net
    assert report is not None
    return report, {m["mailbox"]: m for m in report.mailboxes}


async def test_a_mailbox_whose_graph_never_answers_times_out_and_the_others_complete(
    settings: Settings, clock: SetClock, silence: Silence
) -> None:
    others = [WETHOUDERS[0], GEMEENTESECRETARIS]
    await run_limited(settings, clock, "conflicts", [BURGEMEESTER, *others], limit_s=60,
                      dry_run=True)  # fmt: skip  # the mirrors are filled: one request each now
    silence(f"/users/{BURGEMEESTER}/")
    report, outcome = await run_limited(settings, clock, "conflicts", [BURGEMEESTER, *others],
                                        limit_s=2, dry_run=True)  # fmt: skip
    assert outcome[BURGEMEESTER]["status"] == "timed_out"
    assert outcome[BURGEMEESTER]["error"].startswith("Time-out: niet klaar binnen 2 s")
    assert [outcome[m]["status"] for m in others] == ["ok", "ok"]
    assert report.status == "partial"
    assert report.counts["timed_out"] == 1 and report.counts["failed"] == 1


async def test_a_daily_overview_cut_off_while_sending_is_sent_once_by_the_next_run(
    settings: Settings, clock: SetClock, silence: Silence, tenant: Tenant
) -> None:
    silence(f"/users/{BURGEMEESTER}/sendMail", sent=True)  # sent, but no answer comes back
    _, cut = await run_limited(settings, clock, "daily-overview", [BURGEMEESTER], limit_s=2)
    assert cut[BURGEMEESTER]["status"] == "timed_out"
    assert "sent" not in cut[BURGEMEESTER]["counts"]
    # The rule still holds: the next run must find the tag instead of sending again.
    _, again = await run_limited(settings, clock, "daily-overview", [BURGEMEESTER], limit_s=60)
    assert again[BURGEMEESTER]["status"] == "ok"
    day = next_working_day(TODAY)
    async with tenant.raw(BURGEMEESTER) as graph:
        inbox = await graph.get(
            f"/users/{BURGEMEESTER}/mailFolders/inbox/messages",
            params={"$filter": f"subject eq 'Dagoverzicht {dutch_day(day)}'", "$select": "id"},
        )
    assert len(inbox.json()["value"]) == 1  # once, though the first run never heard back


def _config(running: RunningSandbox, **extra: object) -> GraphConfig:
    info = running.info
    return GraphConfig(
        graph_url=info["graph_url"], authority=info["authority"], client_id=info["client_id"],
        client_secret=SecretStr(info["client_secret"]), ca_cert=Path(info["ca_cert"]),
        **extra,  # type: ignore[arg-type]
    )  # fmt: skip


async def test_every_graph_call_has_a_time_limit_and_gives_its_slots_back(
    running: RunningSandbox, silence: Silence
) -> None:
    config = _config(running)
    silence("Niemand antwoordt")
    silence(f"/users/{WETHOUDERS[1]}/sendMail", sent=True)
    async with GraphGateway(config, token_source_for(config), call_limit_s=0.5) as gateway:
        async with gateway.for_app() as graph:
            url = f"/users/{BURGEMEESTER}/messages?$search=%22Niemand antwoordt%22"
            with pytest.raises(GraphTimeout) as read:
                await graph.batch([BatchRequest("GET", url)])
            assert read.value.outcome_unknown is False  # a read: safe to ask again
            with pytest.raises(GraphTimeout) as sent:
                await send_tagged_mail(graph, WETHOUDERS[1], [BURGEMEESTER], "Test", "<p>x</p>",
                                       "time-limit-test/1")  # fmt: skip
            assert sent.value.outcome_unknown is True  # it may have gone: check the tag first
        assert gateway.limiter.in_flight(BURGEMEESTER.lower()) == 0
        assert gateway.limiter.in_flight(WETHOUDERS[1].lower()) == 0


async def test_a_retry_that_would_wait_past_the_limit_is_not_waited_for(
    running: RunningSandbox, admin: httpx.Client
) -> None:
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    config = _config(running, sleep=sleep)
    admin.post("/limits", json={"fault_rate": 1.0, "fault_kinds": ["429"], "retry_after_s": 20,
                                "seed": 1}).raise_for_status()  # fmt: skip
    async with GraphGateway(config, token_source_for(config), call_limit_s=5) as gateway:
        async with gateway.for_app() as graph:
            with pytest.raises(GraphTimeout):
                await graph.batch([BatchRequest("GET", f"/users/{BURGEMEESTER}/events?$top=1")])
    assert waited == []


async def test_the_time_limit_per_mailbox_is_a_setting(
    settings: Settings, clock: SetClock, silence: Silence
) -> None:
    """``SECRETARIAAT_JOB_TIME_LIMIT_S`` reaches the jobs run by the scheduler and the CLI."""
    await run_limited(settings, clock, "conflicts", [BURGEMEESTER], limit_s=60, dry_run=True)
    silence(f"/users/{BURGEMEESTER}/")
    limited = settings.model_copy(update={"job_time_limit_s": 2.0})
    report = await asyncio.wait_for(  # a safety net, not a measured duration
        run_job_as_app(limited, "conflicts", mailbox=BURGEMEESTER, dry_run=True, clock=clock), 60
    )
    [outcome] = report.mailboxes
    assert outcome["status"] == "timed_out"
    assert outcome["error"].startswith("Time-out: niet klaar binnen 2 s")
