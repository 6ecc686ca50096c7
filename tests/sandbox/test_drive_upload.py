"""Resumable uploads: msgraph-core's LargeFileUploadTask and the upload URL protocol."""

from __future__ import annotations

import random
from io import BytesIO
from typing import Any

import httpx
from msgraph.generated.drives.item.items.item.create_upload_session.create_upload_session_post_request_body import (  # noqa: E501
    CreateUploadSessionPostRequestBody,
)
from msgraph.generated.models.drive_item import DriveItem
from msgraph.generated.models.drive_item_uploadable_properties import (
    DriveItemUploadableProperties,
)
from msgraph.graph_service_client import GraphServiceClient
from msgraph_core.tasks.large_file_upload import LargeFileUploadTask

from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import SECRETARY_A

SITE = "zeeveen.sharepoint.com:/sites/Bestuursondersteuning:"
SLICE = 320 * 1024
KIB = 1024


async def library(client: GraphServiceClient) -> str:
    drive = await client.sites.by_site_id(SITE).drive.get()
    assert drive is not None and drive.id
    return drive.id


def payload(size: int, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(size)


async def open_session(
    tenant: Tenant, name: str, item: dict[str, Any] | None = None, **body: Any
) -> dict[str, Any]:
    drive_id = await library(tenant.graph(SECRETARY_A))
    async with tenant.raw(SECRETARY_A) as raw:
        resp = await raw.post(
            f"/drives/{drive_id}/root:/Uploads/{name}:/createUploadSession",
            json={"item": item or {}, **body},
        )
    assert resp.status_code == 200, resp.text
    return resp.json()


def fragment(data: bytes, start: int, end: int) -> dict[str, Any]:
    """A PUT to the upload URL: no Authorization header, as the docs ask."""
    return {
        "content": data[start : end + 1],
        "headers": {"Content-Range": f"bytes {start}-{end}/{len(data)}"},
    }


async def test_a_1_5_mb_file_sent_with_large_file_upload_task_arrives_byte_identical(
    tenant: Tenant,
) -> None:
    client = tenant.graph(SECRETARY_A, retry=True)
    drive_id = await library(client)
    data = payload(1_500_000)
    builder = client.drives.by_drive_id(drive_id).items.by_drive_item_id(
        "root:/Uploads/Raadsvoorstel bijlagen.zip:"
    )
    session = await builder.create_upload_session.post(
        CreateUploadSessionPostRequestBody(
            item=DriveItemUploadableProperties(
                additional_data={"@microsoft.graph.conflictBehavior": "replace"}
            )
        )
    )
    task = LargeFileUploadTask(
        upload_session=session,
        request_adapter=client.request_adapter,
        stream=BytesIO(data),
        parsable_factory=DriveItem,
        max_chunk_size=2 * SLICE,
    )
    result = await task.upload()
    assert isinstance(result.item_response, DriveItem)
    assert result.item_response.size == len(data)
    stored = client.drives.by_drive_id(drive_id).items.by_drive_item_id(result.item_response.id)
    assert await stored.content.get() == data


async def test_create_upload_session_answers_an_upload_url_expiry_and_next_range(
    tenant: Tenant,
) -> None:
    session = await open_session(tenant, "sessie.bin")
    assert session["uploadUrl"].startswith("https://")
    assert session["expirationDateTime"].endswith("Z")
    assert session["nextExpectedRanges"] == ["0-"]


async def test_fragments_in_320_kib_slices_are_accepted_with_202_and_the_last_creates_201(
    tenant: Tenant,
) -> None:
    data = payload(2 * SLICE + 1000)
    session = await open_session(tenant, "in stukken.bin")
    async with httpx.AsyncClient(verify=tenant.tls) as anonymous:
        first = await anonymous.put(session["uploadUrl"], **fragment(data, 0, SLICE - 1))
        second = await anonymous.put(session["uploadUrl"], **fragment(data, SLICE, 2 * SLICE - 1))
        last = await anonymous.put(session["uploadUrl"], **fragment(data, 2 * SLICE, len(data) - 1))
    assert (first.status_code, second.status_code, last.status_code) == (202, 202, 201)
    assert first.json()["nextExpectedRanges"] == [f"{SLICE}-{len(data) - 1}"]
    assert last.json()["size"] == len(data)


async def test_a_fragment_out_of_order_is_416_invalid_range(tenant: Tenant) -> None:
    data = payload(3 * SLICE)
    session = await open_session(tenant, "volgorde.bin")
    async with httpx.AsyncClient(verify=tenant.tls) as anonymous:
        resp = await anonymous.put(session["uploadUrl"], **fragment(data, SLICE, 2 * SLICE - 1))
    assert resp.status_code == 416
    assert resp.json()["error"]["code"] == "invalidRange"


async def test_a_fragment_sent_twice_is_416_and_the_session_keeps_its_bytes(
    tenant: Tenant,
) -> None:
    data = payload(2 * SLICE)
    session = await open_session(tenant, "dubbel.bin")
    async with httpx.AsyncClient(verify=tenant.tls) as anonymous:
        await anonymous.put(session["uploadUrl"], **fragment(data, 0, SLICE - 1))
        again = await anonymous.put(session["uploadUrl"], **fragment(data, 0, SLICE - 1))
        status = await anonymous.get(session["uploadUrl"])
    assert again.status_code == 416
    assert status.json()["nextExpectedRanges"] == [f"{SLICE}-{len(data) - 1}"]


async def test_a_content_range_that_does_not_match_the_body_is_400(tenant: Tenant) -> None:
    session = await open_session(tenant, "lengte.bin")
    async with httpx.AsyncClient(verify=tenant.tls) as anonymous:
        resp = await anonymous.put(
            session["uploadUrl"],
            content=b"twaalf bytes",
            headers={"Content-Range": "bytes 0-99/200"},
        )
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "invalidRequest"


async def test_a_fragment_without_content_range_is_400(tenant: Tenant) -> None:
    session = await open_session(tenant, "zonder.bin")
    async with httpx.AsyncClient(verify=tenant.tls) as anonymous:
        resp = await anonymous.put(session["uploadUrl"], content=b"data")
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "invalidRequest"


async def test_cancelling_a_session_answers_204_and_its_url_is_gone(tenant: Tenant) -> None:
    session = await open_session(tenant, "geannuleerd.bin")
    async with httpx.AsyncClient(verify=tenant.tls) as anonymous:
        cancelled = await anonymous.delete(session["uploadUrl"])
        status = await anonymous.get(session["uploadUrl"])
    assert cancelled.status_code == 204
    assert status.status_code == 404
    assert status.json()["error"]["code"] == "itemNotFound"


async def test_a_session_for_an_existing_name_fails_with_409_by_default(tenant: Tenant) -> None:
    drive_id = await library(tenant.graph(SECRETARY_A))
    async with tenant.raw(SECRETARY_A) as raw:
        await raw.put(f"/drives/{drive_id}/root:/Uploads/bestaat.txt:/content", content=b"ja")
        resp = await raw.post(
            f"/drives/{drive_id}/root:/Uploads/bestaat.txt:/createUploadSession",
            json={"item": {}},
        )
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "nameAlreadyExists"


async def test_defer_commit_creates_the_file_only_on_the_empty_post(tenant: Tenant) -> None:
    data = payload(1000)
    session = await open_session(tenant, "uitgesteld.bin", deferCommit=True)
    async with httpx.AsyncClient(verify=tenant.tls) as anonymous:
        received = await anonymous.put(session["uploadUrl"], **fragment(data, 0, len(data) - 1))
        done = await anonymous.post(session["uploadUrl"], content=b"")
    assert received.status_code == 202
    assert received.json()["nextExpectedRanges"] == []
    assert done.status_code == 201
    assert done.json()["name"] == "uitgesteld.bin"


async def test_a_session_on_an_existing_item_adds_a_version(tenant: Tenant) -> None:
    drive_id = await library(tenant.graph(SECRETARY_A))
    async with tenant.raw(SECRETARY_A) as raw:
        created = await raw.put(f"/drives/{drive_id}/root:/Uploads/nota.txt:/content", content=b"1")
        item_id = created.json()["id"]
        session = (
            await raw.post(f"/drives/{drive_id}/items/{item_id}/createUploadSession", json={})
        ).json()
        async with httpx.AsyncClient(verify=tenant.tls) as anonymous:
            done = await anonymous.put(session["uploadUrl"], **fragment(b"twee", 0, 3))
        versions = await raw.get(f"/drives/{drive_id}/items/{item_id}/versions")
    assert done.status_code == 200
    assert [v["id"] for v in versions.json()["value"]] == ["2.0", "1.0"]
