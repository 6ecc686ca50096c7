"""Mail folders and master categories through msgraph-sdk."""

from __future__ import annotations

import uuid

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.models.category_color import CategoryColor
from msgraph.generated.models.mail_folder import MailFolder
from msgraph.generated.models.message import Message
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.outlook_category import OutlookCategory
from msgraph.generated.users.item.mail_folders.mail_folders_request_builder import (
    MailFoldersRequestBuilder,
)

from tests.sandbox.graphclients import Tenant

EXEC = "ingrid.zwanenburg@zeeveen.nl"
SECRETARY = "monique.verschuren@zeeveen.nl"
OUTSIDER = "karin.molenaar@zeeveen.nl"
OTHER_EXEC = "joost.brinkhorst@zeeveen.nl"


def name(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:6]}"


async def test_top_level_folders_are_the_well_known_ones_with_counts(tenant: Tenant) -> None:
    page = await tenant.graph(EXEC).users.by_user_id(EXEC).mail_folders.get()
    names = [f.display_name for f in page.value]
    assert {"Postvak IN", "Concepten", "Verzonden items", "Verwijderde items"} <= set(names)
    assert names == sorted(names, key=str.casefold)
    inbox = next(f for f in page.value if f.display_name == "Postvak IN")
    assert inbox.total_item_count > 0 and inbox.child_folder_count >= 1
    assert all(not f.additional_data for f in page.value)


async def test_well_known_name_and_id_give_the_same_folder(tenant: Tenant) -> None:
    folders = tenant.graph(SECRETARY).users.by_user_id(EXEC).mail_folders
    by_name = await folders.by_mail_folder_id("inbox").get()
    by_id = await folders.by_mail_folder_id(by_name.id).get()
    root = await folders.by_mail_folder_id("msgfolderroot").get()
    assert by_id.id == by_name.id and by_name.parent_folder_id == root.id


async def test_secretary_creates_a_child_folder_in_the_executive_inbox(tenant: Tenant) -> None:
    inbox = tenant.graph(SECRETARY).users.by_user_id(EXEC).mail_folders.by_mail_folder_id("inbox")
    created = await inbox.child_folders.post(MailFolder(display_name=name("Dossier")))
    children = await inbox.child_folders.get()
    assert created.id in [c.id for c in children.value]
    assert created.total_item_count == 0 and created.is_hidden is False


async def test_duplicate_folder_name_is_a_conflict(tenant: Tenant) -> None:
    inbox = tenant.graph(SECRETARY).users.by_user_id(EXEC).mail_folders.by_mail_folder_id("inbox")
    title = name("Dubbel")
    await inbox.child_folders.post(MailFolder(display_name=title))
    with pytest.raises(ODataError) as err:
        await inbox.child_folders.post(MailFolder(display_name=title.upper()))
    assert err.value.response_status_code == 409 and err.value.error.code == "ErrorFolderExists"


async def test_hidden_folders_show_only_when_asked(tenant: Tenant) -> None:
    folders = tenant.graph(EXEC).users.by_user_id(EXEC).mail_folders
    hidden = await folders.post(MailFolder(display_name=name("Verborgen"), is_hidden=True))
    plain = await folders.get(RequestConfiguration(query_parameters=None))
    query = MailFoldersRequestBuilder.MailFoldersRequestBuilderGetQueryParameters(
        include_hidden_folders="true", top=100
    )
    everything = await folders.get(RequestConfiguration(query_parameters=query))
    assert hidden.id not in [f.id for f in plain.value]
    assert hidden.id in [f.id for f in everything.value]


async def test_unread_count_follows_the_messages(tenant: Tenant) -> None:
    folders = tenant.graph(SECRETARY).users.by_user_id(EXEC).mail_folders
    before = await folders.by_mail_folder_id("inbox").get()
    page = await folders.by_mail_folder_id("inbox").messages.get()
    unread = next(m for m in page.value if not m.is_read)
    await (
        tenant.graph(SECRETARY)
        .users.by_user_id(EXEC)
        .messages.by_message_id(unread.id)
        .patch(Message(is_read=True))
    )
    after = await folders.by_mail_folder_id("inbox").get()
    assert after.unread_item_count == before.unread_item_count - 1
    assert after.total_item_count == before.total_item_count


async def test_secretary_of_another_team_cannot_list_folders(tenant: Tenant) -> None:
    with pytest.raises(ODataError) as err:
        await tenant.graph(OUTSIDER).users.by_user_id(EXEC).mail_folders.get()
    assert err.value.response_status_code == 403 and err.value.error.code == "ErrorAccessDenied"


async def test_app_only_reaches_executives_but_not_secretaries(tenant: Tenant) -> None:
    app = tenant.graph(None)
    assert (await app.users.by_user_id(EXEC).mail_folders.get()).value
    with pytest.raises(ODataError) as err:
        await app.users.by_user_id(SECRETARY).mail_folders.get()
    assert err.value.error.code == "ErrorAccessDenied"


async def test_folder_of_another_mailbox_is_not_found(tenant: Tenant) -> None:
    theirs = await tenant.graph(OTHER_EXEC).users.by_user_id(OTHER_EXEC).mail_folders.get()
    with pytest.raises(ODataError) as err:
        await (
            tenant.graph(EXEC)
            .users.by_user_id(EXEC)
            .mail_folders.by_mail_folder_id(theirs.value[0].id)
            .get()
        )
    assert err.value.response_status_code == 404 and err.value.error.code == "ErrorItemNotFound"


async def test_master_categories_can_be_created_listed_and_deleted(tenant: Tenant) -> None:
    categories = tenant.graph().users.by_user_id(EXEC).outlook.master_categories
    title = name("Raadsvragen")
    created = await categories.post(
        OutlookCategory(display_name=title, color=CategoryColor.Preset9)
    )
    listed = await categories.get()
    assert (title, CategoryColor.Preset9) in [(c.display_name, c.color) for c in listed.value]
    await categories.by_outlook_category_id(created.id).delete()
    assert title not in [c.display_name for c in (await categories.get()).value]


async def test_duplicate_category_is_refused(tenant: Tenant) -> None:
    categories = tenant.graph().users.by_user_id(EXEC).outlook.master_categories
    title = name("Dubbel")
    await categories.post(OutlookCategory(display_name=title, color=CategoryColor.Preset1))
    with pytest.raises(ODataError) as err:
        await categories.post(OutlookCategory(display_name=title, color=CategoryColor.Preset2))
    assert err.value.response_status_code == 409


async def test_unknown_category_colour_is_refused(tenant: Tenant) -> None:
    async with tenant.raw() as raw:
        resp = await raw.post(
            f"/users/{EXEC}/outlook/masterCategories",
            json={"displayName": name("Paars"), "color": "purple"},
        )
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "RequestBodyRead"


async def test_messages_of_a_child_folder_are_reached_through_the_parent(tenant: Tenant) -> None:
    inbox = tenant.graph(SECRETARY).users.by_user_id(EXEC).mail_folders.by_mail_folder_id("inbox")
    children = await inbox.child_folders.get()
    uitgezet = next(c for c in children.value if c.display_name == "Uitgezet")
    page = await inbox.child_folders.by_mail_folder_id1(uitgezet.id).messages.get()
    assert len(page.value) == uitgezet.total_item_count
    assert all(m.parent_folder_id == uitgezet.id for m in page.value)
