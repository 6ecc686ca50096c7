"""Postverwerking: the burgemeester's mail that nobody has handled, as Monique and Ellen (her
secretaries) see it while they, and Outlook, work on it."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from automations.errors import AccessDenied
from automations.processing import flows
from automations.quicksteps import flows as quicksteps
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, SECRETARY_A_FRIDAY, SECRETARY_B
from tests.server.test_quicksteps_api import new_message

MONIQUE, ELLEN = SECRETARY_A, SECRETARY_A_FRIDAY


def op() -> str:
    return str(uuid.uuid4())


async def listed(deps, as_user, actor, who: str = MONIQUE):
    async with as_user(who) as graph:
        return await flows.unhandled(deps, graph, actor(who), mailbox=BURGEMEESTER)


def ids(mails) -> set[str]:
    return {m.id for m in mails}


async def test_new_mail_is_listed_with_sender_and_subject(deps, as_user, actor, tenant) -> None:
    mail = await new_message(tenant, "Uitnodiging opening brede school")
    found = await listed(deps, as_user, actor)
    [shown] = [m for m in found.unhandled if m.id == mail]
    assert shown.subject.startswith("Uitnodiging opening brede school")
    assert shown.sender_name and "@" not in shown.sender_name
    assert found.default_since


async def test_a_quick_step_takes_it_off_and_says_who(deps, as_user, actor, tenant) -> None:
    mail = await new_message(tenant, "Vraag over parkeervergunning")
    async with as_user(MONIQUE) as graph:
        await quicksteps.apply_step(
            deps, graph, actor(MONIQUE), mailbox=BURGEMEESTER, step="Ter kennisname bestuurder",
            messages=[mail], operation_id=op(),
        )  # fmt: skip
    found = await listed(deps, as_user, actor, ELLEN)
    assert mail not in ids(found.unhandled)
    [done] = [m for m in found.handled if m.id == mail]
    assert done.handled is not None and done.handled.how == "quickstep"
    assert done.handled.by == MONIQUE and done.handled.detail == "Ter kennisname bestuurder"


async def test_moved_in_outlook_leaves_the_list(deps, as_user, actor, tenant) -> None:
    mail = await new_message(tenant, "Jaarverslag veiligheidsregio")
    async with tenant.raw(BURGEMEESTER) as graph:
        moved = await graph.post(
            f"/users/{BURGEMEESTER}/messages/{mail}/move", json={"destinationId": "archive"}
        )
        moved.raise_for_status()
    found = await listed(deps, as_user, actor)
    assert mail not in ids(found.unhandled) | ids(found.handled)


async def test_deleted_in_outlook_leaves_the_list(deps, as_user, actor, tenant) -> None:
    mail = await new_message(tenant, "Nieuwsbrief provincie")
    async with tenant.raw(BURGEMEESTER) as graph:
        (await graph.delete(f"/users/{BURGEMEESTER}/messages/{mail}")).raise_for_status()
    found = await listed(deps, as_user, actor)
    assert mail not in ids(found.unhandled) | ids(found.handled)


async def test_replied_directly_in_outlook_is_handled(deps, as_user, actor, tenant) -> None:
    mail = await new_message(tenant, "Vraag van de krant")
    async with tenant.raw(BURGEMEESTER) as graph:
        sent = await graph.post(
            f"/users/{BURGEMEESTER}/messages/{mail}/reply", json={"comment": "Dank, volgt."}
        )
        sent.raise_for_status()
    found = await listed(deps, as_user, actor)
    assert mail not in ids(found.unhandled)
    [done] = [m for m in found.handled if m.id == mail]
    assert done.handled is not None and done.handled.how == "answered"
    assert done.handled.by_name == "Ingrid Zwanenburg"


async def test_outlook_s_replied_mark_counts_as_handled(deps, as_user, actor, tenant) -> None:
    """Outlook marks a mail it replied to (PidTagLastVerbExecuted 102); the sandbox's own
    reply does not set it, so the test sets it as Outlook would."""
    mail = await new_message(tenant, "Verzoek om gesprek")
    async with tenant.raw(BURGEMEESTER) as graph:
        marked = await graph.patch(
            f"/users/{BURGEMEESTER}/messages/{mail}",
            json={"singleValueExtendedProperties": [{"id": "Integer 0x1081", "value": "102"}]},
        )
        marked.raise_for_status()
    found = await listed(deps, as_user, actor)
    [done] = [m for m in found.handled if m.id == mail]
    assert done.handled is not None and done.handled.how == "replied"


async def test_two_secretaries_mark_it_seen_at_once_one_entry(deps, as_user, actor, tenant) -> None:
    mail = await new_message(tenant, "Ter info: wegafsluiting")
    first, second = await asyncio.gather(
        flows.mark_seen(deps, actor(MONIQUE), mailbox=BURGEMEESTER, message_ids=[mail],
                        operation_id=op()),
        flows.mark_seen(deps, actor(ELLEN), mailbox=BURGEMEESTER, message_ids=[mail],
                        operation_id=op()),
    )  # fmt: skip
    assert sorted([len(first.marked), len(second.marked)]) == [0, 1]
    winner = MONIQUE if first.marked else ELLEN
    assert (second.already if first.marked else first.already) == {mail: winner}
    found = await listed(deps, as_user, actor)
    [done] = [m for m in found.handled if m.id == mail]
    assert done.handled is not None and (done.handled.how, done.handled.by) == ("seen", winner)


async def test_seen_is_once_per_operation_and_undo_brings_it_back(
    deps, as_user, actor, tenant
) -> None:
    mails = [await new_message(tenant, f"Uitnodiging {n}") for n in range(2)]
    seen_id = op()
    marked = await flows.mark_seen(deps, actor(MONIQUE), mailbox=BURGEMEESTER,
                                   message_ids=mails, operation_id=seen_id)  # fmt: skip
    again = await flows.mark_seen(deps, actor(MONIQUE), mailbox=BURGEMEESTER,
                                  message_ids=mails, operation_id=seen_id)  # fmt: skip
    assert sorted(marked.marked) == sorted(mails) == sorted(again.marked)
    assert not ids((await listed(deps, as_user, actor)).unhandled) & set(mails)

    await flows.unmark_seen(deps, actor(ELLEN), mailbox=BURGEMEESTER, message_ids=mails,
                            operation_id=op())  # fmt: skip
    assert set(mails) <= ids((await listed(deps, as_user, actor)).unhandled)


async def test_another_team_is_refused_by_name(deps, as_user, actor, tenant) -> None:
    mail = await new_message(tenant, "Vertrouwelijk")
    with pytest.raises(AccessDenied) as refused:
        await flows.mark_seen(deps, actor(SECRETARY_B), mailbox=BURGEMEESTER,
                              message_ids=[mail], operation_id=op())  # fmt: skip
    assert "Karin Molenaar werkt niet voor Ingrid Zwanenburg" in refused.value.message


async def test_counts_per_executive(deps, as_user, actor, tenant) -> None:
    await new_message(tenant, "Nog een vraag")
    async with as_user(MONIQUE) as graph:
        found = await flows.counts(deps, graph, actor(MONIQUE))
    assert set(found) == {BURGEMEESTER, "maarten.oosterveld@zeeveen.nl"}
    assert found[BURGEMEESTER] >= 1


async def test_the_handover_lists_what_nobody_handled(deps, as_user, actor, tenant) -> None:
    from automations.queue import flows as queue

    mail = await new_message(tenant, "Nog te beantwoorden")
    async with as_user(MONIQUE) as graph:
        found = await queue.handover_for(deps, actor(MONIQUE), executive=BURGEMEESTER,
                                         graph=graph)  # fmt: skip
    [section] = found.sections
    assert section.unprocessed is not None
    assert any(s.startswith("Nog te beantwoorden") for s in section.unprocessed)
    assert mail  # the list is by subject: the mail itself stays in her Inbox
