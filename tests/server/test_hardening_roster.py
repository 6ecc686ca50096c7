"""Replacing the roster keeps the team's absences and swaps, never locks the admins out, and
odd ids and dates get a clear answer instead of a 500."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from automations.clock import SetClock
from automations.errors import BadRequest
from sandbox.server import RunningSandbox
from server.settings import Settings
from server.startup import DEMO_ROSTER, prepare_store
from tests.conftest import TODAY
from tests.sandbox.people import (
    ADMIN,
    BURGEMEESTER,
    GEMEENTESECRETARIS,
    SECRETARY_A,
    SECRETARY_A_FRIDAY,
    SECRETARY_B,
)

TOMORROW = TODAY + dt.timedelta(days=1)


async def roster_of(api: httpx.AsyncClient, login) -> dict[str, Any]:
    resp = await api.get("/api/v1/roster", headers=login(ADMIN))
    assert resp.status_code == 200
    return resp.json()


async def add(api: httpx.AsyncClient, login, **body: Any) -> dict[str, Any]:
    resp = await api.post("/api/v1/roster/exceptions", json=body, headers=login(ADMIN))
    assert resp.status_code == 201, resp.text
    [made] = resp.json()["exceptions"]
    return made


async def exceptions_of(api: httpx.AsyncClient, login) -> list[dict[str, Any]]:
    resp = await api.get("/api/v1/roster/exceptions", headers=login(ADMIN))
    assert resp.status_code == 200
    return resp.json()["exceptions"]


async def last_replace(api: httpx.AsyncClient, login) -> dict[str, Any]:
    params = {"action": "roster.replace"}
    audit = (await api.get("/api/v1/audit", params=params, headers=login(ADMIN))).json()
    return audit["entries"][0]


def ids(exceptions: list[dict[str, Any]]) -> set[int]:
    return {e["id"] for e in exceptions}


async def test_saving_the_roster_unchanged_keeps_absences_and_swaps(
    api: httpx.AsyncClient, login
) -> None:
    absent = await add(api, login, kind="absent", secretary=SECRETARY_A, **{"from": str(TODAY)})
    swap = await add(api, login, kind="front_office", secretary=SECRETARY_A_FRIDAY,
                     executive=BURGEMEESTER, **{"from": str(TOMORROW)})  # fmt: skip

    resp = await api.put("/api/v1/roster", json=await roster_of(api, login), headers=login(ADMIN))

    assert resp.status_code == 200, resp.text
    assert resp.json()["dropped_exceptions"] == []
    assert ids(await exceptions_of(api, login)) == {absent["id"], swap["id"]}
    details = (await last_replace(api, login))["details"]
    assert ids(details["before"]["exceptions"]) == {absent["id"], swap["id"]}
    assert ids(details["after"]["exceptions"]) == {absent["id"], swap["id"]}
    assert details["dropped_exceptions"] == []


async def test_exceptions_that_no_longer_apply_are_dropped_and_shown(
    api: httpx.AsyncClient, login
) -> None:
    """Ellen leaves the roster (her absence goes); Monique stops serving the gemeentesecretaris
    (her swap for him goes, her swap for the burgemeester stays)."""
    ellen = await add(api, login, kind="absent", secretary=SECRETARY_A_FRIDAY,
                      **{"from": str(TODAY)})  # fmt: skip
    for_him = await add(api, login, kind="front_office", secretary=SECRETARY_A,
                        executive=GEMEENTESECRETARIS, **{"from": str(TOMORROW)})  # fmt: skip
    for_her = await add(api, login, kind="front_office", secretary=SECRETARY_A,
                        executive=BURGEMEESTER, **{"from": str(TOMORROW)})  # fmt: skip
    roster = await roster_of(api, login)
    roster["members"] = [m for m in roster["members"] if m["upn"] != SECRETARY_A_FRIDAY]
    del roster["serves"][SECRETARY_A_FRIDAY]
    roster["serves"][SECRETARY_A] = [BURGEMEESTER]
    roster["serves"][SECRETARY_B] = [*roster["serves"][SECRETARY_B], GEMEENTESECRETARIS]
    roster["front_office"][BURGEMEESTER]["fri"] = SECRETARY_A
    roster["front_office"][GEMEENTESECRETARIS] = dict.fromkeys(
        ("mon", "tue", "wed", "thu", "fri"), SECRETARY_B
    )

    resp = await api.put("/api/v1/roster", json=roster, headers=login(ADMIN))

    assert resp.status_code == 200, resp.text
    dropped = resp.json()["dropped_exceptions"]
    assert ids(dropped) == {ellen["id"], for_him["id"]}
    assert ids(await exceptions_of(api, login)) == {for_her["id"]}
    details = (await last_replace(api, login))["details"]
    assert ids(details["before"]["exceptions"]) == {ellen["id"], for_him["id"], for_her["id"]}
    assert ids(details["after"]["exceptions"]) == {for_her["id"]}
    assert details["dropped_exceptions"] == dropped


async def test_a_roster_without_an_admin_is_refused_and_changes_nothing(
    api: httpx.AsyncClient, login
) -> None:
    absent = await add(api, login, kind="absent", secretary=SECRETARY_A, **{"from": str(TODAY)})
    before = await roster_of(api, login)
    roster = {**before, "members": [m for m in before["members"] if m["role"] != "admin"]}

    resp = await api.put("/api/v1/roster", json=roster, headers=login(ADMIN))

    assert resp.status_code == 422
    error = resp.json()["error"]
    assert error["code"] == "invalid_roster" and error["request_id"]
    assert "geen beheerder" in error["message"]
    assert await roster_of(api, login) == before
    assert ids(await exceptions_of(api, login)) == {absent["id"]}


async def test_a_roster_in_mixed_case_is_the_same_roster(api: httpx.AsyncClient, login) -> None:
    """Each address written differently in each place: still the same people."""
    before = await roster_of(api, login)
    shouted = {
        "members": [{**m, "upn": m["upn"].upper()} for m in before["members"]],
        "serves": {s.upper(): [e.title() for e in ex] for s, ex in before["serves"].items()},
        "front_office": {
            e.upper(): {day: s.title() for day, s in days.items()}
            for e, days in before["front_office"].items()
        },
    }

    resp = await api.put("/api/v1/roster", json=shouted, headers=login(ADMIN))

    assert resp.status_code == 200, resp.text
    assert await roster_of(api, login) == before  # and the admin is still the admin
    me = (await api.get("/api/v1/me", headers=login(SECRETARY_A))).json()
    assert me["role"] == "secretary"


@pytest.mark.parametrize(
    ("exception_id", "status", "code"),
    [
        ("99999999999999999999999", 422, "invalid_request"),  # outside the documented id range
        (str(2**63), 422, "invalid_request"),
        ("0", 422, "invalid_request"),
        ("-1", 422, "invalid_request"),
        (str(2**31 - 1), 404, "not_found"),  # a possible id nobody has
    ],
)
async def test_removing_an_exception_that_cannot_exist_is_a_clear_refusal(
    api: httpx.AsyncClient, login, exception_id: str, status: int, code: str
) -> None:
    resp = await api.delete(f"/api/v1/roster/exceptions/{exception_id}", headers=login(ADMIN))
    assert resp.status_code == status, resp.text
    error = resp.json()["error"]
    assert error["code"] == code and error["request_id"]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"from": "9999-12-31"}, 422),
        ({"from": "2026-01-01", "to": "9999-12-31"}, 422),
        ({"from": "0001-01-01"}, 422),
        ({"from": "2026-01-01", "to": "2999-12-31"}, 422),  # a millennium at once
        ({"from": "2026-02-01", "to": "2026-01-01"}, 422),  # backwards
    ],
    ids=["from-at-the-end-of-time", "to-at-the-end-of-time", "year-one", "huge-range", "backwards"],
)
async def test_listing_exceptions_over_odd_dates_is_a_clear_refusal(
    api: httpx.AsyncClient, login, params: dict[str, str], status: int
) -> None:
    resp = await api.get("/api/v1/roster/exceptions", params=params, headers=login(ADMIN))
    assert resp.status_code == status, resp.text
    error = resp.json()["error"]
    assert error["code"] in ("invalid_request", "unprocessable") and error["message"]


async def test_an_exception_at_the_end_of_time_is_refused(api: httpx.AsyncClient, login) -> None:
    body = {"kind": "absent", "secretary": SECRETARY_A, "from": "9999-12-31"}
    resp = await api.post("/api/v1/roster/exceptions", json=body, headers=login(ADMIN))
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "invalid_request"


async def test_a_roster_file_without_an_admin_is_not_loaded_at_start(
    running: RunningSandbox, tmp_path: Path, clock: SetClock
) -> None:
    """The file ``serve`` loads into an empty store on first start: the same rule as the API."""
    doc = yaml.safe_load(DEMO_ROSTER.read_text(encoding="utf-8"))
    doc["members"] = [m for m in doc["members"] if m["role"] != "admin"]
    path = tmp_path / "rooster.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    settings = Settings(
        sandbox_state=Path(running.info["ca_cert"]).parent,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'store.sqlite3'}",
        roster_file=path,
    )
    with pytest.raises(BadRequest, match="geen beheerder") as refused:
        await prepare_store(settings, clock=clock)
    assert refused.value.code == "invalid_roster"
