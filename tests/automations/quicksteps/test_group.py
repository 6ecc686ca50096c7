"""One group of an apply against a stand-in Graph: each message's requests in order and the
messages side by side, merged PATCHes, the sends, a failure, a resume, what the step leaves in
the store, and how many round trips a group takes with four in flight."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Sequence
from typing import Any, TypeVar

import pytest

from automations.audit import AuditEntry
from automations.errors import Throttled
from automations.graph import BatchRequest, BatchResponse
from automations.graph.limits import MailboxLimiter
from automations.journal import StepContext
from automations.quicksteps.definitions import parse
from automations.quicksteps.effects import TAG_PROPERTY
from automations.quicksteps.group import run_group
from automations.quicksteps.reads import FACTS
from automations.quicksteps.registry import kinds_of
from automations.store.models import DispatchRow
from tests.automations.quicksteps.cases import ACTOR, DEPARTMENT, MAILBOX, NOW, TODAY

OP = "op-1"
STEPS = parse(
    """
format: 1
departments:
  - {key: communicatie, name: Communicatie, address: lotte.vermeulen@zeeveen.nl}
steps:
  - name: Afhandelen
    actions:
      - {action: categorize, categories: [Backoffice]}
      - {action: flag, due: tomorrow}
      - {action: mark_read}
      - {action: move, folder: Inbox/Backoffice}
      - {action: forward, to: [a@zeeveen.nl]}
  - name: Uitzetten
    actions: [{action: dispatch, department: communicatie}]
  - name: Opbergen
    actions:
      - {action: categorize, categories: [Backoffice]}
      - {action: mark_read}
      - {action: move, folder: Inbox/Backoffice}
"""
)
NAMES = {"mailbox": "Ingrid Zwanenburg", "actor": "Monique Verschuren"}
T = TypeVar("T")


class Graph:
    """Answers every request; ``refuse`` holds "METHOD url" pairs answered 400, ``throttle``
    those still answered 429 after the gateway's retries, ``missing`` the messages answered
    404."""

    def __init__(
        self,
        refuse: Sequence[str] = (),
        tagged: dict[str, bool] | None = None,
        missing: Sequence[str] = (),
        throttle: Sequence[str] = (),
    ) -> None:
        self.batches: list[list[BatchRequest]] = []
        self.refuse = set(refuse)
        self.throttle = set(throttle)
        self.missing = set(missing)
        self.tagged = tagged or {}  # tag -> still a draft

    async def batch(self, requests: Sequence[BatchRequest]) -> list[BatchResponse]:
        self.batches.append(list(requests))
        return [self._answer(r) for r in requests]

    def _answer(self, r: BatchRequest) -> BatchResponse:
        def answer(status: int, body: Any) -> BatchResponse:
            return BatchResponse(r.method, r.url, status, {}, body, None)

        if f"{r.method} {r.url}" in self.throttle:
            return answer(429, {"error": {"code": "ApplicationThrottled", "message": ""}})
        if f"{r.method} {r.url}" in self.refuse:
            return answer(400, {"error": {"code": "ErrorInvalidRequest", "message": "Nee."}})
        if r.method == "GET" and "$filter=singleValueExtendedProperties" in r.url:
            found = [
                {
                    "id": f"draft-{t}",
                    "isDraft": draft,
                    "singleValueExtendedProperties": [{"id": TAG_PROPERTY, "value": t}],
                }
                for t, draft in self.tagged.items()
                if f"'{t}'" in r.url
            ]
            return answer(200, {"value": found})
        if r.method == "GET":
            message_id = r.url.split("/messages/")[1].split("?")[0]
            if message_id in self.missing:
                return answer(404, {"error": {"code": "ErrorItemNotFound", "message": ""}})
            return answer(
                200,
                {
                    "id": message_id,
                    "subject": f"Over {message_id}",
                    "categories": ["Bestaand"],
                    "conversationId": f"c-{message_id}",
                    "parentFolderId": "inbox-id",
                    "isRead": False,
                },
            )
        made = r.url.split("/messages/")[1].replace("/", "-")
        return answer(201, {"id": f"made-{made}"})  # a forward of m1: made-m1-createForward

    def sent(self) -> list[tuple[str, str]]:
        """Every request but the messages' reads, as (method, url), in the order sent."""
        requests = [r for batch in self.batches for r in batch]
        return [(r.method, r.url) for r in requests if FACTS not in r.url]

    def sent_for(self, message: str) -> list[tuple[str, str]]:
        """What was sent about one message (and what it made), in order."""
        mine = (f"/messages/{message}/", f"/messages/made-{message}-")
        return [(m, u) for m, u in self.sent() if u == url(message) or any(x in u for x in mine)]


class Rounds(Graph):
    """The stand-in behind the gateway's limiter (four in flight per mailbox), where a request
    takes one round trip and a ``$batch`` of n its envelope's plus one per four inside, as
    Graph runs them: ``rounds`` counts them, so no clock is involved."""

    def __init__(self) -> None:
        super().__init__()
        self.limiter = MailboxLimiter(4)
        self.on_the_wire: list[asyncio.Future[None]] = []
        self.rounds = 0
        self.fullest = 0

    async def batch(self, requests: Sequence[BatchRequest]) -> list[BatchResponse]:
        trips = 1 if len(requests) == 1 else 1 + math.ceil(len(requests) / 4)
        async with self.limiter.hold({MAILBOX: len(requests)}):
            for _ in range(trips):
                answered = asyncio.get_running_loop().create_future()
                self.on_the_wire.append(answered)
                await answered
            return await super().batch(requests)

    async def drive(self, work: Awaitable[T]) -> T:
        """Run ``work``, answering everything on the wire at once, one round at a time."""
        task = asyncio.ensure_future(work)
        while not task.done():
            for _ in range(50):  # every request that can start now has started
                await asyncio.sleep(0)
            if self.on_the_wire:
                self.rounds += 1
                self.fullest = max(self.fullest, len(self.on_the_wire))
                for answered in self.on_the_wire:
                    answered.set_result(None)
                self.on_the_wire = []
        return task.result()


def context(step: str, ids: list[str], attempt: int = 1) -> StepContext:
    params = {
        "quickstep": step,
        "version": 3,
        "messages": ids,
        "first": 0,
        "folders": {"Inbox/Backoffice": "folder-bo"},
        "todo_lists": {},
        "dispatch": DEPARTMENT if step == "Uitzetten" else {},
        "today": TODAY.isoformat(),
    }
    return StepContext(OP, "quickstep", ACTOR, None, MAILBOX, 0, "messages", params, attempt, NOW)


async def run(graph: Graph, step: str, ids: list[str], attempt: int = 1) -> Any:
    found = STEPS.step(step)
    assert found is not None
    ctx = context(step, ids, attempt)
    return await run_group(graph, ctx, kinds_of(found), NAMES)  # type: ignore[arg-type]


def url(message: str, tail: str = "") -> str:
    return f"/users/{MAILBOX}/messages/{message}{tail}"


async def test_each_message_goes_in_order_with_property_changes_as_one_patch() -> None:
    graph = Graph()
    outcome = await run(graph, "Afhandelen", ["m1", "m2"])
    assert all(len(batch) == 1 for batch in graph.batches)  # plain requests, no $batch
    for m in ("m1", "m2"):
        assert graph.sent_for(m) == [
            ("PATCH", url(m)),
            ("POST", url(m, "/move")),
            ("POST", url(m, "/createForward")),
            ("POST", url(f"made-{m}-createForward", "/send")),
        ]
    [patch] = [r.body for batch in graph.batches for r in batch if r.url == url("m1")]
    assert set(patch) == {"categories", "flag", "isRead"}
    assert patch["categories"] == ["Bestaand", "Backoffice"]
    statuses = [[a["status"] for a in m["actions"]] for m in outcome.result["messages"]]
    assert statuses == [["done"] * 5] * 2
    assert outcome.result["messages"][0]["before"]["parentFolderId"] == "inbox-id"


async def test_a_group_takes_the_round_trips_its_requests_need_four_at_a_time() -> None:
    # Six messages, three requests each (read, PATCH, move): 18 requests, so five round trips
    # with four in flight. Waves of six would take six (each wave's last round half empty),
    # nine as three $batch posts.
    graph = Rounds()
    ids = [f"m{i}" for i in range(1, 7)]
    outcome = await graph.drive(run(graph, "Opbergen", ids))
    assert len(graph.sent()) == 12
    assert (graph.rounds, graph.fullest) == (5, 4)
    statuses = {a["status"] for m in outcome.result["messages"] for a in m["actions"]}
    assert statuses == {"done"}


async def test_a_failure_stops_the_rest_of_that_message_only() -> None:
    graph = Graph(refuse=[f"PATCH {url('m2')}"])
    outcome = await run(graph, "Afhandelen", ["m1", "m2"])
    assert graph.sent_for("m2") == [("PATCH", url("m2"))]
    assert graph.sent_for("m1")[1:] == [
        ("POST", url("m1", "/move")),
        ("POST", url("m1", "/createForward")),
        ("POST", url("made-m1-createForward", "/send")),
    ]
    [first, second] = outcome.result["messages"]
    assert {a["status"] for a in first["actions"]} == {"done"}
    assert [a["status"] for a in second["actions"]] == ["failed"] * 3 + ["not_run"] * 2
    assert second["actions"][0]["detail"] == "ErrorInvalidRequest: Nee."
    audited = [e for e in outcome.effects if isinstance(e, AuditEntry)]
    assert len(audited) == 5 + 3  # what did not run is not audited


async def test_a_throttled_request_stops_every_message_for_the_journal_to_retry() -> None:
    graph = Graph(throttle=[f"PATCH {url('m1')}"])
    with pytest.raises(Throttled):
        await run(graph, "Afhandelen", ["m1", "m2"])
    assert graph.sent() == [("PATCH", url("m1"))]  # m2's turn came after: nothing started


async def test_a_resumed_group_sends_its_earlier_draft_and_makes_nothing_twice() -> None:
    graph = Graph(tagged={f"{OP}/0/4": True, f"{OP}/1/4": False})  # m1 drafted, m2 sent
    outcome = await run(graph, "Afhandelen", ["m1", "m2"], attempt=2)
    [lookup, *rest] = graph.sent()
    assert lookup[0] == "GET"  # one query for both tags, before any change
    assert sorted(rest[:-1]) == sorted(
        ("PATCH", url(m)) if n == 0 else ("POST", url(m, "/move"))
        for m in ("m1", "m2")
        for n in range(2)
    )
    assert rest[-1] == ("POST", url(f"draft-{OP}/0/4", "/send"))
    assert all("before" not in m for m in outcome.result["messages"])
    statuses = {a["status"] for m in outcome.result["messages"] for a in m["actions"]}
    assert statuses == {"done"}


async def test_a_dispatch_leaves_its_tracking_row_with_the_step() -> None:
    graph = Graph()
    outcome = await run(graph, "Uitzetten", ["m1"])
    assert graph.sent() == [
        ("POST", url("m1", "/createForward")),
        ("PATCH", url("m1")),
        ("POST", url("made-m1-createForward", "/send")),
    ]
    [row] = [e for e in outcome.effects if isinstance(e, DispatchRow)]
    assert (row.tag, row.message_id, row.conversation_id) == (f"{OP}/0/0", "m1", "c-m1")
    assert (row.department_key, row.dispatched_by) == ("communicatie", ACTOR)


async def test_an_unreadable_message_is_reported_and_left_alone() -> None:
    graph = Graph(missing=["gone"])
    outcome = await run(graph, "Afhandelen", ["gone"])
    assert len(graph.batches) == 1  # only the read
    [message] = outcome.result["messages"]
    assert {a["status"] for a in message["actions"]} == {"not_run"}
    assert message["actions"][0]["detail"] == "Het bericht bestaat niet meer in dit postvak."
    assert outcome.effects == ()
