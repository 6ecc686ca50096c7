"""Graph's limits respected by design: 4 in flight per mailbox, faults retried, nothing twice."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from msgraph.generated.models.message import Message
from msgraph.generated.users.item.messages.messages_request_builder import (
    MessagesRequestBuilder,
)

from automations.errors import Unavailable
from automations.graph import GraphGateway, GraphSession, record_calls
from automations.graph.limits import MailboxLimiter
from tests.automations.graph.conftest import counters, set_limits
from tests.automations.graph.test_client import new_draft
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A

FAULT_SEED = 7


async def mailbox_id(graph: GraphSession, upn: str) -> str:
    user = await graph.run(graph.sdk.users.by_user_id(upn).get())
    assert user.id
    return user.id


async def subjects_in_drafts(graph: GraphSession, mailbox: str, prefix: str) -> list[str]:
    query = MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(
        select=["subject"], top=500
    )
    config = MessagesRequestBuilder.MessagesRequestBuilderGetRequestConfiguration(
        query_parameters=query
    )
    drafts = graph.sdk.users.by_user_id(mailbox).mail_folders.by_mail_folder_id("drafts")
    page = await graph.run(drafts.messages.get(config))
    return sorted(m.subject for m in page.value or [] if (m.subject or "").startswith(prefix))


async def test_thirty_concurrent_reads_of_one_mailbox_never_exceed_four_in_flight(
    gateway: GraphGateway, tenant: Tenant, admin: httpx.Client
) -> None:
    async with gateway.for_user(tenant.user_token(SECRETARY_A)) as graph:
        mayor = await mailbox_id(graph, BURGEMEESTER)
        set_limits(admin, latency_ms=60)
        inbox = graph.sdk.users.by_user_id(BURGEMEESTER).mail_folders.by_mail_folder_id("inbox")
        folders = await asyncio.gather(*(graph.run(inbox.get()) for _ in range(30)))
    seen = counters(admin)
    assert all(f.display_name for f in folders)
    assert 2 <= seen["maxConcurrency"][mayor] <= 4  # parallel, but never a fifth
    assert seen["requests"][mayor] == 30 and not seen["throttled"]


async def test_forty_updates_under_faults_each_land_once_within_the_limit(
    gateway: GraphGateway, tenant: Tenant, admin: httpx.Client
) -> None:
    run = uuid.uuid4().hex[:8]
    async with gateway.for_user(tenant.user_token(SECRETARY_A)) as graph:
        mayor = await mailbox_id(graph, BURGEMEESTER)
        drafts = [await new_draft(graph, BURGEMEESTER, f"{run}-{i:02}") for i in range(40)]
        messages = graph.sdk.users.by_user_id(BURGEMEESTER).messages
        set_limits(admin, fault_rate=0.3, seed=FAULT_SEED)

        async def tag(i: int, draft: Message) -> None:
            change = Message(categories=[f"{run}-op-{i:02}"])
            await graph.run(messages.by_message_id(draft.id).patch(change))

        with record_calls() as calls:
            await asyncio.gather(*(tag(i, d) for i, d in enumerate(drafts)))
        seen = counters(admin)
        set_limits(admin, fault_rate=0)
        after = [await graph.run(messages.by_message_id(d.id).get()) for d in drafts]
    assert [m.categories for m in after] == [[f"{run}-op-{i:02}"] for i in range(40)]
    assert {"429", "503"} <= set(seen["faults"])  # the sandbox did throw them at us
    assert seen["maxConcurrency"][mayor] <= 4
    assert sum(1 for c in calls if c.status == 200) == 40  # each update landed exactly once


async def test_throttled_creates_are_sent_again_and_none_is_duplicated(
    gateway: GraphGateway, tenant: Tenant, admin: httpx.Client
) -> None:
    run = uuid.uuid4().hex[:8]
    async with gateway.for_user(tenant.user_token(SECRETARY_A)) as graph:
        set_limits(admin, fault_rate=0.3, seed=FAULT_SEED, fault_kinds=["429", "503"])
        subjects = [f"{run}-{i:02}" for i in range(20)]
        await asyncio.gather(*(new_draft(graph, BURGEMEESTER, s) for s in subjects))
        faults = counters(admin)["faults"]
        set_limits(admin, fault_rate=0)
        assert await subjects_in_drafts(graph, BURGEMEESTER, run) == subjects
    assert sum(faults.values()) > 0


async def test_a_create_cut_off_mid_answer_is_not_sent_again(
    gateway: GraphGateway, tenant: Tenant, admin: httpx.Client
) -> None:
    async with gateway.for_user(tenant.user_token(SECRETARY_A)) as graph:
        set_limits(admin, fault_rate=1, fault_kinds=["drop"])
        with pytest.raises(Unavailable) as caught:
            await new_draft(graph, BURGEMEESTER, "afgebroken")
    assert caught.value.outcome_unknown  # the caller checks its operation tag before retrying
    assert counters(admin)["faults"] == {"drop": 1}


async def test_a_read_cut_off_mid_answer_is_retried_a_bounded_number_of_times(
    gateway: GraphGateway, tenant: Tenant, admin: httpx.Client
) -> None:
    async with gateway.for_user(tenant.user_token(SECRETARY_A)) as graph:
        set_limits(admin, fault_rate=1, fault_kinds=["drop"])
        with pytest.raises(Unavailable) as caught:
            await graph.run(graph.sdk.users.by_user_id(BURGEMEESTER).messages.get())
    assert not caught.value.outcome_unknown
    assert counters(admin)["faults"] == {"drop": gateway.config.max_retries + 1}


async def test_a_waiter_cancelled_as_a_slot_frees_loses_no_slot() -> None:
    """Cancelled in the same loop turn as a release: the slot goes to the next waiter, not
    to nobody (before, every later request for that mailbox waited forever)."""
    limiter = MailboxLimiter(capacity=1)

    async def waiter() -> None:
        async with limiter.hold({"m": 1}):
            pass

    holding = limiter.hold({"m": 1})
    await holding.__aenter__()
    cancelled = asyncio.create_task(waiter())
    await asyncio.sleep(0)  # it waits for the slot
    cancelled.cancel()  # its future is cancelled now, its ``except`` not yet run...
    await holding.__aexit__(None, None, None)  # ...when the holder lets go, in this same turn
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    await asyncio.wait_for(waiter(), 5)  # the slot is there again
    assert limiter.in_flight("m") == 0
