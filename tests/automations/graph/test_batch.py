"""$batch through the gateway: split by twenty, order and dependsOn kept, throttling retried."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from automations.errors import NotFound
from automations.graph import BatchRequest, GraphGateway, GraphSession, record_calls
from automations.graph.batch import plan_batches
from tests.automations.graph.conftest import counters, set_limits
from tests.automations.graph.test_client import new_draft
from tests.automations.graph.test_limits import mailbox_id, subjects_in_drafts
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A

MESSAGES = f"/users/{BURGEMEESTER}/messages"


def create(subject: str) -> BatchRequest:
    body = {"subject": subject, "body": {"contentType": "text", "content": "Concept."}}
    return BatchRequest("POST", MESSAGES, body=body)


def batch_posts(calls: list) -> int:
    return sum(1 for c in calls if c.path == "/$batch")


async def test_forty_five_creates_go_in_three_batches_and_answer_in_order(
    gateway: GraphGateway, tenant: Tenant
) -> None:
    run = uuid.uuid4().hex[:8]
    subjects = [f"{run}-{i:02}" for i in range(45)]
    async with gateway.for_user(tenant.user_token(SECRETARY_A)) as graph:
        with record_calls() as calls:
            answers = await graph.batch([create(s) for s in subjects])
        stored = await subjects_in_drafts(graph, BURGEMEESTER, run)
    assert batch_posts(calls) == 3
    assert [a.status for a in answers] == [201] * 45
    assert [a.body["subject"] for a in answers] == subjects
    assert all(a.request_id for a in answers)
    assert stored == subjects


async def test_a_request_alone_goes_plainly_and_answers_like_a_sub_response(
    gateway: GraphGateway, tenant: Tenant
) -> None:
    """A $batch of one would cost a second hop for nothing: it is sent as itself."""
    run = uuid.uuid4().hex[:8]
    folders = f"/users/{BURGEMEESTER}/mailFolders/inbox/childFolders"
    name = f"Financiën '{run}'"
    quoted = name.replace("'", "''")
    async with gateway.for_user(tenant.user_token(SECRETARY_A)) as graph:
        with record_calls() as calls:
            [made] = await graph.batch([create(f"{run} alleen")])
            [folder] = await graph.batch([BatchRequest("POST", folders, {"displayName": name})])
            [found] = await graph.batch(
                [BatchRequest("GET", f"{folders}?$filter=displayName eq '{quoted}'&$select=id")]
            )
            draft = f"{MESSAGES}/{made.body['id']}"
            await graph.batch([BatchRequest("DELETE", draft)])  # to Deleted Items
            [deleted] = await graph.batch([BatchRequest("DELETE", draft)])  # and out
            [gone] = await graph.batch([BatchRequest("GET", draft)])
    assert batch_posts(calls) == 0 and len(calls) == 6
    assert made.status == 201 and made.body["subject"] == f"{run} alleen" and made.request_id
    assert folder.status == 201
    assert [f["id"] for f in found.body["value"]] == [folder.body["id"]]
    assert deleted.status == 204 and gone.status == 404 and not gone.ok
    with pytest.raises(NotFound):
        gone.raise_for_status()


async def test_a_depends_on_chain_travels_in_one_batch_and_runs_in_order(
    gateway: GraphGateway, tenant: Tenant
) -> None:
    async with gateway.for_user(tenant.user_token(SECRETARY_A)) as graph:
        draft = await new_draft(graph, BURGEMEESTER, "keten")
        url = f"{MESSAGES}/{draft.id}"
        reads = [BatchRequest("GET", f"{url}?$select=subject") for _ in range(40)]
        chain = [
            BatchRequest(
                "PATCH",
                url,
                body={"categories": [f"stap {n}"]},
                depends_on=(40 + n - 1,) if n else (),
            )
            for n in range(5)
        ]
        with record_calls() as calls:
            answers = await graph.batch(reads + chain)
        final = await graph.run(
            graph.sdk.users.by_user_id(BURGEMEESTER).messages.by_message_id(draft.id).get()
        )
    assert batch_posts(calls) == 3
    assert [a.status for a in answers] == [200] * 45
    assert [a.body["categories"] for a in answers[40:]] == [[f"stap {n}"] for n in range(5)]
    assert final.categories == ["stap 4"]


async def test_a_failed_step_stops_its_dependents_and_reads_as_a_typed_error(
    gateway: GraphGateway, tenant: Tenant
) -> None:
    async with gateway.for_user(tenant.user_token(SECRETARY_A)) as graph:
        draft = await new_draft(graph, BURGEMEESTER, "weg")
        gone = graph.sdk.users.by_user_id(BURGEMEESTER).messages.by_message_id(draft.id)
        await graph.run(gone.delete())
        await graph.run(gone.delete())
        answers = await graph.batch(
            [
                BatchRequest("GET", f"{MESSAGES}/{draft.id}"),
                BatchRequest("PATCH", f"{MESSAGES}/{draft.id}", body={}, depends_on=(0,)),
            ]
        )
    assert [a.status for a in answers] == [404, 424]
    with pytest.raises(NotFound) as caught:
        answers[0].raise_for_status()
    assert caught.value.graph_code == "ErrorItemNotFound" and caught.value.request_id


async def test_throttled_sub_responses_are_sent_again_until_all_succeed_once(
    gateway: GraphGateway, tenant: Tenant, admin: httpx.Client
) -> None:
    run = uuid.uuid4().hex[:8]
    subjects = [f"{run}-{i:02}" for i in range(30)]
    async with gateway.for_user(tenant.user_token(SECRETARY_A)) as graph:
        mayor = await mailbox_id(graph, BURGEMEESTER)
        set_limits(admin, fault_rate=0.3, seed=3, fault_kinds=["429"])
        with record_calls() as calls:
            answers = await graph.batch([create(s) for s in subjects])
        seen = counters(admin)
        set_limits(admin, fault_rate=0)
        stored = await subjects_in_drafts(graph, BURGEMEESTER, run)
    assert [a.status for a in answers] == [201] * 30
    assert stored == subjects  # each created once, none twice
    assert seen["faults"].get("429", 0) > 0 and batch_posts(calls) > 2
    assert seen["maxConcurrency"][mayor] <= 4


async def test_batches_and_single_requests_together_stay_within_four_per_mailbox(
    gateway: GraphGateway, tenant: Tenant, admin: httpx.Client
) -> None:
    async with gateway.for_user(tenant.user_token(SECRETARY_A)) as graph:
        mayor = await mailbox_id(graph, BURGEMEESTER)
        set_limits(admin, latency_ms=40)
        inbox = graph.sdk.users.by_user_id(BURGEMEESTER).mail_folders.by_mail_folder_id("inbox")
        reads = [BatchRequest("GET", f"/users/{BURGEMEESTER}/mailFolders/inbox")] * 12

        async def singles(graph: GraphSession) -> None:
            await asyncio.gather(*(graph.run(inbox.get()) for _ in range(10)))

        answers, answers2, _ = await asyncio.gather(
            graph.batch(reads), graph.batch(reads), singles(graph)
        )
    seen = counters(admin)
    assert {a.status for a in answers + answers2} == {200}
    assert not seen["throttled"] and seen["maxConcurrency"][mayor] <= 4


def test_a_chain_longer_than_a_batch_is_refused_before_anything_is_sent() -> None:
    chain = [BatchRequest("GET", "/me", depends_on=(i - 1,) if i else ()) for i in range(21)]
    with pytest.raises(ValueError, match="cannot share one"):
        plan_batches(chain)


def test_a_dependency_on_a_later_request_is_refused() -> None:
    with pytest.raises(ValueError, match="earlier request"):
        plan_batches([BatchRequest("GET", "/me", depends_on=(1,)), BatchRequest("GET", "/me")])


def test_chains_travel_alone_and_independent_requests_fill_batches_of_twenty() -> None:
    requests = [BatchRequest("GET", "/me") for _ in range(25)]
    requests[3] = BatchRequest("GET", "/me", depends_on=(1,))
    plan = plan_batches(requests)
    assert [1, 3] in plan
    assert sorted(i for batch in plan for i in batch) == list(range(25))
    assert all(len(batch) <= 20 for batch in plan)
