"""calendarView delta: a full first round, then only what changed (event-delta, delta-query-events).

The secretary syncs the gemeentesecretaris' demo week, as the product's sync job does.
"""

from __future__ import annotations

from typing import Any

from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.event import Event
from msgraph.generated.users.item.calendar_view.calendar_view_request_builder import (
    CalendarViewRequestBuilder,
)
from msgraph.generated.users.item.calendar_view.delta.delta_request_builder import (
    DeltaRequestBuilder,
)
from msgraph.generated.users.item.events.item.cancel.cancel_post_request_body import (
    CancelPostRequestBody,
)

from tests.dates import local, seed_day
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import GEMEENTESECRETARIS, SECRETARY_A

ZONE = "W. Europe Standard Time"
WEEK = (local(seed_day("mon")).isoformat(), local(seed_day("mon", week=1)).isoformat())
PREFER = f'odata.maxpagesize=5, outlook.timezone="{ZONE}"'


async def sync(tenant: Tenant, link: str | None = None) -> tuple[list[Event], str]:
    """One round: follow nextLinks until the deltaLink; returns the entries and that link."""
    delta = tenant.graph(SECRETARY_A).users.by_user_id(GEMEENTESECRETARIS).calendar_view.delta
    config: RequestConfiguration[Any] = RequestConfiguration()
    config.headers.add("Prefer", PREFER)
    if link is None:
        config.query_parameters = DeltaRequestBuilder.DeltaRequestBuilderGetQueryParameters(
            start_date_time=WEEK[0], end_date_time=WEEK[1]
        )
        page = await delta.get(request_configuration=config)
    else:
        page = await delta.with_url(link).get(request_configuration=config)
    entries = list(page.value)
    while page.odata_next_link:
        assert len(page.value) == 5
        page = await delta.with_url(page.odata_next_link).get(request_configuration=config)
        entries += page.value
    assert page.odata_delta_link and "$deltatoken=" in page.odata_delta_link
    return entries, page.odata_delta_link


def removed(entries: list[Event]) -> set[str]:
    return {e.id for e in entries if "@removed" in e.additional_data}


def meeting(subject: str, day: str = seed_day("fri").isoformat()) -> Event:
    return Event(
        subject=subject,
        start=DateTimeTimeZone(date_time=f"{day}T15:00:00", time_zone=ZONE),
        end=DateTimeTimeZone(date_time=f"{day}T16:00:00", time_zone=ZONE),
    )


async def test_the_first_round_pages_through_the_whole_view_and_ends_in_a_delta_link(
    tenant: Tenant,
) -> None:
    entries, _ = await sync(tenant)
    params = CalendarViewRequestBuilder.CalendarViewRequestBuilderGetQueryParameters(
        start_date_time=WEEK[0], end_date_time=WEEK[1], top=500
    )
    view = (
        await tenant.graph(SECRETARY_A)
        .users.by_user_id(GEMEENTESECRETARIS)
        .calendar_view.get(request_configuration=RequestConfiguration(query_parameters=params))
    )
    assert [e.id for e in entries] == [e.id for e in view.value] and len(entries) > 5
    assert entries[0].start.time_zone == ZONE


async def test_a_round_without_changes_is_empty(tenant: Tenant) -> None:
    _, link = await sync(tenant)
    entries, again = await sync(tenant, link)
    assert entries == [] and again


async def test_the_next_round_returns_only_what_changed(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A).users.by_user_id(GEMEENTESECRETARIS)
    _, link = await sync(tenant)
    made = await client.events.post(meeting("Nieuw in de week"))
    await client.events.by_event_id(made.id).patch(Event(subject="Nieuw in de week (gewijzigd)"))
    far = seed_day("mon", week=14).isoformat()
    outside = await client.events.post(meeting("Ver weg", day=far))
    entries, _ = await sync(tenant, link)
    assert [(e.id, e.subject) for e in entries if e.id == made.id] == [
        (made.id, "Nieuw in de week (gewijzigd)")
    ]
    assert removed(entries) == {
        outside.id
    }  # outside the window: reported as removed, as documented
    assert len(entries) == 2


async def test_a_deleted_event_comes_back_as_removed(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A).users.by_user_id(GEMEENTESECRETARIS)
    made = await client.events.post(meeting("Gaat niet door"))
    _, link = await sync(tenant)
    await client.events.by_event_id(made.id).delete()
    entries, _ = await sync(tenant, link)
    [gone] = entries
    assert gone.id == made.id and gone.additional_data["@removed"] == {"reason": "deleted"}


async def test_a_cancelled_occurrence_comes_back_as_removed(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A).users.by_user_id(GEMEENTESECRETARIS)
    first, link = await sync(tenant)
    [monday] = [
        e
        for e in first
        if e.subject == "Dagstart" and e.start.date_time.startswith(seed_day("mon").isoformat())
    ]
    await client.events.by_event_id(monday.id).cancel.post(
        CancelPostRequestBody(comment="Studiedag")
    )
    entries, _ = await sync(tenant, link)
    assert monday.id in removed(entries)
    assert {e.start.date_time[:10] for e in entries if e.subject == "Dagstart"} == {
        seed_day(d).isoformat() for d in ("tue", "wed", "thu")
    }  # his series runs Monday to Thursday


async def test_an_unknown_delta_token_is_refused_like_an_expired_one(tenant: Tenant) -> None:
    async with tenant.raw(SECRETARY_A) as graph:
        resp = await graph.get(
            f"/users/{GEMEENTESECRETARIS}/calendarView/delta", params={"$deltatoken": "bogus"}
        )
    assert (resp.status_code, resp.json()["error"]["code"]) == (410, "SyncStateNotFound")


async def test_a_first_delta_call_needs_a_window(tenant: Tenant) -> None:
    async with tenant.raw(SECRETARY_A) as graph:
        resp = await graph.get(f"/users/{GEMEENTESECRETARIS}/calendarView/delta")
    assert (resp.status_code, resp.json()["error"]["code"]) == (400, "ErrorInvalidParameter")
