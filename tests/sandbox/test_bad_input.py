"""Bad input gets Graph's 4xx and Graph's error body, never a 500 or a bare traceback.

Codes and messages follow what Microsoft Graph answers: malformed JSON is 400 BadRequest
("Unable to read JSON request payload..."), an unknown or mistyped property is 400
RequestBodyRead (OData's reader: "The property 'x' does not exist on type ..."), an unknown
``$select`` on an Outlook entity is 400 RequestBroker--ParseUri, an unknown URL segment is 400
BadRequest "Resource not found for the segment", an item of another mailbox is 404
ErrorItemNotFound, a request over 4 MB is 413 ("The maximum request length supported is 4MB.").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from kiota_serialization_json.json_parse_node_factory import JsonParseNodeFactory
from msgraph.generated.models.o_data_errors.o_data_error import ODataError

from tests.dates import seed_day
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, GEMEENTESECRETARIS, SECRETARY_A

JSON = {"Content-Type": "application/json"}
# A well-formed Exchange id that no item has.
MISSING_ID = "AAMkAGI2" + "Q" * 44 + "="


def assert_graph_error(resp: httpx.Response, status: int, code: str | None = None) -> dict:
    """Graph's error shape, a ``request-id`` header, and a body msgraph-sdk reads cleanly."""
    assert resp.status_code == status, resp.text[:500]
    assert resp.headers.get("content-type", "").startswith("application/json"), resp.headers
    assert resp.headers.get("request-id"), resp.headers
    body = resp.json()
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error.get("code"), str) and error["code"], error
    assert isinstance(error.get("message"), str) and error["message"], error
    if code is not None:
        assert error["code"] == code, error
    inner = error.get("innerError")
    assert isinstance(inner, dict), error
    assert {"request-id", "date", "client-request-id"} <= set(inner), inner
    assert inner["request-id"] == resp.headers["request-id"]
    dt.datetime.fromisoformat(inner["date"])
    parsed = (
        JsonParseNodeFactory()
        .get_root_parse_node("application/json", resp.content)
        .get_object_value(ODataError)
    )
    assert parsed.error is not None and parsed.error.code == error["code"]
    assert not parsed.additional_data and not parsed.error.additional_data
    assert parsed.error.inner_error is not None
    assert not parsed.error.inner_error.additional_data, inner
    return error


async def first_id(graph: httpx.AsyncClient, path: str) -> str:
    resp = await graph.get(path, params={"$top": "1", "$select": "id"})
    assert resp.status_code == 200, resp.text
    return resp.json()["value"][0]["id"]


def messages(upn: str) -> str:
    return f"/users/{upn}/messages"


def events(upn: str) -> str:
    return f"/users/{upn}/events"


# -- malformed and oversized bodies ------------------------------------------------------------
async def test_malformed_json_on_every_write_is_a_bad_request(tenant: Tenant) -> None:
    async with tenant.raw(SECRETARY_A) as graph:
        message = await first_id(graph, messages(BURGEMEESTER))
        event = await first_id(graph, events(BURGEMEESTER))
        targets = [
            ("POST", messages(BURGEMEESTER)),
            ("PATCH", f"{messages(BURGEMEESTER)}/{message}"),
            ("POST", events(BURGEMEESTER)),
            ("PATCH", f"{events(BURGEMEESTER)}/{event}"),
            ("POST", f"/users/{BURGEMEESTER}/mailFolders/inbox/childFolders"),
            ("POST", "/$batch"),
        ]
        for method, path in targets:
            for body in (b'{"subject": ', b"{bad json}", b"[1,", b"\x00\x01"):
                resp = await graph.request(method, path, content=body, headers=JSON)
                assert_graph_error(resp, 400, "BadRequest")


async def test_non_utf8_bytes_are_a_bad_request(tenant: Tenant) -> None:
    async with tenant.raw(SECRETARY_A) as graph:
        message = await first_id(graph, messages(BURGEMEESTER))
        for method, path in (
            ("POST", messages(BURGEMEESTER)),
            ("PATCH", f"{messages(BURGEMEESTER)}/{message}"),
            ("POST", "/$batch"),
        ):
            body = b'{"subject": "caf\xe9 \xff\xfe"}'
            resp = await graph.request(method, path, content=body, headers=JSON)
            assert_graph_error(resp, 400, "BadRequest")


async def test_a_json_array_where_an_object_belongs_is_refused(tenant: Tenant) -> None:
    async with tenant.raw(SECRETARY_A) as graph:
        resp = await graph.post(messages(BURGEMEESTER), content=b'["subject"]', headers=JSON)
    assert_graph_error(resp, 400)


@pytest.mark.parametrize("path", [messages(BURGEMEESTER), "/$batch"])
async def test_deeply_nested_json_is_refused_not_a_crash(tenant: Tenant, path: str) -> None:
    deep = b'{"requests": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    async with tenant.raw(SECRETARY_A) as graph:
        resp = await graph.post(path, content=deep, headers=JSON)
    assert_graph_error(resp, 400, "BadRequest")


async def test_a_body_over_four_megabytes_is_too_large(tenant: Tenant) -> None:
    async with tenant.raw(SECRETARY_A) as graph:
        message = await first_id(graph, messages(BURGEMEESTER))
        huge = {"body": {"contentType": "text", "content": "x" * (5 * 1024 * 1024)}}
        resp = await graph.patch(f"{messages(BURGEMEESTER)}/{message}", json=huge)
    error = assert_graph_error(resp, 413, "BadRequest")
    assert error["message"] == "The maximum request length supported is 4MB."


# -- properties Graph does not know, and values of the wrong type ------------------------------
async def test_an_unknown_property_is_a_request_body_read_error(tenant: Tenant) -> None:
    async with tenant.raw(SECRETARY_A) as graph:
        message = await first_id(graph, messages(BURGEMEESTER))
        event = await first_id(graph, events(BURGEMEESTER))
        calls: list[tuple[str, str, dict[str, Any]]] = [
            ("PATCH", f"{messages(BURGEMEESTER)}/{message}", {"importantish": True}),
            ("POST", messages(BURGEMEESTER), {"subject": "Concept", "importantish": True}),
            ("PATCH", f"{events(BURGEMEESTER)}/{event}", {"importantish": True}),
            ("POST", events(BURGEMEESTER), {"subject": "Overleg", "importantish": True}),
        ]
        for method, path, body in calls:
            resp = await graph.request(method, path, json=body)
            error = assert_graph_error(resp, 400, "RequestBodyRead")
            assert "The property 'importantish' does not exist on type" in error["message"]


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("message", {"isRead": "yes"}),
        ("message", {"categories": "x"}),
        ("message", {"subject": 5}),
        ("message", {"toRecipients": {"emailAddress": {"address": "a@b.nl"}}}),
        ("message", {"flag": "flagged"}),
        ("event", {"start": 5}),
        ("event", {"isAllDay": "no"}),
        ("event", {"attendees": "ingrid.zwanenburg@zeeveen.nl"}),
    ],
)
async def test_a_value_of_the_wrong_json_type_is_refused(
    tenant: Tenant, kind: str, body: dict[str, Any]
) -> None:
    async with tenant.raw(SECRETARY_A) as graph:
        base = messages(BURGEMEESTER) if kind == "message" else events(BURGEMEESTER)
        item = await first_id(graph, base)
        resp = await graph.patch(f"{base}/{item}", json=body)
    assert_graph_error(resp, 400, "RequestBodyRead")


async def test_an_event_created_with_numbers_for_times_is_refused(tenant: Tenant) -> None:
    async with tenant.raw(SECRETARY_A) as graph:
        resp = await graph.post(events(BURGEMEESTER), json={"subject": "x", "start": 5, "end": 6})
    assert_graph_error(resp, 400, "RequestBodyRead")


async def test_an_event_created_with_a_string_for_attendees_is_refused(tenant: Tenant) -> None:
    async with tenant.raw(SECRETARY_A) as graph:
        resp = await graph.post(events(BURGEMEESTER), json={"subject": "x", "attendees": "x"})
    assert_graph_error(resp, 400, "RequestBodyRead")


async def test_an_event_created_with_strings_as_attendees_is_refused(tenant: Tenant) -> None:
    async with tenant.raw(SECRETARY_A) as graph:
        resp = await graph.post(events(BURGEMEESTER), json={"subject": "x", "attendees": ["x"]})
    assert_graph_error(resp, 400)


@pytest.mark.parametrize(
    "change",
    [
        {"availabilityViewInterval": [1]},
        {"availabilityViewInterval": "fifteen"},
        {"schedules": "ingrid.zwanenburg@zeeveen.nl"},
        {"startTime": 5},
    ],
)
async def test_a_schedule_parameter_of_the_wrong_type_is_refused(
    tenant: Tenant, change: dict[str, Any]
) -> None:
    day = {"timeZone": "W. Europe Standard Time"}
    body = {
        "schedules": [BURGEMEESTER],
        "startTime": {"dateTime": f"{seed_day('tue')}T08:00:00", **day},
        "endTime": {"dateTime": f"{seed_day('tue')}T18:00:00", **day},
        **change,
    }
    async with tenant.raw(SECRETARY_A) as graph:
        resp = await graph.post(f"/users/{BURGEMEESTER}/calendar/getSchedule", json=body)
    assert_graph_error(resp, 400)


# -- query options ------------------------------------------------------------------------------
@pytest.mark.parametrize("collection", ["messages", "events"])
@pytest.mark.parametrize(
    "query",
    [
        "$filter=subject%20eq",
        "$filter=((",
        "$filter=isRead%20eq%20'",
        "$filter=foo(bar)",
        "$top=abc",
        "$top=-1",
        "$skip=abc",
        "$orderby=subject%20sideways",
        "$count=maybe",
    ],
)
async def test_a_bad_query_option_is_a_bad_request(
    tenant: Tenant, collection: str, query: str
) -> None:
    async with tenant.raw(SECRETARY_A) as graph:
        resp = await graph.get(f"/users/{BURGEMEESTER}/{collection}?{query}")
    assert_graph_error(resp, 400, "BadRequest")


@pytest.mark.parametrize("collection", ["messages", "events", "mailFolders/inbox/messages"])
async def test_selecting_an_unknown_property_is_refused(tenant: Tenant, collection: str) -> None:
    async with tenant.raw(SECRETARY_A) as graph:
        resp = await graph.get(f"/users/{BURGEMEESTER}/{collection}?$select=subject,fooBar")
    error = assert_graph_error(resp, 400, "RequestBroker--ParseUri")
    assert "Could not find a property named 'fooBar'" in error["message"]


async def test_selecting_an_unknown_property_of_one_message_is_refused(tenant: Tenant) -> None:
    async with tenant.raw(SECRETARY_A) as graph:
        message = await first_id(graph, messages(BURGEMEESTER))
        resp = await graph.get(f"{messages(BURGEMEESTER)}/{message}?$select=fooBar")
    assert_graph_error(resp, 400, "RequestBroker--ParseUri")


# -- ids that do not belong here ----------------------------------------------------------------
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_a_message_of_one_executive_is_not_found_in_another_mailbox(
    tenant: Tenant, method: str
) -> None:
    """Secretary A may open both mailboxes; the id still belongs to only one of them."""
    async with tenant.raw(SECRETARY_A) as graph:
        message = await first_id(graph, messages(BURGEMEESTER))
        body = {"isRead": True} if method == "PATCH" else None
        resp = await graph.request(method, f"{messages(GEMEENTESECRETARIS)}/{message}", json=body)
        assert_graph_error(resp, 404, "ErrorItemNotFound")
        still_there = await graph.get(f"{messages(BURGEMEESTER)}/{message}")
    assert still_there.status_code == 200


async def test_an_event_of_one_executive_is_not_found_in_another_calendar(tenant: Tenant) -> None:
    async with tenant.raw(SECRETARY_A) as graph:
        event = await first_id(graph, events(BURGEMEESTER))
        resp = await graph.get(f"{events(GEMEENTESECRETARIS)}/{event}")
    assert_graph_error(resp, 404, "ErrorItemNotFound")


async def test_app_only_cannot_reach_a_message_through_the_wrong_mailbox(tenant: Tenant) -> None:
    async with tenant.raw(None) as graph:
        message = await first_id(graph, messages(BURGEMEESTER))
        resp = await graph.get(f"{messages(GEMEENTESECRETARIS)}/{message}")
    assert_graph_error(resp, 404, "ErrorItemNotFound")


@pytest.mark.parametrize(
    "path",
    [
        f"/users/{BURGEMEESTER}/messages/{MISSING_ID}",
        f"/users/{BURGEMEESTER}/mailFolders/inbox/messages/{MISSING_ID}",
        f"/users/{BURGEMEESTER}/events/{MISSING_ID}",
        f"/users/{BURGEMEESTER}/mailFolders/{MISSING_ID}",
    ],
)
async def test_an_id_nobody_has_is_not_found(tenant: Tenant, path: str) -> None:
    async with tenant.raw(SECRETARY_A) as graph:
        resp = await graph.get(path)
    assert_graph_error(resp, 404, "ErrorItemNotFound")


async def test_the_error_echoes_the_callers_client_request_id(tenant: Tenant) -> None:
    async with tenant.raw(SECRETARY_A) as graph:
        resp = await graph.get(
            f"/users/{BURGEMEESTER}/messages/{MISSING_ID}",
            headers={"client-request-id": "5b1e8c1e-0000-4000-8000-000000000001"},
        )
    error = assert_graph_error(resp, 404, "ErrorItemNotFound")
    assert error["innerError"]["client-request-id"] == "5b1e8c1e-0000-4000-8000-000000000001"
    assert resp.headers["client-request-id"] == "5b1e8c1e-0000-4000-8000-000000000001"


# -- URLs and methods Graph does not have -------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "segment"),
    [
        (f"/users/{BURGEMEESTER}/fooBar", "fooBar"),
        (f"/users/{BURGEMEESTER}/mailFolders/inbox/fooBar", "fooBar"),
        ("/fooBar", "fooBar"),
    ],
)
async def test_an_unknown_segment_is_not_found_for_the_segment(
    tenant: Tenant, path: str, segment: str
) -> None:
    async with tenant.raw(SECRETARY_A) as graph:
        resp = await graph.get(path)
    error = assert_graph_error(resp, 400, "BadRequest")
    assert error["message"] == f"Resource not found for the segment '{segment}'."


async def test_an_unknown_segment_below_a_message_is_not_found_for_the_segment(
    tenant: Tenant,
) -> None:
    async with tenant.raw(SECRETARY_A) as graph:
        message = await first_id(graph, messages(BURGEMEESTER))
        resp = await graph.get(f"{messages(BURGEMEESTER)}/{message}/fooBar")
    error = assert_graph_error(resp, 400, "BadRequest")
    assert error["message"] == "Resource not found for the segment 'fooBar'."


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", f"/users/{BURGEMEESTER}/mailFolders"),
        ("PUT", f"/users/{BURGEMEESTER}/messages"),
        ("PATCH", f"/users/{BURGEMEESTER}/calendarView"),
        ("GET", "/$batch"),
        ("GET", f"/users/{BURGEMEESTER}/sendMail"),
    ],
)
async def test_a_method_the_resource_does_not_have_is_not_allowed(
    tenant: Tenant, method: str, path: str
) -> None:
    async with tenant.raw(SECRETARY_A) as graph:
        resp = await graph.request(method, path)
    assert_graph_error(resp, 405)


async def test_put_on_a_message_is_not_allowed(tenant: Tenant) -> None:
    async with tenant.raw(SECRETARY_A) as graph:
        message = await first_id(graph, messages(BURGEMEESTER))
        resp = await graph.put(f"{messages(BURGEMEESTER)}/{message}", json={"subject": "x"})
    assert_graph_error(resp, 405)


# -- $batch --------------------------------------------------------------------------------------
async def test_twenty_one_requests_in_one_batch_are_refused(tenant: Tenant) -> None:
    steps = [{"id": str(i), "method": "GET", "url": "/me/messages?$top=1"} for i in range(21)]
    async with tenant.raw(SECRETARY_A) as graph:
        resp = await graph.post("/$batch", json={"requests": steps})
    assert_graph_error(resp, 400, "BadRequest")


@pytest.mark.parametrize(
    "payload",
    [{}, {"requests": []}, {"requests": "x"}, {"requests": [5]}, {"requests": [{"id": "1"}]}],
)
async def test_a_batch_without_valid_steps_is_refused(tenant: Tenant, payload: Any) -> None:
    async with tenant.raw(SECRETARY_A) as graph:
        resp = await graph.post("/$batch", json=payload)
    assert_graph_error(resp, 400, "BadRequest")


async def test_a_bad_sub_request_fails_alone_in_graphs_shape(tenant: Tenant) -> None:
    steps = [
        {"id": "1", "method": "GET", "url": f"/users/{BURGEMEESTER}/messages?$top=abc"},
        {"id": "2", "method": "GET", "url": f"/users/{BURGEMEESTER}/fooBar"},
        {
            "id": "3",
            "method": "POST",
            "url": f"/users/{BURGEMEESTER}/messages",
            "headers": JSON,
            "body": {"importantish": 1},
        },
        {"id": "4", "method": "GET", "url": f"/users/{BURGEMEESTER}/messages?$top=1"},
    ]
    async with tenant.raw(SECRETARY_A) as graph:
        resp = await graph.post("/$batch", json={"requests": steps})
    assert resp.status_code == 200, resp.text
    by_id = {r["id"]: r for r in resp.json()["responses"]}
    assert [by_id[i]["status"] for i in "1234"] == [400, 400, 400, 200]
    for i, code in (("1", "BadRequest"), ("2", "BadRequest"), ("3", "RequestBodyRead")):
        error = by_id[i]["body"]["error"]
        assert error["code"] == code
        assert {"request-id", "date", "client-request-id"} <= set(error["innerError"])


@pytest.mark.parametrize(
    "body",
    [
        {"attendees": ["x"]},
        {"timeConstraint": "x"},
        {"minimumAttendeePercentage": {}},
        {"locationConstraint": "x"},
        {"locationConstraint": [{}]},
        {"meetingDuration": 5},
    ],
)
async def test_a_meeting_time_request_of_the_wrong_shape_is_refused(
    tenant: Tenant, body: dict[str, Any]
) -> None:
    async with tenant.raw(SECRETARY_A) as graph:
        resp = await graph.post(f"/users/{BURGEMEESTER}/findMeetingTimes", json=body)
    assert_graph_error(resp, 400)
