"""The rules of drafts and approvals live in their flows: who may, whose claim holds, what is
audited and announced — the same for the API, the pane and the CLI's ``--actor``.

Graph is a stand-in here: where a rule refuses, it must not be asked at all.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.context import Actor, Deps
from automations.errors import AccessDenied, BadRequest
from automations.graph import BatchRequest, BatchResponse
from automations.queue.claims import ClaimHeld, message_key
from automations.queue.flows import claim_work
from automations.replies import flows
from automations.roster.models import Roster
from automations.roster.service import load_roster_file
from automations.store import clock_of
from automations.store.models import ApprovalRow, AuditLogRow
from server.startup import DEMO_ROSTER
from tests.sandbox.people import (
    BURGEMEESTER,
    SECRETARY_A,
    SECRETARY_A_FRIDAY,
    SECRETARY_B,
    WETHOUDERS,
)

ROSTER = Roster.from_document(load_roster_file(DEMO_ROSTER))

Answer = Callable[[BatchRequest], tuple[int, Any]]


class Events:
    """The publisher: what open panes would have been told."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    def publish(self, event: dict[str, Any]) -> None:
        self.seen.append(event)


class Graph:
    """Answers each sub-request with ``answer`` (status, body); without one, any call fails."""

    def __init__(self, answer: Answer | None = None) -> None:
        self.answer = answer
        self.requests: list[BatchRequest] = []

    async def batch(self, requests: list[BatchRequest]) -> list[BatchResponse]:
        self.requests.extend(requests)
        assert self.answer is not None, f"Graph was asked: {[r.url for r in requests]}"
        out = []
        for r in requests:
            status, body = self.answer(r)
            out.append(BatchResponse(r.method, r.url, status, {}, body, None))
        return out


@pytest.fixture
def events() -> Events:
    return Events()


@pytest.fixture
def deps(sessions: async_sessionmaker[AsyncSession], events: Events) -> Deps:
    return Deps(sessions=sessions, clock=clock_of(sessions), events=events, base_url="https://b")


def as_(upn: str) -> Actor:
    return Actor(upn, ROSTER, "api")


async def audit_count(deps: Deps) -> int:
    async with deps.sessions() as session:
        return await session.scalar(select(func.count()).select_from(AuditLogRow)) or 0


async def waiting(deps: Deps, mailbox: str = BURGEMEESTER, **values: Any) -> ApprovalRow:
    """An approval asked for earlier (its draft in ``mailbox``)."""
    row = ApprovalRow(
        id=str(uuid.uuid4()), mailbox=mailbox, draft_id=f"draft-{uuid.uuid4().hex}",
        message_id=f"mail-{uuid.uuid4().hex}", subject="RE: Kermis", recipients="hans@x.nl",
        change_key="ck-1", template=None, note="", requested_by=SECRETARY_A, status="waiting",
        reminders=0, **values,
    )  # fmt: skip
    async with deps.sessions() as session, session.begin():
        session.add(row)
    return row


def draft_request(message_id: str, **extra: Any) -> dict[str, Any]:
    return {"mailbox": BURGEMEESTER, "message_id": message_id, "template": "Ontvangst",
            "operation_id": str(uuid.uuid4()), **extra}  # fmt: skip


async def test_outside_the_team_a_draft_on_claimed_mail_is_403_not_the_claim(deps: Deps) -> None:
    message_id = f"mail-{uuid.uuid4().hex}"
    await claim_work(deps, as_(SECRETARY_A), key=message_key(message_id), mailbox=BURGEMEESTER)
    before = await audit_count(deps)
    for despite in (False, True):
        request = draft_request(message_id, despite_claim=despite)
        with pytest.raises(AccessDenied):
            await flows.prepare_draft(deps, Graph(), as_(SECRETARY_B), **request)
    assert await audit_count(deps) == before  # not even "went ahead despite the claim"


async def test_in_the_team_a_colleagues_claim_is_asked_first(deps: Deps) -> None:
    message_id = f"mail-{uuid.uuid4().hex}"
    await claim_work(deps, as_(SECRETARY_A_FRIDAY), key=message_key(message_id),
                     mailbox=BURGEMEESTER)  # fmt: skip
    with pytest.raises(ClaimHeld) as held:
        await flows.prepare_draft(deps, Graph(), as_(SECRETARY_A), **draft_request(message_id))
    assert held.value.code == "claimed" and "Ellen Dijkhuis" in held.value.message


async def test_a_draft_needs_a_template_or_a_text(deps: Deps) -> None:
    request = draft_request(f"mail-{uuid.uuid4().hex}", template=None)
    with pytest.raises(BadRequest):
        await flows.prepare_draft(deps, Graph(), as_(SECRETARY_A), **request)


async def test_asking_approval_outside_the_team_is_refused_before_graph(deps: Deps) -> None:
    with pytest.raises(AccessDenied):
        await flows.request_approval(deps, Graph(), as_(SECRETARY_B), mailbox=BURGEMEESTER,
                                     draft_id="d", message_id="m",
                                     operation_id=str(uuid.uuid4()))  # fmt: skip


async def test_approvals_listed_for_a_secretary_leave_out_her_own_mailbox(deps: Deps) -> None:
    hers = await waiting(deps, BURGEMEESTER)
    own = await waiting(deps, SECRETARY_A)  # a draft in her own mailbox is no executive's
    listed = {a.id for a in await flows.list_approvals(deps, as_(SECRETARY_A))}
    assert hers.id in listed and own.id not in listed
    assert own.id not in {a.id for a in await flows.list_approvals(deps, as_(BURGEMEESTER))}
    assert hers.id not in {a.id for a in await flows.list_approvals(deps, as_(SECRETARY_B))}


async def test_listing_one_mailbox_is_checked_and_a_status_must_exist(deps: Deps) -> None:
    with pytest.raises(AccessDenied):
        await flows.list_approvals(deps, as_(SECRETARY_B), mailbox=BURGEMEESTER)
    with pytest.raises(BadRequest):
        await flows.list_approvals(deps, as_(SECRETARY_A), status="half")


async def test_only_the_executive_herself_decides_and_nothing_is_written(deps: Deps) -> None:
    row = await waiting(deps)
    before = await audit_count(deps)
    for who in (SECRETARY_A, WETHOUDERS[0]):
        with pytest.raises(AccessDenied):
            await flows.approve(deps, Graph(), as_(who), approval_id=row.id,
                                operation_id=str(uuid.uuid4()))  # fmt: skip
        with pytest.raises(AccessDenied):
            await flows.reject(deps, Graph(), as_(who), approval_id=row.id, comment="Nee.")
        with pytest.raises(AccessDenied):
            await flows.later(deps, as_(who), approval_id=row.id)
    assert await audit_count(deps) == before
    async with deps.sessions() as session:
        assert (await session.get(ApprovalRow, row.id)).status == "waiting"


async def test_a_secretary_outside_the_team_cannot_open_check_or_remind(deps: Deps) -> None:
    row = await waiting(deps)
    outsider = as_(SECRETARY_B)
    with pytest.raises(AccessDenied):
        await flows.open_approval(deps, Graph(), outsider, approval_id=row.id)
    with pytest.raises(AccessDenied):
        await flows.check_approvals(deps, Graph(), outsider, mailbox=BURGEMEESTER)
    with pytest.raises(AccessDenied):
        await flows.remind_waiting(deps, Graph(), outsider, mailbox=BURGEMEESTER,
                                   after=dt.timedelta(hours=24))  # fmt: skip


def outlook(categories: list[str]) -> Answer:
    """Her mailbox: the draft with ``categories``; nothing tagged yet; mail is accepted."""

    def answer(r: BatchRequest) -> tuple[int, Any]:
        if r.method == "GET" and "$filter=singleValueExtendedProperties" in r.url:
            return 200, {"value": []}
        if r.method == "GET":
            return 200, {"categories": categories, "isDraft": True}
        return (202, None) if r.url.endswith("/sendMail") else (200, {})

    return answer


async def test_rejecting_sends_it_back_and_tells_the_open_panes(deps: Deps, events: Events) -> None:
    row = await waiting(deps)
    with pytest.raises(BadRequest):  # a comment is what the secretariat works from
        await flows.reject(deps, Graph(), as_(BURGEMEESTER), approval_id=row.id, comment="  ")
    graph = Graph(outlook(["Ter goedkeuring"]))
    view = await flows.reject(deps, graph, as_(BURGEMEESTER), approval_id=row.id,
                              comment="Minder stellig.")  # fmt: skip
    assert view.status == "rejected" and view.comment == "Minder stellig."
    [patch] = [r for r in graph.requests if r.method == "PATCH"]
    assert patch.body == {"categories": ["Afgekeurd"]}
    [notice] = [r for r in graph.requests if r.url.endswith("/sendMail")]
    told = {t["emailAddress"]["address"] for t in notice.body["message"]["toRecipients"]}
    front = ROSTER.front_office_on(BURGEMEESTER, deps.today())
    assert told == {SECRETARY_A, *([front] if front else [])}
    assert events.seen == [
        {"type": "changed", "mailbox": BURGEMEESTER, "key": f"approval:{row.id}"}
    ]


async def test_later_keeps_it_waiting_and_announces_nothing(deps: Deps, events: Events) -> None:
    row = await waiting(deps)
    view = await flows.later(deps, as_(BURGEMEESTER), approval_id=row.id)
    assert view.status == "waiting" and view.deferred_at is not None
    assert events.seen == []


def gone(r: BatchRequest) -> tuple[int, Any]:
    """The draft was deleted for good; the original and Deleted Items are there."""
    if "deleteditems" in r.url:
        return 200, {"id": "trash"}
    if "$filter=singleValueExtendedProperties" in r.url:
        return 200, {"value": []}
    if "/draft-" in r.url:
        return 404, {"error": {"code": "ErrorItemNotFound", "message": "not found"}}
    return 200, {"subject": "Kermis", "from": {"emailAddress": {"name": "Hans"}}, "body": {}}


async def test_opening_an_approval_whose_draft_is_gone_closes_its_queue_item(
    deps: Deps, events: Events
) -> None:
    row = await waiting(deps)
    opened = await flows.open_approval(deps, Graph(gone), as_(SECRETARY_A), approval_id=row.id)
    assert opened.detail.approval.status == "deleted" and opened.may_decide is False
    assert events.seen == [{"type": "closed", "mailbox": BURGEMEESTER, "key": f"approval:{row.id}"}]
    again = await flows.open_approval(deps, Graph(gone), as_(BURGEMEESTER), approval_id=row.id)
    assert again.may_decide is True and len(events.seen) == 1  # closed once, told once
