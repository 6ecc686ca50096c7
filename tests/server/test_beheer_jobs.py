"""Beheer runs a scheduled job now, or only its dry run: the scheduler's path with the app's
identity, read back from the sandbox; admins only, and every attempt audited."""

from __future__ import annotations

import datetime as dt

import httpx
from fastapi import FastAPI

from automations.audit import AuditFilter, query
from automations.jobs.catalog import JOBS, LABELS, label_of
from tests.conftest import TODAY
from tests.dates import day_window, next_weekday
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import ADMIN, BURGEMEESTER, SECRETARY_A
from tests.server.test_calamity_api import find
from tests.server.test_jobs import her_event

PLACED = {"body": {"contentType": "text", "content": f"Geplaatst door: {SECRETARY_A}"}}


async def expired_hold(tenant: Tenant, what: str) -> tuple[str, tuple[str, str]]:
    on = next_weekday("fri")  # in the jobs' window
    subject = f"Optie: {what} (tot {TODAY - dt.timedelta(days=3):%d-%m-%Y})"
    await her_event(tenant, subject, on.isoformat(), "14:00", "15:00", **PLACED)
    return subject, day_window(on)


async def notices_about(tenant: Tenant, what: str) -> int:
    async with tenant.raw(SECRETARY_A) as graph:
        inbox = await graph.get(
            f"/users/{SECRETARY_A}/mailFolders/inbox/messages",
            params={"$filter": "subject eq 'Optie vrijgegeven'", "$select": "body", "$top": "100"},
        )
    return sum(what in m["body"]["content"] for m in inbox.json()["value"])


async def run_now(api: httpx.AsyncClient, headers: dict[str, str], job: str, *, dry_run: bool):
    return await api.post(f"/pane/beheer/taken/{job}", json={"dry_run": dry_run}, headers=headers)


async def audited(backend: FastAPI, action: str) -> list:
    async with backend.state.sessions() as session:
        entries = (await query(session, AuditFilter(), limit=50)).entries
    return [e for e in entries if e.action == action]


async def test_a_dry_run_says_what_it_would_do_and_changes_nothing(
    backend: FastAPI, api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    subject, window = await expired_hold(tenant, "proefdraai beheer")

    answer = await run_now(api, login(ADMIN), "expired-holds", dry_run=True)

    assert answer.status_code == 200, answer.text
    assert "Proefdraai: Verlopen opties vrijgeven" in answer.text
    assert "Er is niets veranderd" in answer.text
    assert "Ingrid Zwanenburg" in answer.text  # the mailbox by name
    assert f"vrijgeven: {subject}" in answer.text
    assert await find(tenant, BURGEMEESTER, subject, *window)  # still in her calendar
    assert await notices_about(tenant, "proefdraai beheer") == 0  # nobody was told
    [entry] = await audited(backend, "job.dry_run")
    assert entry.actor == ADMIN and entry.outcome == "success"
    assert entry.details and entry.details["job"] == "expired-holds"


async def test_run_now_does_the_job_as_the_scheduler_would(
    backend: FastAPI, api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    subject, window = await expired_hold(tenant, "nu uitvoeren beheer")

    answer = await run_now(api, login(ADMIN), "expired-holds", dry_run=False)

    assert answer.status_code == 200, answer.text
    assert "Uitgevoerd: Verlopen opties vrijgeven" in answer.text
    assert await find(tenant, BURGEMEESTER, subject, *window) == []  # released
    assert await notices_about(tenant, "nu uitvoeren beheer") == 1  # the secretary was told
    [entry] = await audited(backend, "job.run")
    assert entry.details and entry.details["status"] == "done"
    page = await api.get("/pane/beheer/inhoud", params={"mailbox": ADMIN}, headers=login(ADMIN))
    assert "Verlopen opties vrijgeven" in page.text  # the run is listed by its Dutch name


async def test_a_secretary_may_not_run_a_job_and_the_attempt_is_audited(
    backend: FastAPI, api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    subject, window = await expired_hold(tenant, "geweigerd beheer")

    refused = await run_now(api, login(SECRETARY_A), "expired-holds", dry_run=False)

    assert refused.status_code == 403
    assert "Alleen beheerders" in refused.text
    assert await find(tenant, BURGEMEESTER, subject, *window)
    [entry] = await audited(backend, "job.run")
    assert entry.actor == SECRETARY_A and entry.outcome == "denied"


async def test_an_unknown_job_is_not_found(api: httpx.AsyncClient, login) -> None:
    answer = await run_now(api, login(ADMIN), "bestaat-niet", dry_run=True)
    assert answer.status_code == 404


async def test_beheer_lists_every_job_by_its_dutch_label(api: httpx.AsyncClient, login) -> None:
    assert set(LABELS) == set(JOBS)
    page = await api.get("/pane/beheer/inhoud", params={"mailbox": ADMIN}, headers=login(ADMIN))
    assert page.status_code == 200, page.text
    for name in JOBS:
        assert f">{label_of(name)}</h3>" in page.text
    assert page.text.count(">Proefdraai</button>") == len(JOBS)
    assert page.text.count(">Nu uitvoeren</button>") == len(JOBS)
