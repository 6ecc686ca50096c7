"""Drive items through msgraph-sdk: the site library and OneDrive, folders, files, versions."""

from __future__ import annotations

import httpx
import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.drives.item.items.item.children.children_request_builder import (
    ChildrenRequestBuilder,
)
from msgraph.generated.models.drive_item import DriveItem
from msgraph.generated.models.folder import Folder
from msgraph.generated.models.item_reference import ItemReference
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.graph_service_client import GraphServiceClient

from tests.dates import seed_day
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A

SITE = "zeeveen.sharepoint.com:/sites/Bestuursondersteuning:"
TUE = seed_day("tue")  # the seed's {tue}: this week's college meeting
MEETING = f"College van B&W/{TUE} Collegevergadering"
AGENDA = f"{MEETING}/01 Opening/Agenda collegevergadering {TUE}.pdf"
# What the real service may send that msgraph-sdk's DriveItem has no property for.
ANNOTATIONS = {"@odata.context", "@microsoft.graph.downloadUrl"}


async def library(client: GraphServiceClient) -> str:
    drive = await client.sites.by_site_id(SITE).drive.get()
    assert drive is not None and drive.id
    return drive.id


def at(client: GraphServiceClient, drive_id: str, address: str):  # noqa: ANN201 - SDK builder
    return client.drives.by_drive_id(drive_id).items.by_drive_item_id(address)


def path(p: str) -> str:
    return f"root:/{p}:"


async def new_folder(client: GraphServiceClient, drive_id: str, name: str, parent: str = "root"):  # noqa: ANN201
    body = DriveItem(name=name, folder=Folder())
    return await at(client, drive_id, parent).children.post(body)


# -- drives and sites ---------------------------------------------------------------------------
async def test_the_site_is_found_by_its_path_and_its_library_is_a_document_library(
    tenant: Tenant,
) -> None:
    client = tenant.graph(SECRETARY_A)
    site = await client.sites.by_site_id(SITE).get()
    drives = await client.sites.by_site_id(site.id).drives.get()
    assert site.display_name == "Bestuursondersteuning"
    assert [d.name for d in drives.value] == ["Vergaderstukken"]
    assert drives.value[0].drive_type == "documentLibrary"


async def test_a_secretary_sees_her_own_onedrive_as_a_business_drive(tenant: Tenant) -> None:
    drive = await tenant.graph(SECRETARY_A).users.by_user_id(SECRETARY_A).drive.get()
    assert drive.drive_type == "business"
    assert drive.owner.user.display_name


async def test_a_secretary_cannot_open_an_executives_onedrive(tenant: Tenant) -> None:
    with pytest.raises(ODataError) as err:
        await tenant.graph(SECRETARY_A).users.by_user_id(BURGEMEESTER).drive.get()
    assert err.value.response_status_code == 403
    assert err.value.error.code == "accessDenied"


async def test_the_app_alone_reaches_the_site_library(tenant: Tenant) -> None:
    client = tenant.graph(None)
    items = await at(client, await library(client), path(MEETING)).children.get()
    assert "01 Opening" in [i.name for i in items.value]


# -- reading ------------------------------------------------------------------------------------
async def test_a_secretary_lists_the_agenda_item_folders_of_a_meeting_by_path(
    tenant: Tenant,
) -> None:
    client = tenant.graph(SECRETARY_A)
    items = await at(client, await library(client), path(MEETING)).children.get()
    names = [i.name for i in items.value]
    assert "03 Raadsvoorstel herinrichting Marktplein" in names
    assert all(i.folder is not None for i in items.value)


async def test_a_seeded_file_has_size_hash_mime_type_and_parent_path(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A)
    drive_id = await library(client)
    item = await at(client, drive_id, path(AGENDA)).get()
    assert item.file.mime_type == "application/pdf"
    assert item.file.hashes.quick_xor_hash
    assert item.size > 0
    assert item.parent_reference.path == f"/drives/{drive_id}/root:/{MEETING}/01 Opening"
    assert item.parent_reference.drive_id == drive_id
    assert set(item.additional_data) <= ANNOTATIONS


async def test_children_are_paged_with_top_and_a_next_link(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A)
    builder = at(client, await library(client), path(MEETING)).children
    query = ChildrenRequestBuilder.ChildrenRequestBuilderGetQueryParameters(
        top=2, select=["id", "name"]
    )
    first = await builder.get(RequestConfiguration(query_parameters=query))
    second = await builder.with_url(first.odata_next_link).get()
    assert len(first.value) == 2
    assert {i.name for i in first.value}.isdisjoint({i.name for i in second.value})


async def test_a_path_to_nothing_is_404_item_not_found(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A)
    with pytest.raises(ODataError) as err:
        await at(client, await library(client), path(f"{MEETING}/99 Bestaat niet")).get()
    assert err.value.response_status_code == 404
    assert err.value.error.code == "itemNotFound"


async def test_content_redirects_to_a_download_url_that_needs_no_token(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A)
    drive_id = await library(client)
    async with tenant.raw(SECRETARY_A) as raw:
        resp = await raw.get(f"/drives/{drive_id}/root:/{AGENDA}:/content")
    assert resp.status_code == 302
    async with httpx.AsyncClient(verify=tenant.tls) as anonymous:
        pdf = await anonymous.get(resp.headers["location"])
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


# -- writing ------------------------------------------------------------------------------------
async def test_a_new_folder_is_created_with_201(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A)
    async with tenant.raw(SECRETARY_A) as raw:
        resp = await raw.post(
            f"/drives/{await library(client)}/items/root/children",
            json={"name": "Nieuwe map", "folder": {}},
        )
    assert resp.status_code == 201
    assert resp.json()["folder"] == {"childCount": 0}


async def test_creating_a_folder_twice_fails_with_409_name_already_exists(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A)
    drive_id = await library(client)
    await new_folder(client, drive_id, "Dubbel")
    with pytest.raises(ODataError) as err:
        await new_folder(client, drive_id, "dubbel")
    assert err.value.response_status_code == 409
    assert err.value.error.code == "nameAlreadyExists"


async def test_conflict_behavior_rename_gives_a_new_folder_a_free_name(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A)
    drive_id = await library(client)
    await new_folder(client, drive_id, "Agendapunt")
    body = DriveItem(
        name="Agendapunt",
        folder=Folder(),
        additional_data={"@microsoft.graph.conflictBehavior": "rename"},
    )
    renamed = await at(client, drive_id, "root").children.post(body)
    assert renamed.name == "Agendapunt 1"


async def test_a_file_put_by_path_is_created_and_reads_back_byte_identical(
    tenant: Tenant,
) -> None:
    client = tenant.graph(SECRETARY_A, retry=True)  # the default middleware follows the 302
    drive_id = await library(client)
    data = b"Notitie voor het college\n" * 50
    item = await at(client, drive_id, path("Notities/notitie.txt")).content.put(data)
    assert item.size == len(data)
    assert item.file.mime_type == "text/plain"
    assert await at(client, drive_id, item.id).content.get() == data


async def test_replacing_a_file_answers_200_and_keeps_the_old_bytes_as_a_version(
    tenant: Tenant,
) -> None:
    client = tenant.graph(SECRETARY_A, retry=True)
    drive_id = await library(client)
    url = f"/drives/{drive_id}/root:/Besluitenlijst.txt:/content"
    async with tenant.raw(SECRETARY_A) as raw:
        first = await raw.put(url, content=b"versie een")
        second = await raw.put(url, content=b"versie twee")
    assert (first.status_code, second.status_code) == (201, 200)
    versions = await at(client, drive_id, first.json()["id"]).versions.get()
    assert [v.id for v in versions.value] == ["2.0", "1.0"]
    old = (
        await at(client, drive_id, first.json()["id"])
        .versions.by_drive_item_version_id("1.0")
        .content.get()
    )
    assert old == b"versie een"


async def test_put_with_conflict_behavior_fail_on_an_existing_file_is_409(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A)
    drive_id = await library(client)
    async with tenant.raw(SECRETARY_A) as raw:
        await raw.put(f"/drives/{drive_id}/root:/Vast.txt:/content", content=b"1")
        resp = await raw.put(
            f"/drives/{drive_id}/root:/Vast.txt:/content",
            params={"@microsoft.graph.conflictBehavior": "fail"},
            content=b"2",
        )
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "nameAlreadyExists"


async def test_patch_renames_and_moves_an_item_into_another_folder(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A)
    drive_id = await library(client)
    target = await new_folder(client, drive_id, "Archief")
    item = await at(client, drive_id, path("Verplaats mij.txt")).content.put(b"x")
    moved = await at(client, drive_id, item.id).patch(
        DriveItem(name="Verplaatst.txt", parent_reference=ItemReference(id=target.id))
    )
    assert moved.name == "Verplaatst.txt"
    assert moved.parent_reference.path == f"/drives/{drive_id}/root:/Archief"


async def test_deleting_an_item_answers_204_and_it_is_gone(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A)
    drive_id = await library(client)
    folder = await new_folder(client, drive_id, "Weg ermee")
    async with tenant.raw(SECRETARY_A) as raw:
        resp = await raw.delete(f"/drives/{drive_id}/items/{folder.id}")
        again = await raw.get(f"/drives/{drive_id}/items/{folder.id}")
    assert resp.status_code == 204
    assert again.status_code == 404


async def test_malformed_json_is_a_400_not_a_500(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A)
    async with tenant.raw(SECRETARY_A) as raw:
        resp = await raw.post(
            f"/drives/{await library(client)}/items/root/children",
            content=b"{name: ",
            headers={"Content-Type": "application/json"},
        )
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "BadRequest"


async def test_the_own_onedrive_takes_files_through_me_drive_paths(tenant: Tenant) -> None:
    async with tenant.raw(SECRETARY_A) as raw:
        put = await raw.put("/me/drive/root:/Concepten/brief.txt:/content", content=b"Beste")
        children = await raw.get("/me/drive/root:/Concepten:/children")
    assert put.status_code == 201
    assert put.json()["parentReference"]["path"] == "/drive/root:/Concepten"
    assert [c["name"] for c in children.json()["value"]] == ["brief.txt"]


# -- the other ways to address an item ------------------------------------------------------------
async def test_a_path_below_an_item_id_finds_the_same_file(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A)
    drive_id = await library(client)
    meeting = await at(client, drive_id, path(MEETING)).get()
    by_path = await at(client, drive_id, path(AGENDA)).get()
    relative = AGENDA.removeprefix(f"{MEETING}/")
    below = await at(client, drive_id, f"{meeting.id}:/{relative}:").get()
    assert below.id == by_path.id


async def test_the_site_drive_prefix_reaches_the_same_items_as_the_drive_id(
    tenant: Tenant,
) -> None:
    client = tenant.graph(SECRETARY_A)
    drive_id = await library(client)
    site = await client.sites.by_site_id(SITE).get()
    async with tenant.raw(SECRETARY_A) as raw:
        via_site = await raw.get(f"/sites/{site.id}/drive/root:/{AGENDA}")
        via_drive = await raw.get(f"/drives/{drive_id}/root:/{AGENDA}")
    assert via_site.status_code == 200
    assert via_site.json()["id"] == via_drive.json()["id"]
    assert via_site.json()["parentReference"]["siteId"] == site.id


async def test_an_unknown_action_on_an_item_is_400_bad_request(tenant: Tenant) -> None:
    client = tenant.graph(SECRETARY_A)
    async with tenant.raw(SECRETARY_A) as raw:
        resp = await raw.get(f"/drives/{await library(client)}/root/frobnicate")
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "BadRequest"
