"""Four requests per mailbox across processes: PostgreSQL advisory locks and a shared Retry-After.

Two ``PostgresSlots`` are two processes as far as PostgreSQL knows (each its own connection).
The throttle tests move an injected clock instead of waiting: the only real sleeps are the
slots' own polls of a few milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import hashlib
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import httpx
import pytest

from automations.clock import SetClock
from automations.graph import GraphConfig, GraphGateway, GraphSession, token_source_for
from automations.graph.limits import MailboxLimiter
from automations.graph.shared_limits import (
    APPLICATION_NAME,
    PostgresSlots,
    shared_slots_for,
    slot_keys,
)
from automations.graph.transport import GraphTransport
from automations.store.migrate import upgrade
from tests.automations.graph.conftest import counters, set_limits
from tests.automations.graph.test_limits import mailbox_id
from tests.automations.store.databases import _drop, _new_database, postgres_enabled
from tests.conftest import TODAY
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A

POLL_S = 0.01  # the tests' pause between looks at a clock they move by hand
PATIENCE_S = 30.0  # a safety net for a broken run, not a measured duration
LATENCY_MS = 100  # the sandbox's, in the bursts: long enough that the reads overlap


def _box() -> str:
    """A mailbox of this test alone (the module shares one database)."""
    return f"{uuid.uuid4().hex[:12]}@zeeveen.nl"


# -- the keys ------------------------------------------------------------------------------


def test_a_mailboxs_slot_keys_share_their_high_bits_and_number_their_low_two() -> None:
    keys = slot_keys("app", "burgemeester@zeeveen.nl")
    digest = hashlib.sha256(b"app\0burgemeester@zeeveen.nl").digest()
    base = int.from_bytes(digest[:8], "big", signed=True)
    assert [k & 3 for k in keys] == [0, 1, 2, 3]
    assert {k & ~3 for k in keys} == {base & ~3}
    assert all(-(2**63) <= k < 2**63 for k in keys)  # a PostgreSQL bigint
    assert slot_keys("app", "burgemeester@zeeveen.nl") == keys  # in every process alike


def test_another_app_or_mailbox_has_other_slots() -> None:
    keys = set(slot_keys("app", "a@zeeveen.nl"))
    assert keys.isdisjoint(slot_keys("other-app", "a@zeeveen.nl"))
    assert keys.isdisjoint(slot_keys("app", "b@zeeveen.nl"))
    assert keys.isdisjoint(slot_keys("ap", "pa@zeeveen.nl"))  # no run-together of the parts
    assert len(slot_keys("app", "a@zeeveen.nl", capacity=2)) == 2
    with pytest.raises(ValueError):
        slot_keys("app", "a@zeeveen.nl", capacity=5)


def test_only_a_postgresql_store_shares_slots() -> None:
    assert shared_slots_for("sqlite+aiosqlite:///var/s.sqlite3", "app") is None
    shared = shared_slots_for("postgresql+asyncpg://postgres@127.0.0.1:5432/s", "app")
    assert isinstance(shared, PostgresSlots) and shared.app_key == "app"


# -- the limiter around them (no database) ---------------------------------------------


class _Recorded:
    """A ``SharedSlots`` that grants at once and writes down what it was asked."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    async def acquire(self, weights: Any) -> object:
        self.calls.append(("acquire", dict(weights)))
        return "token"

    async def release(self, token: object) -> None:
        self.calls.append(("release", token))

    async def throttle(self, mailbox: str, until: dt.datetime) -> None:
        self.calls.append(("throttle", (mailbox, until)))

    async def throttled_until(self, mailboxes: Any) -> dt.datetime | None:
        return None

    async def aclose(self) -> None:
        self.calls.append(("aclose", None))


async def test_hold_takes_the_shared_slots_after_its_own_and_gives_both_back() -> None:
    shared = _Recorded()
    limiter = MailboxLimiter(4, shared)
    async with limiter.hold({"b": 9, "a": 1}):
        assert limiter.in_flight("a") == 1 and limiter.in_flight("b") == 4
        assert shared.calls == [("acquire", {"a": 1, "b": 4})]
    assert shared.calls[-1] == ("release", "token")
    assert limiter.in_flight("a") == limiter.in_flight("b") == 0
    async with limiter.hold({}):  # a tenant-wide call counts nowhere
        pass
    assert len(shared.calls) == 2


async def test_a_throttled_mailbox_waits_here_and_is_told_to_the_others() -> None:
    clock = SetClock.on_day(TODAY)
    clock.hold()
    shared = _Recorded()
    limiter = MailboxLimiter(4, shared, clock=clock, poll_s=POLL_S)
    await limiter.throttled(["m", "n"], 20)
    until = clock.now() + dt.timedelta(seconds=20)
    assert [c for c in shared.calls if c[0] == "throttle"] == [
        ("throttle", ("m", until)),
        ("throttle", ("n", until)),
    ]

    async def send(key: str) -> None:
        async with limiter.hold({key: 1}):
            pass

    await asyncio.wait_for(send("x"), PATIENCE_S)  # another mailbox goes at once
    waiting = asyncio.create_task(send("m"))
    for _ in range(5):
        await asyncio.sleep(POLL_S)
    assert not waiting.done()
    clock.advance(dt.timedelta(seconds=21))
    await asyncio.wait_for(waiting, PATIENCE_S)


# -- PostgreSQL ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated PostgreSQL database for this module (graph_throttles is in the schema)."""
    if not postgres_enabled():
        pytest.skip("SECRETARIAAT_TEST_POSTGRES=0")
    url, name = _new_database("postgresql", tmp_path_factory.mktemp("slots"))
    try:
        upgrade(url)
        yield url
    finally:
        _drop(name)


@pytest.fixture
async def dsn(pg_url: str) -> AsyncIterator[str]:
    dsn = "postgresql://" + pg_url.split("://", 1)[1]
    yield dsn
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("DELETE FROM graph_throttles")  # a held clock's throttles go too
    finally:
        await conn.close()


@pytest.fixture
async def processes(dsn: str) -> AsyncIterator[list[PostgresSlots]]:
    """Slots of two processes of one app (a test may add more to the list)."""
    app = uuid.uuid4().hex
    made = [PostgresSlots(dsn, app), PostgresSlots(dsn, app)]
    yield made
    for slots in made:
        await slots.aclose()


async def _pids_holding(dsn: str, keys: list[int]) -> set[int]:
    """The backends that hold any of these bigint advisory keys, as pg_locks shows them."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT DISTINCT pid FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1"
            " AND ((classid::bigint << 32) | objid::bigint) = ANY ($1::bigint[])",
            keys,
        )
    finally:
        await conn.close()
    return {r["pid"] for r in rows}


async def test_a_mailbox_has_four_slots_for_all_processes_together(
    processes: list[PostgresSlots], dsn: str
) -> None:
    a, b = processes
    box = _box()
    taken = [await a.acquire({box: 1}) for _ in range(3)]  # one at a time, each another slot
    assert await a.try_acquire({box: 1}) is not None  # the fourth
    assert await a.try_acquire({box: 1}) is None and await b.try_acquire({box: 1}) is None
    assert len(await _pids_holding(dsn, slot_keys(a.app_key, box))) == 1
    await a.release(taken[0])
    assert await b.try_acquire({box: 1}) is not None
    assert len(await _pids_holding(dsn, slot_keys(a.app_key, box))) == 2


async def test_a_partial_take_is_given_back_at_once(processes: list[PostgresSlots]) -> None:
    a, b = processes
    box, other = _box(), _box()
    assert await a.acquire({box: 3}) is not None
    assert await b.try_acquire({box: 2}) is None  # one slot free, two asked: none kept
    assert await a.try_acquire({box: 1}) is not None  # so that one is still free
    # A batch over two mailboxes: the free one's slot is not kept while the other is full.
    assert await b.try_acquire({other: 1, box: 1}) is None
    assert await a.try_acquire({other: 4}) is not None


async def test_a_waiter_gets_the_slots_when_another_process_lets_go(
    processes: list[PostgresSlots],
) -> None:
    a, b = processes
    box = _box()
    held = await a.acquire({box: 4})
    waiter = asyncio.create_task(b.acquire({box: 2}))
    for _ in range(5):
        await asyncio.sleep(POLL_S)
    assert not waiter.done()
    await a.release(held)
    assert await asyncio.wait_for(waiter, PATIENCE_S) is not None


async def test_slots_of_a_process_whose_connection_is_ended_are_free_at_once(
    processes: list[PostgresSlots], dsn: str
) -> None:
    """What a SIGKILLed process leaves: its connection ends, PostgreSQL frees its slots."""
    a, b = processes
    box = _box()
    held = await a.acquire({box: 4})
    assert await b.try_acquire({box: 1}) is None
    [pid] = await _pids_holding(dsn, slot_keys(a.app_key, box))
    admin = await asyncpg.connect(dsn)
    try:
        name = await admin.fetchval(
            "SELECT application_name FROM pg_stat_activity WHERE pid=$1", pid
        )
        assert name == APPLICATION_NAME
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin.close()
    taken = None
    for _ in range(int(PATIENCE_S / POLL_S)):  # the backend ends a moment after it is told
        taken = await b.try_acquire({box: 4})
        if taken is not None:
            break
        await asyncio.sleep(POLL_S)
    assert taken is not None
    await a.release(held)  # from the old connection: nothing to give back, no error
    assert await a.try_acquire({box: 1}) is None  # a new connection, and b has them all
    await b.release(taken)
    assert await a.try_acquire({box: 4}) is not None


async def test_a_throttle_is_seen_by_every_process_and_never_shortened(dsn: str) -> None:
    clock = SetClock.on_day(TODAY)
    clock.hold()
    app, box = uuid.uuid4().hex, _box()
    a = PostgresSlots(dsn, app, clock=clock, throttle_poll_s=POLL_S)
    b = PostgresSlots(dsn, app, clock=clock, throttle_poll_s=POLL_S)
    try:
        until = clock.now() + dt.timedelta(seconds=30)
        await a.throttle(box, until)
        await a.throttle(box, clock.now() + dt.timedelta(seconds=5))  # the later one stands
        assert await b.throttled_until([box, _box()]) == until
        assert await b.try_acquire({box: 1}) is None
        waiter = asyncio.create_task(b.acquire({box: 1}))
        for _ in range(5):
            await asyncio.sleep(POLL_S)
        assert not waiter.done()
        clock.advance(dt.timedelta(seconds=31))
        assert await asyncio.wait_for(waiter, PATIENCE_S) is not None
        assert await b.throttled_until([box]) is None
    finally:
        await a.aclose()
        await b.aclose()


async def test_a_cancelled_waiter_leaves_no_slot_taken(processes: list[PostgresSlots]) -> None:
    a, b = processes
    box = _box()
    limiter = MailboxLimiter(4, b)
    held = await a.acquire({box: 4})

    async def send() -> None:
        async with limiter.hold({box: 1}):
            pass

    waiting = [asyncio.create_task(send()) for _ in range(3)]
    for _ in range(5):
        await asyncio.sleep(POLL_S)
    await a.release(held)
    for task in waiting:  # cancelled while polling or in the middle of a take
        task.cancel()
    await asyncio.gather(*waiting, return_exceptions=True)
    taken = None
    for _ in range(int(PATIENCE_S / POLL_S)):  # a take that got its slots gives them back
        taken = await a.try_acquire({box: 4})
        if taken is not None:
            break
        await asyncio.sleep(POLL_S)
    assert taken is not None and limiter.in_flight(box) == 0


# -- two gateways on the sandbox --------------------------------------------------------


@contextlib.asynccontextmanager
async def two_gateways(
    config: GraphConfig, dsn: str | None, *, clock: SetClock | None = None
) -> AsyncIterator[list[GraphGateway]]:
    """Two gateways of one app, each with its own token cache and (given ``dsn``) slots."""
    gateways = [
        GraphGateway(
            config,
            token_source_for(config),
            shared_slots=None
            if dsn is None
            else PostgresSlots(dsn, config.client_id, clock=clock, throttle_poll_s=POLL_S),
        )
        for _ in range(2)
    ]
    try:
        yield gateways
    finally:
        for gateway in gateways:
            await gateway.aclose()


async def burst(
    gateways: list[GraphGateway], tenant: Tenant, admin: httpx.Client, **limits: object
) -> tuple[str, dict[str, Any]]:
    """20 reads of the mayor's Inbox from each gateway at once; her id and the counters."""
    async with contextlib.AsyncExitStack() as stack:
        graphs: list[GraphSession] = [
            await stack.enter_async_context(g.for_user(tenant.user_token(SECRETARY_A)))
            for g in gateways
        ]
        ids = {await mailbox_id(graph, BURGEMEESTER) for graph in graphs}  # tokens first
        set_limits(admin, **limits)
        reads = [
            graph.run(
                graph.sdk.users.by_user_id(BURGEMEESTER)
                .mail_folders.by_mail_folder_id("inbox")
                .get()
            )
            for graph in graphs
            for _ in range(20)
        ]
        folders = await asyncio.gather(*reads)
    assert len(folders) == 40 and all(f.display_name for f in folders)
    [mayor] = ids
    return mayor, counters(admin)


async def test_two_gateways_with_shared_slots_keep_four_in_flight_together(
    config: GraphConfig, tenant: Tenant, admin: httpx.Client, dsn: str
) -> None:
    async with two_gateways(config, dsn) as gateways:
        # A lenient sandbox (16 at once), so a fifth in flight would be counted, not refused.
        mayor, seen = await burst(gateways, tenant, admin, latency_ms=LATENCY_MS, concurrency=16)
    assert 2 <= seen["maxConcurrency"][mayor] <= 4
    assert seen["requests"][mayor] == 40 and not seen["throttled"]


async def test_two_gateways_with_shared_slots_get_no_429_from_exchange_s_limit(
    config: GraphConfig, tenant: Tenant, admin: httpx.Client, dsn: str
) -> None:
    async with two_gateways(config, dsn) as gateways:
        mayor, seen = await burst(gateways, tenant, admin, latency_ms=LATENCY_MS)  # Exchange's four
    assert seen["requests"][mayor] == 40 and not seen["throttled"]


async def test_two_gateways_without_shared_slots_exceed_four_together(
    config: GraphConfig, tenant: Tenant, admin: httpx.Client
) -> None:
    """The control: each process keeps its own four, so together they send more."""
    async with two_gateways(config, None) as gateways:
        mayor, seen = await burst(gateways, tenant, admin, latency_ms=LATENCY_MS, concurrency=16)
    assert seen["maxConcurrency"][mayor] > 4


async def test_a_retry_after_seen_by_one_process_holds_back_the_others(
    config: GraphConfig, tenant: Tenant, admin: httpx.Client, dsn: str
) -> None:
    """Process A's transport gets a 429 (Retry-After 20 s) for the mayor's mailbox: until
    then neither A's retry nor process B's request goes out; both go once the time passed."""
    clock = SetClock.on_day(TODAY)
    clock.hold()
    answers = [(429, {"Retry-After": "20"}, b'{"error": {"code": "x"}}'), (200, {}, b"{}")]
    sent: list[str] = []

    def graph_a(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        status, headers, body = answers.pop(0)
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(body))

    waited: list[float] = []

    async def sleep(seconds: float) -> None:  # A's own wait before its retry: not slept
        waited.append(seconds)

    app = config.client_id
    slots_a = PostgresSlots(dsn, app, clock=clock, throttle_poll_s=POLL_S)
    limiter_a = MailboxLimiter(4, slots_a, clock=clock, poll_s=POLL_S)
    transport = GraphTransport(
        dataclasses.replace(config, sleep=sleep), httpx.MockTransport(graph_a), limiter_a
    )
    inbox = f"{config.graph_url}/users/{BURGEMEESTER}/mailFolders/inbox"
    async with (
        httpx.AsyncClient(transport=transport) as process_a,
        two_gateways(config, dsn, clock=clock) as (process_b, _),
        process_b.for_user(tenant.user_token(SECRETARY_A)) as graph_b,
    ):
        mayor = await mailbox_id(graph_b, BURGEMEESTER)  # B's token (not a mailbox call)
        admin.post("/counters/reset").raise_for_status()
        a = asyncio.create_task(process_a.get(inbox))
        while not await slots_a.throttled_until([BURGEMEESTER.lower()]):
            assert not a.done(), a.result()  # a failure of A's request, shown
            await asyncio.sleep(POLL_S)
        folder_b = graph_b.sdk.users.by_user_id(BURGEMEESTER).mail_folders.by_mail_folder_id(
            "inbox"
        )
        b = asyncio.create_task(graph_b.run(folder_b.get()))
        for _ in range(10):
            await asyncio.sleep(POLL_S)
        assert not a.done() and not b.done()
        assert len(sent) == 1 and mayor not in counters(admin)["requests"]
        clock.advance(dt.timedelta(seconds=21))
        answer_a, folder = await asyncio.wait_for(asyncio.gather(a, b), PATIENCE_S)
        await slots_a.aclose()
    assert answer_a.status_code == 200 and len(sent) == 2 and folder.display_name
    assert counters(admin)["requests"][mayor] == 1
    assert len(waited) == 1 and waited[0] >= 20
