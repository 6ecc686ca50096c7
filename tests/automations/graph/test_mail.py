"""The mail helpers on the sandbox: a folder's newest messages, one message, a folder's counts."""

from __future__ import annotations

from automations.graph import (
    GraphGateway,
    get_mail_folder,
    get_message,
    list_messages,
    record_calls,
)
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A

INBOX = f"/users/{BURGEMEESTER}/mailFolders/inbox"


async def test_the_newest_messages_of_a_folder_are_one_request_newest_first(
    gateway: GraphGateway, tenant: Tenant
) -> None:
    async with gateway.for_user(tenant.user_token(SECRETARY_A)) as graph:
        with record_calls() as calls:
            found = await list_messages(
                graph, BURGEMEESTER, folder="inbox", select=["subject", "receivedDateTime"], top=3
            )
    assert len(found) == 3 and [c.path for c in calls] == [f"{INBOX}/messages"]
    received = [m.received_date_time for m in found]
    assert received == sorted(received, reverse=True)
    assert found[0].subject and found[0].from_ is None  # only what was selected


async def test_a_message_body_comes_as_text_when_asked(
    gateway: GraphGateway, tenant: Tenant
) -> None:
    async with gateway.for_user(tenant.user_token(SECRETARY_A)) as graph:
        [first] = await list_messages(graph, BURGEMEESTER, folder="inbox", select=["id"], top=1)
        as_text = await get_message(graph, BURGEMEESTER, first.id, select=["body"], text_body=True)
        as_sent = await get_message(graph, BURGEMEESTER, first.id, select=["body"])
    assert as_text.body.content_type.value == "text" and "<html" not in as_text.body.content
    assert as_sent.body.content_type.value == "html"


async def test_a_folders_counters_are_one_request(gateway: GraphGateway, tenant: Tenant) -> None:
    async with gateway.for_user(tenant.user_token(SECRETARY_A)) as graph:
        with record_calls() as calls:
            inbox = await get_mail_folder(
                graph, BURGEMEESTER, "inbox", select=["unreadItemCount", "totalItemCount"]
            )
    assert [c.path for c in calls] == [INBOX]
    assert inbox.total_item_count and inbox.total_item_count >= (inbox.unread_item_count or 0)
    assert inbox.display_name is None
