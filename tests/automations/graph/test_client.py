"""The gateway's sessions: our headers on every call, typed errors, request ids, timeouts."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest
from msgraph.generated.models.body_type import BodyType
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.message import Message
from msgraph.generated.users.item.calendar_view.calendar_view_request_builder import (
    CalendarViewRequestBuilder,
)
from msgraph.generated.users.item.messages.item.move.move_post_request_body import (
    MovePostRequestBody,
)

from automations.errors import AccessDenied, GraphTimeout, NotFound
from automations.graph import (
    GraphConfig,
    GraphGateway,
    GraphSession,
    record_calls,
    token_source_for,
)
from sandbox.server import RunningSandbox
from tests.automations.graph.conftest import Waits, graph_config, set_limits
from tests.conftest import TODAY
from tests.dates import working_day
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, WETHOUDERS

WEST_EUROPE = "W. Europe Standard Time"


async def new_draft(graph: GraphSession, mailbox: str, subject: str) -> Message:
    body = Message(subject=subject, body=ItemBody(content_type=BodyType.Text, content="Concept."))
    return await graph.run(graph.sdk.users.by_user_id(mailbox).messages.post(body))


async def test_a_message_keeps_its_id_when_it_is_moved(
    gateway: GraphGateway, tenant: Tenant
) -> None:
    async with gateway.for_user(tenant.user_token(SECRETARY_A), upn=SECRETARY_A) as graph:
        draft = await new_draft(graph, BURGEMEESTER, f"verplaatsen {uuid.uuid4()}")
        messages = graph.sdk.users.by_user_id(BURGEMEESTER).messages
        moved = await graph.run(
            messages.by_message_id(draft.id).move.post(
                MovePostRequestBody(destination_id="archive")
            )
        )
        again = await graph.run(messages.by_message_id(draft.id).get())
    assert moved.id == draft.id == again.id
    assert again.parent_folder_id != draft.parent_folder_id


async def test_event_times_come_in_the_municipalitys_time_zone(
    gateway: GraphGateway, tenant: Tenant
) -> None:
    day = working_day(TODAY)  # a working day: the demo has meetings then
    window = CalendarViewRequestBuilder.CalendarViewRequestBuilderGetQueryParameters(
        start_date_time=f"{day}T00:00:00Z", end_date_time=f"{day + dt.timedelta(1)}T00:00:00Z"
    )
    config = CalendarViewRequestBuilder.CalendarViewRequestBuilderGetRequestConfiguration(
        query_parameters=window
    )
    async with gateway.for_app() as graph:
        view = await graph.run(graph.sdk.users.by_user_id(BURGEMEESTER).calendar_view.get(config))
    assert view.value
    assert {e.start.time_zone for e in view.value} == {WEST_EUROPE}


async def test_a_missing_item_is_not_found_with_graphs_code_and_request_id(
    gateway: GraphGateway, tenant: Tenant
) -> None:
    async with gateway.for_user(tenant.user_token(SECRETARY_A)) as graph:
        draft = await new_draft(graph, BURGEMEESTER, "weg")
        item = graph.sdk.users.by_user_id(BURGEMEESTER).messages.by_message_id(draft.id)
        await graph.run(item.delete())  # to Deleted Items
        await graph.run(item.delete())  # and out of there for good
        with record_calls() as calls, pytest.raises(NotFound) as caught:
            await graph.run(item.get())
    assert caught.value.graph_code == "ErrorItemNotFound"
    assert caught.value.status == 404 and caught.value.code == "not_found"
    assert caught.value.request_id and caught.value.request_id == calls[-1].request_id


async def test_a_mailbox_the_secretary_does_not_serve_is_access_denied(
    gateway: GraphGateway, tenant: Tenant
) -> None:
    with pytest.raises(AccessDenied) as caught:
        async with gateway.for_user(tenant.user_token(SECRETARY_A)) as graph:
            await graph.sdk.users.by_user_id(WETHOUDERS[0]).messages.get()  # left to the session
    assert caught.value.graph_code == "ErrorAccessDenied"
    assert caught.value.status == 403 and caught.value.request_id


async def test_every_call_leaves_its_request_id_for_the_audit_log(
    gateway: GraphGateway, tenant: Tenant
) -> None:
    async with gateway.for_user(tenant.user_token(SECRETARY_A)) as graph:
        with record_calls() as calls:
            await graph.run(graph.sdk.me.get())
            await new_draft(graph, BURGEMEESTER, "audit")
    assert [(c.method, c.path, c.status) for c in calls] == [
        ("GET", "/me", 200),
        ("POST", f"/users/{BURGEMEESTER}/messages", 201),
    ]
    assert all(c.request_id and len(c.request_id) == 36 for c in calls)


async def test_a_slow_graph_is_a_timeout_after_a_bounded_wait(
    running: RunningSandbox, admin: httpx.Client, tenant: Tenant
) -> None:
    """Each attempt gives up after the configured timeout; a GET is tried again once (the
    configured retries), then the caller gets a GraphTimeout saying nothing was changed."""
    waits = Waits()
    config: GraphConfig = graph_config(running, timeout_s=0.25, max_retries=1, sleep=waits)
    set_limits(admin, latency_ms=1000)
    async with GraphGateway(config, token_source_for(config)) as gateway:
        async with gateway.for_app() as graph:
            with pytest.raises(GraphTimeout) as caught:
                await graph.run(graph.sdk.users.by_user_id(BURGEMEESTER).messages.get())
    assert caught.value.code == "graph_timeout" and not caught.value.outcome_unknown
    assert len(waits.waited) == 1  # tried again once (max_retries), after one short backoff
    assert waits.waited[0] <= config.backoff_max_s
