"""A number too large for any row of ours, in a path, a query or a body, is a 4xx in the one
error shape, never a 500 (SQLite cannot even bind one past 2**63 - 1), and the API's
description states the bound."""

from __future__ import annotations

import httpx
import pytest

from server.fields import MAX_ROW_ID
from tests.sandbox.people import ADMIN, SECRETARY_A

HUGE = "9" * 23  # past SQLite's integers, and past 2**63 - 1
JUST_PAST = str(MAX_ROW_ID + 1)


@pytest.mark.parametrize(
    "path",
    [
        *(f"/api/v1/{kind}/versions/{n}" for kind in ("quicksteps", "templates")
          for n in (HUGE, JUST_PAST)),
        f"/api/v1/audit?limit={HUGE}",
        f"/api/v1/audit?before={HUGE}",  # a cursor: its bound is SQLite's own, 2**63 - 1
        f"/api/v1/mailboxes/{SECRETARY_A}/messages?top={HUGE}",
        f"/api/v1/roster/exceptions/{HUGE}",  # DELETE: a 404, no such row can exist
    ],
)  # fmt: skip
async def test_a_huge_number_in_a_path_or_query_is_refused(
    api: httpx.AsyncClient, login, path: str
) -> None:
    method = "DELETE" if "/roster/" in path else "GET"
    resp = await api.request(method, path, headers=login(ADMIN))
    assert resp.status_code in (404, 422), resp.text
    assert resp.headers["content-type"].startswith("application/json")
    assert resp.json()["error"]["code"] in ("not_found", "invalid_request")


@pytest.mark.parametrize("number", [int(HUGE), MAX_ROW_ID + 1])
async def test_a_huge_exception_number_from_the_task_pane_is_refused(
    api: httpx.AsyncClient, login, number: int
) -> None:
    resp = await api.post("/pane/werkvoorraad/uitzondering/verwijderen",
                          json={"exception": number}, headers=login(ADMIN))  # fmt: skip
    assert resp.status_code == 422, resp.text  # the pane's error partial, in its own words
    assert "data-fout" in resp.text and "(exception)" in resp.text


@pytest.mark.parametrize("operation", ["get_quickstep_version", "get_template_version"])
async def test_the_description_states_the_bound(api: httpx.AsyncClient, operation: str) -> None:
    spec = (await api.get("/api/v1/openapi.json")).json()
    found = [
        op for item in spec["paths"].values() for op in item.values()
        if isinstance(op, dict) and op.get("operationId") == operation
    ]  # fmt: skip
    (version,) = [p for p in found[0]["parameters"] if p["name"] == "version"]
    assert version["schema"]["minimum"] == 1 and version["schema"]["maximum"] == MAX_ROW_ID
