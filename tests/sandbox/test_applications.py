"""/applications: an app reads its own registration (application-get), by its appId or its
object id, with Application.Read.All; refused without it as the directory refuses."""

from __future__ import annotations

from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.applications_with_app_id.applications_with_app_id_request_builder import (
    ApplicationsWithAppIdRequestBuilder,
)

from sandbox.server import RunningSandbox
from tests.cli.test_doctor import changed_app, current
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import SECRETARY_A

SELECT = "appId,identifierUris,spa,web"


async def test_the_sdk_reads_the_apps_own_registration_by_its_app_id(tenant: Tenant) -> None:
    client_id = tenant.info["client_id"]
    query = (
        ApplicationsWithAppIdRequestBuilder.ApplicationsWithAppIdRequestBuilderGetQueryParameters(
            select=SELECT.split(",")
        )
    )
    found = (
        await tenant.graph()
        .applications_with_app_id(client_id)
        .get(RequestConfiguration(query_parameters=query))
    )

    assert found is not None and found.app_id == client_id
    assert found.identifier_uris == [f"api://{client_id}"]
    assert found.spa is not None and "brk-multihub://127.0.0.1:8443" in (
        found.spa.redirect_uris or []
    )
    assert found.web is not None and found.web.redirect_uris == []


async def test_select_names_the_fields_and_the_object_id_finds_the_same_app(tenant: Tenant) -> None:
    client_id = tenant.info["client_id"]
    async with tenant.raw() as client:
        by_app_id = await client.get(
            f"/applications(appId='{client_id}')", params={"$select": SELECT}
        )
        whole = (await client.get(f"/applications(appId='{client_id}')")).json()
        by_id = await client.get(f"/applications/{whole['id']}")

    body = by_app_id.json()
    assert by_app_id.status_code == 200
    assert body["@odata.context"].endswith(f"$metadata#applications({SELECT})/$entity")
    assert set(body) == {"@odata.context", "id", *SELECT.split(",")}
    assert body["spa"]["redirectUris"][0] == "brk-multihub://127.0.0.1:8443"
    assert body["web"]["implicitGrantSettings"] == {
        "enableIdTokenIssuance": False,
        "enableAccessTokenIssuance": False,
    }
    assert by_id.status_code == 200 and by_id.json() == whole
    assert whole["id"] != client_id and whole["displayName"] == "Secretariaat"
    # Microsoft Graph's ids of the Entra ID grants; the Exchange roles are not in it.
    [graph] = whole["requiredResourceAccess"]
    roles = {a["id"] for a in graph["resourceAccess"] if a["type"] == "Role"}
    assert graph["resourceAppId"] == "00000003-0000-0000-c000-000000000000"
    assert "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30" in roles  # Application.Read.All
    assert "e2a3a72e-5f79-4c64-b1b1-878b674786c9" not in roles  # Mail.ReadWrite


async def test_an_unknown_application_is_not_found(tenant: Tenant) -> None:
    async with tenant.raw() as client:
        answer = await client.get("/applications(appId='00000000-0000-0000-0000-000000000001')")

    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "Request_ResourceNotFound"


async def test_without_application_read_all_the_directory_refuses(
    tenant: Tenant, running: RunningSandbox
) -> None:
    client_id = tenant.info["client_id"]
    url = f"/applications(appId='{client_id}')"
    async with tenant.raw(SECRETARY_A) as client:  # her delegated scopes do not include it
        delegated = await client.get(url)
    roles = [r for r in current(running, "applicationPermissions") if r != "Application.Read.All"]
    with changed_app(running, applicationPermissions=roles):
        fresh = Tenant(running.info)  # a new MSAL cache: a token with the roles as they are now
        async with fresh.raw() as client:
            app_only = await client.get(url)

    for answer in (delegated, app_only):
        assert answer.status_code == 403
        error = answer.json()["error"]
        assert error["code"] == "Authorization_RequestDenied"
        assert error["message"] == "Insufficient privileges to complete the operation."
