"""The directory as the product reads it: people, their titles, and search."""

from __future__ import annotations

from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A


async def test_search_needs_the_eventual_consistency_header(tenant: Tenant) -> None:
    async with tenant.raw(SECRETARY_A) as client:
        resp = await client.get("/users", params={"$search": '"displayName:ingrid"'})
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "Request_UnsupportedQuery"


async def test_search_finds_people_by_the_start_of_a_name(tenant: Tenant) -> None:
    async with tenant.raw(SECRETARY_A) as client:
        resp = await client.get(
            "/users",
            params={"$search": '"displayName:zwanen" OR "mail:monique"', "$count": "true"},
            headers={"ConsistencyLevel": "eventual"},
        )
    body = resp.json()
    assert resp.status_code == 200
    assert {u["userPrincipalName"] for u in body["value"]} == {BURGEMEESTER, SECRETARY_A}
    assert body["@odata.count"] == 2


async def test_a_bad_search_expression_is_a_bad_request(tenant: Tenant) -> None:
    async with tenant.raw(SECRETARY_A) as client:
        resp = await client.get(
            "/users", params={"$search": "zwanen"}, headers={"ConsistencyLevel": "eventual"}
        )
    assert resp.status_code == 400


async def test_select_names_the_fields_in_the_context(tenant: Tenant) -> None:
    async with tenant.raw(SECRETARY_A) as client:
        resp = await client.get(
            f"/users/{BURGEMEESTER}", params={"$select": "displayName,jobTitle"}
        )
    body = resp.json()
    assert body["@odata.context"].endswith("#users(displayName,jobTitle)/$entity")
    assert body["jobTitle"] == "Burgemeester"
    assert "mail" not in body


async def test_every_member_signs_in_with_the_upn(tenant: Tenant) -> None:
    async with tenant.raw(SECRETARY_A) as client:
        resp = await client.get(f"/users/{BURGEMEESTER}", params={"$select": "identities"})
    [identity] = resp.json()["identities"]
    assert identity["signInType"] == "userPrincipalName"
    assert identity["issuerAssignedId"] == BURGEMEESTER
