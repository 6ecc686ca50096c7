"""Message delta per folder through msgraph-sdk: full sync, then only what changed."""

from __future__ import annotations

import uuid

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.mail_folder import MailFolder
from msgraph.generated.models.message import Message
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.recipient import Recipient
from msgraph.generated.users.item.mail_folders.item.messages.delta.delta_request_builder import (
    DeltaRequestBuilder,
)
from msgraph.generated.users.item.messages.item.copy.copy_post_request_body import (
    CopyPostRequestBody,
)
from msgraph.generated.users.item.messages.item.move.move_post_request_body import (
    MovePostRequestBody,
)

from tests.sandbox.graphclients import Tenant

EXEC = "ingrid.zwanenburg@zeeveen.nl"
SECRETARY = "monique.verschuren@zeeveen.nl"


def prefer(page_size: int | None = None, **query: object) -> RequestConfiguration:
    params = DeltaRequestBuilder.DeltaRequestBuilderGetQueryParameters(**query) if query else None
    cfg = RequestConfiguration(query_parameters=params)
    cfg.headers.add("Prefer", 'IdType="ImmutableId"')
    if page_size:
        cfg.headers.add("Prefer", f"odata.maxpagesize={page_size}")
    return cfg


async def folder_with_copies(tenant: Tenant, count: int) -> str:
    """A fresh child folder of the inbox holding copies of ``count`` inbox messages."""
    mailbox = tenant.graph(SECRETARY).users.by_user_id(EXEC)
    folder = await mailbox.mail_folders.by_mail_folder_id("inbox").child_folders.post(
        MailFolder(display_name=f"Delta {uuid.uuid4().hex[:6]}")
    )
    inbox = await mailbox.mail_folders.by_mail_folder_id("inbox").messages.get()
    for message in inbox.value[:count]:
        await mailbox.messages.by_message_id(message.id).copy.post(
            CopyPostRequestBody(destination_id=folder.id)
        )
    return folder.id


async def sync(tenant: Tenant, folder_id: str, link: str | None = None, size: int = 3):
    """Follow nextLinks to the end of a round: (items, deltaLink, pages)."""
    delta = (
        tenant.graph(SECRETARY)
        .users.by_user_id(EXEC)
        .mail_folders.by_mail_folder_id(folder_id)
        .messages.delta
    )
    page = await (delta.with_url(link).get(prefer(size)) if link else delta.get(prefer(size)))
    items, pages = list(page.value), 1
    while page.odata_next_link:
        page = await delta.with_url(page.odata_next_link).get(prefer(size))
        items += page.value
        pages += 1
    assert page.odata_delta_link and "$deltatoken=" in page.odata_delta_link
    return items, page.odata_delta_link, pages


async def test_first_round_pages_through_the_whole_folder_once(tenant: Tenant) -> None:
    folder_id = await folder_with_copies(tenant, 7)
    items, _, pages = await sync(tenant, folder_id, size=3)
    listed = await (
        tenant.graph(SECRETARY)
        .users.by_user_id(EXEC)
        .mail_folders.by_mail_folder_id(folder_id)
        .messages.get()
    )
    assert pages == 3
    assert sorted(m.id for m in items) == sorted(m.id for m in listed.value)
    assert len({m.id for m in items}) == 7


async def test_second_round_without_changes_is_empty(tenant: Tenant) -> None:
    folder_id = await folder_with_copies(tenant, 2)
    _, link, _ = await sync(tenant, folder_id)
    items, _, _ = await sync(tenant, folder_id, link)
    assert items == []


async def test_second_round_returns_only_the_changes(tenant: Tenant) -> None:
    folder_id = await folder_with_copies(tenant, 5)
    first, link, _ = await sync(tenant, folder_id)
    mailbox = tenant.graph(SECRETARY).users.by_user_id(EXEC)
    changed, moved = first[0], first[1]
    await mailbox.messages.by_message_id(changed.id).patch(Message(is_read=not changed.is_read))
    await mailbox.messages.by_message_id(moved.id).move.post(
        MovePostRequestBody(destination_id="archive")
    )
    new = await mailbox.mail_folders.by_mail_folder_id(folder_id).messages.post(
        Message(
            subject="Nieuw in de map",
            to_recipients=[Recipient(email_address=EmailAddress(address="a@b.nl"))],
        )
    )
    second, _, _ = await sync(tenant, folder_id, link)
    removed = [m.id for m in second if "@removed" in m.additional_data]
    updated = {m.id: m for m in second if "@removed" not in m.additional_data}
    assert removed == [moved.id]
    assert set(updated) == {changed.id, new.id}
    assert updated[changed.id].is_read is (not changed.is_read)
    assert second[0].additional_data.get("@removed", {"reason": "deleted"}) == {"reason": "deleted"}


async def test_select_applies_to_every_page(tenant: Tenant) -> None:
    folder_id = await folder_with_copies(tenant, 4)
    delta = (
        tenant.graph(SECRETARY)
        .users.by_user_id(EXEC)
        .mail_folders.by_mail_folder_id(folder_id)
        .messages.delta
    )
    page = await delta.get(prefer(2, select=["subject", "isRead"]))
    second = await delta.with_url(page.odata_next_link).get(prefer(2))
    for message in [*page.value, *second.value]:
        assert message.subject and message.body is None and message.is_read is not None


async def test_unknown_delta_token_is_gone(tenant: Tenant) -> None:
    folder_id = await folder_with_copies(tenant, 1)
    delta = (
        tenant.graph(SECRETARY)
        .users.by_user_id(EXEC)
        .mail_folders.by_mail_folder_id(folder_id)
        .messages.delta
    )
    url = f"{tenant.info['graph_url']}/users/{EXEC}/mailFolders/{folder_id}/messages/delta()"
    with pytest.raises(ODataError) as err:
        await delta.with_url(f"{url}?$deltatoken=bm90LWEtdG9rZW4").get(prefer())
    assert err.value.response_status_code == 410
    assert err.value.error.code == "SyncStateNotFound"


async def test_delta_token_of_another_folder_is_gone(tenant: Tenant) -> None:
    one = await folder_with_copies(tenant, 1)
    other = await folder_with_copies(tenant, 1)
    _, link, _ = await sync(tenant, one)
    async with tenant.raw(SECRETARY) as raw:
        resp = await raw.get(link.replace(one, other))
    assert resp.status_code == 410 and resp.json()["error"]["code"] == "SyncStateNotFound"
