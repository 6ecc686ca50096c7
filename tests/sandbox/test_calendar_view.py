"""calendarView: the demo week as the product reads it, series expanded into occurrences.

The demo week is the ISO week of conftest's TODAY (sandbox/seed: ``day: tue`` is its Tuesday);
the weekly Collegevergadering runs 09:30-12:30 Amsterdam time (08:30-11:30 UTC in winter).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.users.item.calendar_view.calendar_view_request_builder import (
    CalendarViewRequestBuilder,
)
from msgraph.generated.users.item.events.item.instances.instances_request_builder import (
    InstancesRequestBuilder,
)

from tests.dates import day_window, local, seed_day
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, GEMEENTESECRETARIS, SECRETARY_A

ZONE = "W. Europe Standard Time"
TUE = seed_day("tue")
TUESDAY = day_window(TUE)
WEEK = (local(seed_day("mon")).isoformat(), local(seed_day("mon", week=1)).isoformat())


def graph_time(moment: dt.datetime) -> str:
    """How Graph writes a dateTime: seven decimals, no offset."""
    return f"{moment:%Y-%m-%dT%H:%M:%S}.0000000"


def window(start: str, end: str, **extra: object) -> RequestConfiguration:
    params = CalendarViewRequestBuilder.CalendarViewRequestBuilderGetQueryParameters(
        start_date_time=start, end_date_time=end, top=100, **extra
    )
    return RequestConfiguration(query_parameters=params)


async def tuesday_of(tenant: Tenant, upn: str, viewer: str = SECRETARY_A, **extra: object):  # noqa: ANN201
    page = (
        await tenant.graph(viewer)
        .users.by_user_id(upn)
        .calendar_view.get(request_configuration=window(*TUESDAY, **extra))
    )
    return page.value


async def test_the_weekly_college_meeting_appears_as_an_occurrence_of_its_series(
    tenant: Tenant,
) -> None:
    events = await tuesday_of(tenant, BURGEMEESTER)
    [college] = [e for e in events if e.subject == "Collegevergadering"]
    assert college.type.value == "occurrence"
    assert college.series_master_id and college.recurrence is None
    master = (
        await tenant.graph(SECRETARY_A)
        .users.by_user_id(BURGEMEESTER)
        .events.by_event_id(college.series_master_id)
        .get()
    )
    assert master.type.value == "seriesMaster" and master.recurrence.pattern.type.value == "weekly"


async def test_an_occurrence_id_reads_back_as_that_occurrence(tenant: Tenant) -> None:
    [college] = [
        e for e in await tuesday_of(tenant, BURGEMEESTER) if e.subject == "Collegevergadering"
    ]
    again = (
        await tenant.graph(SECRETARY_A)
        .users.by_user_id(BURGEMEESTER)
        .events.by_event_id(college.id)
        .get()
    )
    assert (again.id, again.type.value, again.start.date_time) == (
        college.id,
        "occurrence",
        college.start.date_time,
    )
    assert set(again.additional_data) <= {"@odata.context", "@odata.etag"}
    assert again.original_start is not None


async def test_prefer_outlook_timezone_renders_amsterdam_time(tenant: Tenant) -> None:
    [college] = [
        e for e in await tuesday_of(tenant, BURGEMEESTER) if e.subject == "Collegevergadering"
    ]
    assert college.start.time_zone == ZONE
    assert college.start.date_time == graph_time(local(TUE, 9, 30))
    assert college.end.date_time == graph_time(local(TUE, 12, 30))


async def test_without_prefer_the_times_are_utc_and_no_preference_is_applied(
    tenant: Tenant,
) -> None:
    async with tenant.raw(SECRETARY_A, prefer=None) as graph:
        resp = await graph.get(
            f"/users/{BURGEMEESTER}/calendarView",
            params={"startDateTime": TUESDAY[0], "endDateTime": TUESDAY[1], "$top": "100"},
        )
    assert resp.status_code == 200 and "preference-applied" not in resp.headers
    [college] = [e for e in resp.json()["value"] if e["subject"] == "Collegevergadering"]
    utc = local(TUE, 9, 30).astimezone(dt.UTC)
    assert college["start"] == {"dateTime": graph_time(utc), "timeZone": "UTC"}


async def test_the_applied_time_zone_is_echoed_in_preference_applied(tenant: Tenant) -> None:
    async with tenant.raw(SECRETARY_A) as graph:
        resp = await graph.get(
            f"/users/{BURGEMEESTER}/calendarView",
            params={"startDateTime": TUESDAY[0], "endDateTime": TUESDAY[1]},
        )
    assert resp.headers["preference-applied"] == f'outlook.timezone="{ZONE}"'


async def test_a_week_holds_one_occurrence_per_weekday_of_a_weekday_series(tenant: Tenant) -> None:
    page = (
        await tenant.graph(SECRETARY_A)
        .users.by_user_id(BURGEMEESTER)
        .calendar_view.get(request_configuration=window(*WEEK))
    )
    starts = [
        e.start.date_time[:10] for e in page.value if e.subject == "Dagstart" and e.is_organizer
    ]
    assert starts == [seed_day(d).isoformat() for d in ("mon", "tue", "wed", "thu", "fri")]
    assert (
        len({e.series_master_id for e in page.value if e.subject == "Dagstart" and e.is_organizer})
        == 1
    )


async def test_the_view_is_ordered_by_start(tenant: Tenant) -> None:
    page = (
        await tenant.graph(SECRETARY_A)
        .users.by_user_id(BURGEMEESTER)
        .calendar_view.get(request_configuration=window(*WEEK))
    )
    starts = [e.start.date_time for e in page.value]
    assert starts == sorted(starts) and len(starts) > 10


async def test_the_view_pages_with_a_next_link_the_sdk_can_follow(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A)
    view = client.users.by_user_id(BURGEMEESTER).calendar_view
    params = CalendarViewRequestBuilder.CalendarViewRequestBuilderGetQueryParameters(
        start_date_time=WEEK[0], end_date_time=WEEK[1]
    )
    page = await view.get(request_configuration=RequestConfiguration(query_parameters=params))
    seen = [e.id for e in page.value]
    assert len(seen) == 10 and page.odata_next_link  # Graph's default page is 10
    while page.odata_next_link:
        page = await view.with_url(page.odata_next_link).get()
        seen += [e.id for e in page.value]
    full = await view.get(request_configuration=window(*WEEK))
    assert seen == [e.id for e in full.value]


async def test_select_and_filter_apply_to_the_expanded_view(tenant: Tenant) -> None:
    query = (
        f"startDateTime={quote(TUESDAY[0])}&endDateTime={quote(TUESDAY[1])}"
        "&$select=subject,type&$filter=type%20eq%20'occurrence'"
    )
    async with tenant.raw(SECRETARY_A) as graph:
        resp = await graph.get(f"/users/{BURGEMEESTER}/calendarView?{query}")
    body = resp.json()
    assert resp.status_code == 200, body
    assert body["value"] and {e["type"] for e in body["value"]} == {"occurrence"}
    assert set(body["value"][0]) == {"@odata.etag", "id", "subject", "type"}


async def test_instances_lists_the_occurrences_of_a_series_in_a_window(tenant: Tenant) -> None:
    [college] = [
        e for e in await tuesday_of(tenant, BURGEMEESTER) if e.subject == "Collegevergadering"
    ]
    params = InstancesRequestBuilder.InstancesRequestBuilderGetQueryParameters(
        start_date_time=f"{TUE - dt.timedelta(days=22)}T00:00:00Z",
        end_date_time=f"{TUE + dt.timedelta(days=1)}T00:00:00Z",
    )
    page = (
        await tenant.graph(SECRETARY_A)
        .users.by_user_id(BURGEMEESTER)
        .events.by_event_id(college.series_master_id)
        .instances.get(request_configuration=RequestConfiguration(query_parameters=params))
    )
    assert [e.start.date_time[:10] for e in page.value] == [
        (TUE - dt.timedelta(weeks=n)).isoformat() for n in (3, 2, 1, 0)
    ]
    assert {e.series_master_id for e in page.value} == {college.series_master_id}


async def test_the_attendees_copy_is_a_series_of_her_own_with_her_response(tenant: Tenant) -> None:
    [college] = [
        e for e in await tuesday_of(tenant, BURGEMEESTER) if e.subject == "Collegevergadering"
    ]
    assert college.is_organizer is False
    assert college.organizer.email_address.address == GEMEENTESECRETARIS
    assert college.response_status.response.value == "accepted"
    [own] = [
        e for e in await tuesday_of(tenant, GEMEENTESECRETARIS) if e.subject == "Collegevergadering"
    ]
    assert own.is_organizer is True and own.series_master_id != college.series_master_id


async def test_a_view_without_a_window_is_refused_with_graphs_error(tenant: Tenant) -> None:
    with pytest.raises(ODataError) as err:
        await tenant.graph(SECRETARY_A).users.by_user_id(BURGEMEESTER).calendar_view.get()
    assert err.value.response_status_code == 400
    assert err.value.error.code == "ErrorInvalidParameter"
    assert err.value.error.message == (
        "This request requires a time window specified by the query string parameters StartDateTime"
        " and EndDateTime."
    )


async def test_an_unreadable_window_bound_is_refused(tenant: Tenant) -> None:
    async with tenant.raw(SECRETARY_A) as graph:
        resp = await graph.get(
            f"/users/{BURGEMEESTER}/calendar/calendarView",
            params={"startDateTime": "gisteren", "endDateTime": TUESDAY[1]},
        )
    assert (resp.status_code, resp.json()["error"]["code"]) == (400, "ErrorInvalidParameter")


async def test_the_backend_app_reads_an_executives_view_app_only(tenant: Tenant) -> None:
    events = await tuesday_of(tenant, BURGEMEESTER, viewer=None)
    assert "Collegevergadering" in {e.subject for e in events}


async def test_the_backend_app_cannot_read_a_mailbox_outside_its_rbac_scope(tenant: Tenant) -> None:
    with pytest.raises(ODataError) as err:
        await tuesday_of(tenant, SECRETARY_A, viewer=None)
    assert err.value.response_status_code == 403 and err.value.error.code == "ErrorAccessDenied"


async def test_bodies_come_as_text_when_preferred(tenant: Tenant) -> None:
    prefer = f'outlook.body-content-type="text", outlook.timezone="{ZONE}"'
    async with tenant.raw(SECRETARY_A, prefer=prefer) as graph:
        resp = await graph.get(
            f"/users/{BURGEMEESTER}/calendarView",
            params={"startDateTime": TUESDAY[0], "endDateTime": TUESDAY[1], "$top": "100"},
        )
    [college] = [e for e in resp.json()["value"] if e["subject"] == "Collegevergadering"]
    assert college["body"]["contentType"] == "text" and "<p>" not in college["body"]["content"]
    assert 'outlook.body-content-type="text"' in resp.headers["preference-applied"]
