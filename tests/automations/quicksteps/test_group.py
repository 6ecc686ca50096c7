"""One group of an apply against a stand-in Graph: the ``$batch`` waves, merged PATCHes, the
sends, a failure, a resume, and what the step leaves in the store."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from automations.audit import AuditEntry
from automations.graph import BatchRequest, BatchResponse
from automations.journal import StepContext
from automations.quicksteps.definitions import parse
from automations.quicksteps.effects import TAG_PROPERTY
from automations.quicksteps.group import run_group
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
"""
)
NAMES = {"mailbox": "Ingrid Zwanenburg", "actor": "Monique Verschuren"}


class Graph:
    """Answers every request; ``refuse`` holds "METHOD url" pairs answered 400, ``missing``
    the messages answered 404."""

    def __init__(
        self,
        refuse: Sequence[str] = (),
        tagged: dict[str, bool] | None = None,
        missing: Sequence[str] = (),
    ) -> None:
        self.batches: list[list[BatchRequest]] = []
        self.refuse = set(refuse)
        self.missing = set(missing)
        self.tagged = tagged or {}  # tag -> still a draft
        self.ids = itertools.count(1)

    async def batch(self, requests: Sequence[BatchRequest]) -> list[BatchResponse]:
        self.batches.append(list(requests))
        return [self._answer(r) for r in requests]

    def _answer(self, r: BatchRequest) -> BatchResponse:
        def answer(status: int, body: Any) -> BatchResponse:
            return BatchResponse(r.method, r.url, status, {}, body, None)

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
        return answer(201, {"id": f"made-{next(self.ids)}"})

    def sent(self) -> list[list[tuple[str, str]]]:
        """Every batch after the first (the facts), as (method, url)."""
        return [[(r.method, r.url) for r in batch] for batch in self.batches[1:]]


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


async def test_a_group_runs_in_waves_with_property_changes_as_one_patch() -> None:
    graph = Graph()
    outcome = await run(graph, "Afhandelen", ["m1", "m2"])
    assert graph.sent() == [
        [("PATCH", url("m1")), ("PATCH", url("m2"))],
        [("POST", url("m1", "/move")), ("POST", url("m2", "/move"))],
        [("POST", url("m1", "/createForward")), ("POST", url("m2", "/createForward"))],
        [("POST", url("made-5", "/send")), ("POST", url("made-6", "/send"))],
    ]
    patch = graph.batches[1][0].body
    assert set(patch) == {"categories", "flag", "isRead"}
    assert patch["categories"] == ["Bestaand", "Backoffice"]
    statuses = [[a["status"] for a in m["actions"]] for m in outcome.result["messages"]]
    assert statuses == [["done"] * 5] * 2
    assert outcome.result["messages"][0]["before"]["parentFolderId"] == "inbox-id"


async def test_a_failure_stops_the_rest_of_that_message_only() -> None:
    graph = Graph(refuse=[f"PATCH {url('m2')}"])
    outcome = await run(graph, "Afhandelen", ["m1", "m2"])
    assert graph.sent()[1:] == [
        [("POST", url("m1", "/move"))],
        [("POST", url("m1", "/createForward"))],
        [("POST", url("made-3", "/send"))],
    ]
    [first, second] = outcome.result["messages"]
    assert {a["status"] for a in first["actions"]} == {"done"}
    assert [a["status"] for a in second["actions"]] == ["failed"] * 3 + ["not_run"] * 2
    assert second["actions"][0]["detail"] == "ErrorInvalidRequest: Nee."
    audited = [e for e in outcome.effects if isinstance(e, AuditEntry)]
    assert len(audited) == 5 + 3  # what did not run is not audited


async def test_a_resumed_group_sends_its_earlier_draft_and_makes_nothing_twice() -> None:
    graph = Graph(tagged={f"{OP}/0/4": True, f"{OP}/1/4": False})  # m1 drafted, m2 sent
    outcome = await run(graph, "Afhandelen", ["m1", "m2"], attempt=2)
    [lookup, *rest] = graph.sent()
    assert [m for m, _ in lookup] == ["GET"]  # one query for both tags
    assert rest == [
        [("PATCH", url("m1")), ("PATCH", url("m2"))],
        [("POST", url("m1", "/move")), ("POST", url("m2", "/move"))],
        [("POST", url(f"draft-{OP}/0/4", "/send"))],
    ]
    assert all("before" not in m for m in outcome.result["messages"])
    statuses = {a["status"] for m in outcome.result["messages"] for a in m["actions"]}
    assert statuses == {"done"}


async def test_a_dispatch_leaves_its_tracking_row_with_the_step() -> None:
    graph = Graph()
    outcome = await run(graph, "Uitzetten", ["m1"])
    assert graph.sent() == [
        [("POST", url("m1", "/createForward"))],
        [("PATCH", url("m1"))],
        [("POST", url("made-1", "/send"))],
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
