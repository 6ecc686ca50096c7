"""What is transient, and how the gateway sends transient $batch sub-responses again."""

from __future__ import annotations

import uuid

import httpx
import pytest

from automations.errors import GraphTimeout, Throttled
from automations.graph import (
    BatchRequest,
    GraphGateway,
    is_transient,
    record_calls,
    token_source_for,
)
from automations.graph.retry import status_is_retryable
from sandbox.server import RunningSandbox
from tests.automations.graph.conftest import Waits, counters, graph_config, set_limits
from tests.automations.graph.test_batch import batch_posts, create
from tests.automations.graph.test_limits import subjects_in_drafts
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A

INBOX = BatchRequest("GET", f"/users/{BURGEMEESTER}/mailFolders/inbox?$select=id")


@pytest.mark.parametrize("status", [429, 503, 504])
def test_throttled_unavailable_and_timed_out_are_transient(status: int) -> None:
    assert is_transient(status)


@pytest.mark.parametrize("status", [200, 202, 400, 404, 409, 424, 500, 502])
def test_answers_and_other_errors_are_not_transient(status: int) -> None:
    assert not is_transient(status)


def test_a_timeout_is_sent_again_only_when_repeating_does_no_harm() -> None:
    assert status_is_retryable(504, idempotent=True)
    assert not status_is_retryable(504, idempotent=False)
    assert status_is_retryable(429, idempotent=False) and status_is_retryable(503, idempotent=False)
    assert not status_is_retryable(500, idempotent=True)


async def test_unavailable_sub_responses_are_sent_again_after_their_retry_after(
    running: RunningSandbox, tenant: Tenant, admin: httpx.Client
) -> None:
    run = uuid.uuid4().hex[:8]
    subjects = [f"{run}-{i:02}" for i in range(10)]
    waits = Waits()
    config = graph_config(running, sleep=waits)
    async with GraphGateway(config, token_source_for(config)) as gateway:
        async with gateway.for_user(tenant.user_token(SECRETARY_A)) as graph:
            await graph.batch([INBOX])  # token and connection before the faults
            set_limits(admin, fault_rate=0.3, seed=4, fault_kinds=["503"], retry_after_s=1)
            with record_calls() as calls:
                answers = await graph.batch([create(s) for s in subjects])
            seen = counters(admin)
            set_limits(admin, fault_rate=0)
            stored = await subjects_in_drafts(graph, BURGEMEESTER, run)
    assert seen["faults"].get("503", 0) > 0 and batch_posts(calls) > 1
    # Graph's Retry-After of one second, waited before each round that sent some again.
    assert len(waits.waited) == batch_posts(calls) - 1 and min(waits.waited) >= 1.0
    assert [a.status for a in answers] == [201] * 10
    assert stored == subjects  # a POST refused with 503 was not carried out: made once


async def test_a_retry_after_longer_than_the_gateway_waits_is_left_to_the_caller(
    running: RunningSandbox, tenant: Tenant, admin: httpx.Client
) -> None:
    waits = Waits()
    config = graph_config(running, max_retry_after_s=0.5, sleep=waits)
    async with GraphGateway(config, token_source_for(config)) as gateway:
        async with gateway.for_user(tenant.user_token(SECRETARY_A)) as graph:
            await graph.batch([INBOX])
            set_limits(admin, fault_rate=1.0, fault_kinds=["429"], retry_after_s=5)
            with record_calls() as in_batch:
                answers = await graph.batch([INBOX, INBOX])
            with record_calls() as plain:
                [alone] = await graph.batch([INBOX])
    assert batch_posts(in_batch) == 1 and len(plain) == 1  # a request alone goes plainly
    assert waits.waited == []  # neither slept through
    for answer in [*answers, alone]:
        with pytest.raises(Throttled) as caught:
            answer.raise_for_status()
        assert caught.value.retry_after == pytest.approx(5, abs=1)


async def test_a_timed_out_create_in_a_batch_is_not_sent_again_but_a_read_is(
    gateway: GraphGateway, tenant: Tenant, admin: httpx.Client
) -> None:
    async with gateway.for_user(tenant.user_token(SECRETARY_A)) as graph:
        await graph.batch([INBOX])
        set_limits(admin, fault_rate=1.0, fault_kinds=["504"])
        run = uuid.uuid4().hex[:8]
        with record_calls() as in_batch:
            made = await graph.batch([create(f"{run} onbekend 1"), create(f"{run} onbekend 2")])
        with record_calls() as plain:
            made.extend(await graph.batch([create(f"{run} onbekend 3")]))
        # Graph may have made them: only the caller can look, so none is sent twice.
        assert batch_posts(in_batch) == 1 and len(plain) == 1
        for answer in made:
            with pytest.raises(GraphTimeout) as caught:
                answer.raise_for_status()
            assert caught.value.outcome_unknown

        set_limits(admin, fault_rate=0.5, seed=2, fault_kinds=["504"])
        with record_calls() as calls:
            reads = await graph.batch([INBOX] * 8)
        seen = counters(admin)
    assert seen["faults"].get("504", 0) > 0 and batch_posts(calls) > 1
    assert [r.status for r in reads] == [200] * 8
