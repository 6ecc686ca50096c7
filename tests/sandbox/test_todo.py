"""Microsoft To Do through msgraph-sdk: lists, tasks, linked resources, and who may reach them."""

from __future__ import annotations

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.importance import Importance
from msgraph.generated.models.linked_resource import LinkedResource
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.task_status import TaskStatus
from msgraph.generated.models.todo_task import TodoTask
from msgraph.generated.models.todo_task_list import TodoTaskList
from msgraph.generated.users.item.todo.lists.item.tasks.item.todo_task_item_request_builder import (  # noqa: E501
    TodoTaskItemRequestBuilder,
)
from msgraph.graph_service_client import GraphServiceClient

from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, SECRETARY_B

ANNOTATIONS = {"@odata.context", "@odata.etag"}


async def secretariaat_list(client: GraphServiceClient, upn: str) -> TodoTaskList:
    lists = await client.users.by_user_id(upn).todo.lists.get()
    return next(lst for lst in lists.value if lst.display_name == "Secretariaat")


def tasks_of(client: GraphServiceClient, upn: str, list_id: str):  # noqa: ANN201 - SDK builder
    return client.users.by_user_id(upn).todo.lists.by_todo_task_list_id(list_id).tasks


async def test_a_secretary_sees_her_seeded_list_beside_the_default_tasks_list(
    tenant: Tenant,
) -> None:
    lists = await tenant.graph(SECRETARY_A).users.by_user_id(SECRETARY_A).todo.lists.get()
    by_name = {lst.display_name: lst for lst in lists.value}
    assert by_name["Tasks"].wellknown_list_name.value == "defaultList"
    assert by_name["Secretariaat"].wellknown_list_name.value == "none"


async def test_seeded_tasks_carry_importance_and_a_due_date_in_utc(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A)
    lst = await secretariaat_list(client, SECRETARY_A)
    tasks = await tasks_of(client, SECRETARY_A, lst.id).get()
    gift = next(t for t in tasks.value if t.title.startswith("Cadeau"))
    assert gift.importance == Importance.High
    assert gift.due_date_time.time_zone == "UTC"
    assert set(gift.additional_data) <= ANNOTATIONS


async def test_a_task_with_a_linked_resource_to_a_message_round_trips(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A)
    message = (await client.users.by_user_id(SECRETARY_A).messages.get()).value[0]
    lst = await secretariaat_list(client, SECRETARY_A)
    link = LinkedResource(
        web_url=message.web_link,
        application_name="Secretariaat",
        display_name=message.subject,
        external_id=message.id,
    )
    created = await tasks_of(client, SECRETARY_A, lst.id).post(
        TodoTask(title="Mail beantwoorden", linked_resources=[link])
    )
    query = TodoTaskItemRequestBuilder.TodoTaskItemRequestBuilderGetQueryParameters(
        expand=["linkedResources"]
    )
    fetched = (
        await tasks_of(client, SECRETARY_A, lst.id)
        .by_todo_task_id(created.id)
        .get(RequestConfiguration(query_parameters=query))
    )
    assert created.linked_resources[0].external_id == message.id
    assert fetched.linked_resources[0].web_url == message.web_link
    assert fetched.linked_resources[0].display_name == message.subject


async def test_a_new_task_answers_201_with_graph_defaults(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A)
    lst = await secretariaat_list(client, SECRETARY_A)
    async with tenant.raw(SECRETARY_A) as raw:
        resp = await raw.post(
            f"/users/{SECRETARY_A}/todo/lists/{lst.id}/tasks", json={"title": "Bellen"}
        )
    body = resp.json()
    assert resp.status_code == 201
    assert (body["status"], body["importance"], body["isReminderOn"]) == (
        "notStarted",
        "normal",
        False,
    )
    assert body["body"] == {"content": "", "contentType": "text"}


async def test_completing_a_task_sets_its_completed_date_time(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A)
    lst = await secretariaat_list(client, SECRETARY_A)
    task = await tasks_of(client, SECRETARY_A, lst.id).post(TodoTask(title="Afronden"))
    done = (
        await tasks_of(client, SECRETARY_A, lst.id)
        .by_todo_task_id(task.id)
        .patch(TodoTask(status=TaskStatus.Completed))
    )
    assert done.status == TaskStatus.Completed
    assert done.completed_date_time.time_zone == "UTC"


async def test_a_due_date_in_local_time_comes_back_in_utc(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A)
    lst = await secretariaat_list(client, SECRETARY_A)
    due = DateTimeTimeZone(date_time="2026-11-27T00:00:00", time_zone="W. Europe Standard Time")
    task = await tasks_of(client, SECRETARY_A, lst.id).post(
        TodoTask(title="Deadline", due_date_time=due)
    )
    assert task.due_date_time.date_time.startswith("2026-11-26T23:00:00")


async def test_deleting_a_task_answers_204_and_then_it_is_404(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A)
    lst = await secretariaat_list(client, SECRETARY_A)
    task = await tasks_of(client, SECRETARY_A, lst.id).post(TodoTask(title="Weg"))
    url = f"/users/{SECRETARY_A}/todo/lists/{lst.id}/tasks/{task.id}"
    async with tenant.raw(SECRETARY_A) as raw:
        deleted = await raw.delete(url)
        gone = await raw.get(url)
    assert deleted.status_code == 204
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == "ErrorItemNotFound"


async def test_a_linked_resource_added_later_is_listed(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A)
    lst = await secretariaat_list(client, SECRETARY_A)
    task = await tasks_of(client, SECRETARY_A, lst.id).post(TodoTask(title="Later koppelen"))
    links = tasks_of(client, SECRETARY_A, lst.id).by_todo_task_id(task.id).linked_resources
    await links.post(LinkedResource(application_name="Secretariaat", display_name="Dossier"))
    listed = await links.get()
    assert [x.display_name for x in listed.value] == ["Dossier"]


async def test_a_new_list_is_created_with_201(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A)
    created = await client.users.by_user_id(SECRETARY_A).todo.lists.post(
        TodoTaskList(display_name="Raadsvragen")
    )
    assert created.is_owner is True
    assert created.wellknown_list_name.value == "none"


async def test_a_delegate_cannot_reach_an_executives_to_do(tenant: Tenant) -> None:
    with pytest.raises(ODataError) as err:
        await tenant.graph(SECRETARY_A).users.by_user_id(BURGEMEESTER).todo.lists.get()
    assert err.value.response_status_code == 400
    assert err.value.error.code == "invalidRequest"


async def test_the_app_alone_reaches_any_users_to_do(tenant: Tenant) -> None:
    lists = await tenant.graph(None).users.by_user_id(SECRETARY_B).todo.lists.get()
    assert "Secretariaat" in [lst.display_name for lst in lists.value]


async def test_an_unknown_list_is_404_error_item_not_found(tenant: Tenant) -> None:
    async with tenant.raw(SECRETARY_A) as raw:
        resp = await raw.get(f"/users/{SECRETARY_A}/todo/lists/AQMkADAwbestaatniet=/tasks")
    assert resp.status_code == 404
    assert resp.json()["error"]["code"] == "ErrorItemNotFound"


async def test_an_invalid_status_is_400_not_500(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A)
    lst = await secretariaat_list(client, SECRETARY_A)
    async with tenant.raw(SECRETARY_A) as raw:
        bad = await raw.post(
            f"/users/{SECRETARY_A}/todo/lists/{lst.id}/tasks",
            json={"title": "x", "status": "klaar"},
        )
        broken = await raw.post(
            f"/users/{SECRETARY_A}/todo/lists/{lst.id}/tasks",
            content=b"{title",
            headers={"Content-Type": "application/json"},
        )
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "invalidRequest")
    assert (broken.status_code, broken.json()["error"]["code"]) == (400, "BadRequest")
