"""JSON batching against the running sandbox, through msgraph-sdk's batch API and raw httpx."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from msgraph_core.requests.batch_request_content import BatchRequestContent
from msgraph_core.requests.batch_request_item import BatchRequestItem

from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, GEMEENTESECRETARIS, SECRETARY_A, WETHOUDERS

JSON = {"Content-Type": "application/json"}
WETHOUDER = WETHOUDERS[0]  # not one of secretary A's executives


def inbox(upn: str) -> str:
    return f"/users/{upn}/mailFolders/inbox"


def get(rid: str, url: str, **extra: Any) -> dict[str, Any]:
    return {"id": rid, "method": "GET", "url": url, **extra}


async def post_batch(
    tenant: Tenant, requests: list[Any], upn: str | None = SECRETARY_A
) -> httpx.Response:
    async with tenant.raw(upn) as graph:
        return await graph.post("/$batch", json={"requests": requests})


def by_id(resp: httpx.Response) -> dict[str, dict[str, Any]]:
    assert resp.status_code == 200, resp.text
    return {r["id"]: r for r in resp.json()["responses"]}


# -- the SDK's batch API --------------------------------------------------------------------------
async def test_sdk_batch_content_comes_back_as_batch_response_content(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A)
    content = BatchRequestContent()
    content.add_request("me", BatchRequestItem(client.me.to_get_request_information(), id="me"))
    folder = client.users.by_user_id(BURGEMEESTER).mail_folders.by_mail_folder_id("inbox")
    content.add_request("inbox", BatchRequestItem(folder.to_get_request_information(), id="inbox"))
    result = await client.batch.post(content)
    assert result.get_response_status_codes() == {"me": 200, "inbox": 200}
    assert result.get_response_by_id("inbox").content_type.startswith("application/json")


async def test_sdk_batch_reports_a_denied_mailbox_per_item_without_failing_the_batch(
    tenant: Tenant,
) -> None:
    client = tenant.graph(SECRETARY_A)
    content = BatchRequestContent()
    for rid, upn in (("own", BURGEMEESTER), ("foreign", WETHOUDER)):
        info = client.users.by_user_id(upn).mail_folders.by_mail_folder_id("inbox")
        content.add_request(rid, BatchRequestItem(info.to_get_request_information(), id=rid))
    result = await client.batch.post(content)
    assert result.get_response_status_codes() == {"own": 200, "foreign": 403}


async def test_sdk_depends_on_is_ignored_as_the_sdk_sends_the_wrong_key(tenant: Tenant) -> None:
    """msgraph-core writes ``depends_on``, not ``dependsOn`` (msgraph-sdk-python-core#996), and
    Graph ignores unknown keys: the steps run unordered and a failed one blocks nothing."""
    client = tenant.graph(SECRETARY_A)
    content = BatchRequestContent()
    missing = client.users.by_user_id("niemand@zeeveen.nl").to_get_request_information()
    content.add_request("1", BatchRequestItem(missing, id="1"))
    me = client.me.to_get_request_information()
    content.add_request("2", BatchRequestItem(me, id="2", depends_on=["1"]))
    result = await client.batch.post(content)
    assert result.get_response_status_codes() == {"1": 404, "2": 200}


async def test_sdk_retry_handler_does_not_retry_throttled_sub_responses(
    tenant: Tenant, admin: httpx.Client
) -> None:
    admin.post("/limits", json={"concurrency": 1, "latency_ms": 200}).raise_for_status()
    client = tenant.graph(SECRETARY_A, retry=True)
    content = BatchRequestContent()
    folder = client.users.by_user_id(BURGEMEESTER).mail_folders.by_mail_folder_id("inbox")
    for rid in ("a", "b", "c", "d"):
        content.add_request(rid, BatchRequestItem(folder.to_get_request_information(), id=rid))
    result = await client.batch.post(content)
    statuses = result.get_response_status_codes()
    assert sorted(statuses.values()) == [200, 429, 429, 429]
    throttled = [result.get_response_by_id(r) for r, s in statuses.items() if s == 429]
    assert all(int(item.headers["Retry-After"]) >= 1 for item in throttled)
    counters = admin.get("/counters").json()
    assert sum(counters["throttled"].values()) == 3  # the sandbox answered 429 three times
    assert sum(counters["requests"].values()) == 4  # ... and nobody sent them again


# -- the wire shape -------------------------------------------------------------------------------
async def test_batch_answers_200_with_one_response_per_request(tenant: Tenant) -> None:
    mayor = f"users/{BURGEMEESTER}?$select=id,mail"  # relative without a leading slash
    resp = await post_batch(tenant, [get("1", "/me"), get("2", mayor)])
    responses = by_id(resp)
    assert set(responses) == {"1", "2"}
    mayor = responses["2"]
    assert mayor["status"] == 200
    assert mayor["headers"]["Content-Type"].startswith("application/json")
    assert mayor["body"]["mail"] == BURGEMEESTER
    assert "@odata.context" in mayor["body"]


async def test_a_failing_sub_request_carries_graphs_error_body(tenant: Tenant) -> None:
    resp = await post_batch(tenant, [get("1", "/users/niemand@zeeveen.nl")])
    missing = by_id(resp)["1"]
    assert missing["status"] == 404
    assert missing["body"]["error"]["code"] == "Request_ResourceNotFound"


async def test_sub_requests_act_as_the_batch_caller_with_delegate_rights(tenant: Tenant) -> None:
    requests = [get("team", inbox(GEMEENTESECRETARIS)), get("other", inbox(WETHOUDER))]
    resp = await post_batch(tenant, requests)
    responses = by_id(resp)
    assert responses["team"]["status"] == 200
    assert responses["other"]["status"] == 403
    assert responses["other"]["body"]["error"]["code"] == "ErrorAccessDenied"


async def test_a_batch_without_a_token_is_401(tenant: Tenant) -> None:
    async with httpx.AsyncClient(verify=tenant.tls) as anonymous:
        resp = await anonymous.post(
            f"{tenant.info['graph_url']}/$batch", json={"requests": [get("1", "/me")]}
        )
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == "InvalidAuthenticationToken"


async def test_the_batchs_own_prefer_header_is_not_passed_to_sub_requests(tenant: Tenant) -> None:
    """Graph applies a Prefer header only where the sub-request carries it."""
    url = inbox(BURGEMEESTER) + "/messages?$top=1&$select=id"
    async with tenant.raw(SECRETARY_A, prefer='IdType="ImmutableId"') as graph:
        plain_immutable = (await graph.get(url)).json()
    async with tenant.raw(SECRETARY_A, prefer=None) as graph:
        plain_regular = (await graph.get(url)).json()
    assert plain_immutable["value"][0]["id"] != plain_regular["value"][0]["id"]
    prefer = {"Prefer": 'IdType="ImmutableId"'}
    async with tenant.raw(SECRETARY_A, prefer='IdType="ImmutableId"') as graph:
        resp = await graph.post(
            "/$batch", json={"requests": [get("bare", url), get("own", url, headers=prefer)]}
        )
    responses = by_id(resp)
    assert responses["bare"]["body"]["value"][0]["id"] == plain_regular["value"][0]["id"]
    assert responses["own"]["body"]["value"][0]["id"] == plain_immutable["value"][0]["id"]


# -- dependsOn and parallelism --------------------------------------------------------------------
async def test_a_request_whose_dependency_failed_gets_424(tenant: Tenant) -> None:
    chain = [
        get("1", "/users/niemand@zeeveen.nl"),
        get("2", "/me", dependsOn=["1"]),
        get("3", "/me", dependsOn=["2"]),
    ]
    responses = by_id(await post_batch(tenant, chain))
    assert responses["1"]["status"] == 404
    assert [responses[r]["status"] for r in ("2", "3")] == [424, 424]
    assert responses["2"]["body"]["error"]["code"] == "FailedDependency"


async def test_a_sequential_batch_runs_one_request_at_a_time(
    tenant: Tenant, admin: httpx.Client
) -> None:
    admin.post("/limits", json={"latency_ms": 30}).raise_for_status()
    chain = [get("0", inbox(BURGEMEESTER))] + [
        get(str(i), inbox(BURGEMEESTER), dependsOn=[str(i - 1)]) for i in range(1, 6)
    ]
    responses = by_id(await post_batch(tenant, chain))
    assert {r["status"] for r in responses.values()} == {200}
    mayor_id = await _user_id(tenant, BURGEMEESTER)
    assert admin.get("/counters").json()["maxConcurrency"][mayor_id] == 1


async def test_a_parallel_batch_runs_at_most_four_requests_at_once(
    tenant: Tenant, admin: httpx.Client
) -> None:
    admin.post("/limits", json={"latency_ms": 50}).raise_for_status()
    twelve = [get(str(i), inbox(BURGEMEESTER)) for i in range(12)]
    responses = by_id(await post_batch(tenant, twelve))
    assert {r["status"] for r in responses.values()} == {200}
    mayor_id = await _user_id(tenant, BURGEMEESTER)
    assert admin.get("/counters").json()["maxConcurrency"][mayor_id] == 4


async def test_twenty_requests_fit_in_one_batch(tenant: Tenant) -> None:
    responses = by_id(await post_batch(tenant, [get(f"r{i}", "/me") for i in range(20)]))
    assert len(responses) == 20


# -- Graph's 400s for a malformed batch -----------------------------------------------------------
async def test_twenty_one_requests_are_rejected(tenant: Tenant) -> None:
    resp = await post_batch(tenant, [get(f"r{i}", "/me") for i in range(21)])
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "BadRequest"


async def test_request_ids_must_be_unique_ignoring_case(tenant: Tenant) -> None:
    resp = await post_batch(tenant, [get("abc", "/me"), get("ABC", "/me")])
    assert resp.status_code == 400
    assert resp.json()["error"] == {
        **resp.json()["error"],
        "code": "BadRequest",
        "message": "Request Id ABC has to be unique in a batch.",
    }


async def test_depends_on_must_name_an_earlier_request(tenant: Tenant) -> None:
    resp = await post_batch(tenant, [get("1", "/me", dependsOn=["2"]), get("2", "/me")])
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "BadRequest"


async def test_a_batch_is_either_fully_sequential_or_fully_parallel(tenant: Tenant) -> None:
    resp = await post_batch(
        tenant, [get("1", "/me"), get("2", "/me"), get("3", "/me", dependsOn=["1"])]
    )
    assert resp.status_code == 400
    assert (
        resp.json()["error"]["message"]
        == "Batch should be either fully sequential or fully parallel"
    )


async def test_a_body_needs_a_content_type_header(tenant: Tenant) -> None:
    item = {
        "id": "1",
        "method": "PATCH",
        "url": "/me/mailFolders/inbox",
        "body": {"displayName": "x"},
    }
    resp = await post_batch(tenant, [item])
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "BadRequest"


def one(**item: Any) -> bytes:
    """A batch of one request: ``GET /me`` with ``item``'s changes (``None`` drops a key)."""
    request = {
        k: v for k, v in {"id": "1", "method": "GET", "url": "/me", **item}.items() if v is not None
    }
    return json.dumps({"requests": [request]}).encode()


BAD_BATCHES = {
    "not json": b"{requests",
    "not utf-8": b'{"requests": "\xff"}',
    "a list": b"[]",
    "no requests": b"{}",
    "requests not a list": b'{"requests": {"id": "1"}}',
    "empty requests": b'{"requests": []}',
    "an item that is no object": b'{"requests": ["GET /me"]}',
    "missing method": one(method=None),
    "missing url": one(url=None),
    "missing id": one(id=None),
    "empty id": one(id=""),
    "numeric id": one(id=1),
    "headers not an object": one(headers=[]),
    "dependsOn not a list": one(dependsOn="0"),
    "dependsOn with a number": one(dependsOn=[0]),
    "absolute url": one(url="https://graph.microsoft.com/v1.0/me"),
    "nested batch": one(method="POST", url="/$batch", body={"requests": []}, headers=JSON),
    "unknown dependency": one(dependsOn=["x"]),
    "body without content type": one(method="PATCH", url="/me/mailFolders/inbox", body={}),
}


@pytest.mark.parametrize("payload", BAD_BATCHES.values(), ids=BAD_BATCHES.keys())
async def test_a_malformed_batch_is_a_400_never_a_500(tenant: Tenant, payload: bytes) -> None:
    async with tenant.raw(SECRETARY_A) as graph:
        resp = await graph.post(
            "/$batch", content=payload, headers={"Content-Type": "application/json"}
        )
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "BadRequest"


async def _user_id(tenant: Tenant, upn: str) -> str:
    async with tenant.raw(SECRETARY_A) as graph:
        return (await graph.get(f"/users/{upn}")).json()["id"]
