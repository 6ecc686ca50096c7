"""Toegang controleren: the verdicts on what Graph answered (pure), and the flow against the
sandbox tenant with a secretary's own delegated identity, as the pane and the API run it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from automations.audit import AuditFilter, query
from automations.doctor import access
from automations.doctor.access import NOT_ASKED, SUBJECT, Answer, Probes
from automations.errors import AccessDenied
from automations.graph import BatchRequest, BatchResponse
from automations.mailboxes.tagged import TAG_PROPERTY
from automations.roster.models import Roster
from automations.roster.service import load_roster_file
from sandbox.server import RunningSandbox
from server.startup import DEMO_ROSTER
from tests.automations.processing.conftest import actor, as_user, deps
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import (
    ADMIN,
    BURGEMEESTER,
    GEMEENTESECRETARIS,
    SECRETARY_A,
    SECRETARY_A_FRIDAY,
    STAFF,
)
from tests.sandbox.test_mailbox_permissions import delegate_rights
from tests.server.conftest import backend

__all__ = ["actor", "as_user", "backend", "deps"]  # the backend's own deps and gateway

ROSTER = Roster.from_document(load_roster_file(DEMO_ROSTER))
AT = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
OK = Answer(200)
CREATED, REMOVED = Answer(201), Answer(204)
DENIED = Answer(403, "ErrorAccessDenied")


def probes(executive: str = BURGEMEESTER, **changes: Any) -> Probes:
    fields: dict[str, Any] = {"inbox": OK, "calendar": OK, "draft": CREATED, "removed": REMOVED}
    return Probes(executive=executive, **(fields | changes))


def judged(*found: Probes) -> access.AccessReport:
    return access.judge(found, secretary=SECRETARY_A, names=ROSTER.names, checked_at=AT)


def results(report: access.AccessReport, n: int = 0) -> dict[str, access.CapabilityResult]:
    return {r.capability: r for r in report.executives[n].results}


# -- the verdicts, without Graph ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        (Answer(200), "ok"),
        (Answer(201), "ok"),
        (Answer(403, "ErrorAccessDenied"), "refused"),
        (Answer(401, "ErrorAccessDenied"), "refused"),
        (Answer(404, "ErrorItemNotFound"), "not_found"),
        (Answer(404, "ErrorInvalidUser"), "not_found"),
        (Answer(503, "ServiceUnavailable"), "other"),
        (Answer(429, "ApplicationThrottled"), "other"),
        (Answer(0, "no_answer"), "other"),
    ],
)
def test_each_answer_gets_one_verdict(answer: Answer, status: str) -> None:
    assert access.capability_status(answer) == status


def test_a_draft_counts_when_it_was_made_and_removed_again() -> None:
    assert access.draft_status(CREATED, REMOVED) == ("ok", CREATED)
    assert access.draft_status(CREATED, Answer(404)) == ("ok", CREATED)  # gone already
    assert access.draft_status(DENIED, NOT_ASKED) == ("refused", DENIED)
    assert access.draft_status(CREATED, DENIED) == ("refused", DENIED)
    assert access.draft_status(CREATED, NOT_ASKED)[0] == "other"


def test_a_refused_draft_asks_it_for_editor_rights_on_her_executives_drafts() -> None:
    text = access.ask_it(
        "drafts", "refused", secretary=SECRETARY_A, executive=BURGEMEESTER, code=None
    )
    assert text is not None
    assert (
        f'Add-MailboxFolderPermission -Identity "{BURGEMEESTER}:\\Concepten" -User {SECRETARY_A}'
        " -AccessRights Editor" in text
    )
    assert "Drafts" in text and "Set-MailboxFolderPermission" in text
    assert f"Add-MailboxPermission -Identity {BURGEMEESTER} -User {SECRETARY_A}" in text


def test_a_refused_calendar_asks_for_a_delegate_and_the_inbox_for_its_folder() -> None:
    who = {"secretary": SECRETARY_A, "executive": BURGEMEESTER, "code": None}
    calendar = access.ask_it("calendar", "refused", **who) or ""
    inbox = access.ask_it("inbox", "refused", **who) or ""
    assert f'"{BURGEMEESTER}:\\Agenda"' in calendar
    assert "-AccessRights Editor -SharingPermissionFlags Delegate" in calendar
    assert f'"{BURGEMEESTER}:\\Postvak IN"' in inbox and "FullAccess" in inbox


def test_a_missing_mailbox_and_an_unclear_answer_say_what_to_check_and_pass_on() -> None:
    who = {"secretary": SECRETARY_A, "executive": BURGEMEESTER}
    assert access.ask_it("inbox", "ok", **who, code=None) is None
    missing = access.ask_it("inbox", "not_found", **who, code="ErrorInvalidUser") or ""
    assert f"Get-Mailbox -Identity {BURGEMEESTER}" in missing
    unclear = access.ask_it("calendar", "other", **who, code="ServiceUnavailable") or ""
    assert "ServiceUnavailable" in unclear and "opnieuw" in unclear


def test_the_report_names_the_executive_and_what_is_not_ok() -> None:
    report = judged(probes(draft=DENIED, removed=NOT_ASKED), probes(GEMEENTESECRETARIS))

    assert not report.ok and not report.executives[0].ok and report.executives[1].ok
    assert report.executives[0].name == "Ingrid Zwanenburg"
    found = results(report)
    assert {c: r.status for c, r in found.items()} == {
        "inbox": "ok", "drafts": "refused", "calendar": "ok",
    }  # fmt: skip
    assert found["drafts"].label == "Concept schrijven" and found["drafts"].verdict == "geweigerd"
    assert "Concepten van Ingrid Zwanenburg" in found["drafts"].message
    assert found["drafts"].code == "ErrorAccessDenied"
    assert found["inbox"].ask_it is None and found["inbox"].code is None


def test_a_draft_that_may_be_left_over_says_so_and_is_not_ok() -> None:
    report = judged(probes(removed=Answer(503, "ServiceUnavailable"), leftover=True))

    draft = results(report)["drafts"]
    assert draft.status == "other" and report.executives[0].leftover
    assert SUBJECT in draft.message and "volgende controle" in draft.message


def test_a_draft_she_may_make_but_not_remove_is_refused_and_says_so() -> None:
    report = judged(probes(removed=DENIED, leftover=True))

    draft = results(report)["drafts"]
    assert draft.status == "refused" and "maar het niet verwijderen" in draft.message
    assert SUBJECT in draft.message and "\\Concepten" in (draft.ask_it or "")


def test_a_report_reads_back_as_it_was_kept() -> None:
    report = judged(probes(calendar=DENIED))
    kept = report.model_dump(mode="json")

    assert kept["ok"] is False and kept["executives"][0]["results"][2]["verdict"] == "geweigerd"
    assert access.AccessReport.model_validate(kept) == report


# -- the flow, with her own rights against the sandbox --------------------------------------


class Recorded:
    """Her Graph session, with each round's requests written down."""

    def __init__(self, graph: Any, change: Any = None) -> None:
        self.graph = graph
        self.change = change  # what a test does to the answers (an answer lost on the way)
        self.rounds: list[list[BatchRequest]] = []

    async def batch(self, requests: list[BatchRequest]) -> list[BatchResponse]:
        self.rounds.append(list(requests))
        answers = await self.graph.batch(requests)
        return [self.change(a) if self.change else a for a in answers]


class NoGraph:
    async def batch(self, requests: list[BatchRequest]) -> list[BatchResponse]:
        raise AssertionError(f"Graph was asked: {[r.url for r in requests]}")


async def ours(tenant: Tenant, executive: str) -> list[dict[str, Any]]:
    """Every message in the executive's mailbox with our test draft's subject or tag, read by
    the executive herself (Drafts, Deleted Items and the rest)."""
    async with tenant.raw(executive) as graph:
        answer = await graph.get(
            f"/users/{executive}/messages",
            params={"$filter": f"subject eq '{SUBJECT}'", "$select": "id,parentFolderId"},
        )
    answer.raise_for_status()
    found: list[dict[str, Any]] = answer.json()["value"]
    return found


async def test_a_demo_secretary_can_do_everything_and_nothing_is_left_behind(
    deps, as_user, actor, tenant: Tenant
) -> None:
    async with as_user(SECRETARY_A) as graph:
        recorded = Recorded(graph)
        report = await access.check_access(deps, recorded, actor(SECRETARY_A))

    assert report.ok and report.user == SECRETARY_A
    assert [e.executive for e in report.executives] == [BURGEMEESTER, GEMEENTESECRETARIS]
    assert all(not e.leftover for e in report.executives)
    # Two rounds: three requests per executive, then the removal of each draft.
    first, second = recorded.rounds
    assert [r.method for r in first] == ["GET", "GET", "POST"] * 2
    assert [r.url.rsplit("/", 1)[-1] for r in second] == ["permanentDelete"] * 2
    assert await ours(tenant, BURGEMEESTER) == [] and await ours(tenant, GEMEENTESECRETARIS) == []
    assert await access.last_access(deps, actor(SECRETARY_A)) == report
    async with deps.sessions() as session:  # the write in each executive's mailbox is audited
        page = await query(session, AuditFilter(actor=SECRETARY_A, action="access.check"))
    assert sorted(e.mailbox for e in page.entries) == [BURGEMEESTER, GEMEENTESECRETARIS]
    assert page.entries[0].details == {"inbox": "ok", "drafts": "ok", "calendar": "ok"}


async def test_without_rights_on_drafts_the_draft_is_refused_and_none_is_left(
    deps, as_user, actor, tenant: Tenant, running: RunningSandbox
) -> None:
    reviewer = {"mail": "reviewer", "calendar": "editor"}  # reads her mail, may change nothing
    with delegate_rights(running, BURGEMEESTER, SECRETARY_A_FRIDAY, reviewer):
        async with as_user(SECRETARY_A_FRIDAY) as graph:
            report = await access.check_access(deps, graph, actor(SECRETARY_A_FRIDAY))

    ingrid, maarten = report.executives
    assert not report.ok and maarten.ok
    found = {r.capability: r for r in ingrid.results}
    assert {c: r.status for c, r in found.items()} == {
        "inbox": "ok", "drafts": "refused", "calendar": "ok",
    }  # fmt: skip
    assert found["drafts"].code == "ErrorAccessDenied"
    assert (
        f'Add-MailboxFolderPermission -Identity "{BURGEMEESTER}:\\Concepten" -User'
        f" {SECRETARY_A_FRIDAY} -AccessRights Editor" in (found["drafts"].ask_it or "")
    )
    assert await ours(tenant, BURGEMEESTER) == []


async def test_a_refused_calendar_asks_for_delegate_rights(
    deps, as_user, actor, running: RunningSandbox
) -> None:
    with delegate_rights(running, GEMEENTESECRETARIS, SECRETARY_A_FRIDAY, {"mail": "editor"}):
        async with as_user(SECRETARY_A_FRIDAY) as graph:
            report = await access.check_access(deps, graph, actor(SECRETARY_A_FRIDAY))

    found = {r.capability: r for r in report.executives[1].results}
    assert [found[c].status for c in access.CAPABILITIES] == ["ok", "ok", "refused"]
    assert "-SharingPermissionFlags Delegate" in (found["calendar"].ask_it or "")


async def test_a_result_younger_than_a_day_is_shown_without_asking_graph(
    deps, as_user, actor, clock, running: RunningSandbox
) -> None:
    me = actor(SECRETARY_A_FRIDAY)
    async with as_user(SECRETARY_A_FRIDAY) as graph:
        first = await access.recent_access(deps, graph, me)
    clock.advance(dt.timedelta(hours=23))

    assert await access.recent_access(deps, NoGraph(), me) == first

    clock.advance(dt.timedelta(hours=2))
    with delegate_rights(running, BURGEMEESTER, SECRETARY_A_FRIDAY, {"calendar": "editor"}):
        async with as_user(SECRETARY_A_FRIDAY) as graph:
            again = await access.recent_access(deps, graph, me)
    assert first.ok and not again.ok and again.checked_at > first.checked_at
    assert [r.status for r in again.executives[0].results] == ["refused", "refused", "ok"]


async def test_a_draft_whose_creation_went_unanswered_is_found_by_its_tag_and_removed(
    deps, as_user, actor, tenant: Tenant
) -> None:
    def lose_creations(answer: BatchResponse) -> BatchResponse:
        if answer.method == "POST" and answer.url.endswith("/mailFolders/drafts/messages"):
            return BatchResponse(answer.method, answer.url, 504, {}, None, None)
        return answer

    async with as_user(SECRETARY_A) as graph:
        recorded = Recorded(graph, lose_creations)
        report = await access.check_access(deps, recorded, actor(SECRETARY_A))

    first, looked, removed = recorded.rounds
    assert all("singleValueExtendedProperties/any" in r.url for r in looked)
    assert len(removed) == 2 and await ours(tenant, BURGEMEESTER) == []
    assert [r.status for r in report.executives[0].results] == ["ok", "other", "ok"]
    assert not any(e.leftover for e in report.executives)


async def test_a_draft_an_earlier_check_left_is_removed_by_the_next(
    as_user, tenant: Tenant
) -> None:
    draft = {
        "subject": SUBJECT,
        "singleValueExtendedProperties": [
            {"id": TAG_PROPERTY, "value": access.tag_for(SECRETARY_A)}
        ],
    }
    async with tenant.raw(SECRETARY_A) as graph:
        url = f"/users/{BURGEMEESTER}/mailFolders/drafts/messages"
        (await graph.post(url, json=draft)).raise_for_status()
    assert len(await ours(tenant, BURGEMEESTER)) == 1

    async with as_user(SECRETARY_A) as graph:
        [found] = await access.gather(
            graph=graph, secretary=SECRETARY_A, executives=[BURGEMEESTER], now=AT,
            sweep=[BURGEMEESTER],
        )  # fmt: skip

    assert found.removed == REMOVED and not found.leftover
    assert await ours(tenant, BURGEMEESTER) == []


async def test_an_admin_has_nothing_to_check_and_someone_off_the_roster_is_refused(
    deps, as_user, actor
) -> None:
    async with as_user(ADMIN) as graph:
        report = await access.check_access(deps, graph, actor(ADMIN))
    assert report.ok and report.executives == []

    with pytest.raises(AccessDenied) as refused:
        await access.recent_access(deps, NoGraph(), actor(STAFF))
    assert refused.value.code == "access_denied"
