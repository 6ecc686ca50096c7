"""The Inbox delta says what arrived in an executive's Inbox, what changed there and what left
it since the last read; a lost sync state costs one full read and loses nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.dispatch.service import check_answers
from automations.graph import GraphSession
from automations.inbox.service import inbox_messages, sync_inbox
from automations.store.models import DeltaLinkRow
from sandbox import clock as sandbox_clocks
from tests.automations.inbox.mailing import mail_to, mark_read, move_to_archive
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, WETHOUDERS

Sessions = async_sessionmaker[AsyncSession]


async def test_the_first_read_is_the_base_then_each_read_says_what_happened_since(
    tenant: Tenant, app_graph: GraphSession, sessions: Sessions
) -> None:
    base = await sync_inbox(graph=app_graph, sessions=sessions, mailbox=BURGEMEESTER)
    assert base.full and base.baseline and base.empty  # nothing known yet: nothing "new"
    new = await mail_to(tenant, BURGEMEESTER, "Verzoek om een gesprek")
    arrived = await sync_inbox(graph=app_graph, sessions=sessions, mailbox=BURGEMEESTER)
    assert (arrived.arrived, arrived.changed, arrived.left, arrived.full) == ((new,), (), (), False)
    await mark_read(tenant, BURGEMEESTER, new)
    read = await sync_inbox(graph=app_graph, sessions=sessions, mailbox=BURGEMEESTER)
    assert (read.arrived, read.changed, read.left) == ((), (new,), ())
    await move_to_archive(tenant, BURGEMEESTER, new)
    gone = await sync_inbox(graph=app_graph, sessions=sessions, mailbox=BURGEMEESTER)
    assert (gone.arrived, gone.changed, gone.left) == ((), (), (new,))
    quiet = await sync_inbox(graph=app_graph, sessions=sessions, mailbox=BURGEMEESTER)
    assert quiet.empty and quiet.requests == 1  # an unchanged Inbox costs one request


async def test_a_lost_sync_state_costs_one_full_read_and_misses_nothing(
    tenant: Tenant, app_graph: GraphSession, sessions: Sessions
) -> None:
    mailbox = WETHOUDERS[0]
    await sync_inbox(graph=app_graph, sessions=sessions, mailbox=mailbox)
    filed = await mail_to(tenant, mailbox, "Wordt gearchiveerd")
    await sync_inbox(graph=app_graph, sessions=sessions, mailbox=mailbox)
    await move_to_archive(tenant, mailbox, filed)
    new = await mail_to(tenant, mailbox, "Komt binnen terwijl de synchronisatie verloopt")
    async with sessions() as session, session.begin():  # Graph forgot this token (410)
        await session.execute(
            update(DeltaLinkRow)
            .where(DeltaLinkRow.mailbox == mailbox)
            .values(link="/users/x/mailFolders/inbox/messages/delta?$deltatoken=bm9wZQ")
        )
    again = await sync_inbox(graph=app_graph, sessions=sessions, mailbox=mailbox)
    assert again.full and not again.baseline
    assert (again.arrived, again.left) == ((new,), (filed,))
    after = await sync_inbox(graph=app_graph, sessions=sessions, mailbox=mailbox)
    assert after.empty and not after.full  # the link is current again


async def test_the_inbox_as_last_read_lists_the_new_mail_without_a_graph_call(
    tenant: Tenant, app_graph: GraphSession, sessions: Sessions,
    tenant_clock: sandbox_clocks.SetClock,
) -> None:  # fmt: skip
    mailbox = WETHOUDERS[1]
    await sync_inbox(graph=app_graph, sessions=sessions, mailbox=mailbox)
    before = tenant_clock.now() - dt.timedelta(seconds=1)
    new = await mail_to(tenant, mailbox, "Uitnodiging opening")
    await sync_inbox(graph=app_graph, sessions=sessions, mailbox=mailbox)
    async with sessions() as session:
        everything = await inbox_messages(session, mailbox)
        since = await inbox_messages(session, mailbox, since=before)
    assert everything[0].message_id == new and len(everything) > 1  # newest first
    assert [m.message_id for m in since] == [new]  # the seeded mail came in before


async def test_the_watcher_leaves_the_dispatch_answer_check_its_own_place_in_the_inbox(
    tenant: Tenant, app_graph: GraphSession, sessions: Sessions
) -> None:
    """Two readers of one Inbox, two delta links: a department's answer the watcher saw first
    must still reach the check that marks the dispatch answered."""
    mailbox = WETHOUDERS[2]
    await check_answers(app_graph, sessions, mailbox)  # its place: now
    await sync_inbox(graph=app_graph, sessions=sessions, mailbox=mailbox)
    async with sessions() as session:
        dispatch_place = (await session.get(DeltaLinkRow, (mailbox.lower(), "inbox"))).link
    new = await mail_to(tenant, mailbox, "Antwoord van de afdeling")
    seen = await sync_inbox(graph=app_graph, sessions=sessions, mailbox=mailbox)
    assert seen.arrived == (new,)
    async with sessions() as session:
        still = (await session.get(DeltaLinkRow, (mailbox.lower(), "inbox"))).link
    assert still == dispatch_place  # the answer check will read this mail too
