"""Scheduled jobs with the app's identity: what they do to the calendars in the sandbox, what
they cost (read from the sandbox's counters), and that a trigger runs once across instances."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from automations.clock import SetClock
from automations.jobs.catalog import JOBS
from automations.jobs.registry import JobContext
from automations.jobs.runner import run_job
from automations.roster.models import Roster
from automations.roster.service import load_roster_file
from automations.store import create_engine, session_factory
from automations.store.models import DeltaLinkRow, JobFindingRow
from sandbox.server import RunningSandbox
from server.app import create_app
from server.operator import operator_graph, run_job_as_app
from server.settings import Settings
from server.startup import DEMO_ROSTER
from tests.automations.store.databases import database_url  # noqa: F401 - both backends
from tests.conftest import TODAY
from tests.dates import (
    day_window,
    dutch_day,
    local,
    next_weekday,
    next_working_day,
    working_day,
)
from tests.sandbox.graphclients import DEFAULT_LIMITS, Tenant
from tests.sandbox.people import ADMIN, BURGEMEESTER, GEMEENTESECRETARIS, SECRETARY_A, WETHOUDERS
from tests.server.test_calamity_api import find, invite

BAS = "bas.kuipers@zeeveen.nl"
EXECUTIVES = 5


@pytest.fixture
def settings(running: RunningSandbox, tmp_path: Path, clock: SetClock) -> Settings:
    return Settings(
        sandbox_state=Path(running.info["ca_cert"]).parent,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'store.sqlite3'}",
        clock=clock.now().isoformat(),
    )


async def run(settings: Settings, name: str, **extra) -> dict:
    report = await run_job_as_app(settings, name, **extra)
    assert report is not None
    return {m["mailbox"]: m for m in report.mailboxes} | {"_report": report}


def sandbox_requests(admin: httpx.Client) -> int:
    return admin.get("/counters").json()["total"]


async def test_a_meeting_its_organizer_cancelled_leaves_her_calendar_once_checked(
    settings: Settings, tenant: Tenant
) -> None:
    wednesday = next_weekday("wed")  # in the jobs' window (this week's Monday + six weeks)
    window = day_window(wednesday)
    made = await invite(tenant, BAS, "Rondleiding bouwplaats", wednesday.isoformat(), "10:00",
                        [BURGEMEESTER, WETHOUDERS[0]])  # fmt: skip
    async with tenant.raw(BAS) as graph:
        resp = await graph.post(
            f"/users/{BAS}/events/{made['id']}/cancel", json={"comment": "Afgelast"}
        )
        resp.raise_for_status()
    [leftover] = await find(tenant, BURGEMEESTER, "Canceled: Rondleiding bouwplaats", *window)
    assert leftover["isCancelled"] is True

    dry = await run(settings, "cancelled-leftovers", mailbox=BURGEMEESTER, dry_run=True)
    assert dry[BURGEMEESTER]["actions"] == [
        f"verwijderen: Canceled: Rondleiding bouwplaats, {wednesday} 10:00"
    ]
    assert await find(tenant, BURGEMEESTER, "Canceled: Rondleiding bouwplaats", *window)

    done = await run(settings, "cancelled-leftovers")
    assert done[BURGEMEESTER]["counts"]["removed"] == 1
    assert done[WETHOUDERS[0]]["counts"]["removed"] == 1
    assert done["_report"].status == "done" and len(done["_report"].mailboxes) == EXECUTIVES
    assert await find(tenant, BURGEMEESTER, "Canceled: Rondleiding bouwplaats", *window) == []
    assert await find(tenant, BURGEMEESTER, "Dagstart", *window)  # the rest stays


async def test_the_second_run_costs_one_delta_request_per_mailbox_and_sees_one_change(
    settings: Settings, tenant: Tenant, admin: httpx.Client
) -> None:
    first = await run(settings, "cancelled-leftovers", dry_run=True)
    assert all(first[m]["counts"]["full_reads"] == 1 for m in first if m != "_report")

    before = sandbox_requests(admin)
    second = await run(settings, "cancelled-leftovers", dry_run=True)
    spent = sandbox_requests(admin) - before
    assert spent <= 2 * EXECUTIVES, spent  # one delta page per mailbox ($batch + its request)
    assert all(second[m]["counts"].get("full_reads", 0) == 0 for m in second if m != "_report")
    assert all(second[m]["counts"]["changed"] == 0 for m in second if m != "_report")

    friday = next_weekday("fri").isoformat()
    await invite(tenant, BAS, "Nieuw overleg haven", friday, "11:00", [GEMEENTESECRETARIS])
    third = await run(settings, "cancelled-leftovers", dry_run=True)
    assert third[GEMEENTESECRETARIS]["counts"]["changed"] == 1
    assert third[BURGEMEESTER]["counts"]["changed"] == 0


async def test_a_lost_delta_token_is_recovered_with_one_full_read(
    settings: Settings, tenant: Tenant
) -> None:
    await run(settings, "cancelled-leftovers", mailbox=BURGEMEESTER, dry_run=True)
    engine = create_engine(settings.database_url)
    try:
        async with (
            session_factory(engine, clock=settings.make_clock())() as session,
            session.begin(),
        ):
            rows = list(
                await session.scalars(
                    select(DeltaLinkRow).where(DeltaLinkRow.mailbox == BURGEMEESTER)
                )
            )
            assert rows
            for row in rows:  # the sync state expired on Graph's side
                row.link = row.link.split("$deltatoken=")[0] + "$deltatoken=verlopen"
    finally:
        await engine.dispose()
    again = await run(settings, "cancelled-leftovers", mailbox=BURGEMEESTER, dry_run=True)
    assert again[BURGEMEESTER]["status"] == "ok"
    assert again[BURGEMEESTER]["counts"]["full_reads"] == 1
    after = await run(settings, "cancelled-leftovers", mailbox=BURGEMEESTER, dry_run=True)
    assert after[BURGEMEESTER]["counts"].get("full_reads", 0) == 0


async def test_two_instances_firing_one_trigger_run_it_once(
    running: RunningSandbox,
    database_url: str,  # noqa: F811
    clock: SetClock,
) -> None:
    settings = Settings(
        sandbox_state=Path(running.info["ca_cert"]).parent, database_url=database_url
    )
    slot = f"schedule:{dt.datetime.combine(TODAY, dt.time(7, 30)).isoformat()}"
    async with operator_graph(settings, clock=clock) as (sessions, roster, graph):
        other = create_engine(database_url)  # the second instance: its own connections
        try:
            contexts = [
                JobContext(
                    graph=graph,
                    sessions=s,
                    roster=roster,
                    today=TODAY,
                    now=clock.now(),
                    dry_run=True,
                )  # fmt: skip
                for s in (sessions, session_factory(other, clock=clock))
            ]
            job = JOBS["cancelled-leftovers"]
            reports = await asyncio.gather(
                *(run_job(job, c, [BURGEMEESTER], slot=slot, trigger="schedule") for c in contexts)
            )
        finally:
            await other.dispose()
    assert sorted(r is None for r in reports) == [False, True]


async def her_event(tenant: Tenant, subject: str, day: str, start: str, end: str, **extra) -> dict:
    body = {"subject": subject, "start": {"dateTime": f"{day}T{start}:00",
            "timeZone": "W. Europe Standard Time"},
            "end": {"dateTime": f"{day}T{end}:00", "timeZone": "W. Europe Standard Time"},
            **extra}  # fmt: skip
    async with tenant.raw(BURGEMEESTER) as graph:
        resp = await graph.post(f"/users/{BURGEMEESTER}/events", json=body)
        resp.raise_for_status()
        return resp.json()


async def test_expired_holds_are_released_and_the_secretary_who_placed_them_is_told(
    settings: Settings, tenant: Tenant
) -> None:
    placed = {"body": {"contentType": "text",
                       "content": "Geplaatst door: monique.verschuren@zeeveen.nl"}}  # fmt: skip
    on = next_weekday("fri")  # the held day, in the jobs' window
    expired = f"Optie: werkbezoek haven (tot {TODAY - dt.timedelta(days=4):%d-%m-%Y})"
    holding = f"Optie: lunch VNG (tot {TODAY + dt.timedelta(days=6):%d-%m-%Y})"
    await her_event(tenant, expired, on.isoformat(), "10:00", "11:00", **placed)
    await her_event(tenant, holding, on.isoformat(), "12:00", "13:00")
    window = day_window(on)
    dry = await run(settings, "expired-holds", mailbox=BURGEMEESTER, dry_run=True)
    assert dry[BURGEMEESTER]["actions"] == [f"vrijgeven: {expired}, {on} 10:00"]
    done = await run(settings, "expired-holds", mailbox=BURGEMEESTER)
    assert done[BURGEMEESTER]["counts"]["released"] == 1
    assert await find(tenant, BURGEMEESTER, expired, *window) == []
    assert await find(tenant, BURGEMEESTER, holding, *window)
    async with tenant.raw(SECRETARY_A) as graph:
        inbox = await graph.get(
            f"/users/{SECRETARY_A}/mailFolders/inbox/messages",
            params={"$filter": "subject eq 'Optie vrijgegeven'", "$select": "body"},
        )
    [told] = inbox.json()["value"]
    assert "werkbezoek haven" in told["body"]["content"]
    again = await run(settings, "expired-holds", mailbox=BURGEMEESTER)
    assert again[BURGEMEESTER]["counts"]["expired"] == 0  # released once, told once


async def test_double_bookings_and_missing_travel_time_become_findings_for_the_front_office(
    settings: Settings, tenant: Tenant
) -> None:
    day = next_weekday("mon").isoformat()  # a Monday with room, after the seeded week's items
    # The findings go to today's front office: run on a working day (the Monday after a weekend).
    run_on = working_day(TODAY)
    settings = settings.model_copy(update={"clock": local(run_on, 10).isoformat()})
    place = lambda name: {"location": {"displayName": name}}  # noqa: E731
    a = await her_event(tenant, "Overlap A", day, "11:00", "12:00", **place("Stadhuis"))
    b = await her_event(tenant, "Overlap B", day, "11:30", "12:30", **place("Stadhuis"))
    await her_event(tenant, "Reis A", day, "14:00", "15:00", **place("Stadhuis"))
    await her_event(tenant, "Reis B", day, "15:00", "16:00", **place("Provinciehuis"))
    await her_event(tenant, "Los A", day, "17:00", "17:30", **place("Stadhuis"))
    await her_event(tenant, "Los B", day, "18:30", "19:00", **place("Haven"))
    report = await run(settings, "conflicts", mailbox=BURGEMEESTER)
    actions = report[BURGEMEESTER]["actions"]
    assert any(x.startswith("dubbel geboekt: Overlap A") and "Overlap B" in x for x in actions)
    assert any(x.startswith("geen reistijd: Reis A") and "Reis B" in x for x in actions)
    assert not any("Los A" in x for x in actions)

    roster = Roster.from_document(load_roster_file(DEMO_ROSTER))
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine, clock=settings.make_clock())() as session:
            findings = list(await session.scalars(select(JobFindingRow)))
        mine = [f for f in findings if "Overlap A" in f.summary and "Overlap B" in f.summary]
        owner = roster.front_office_on(BURGEMEESTER, run_on)
        assert owner is not None
        assert len(mine) == 1 and mine[0].owner == owner
        async with tenant.raw(BURGEMEESTER) as graph:  # the front office moves one
            zone = "W. Europe Standard Time"
            moved = {"start": {"dateTime": f"{day}T13:00:00", "timeZone": zone},
                     "end": {"dateTime": f"{day}T13:30:00", "timeZone": zone}}  # fmt: skip
            (
                await graph.patch(f"/users/{BURGEMEESTER}/events/{b['id']}", json=moved)
            ).raise_for_status()
        again = await run(settings, "conflicts", mailbox=BURGEMEESTER)
        assert again[BURGEMEESTER]["counts"]["resolved"] >= 1
        async with session_factory(engine, clock=settings.make_clock())() as session:
            row = await session.get(JobFindingRow, mine[0].id)
            assert row.status == "closed"
    finally:
        await engine.dispose()
    assert a["id"]


async def test_under_faults_each_mailbox_is_reported_and_the_next_run_repairs(
    settings: Settings, admin: httpx.Client
) -> None:
    admin.post("/limits", json={"fault_rate": 0.97, "seed": 2, "fault_kinds": ["503", "drop"],
                                "retry_after_s": 0}).raise_for_status()  # fmt: skip
    try:
        stormy = await run(settings, "conflicts", dry_run=True)
    finally:
        admin.post("/limits", json=DEFAULT_LIMITS).raise_for_status()
    outcomes = [stormy[m] for m in stormy if m != "_report"]
    assert len(outcomes) == EXECUTIVES
    assert all(o["status"] == "ok" or o["error"] for o in outcomes)  # each failure says why
    assert [o for o in outcomes if o["status"] == "failed"], "the storm should break some"
    assert stormy["_report"].status in ("partial", "failed")
    calm = await run(settings, "conflicts", dry_run=True)
    assert calm["_report"].status == "done"


async def test_the_daily_overview_mails_tomorrows_agenda_to_her_and_her_front_office(
    settings: Settings, tenant: Tenant
) -> None:
    dry = await run(settings, "daily-overview", mailbox=BURGEMEESTER, dry_run=True)
    [planned] = dry[BURGEMEESTER]["actions"]
    day = next_working_day(TODAY)  # tomorrow's agenda; on a Friday, Monday's
    assert planned.startswith(f"dagoverzicht {day:%d-%m-%Y}: ")
    sent = await run(settings, "daily-overview", mailbox=BURGEMEESTER)
    assert sent[BURGEMEESTER]["counts"]["sent"] == 1
    again = await run(settings, "daily-overview", mailbox=BURGEMEESTER)  # a second trigger
    assert again[BURGEMEESTER]["status"] == "ok"
    roster = Roster.from_document(load_roster_file(DEMO_ROSTER))
    front = roster.front_office_on(BURGEMEESTER, day)
    for reader in (BURGEMEESTER, front):
        async with tenant.raw(reader) as graph:
            inbox = await graph.get(
                f"/users/{reader}/mailFolders/inbox/messages",
                params={"$filter": f"subject eq 'Dagoverzicht {dutch_day(day)}'",
                        "$select": "body"},
            )  # fmt: skip
        [mail] = inbox.json()["value"]  # once, however often it ran
        assert "Dagstart" in mail["body"]["content"]
        assert f"{dutch_day(day)} {day.year}" in mail["body"]["content"]


async def test_the_server_schedules_every_job_on_its_cron_when_enabled(
    running: RunningSandbox, tmp_path: Path
) -> None:
    settings = Settings(
        sandbox_state=Path(running.info["ca_cert"]).parent,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'store.sqlite3'}",
        jobs_enabled=True,
        jobs_schedule={"daily-overview": "30 17 * * 1-5"},
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        scheduled = {j.id: j for j in app.state.scheduler.get_jobs()}
        assert set(scheduled) == set(JOBS)
        overview = scheduled["daily-overview"].trigger
        day = working_day(TODAY)  # the cron runs on working days
        fires = overview.get_next_fire_time(None, local(day, 12))
        assert fires == local(day, 17, 30)
        friday_evening = local(next_weekday("fri", or_same=True), 18)
        assert overview.get_next_fire_time(None, friday_evening) == local(
            next_working_day(friday_evening.date()), 17, 30
        ), "cron 1-5 is Monday to Friday (APScheduler 3 counts weekdays from Monday = 0)"
    off = create_app(settings.model_copy(update={"jobs_enabled": None}))  # sandbox mode: off
    async with off.router.lifespan_context(off):
        assert off.state.scheduler is None


async def test_beheer_shows_the_runs_with_their_outcome(backend, api, login) -> None:  # noqa: ANN001
    await run_job_as_app(
        backend.state.settings, "conflicts", dry_run=True, clock=backend.state.clock
    )
    page = await api.get(f"/pane/beheer/inhoud?mailbox={ADMIN}", headers=login(ADMIN))
    assert page.status_code == 200, page.text
    assert 'data-testid="taakruns"' in page.text and "conflicts" in page.text
    assert "proef" in page.text and "5 postvakken" in page.text


async def test_approval_reminders_remind_her_once_per_period(
    backend,
    api,
    login,
    tenant: Tenant,  # noqa: ANN001
) -> None:
    from automations.store.models import ApprovalRow
    from tests.server.test_approvals_api import in_folder, mail_from_hans, prepare

    message_id, subject = await mail_from_hans(tenant, "Wacht al lang")
    approval = (await prepare(api, login, message_id))["approval"]
    async with backend.state.sessions() as session, session.begin():
        row = await session.get(ApprovalRow, approval["id"])
        row.requested_at = backend.state.clock.now() - dt.timedelta(hours=30)
    settings = backend.state.settings
    clock = backend.state.clock
    dry = await run_job_as_app(
        settings, "approval-reminders", mailbox=BURGEMEESTER, dry_run=True, clock=clock
    )
    assert dry.mailboxes[0]["actions"] == [f"herinneren: RE: {subject}"]
    first = await run_job_as_app(settings, "approval-reminders", mailbox=BURGEMEESTER, clock=clock)
    assert first.mailboxes[0]["counts"]["reminded"] == 1
    second = await run_job_as_app(settings, "approval-reminders", mailbox=BURGEMEESTER, clock=clock)
    assert second.mailboxes[0]["counts"]["reminded"] == 0
    told = await in_folder(
        tenant, BURGEMEESTER, "inbox", f"Herinnering – ter goedkeuring: RE: {subject}"
    )
    assert len(told) == 1


async def test_a_mailbox_outside_the_apps_scope_is_reported_and_the_others_run(
    settings: Settings,
) -> None:
    async with operator_graph(settings) as (sessions, roster, graph):
        ctx = JobContext(graph=graph, sessions=sessions, roster=roster, today=TODAY,
                         now=settings.make_clock().now(), dry_run=True)  # fmt: skip
        report = await run_job(JOBS["conflicts"], ctx, [BURGEMEESTER, SECRETARY_A])
    assert report is not None and report.status == "partial"
    by_mailbox = {m["mailbox"]: m for m in report.mailboxes}
    assert by_mailbox[BURGEMEESTER]["status"] == "ok"
    outside = by_mailbox[SECRETARY_A]
    assert outside["status"] == "out_of_scope"
    assert "RBAC for Applications" in outside["error"]
