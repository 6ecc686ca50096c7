"""The team as the backend knows it: who I am, the roster, and who may change it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from server.settings import Settings
from tests.dates import next_weekday, set_day
from tests.sandbox.people import (
    ADMIN,
    BURGEMEESTER,
    GEMEENTESECRETARIS,
    SECRETARY_A,
    SECRETARY_B,
    SECRETARY_B_THU_FRI,
    STAFF,
)


@pytest.mark.parametrize(
    ("day", "office"),
    [(next_weekday("mon", or_same=True), "front"), (next_weekday("fri", or_same=True), "back")],
    ids=["monday-front-office", "friday-back-office"],
)
async def test_a_secretary_sees_whom_she_serves_today(
    backend: FastAPI, api: httpx.AsyncClient, login, day: dt.date, office: str
) -> None:
    """Monique is front office Monday to Thursday and back office on Friday (the 4-1 split)."""
    clock = backend.state.clock
    set_day(clock, day)
    me = (await api.get("/api/v1/me", headers=login(SECRETARY_A))).json()
    assert me["role"] == "secretary" and me["today"] == day.isoformat()
    assert {s["executive"] for s in me["serves_today"]} == {BURGEMEESTER, GEMEENTESECRETARIS}
    assert {s["office"] for s in me["serves_today"]} == {office}


async def test_someone_outside_the_secretariat_has_no_role(api: httpx.AsyncClient, login) -> None:
    me = (await api.get("/api/v1/me", headers=login(STAFF))).json()
    assert me["role"] is None and me["serves_today"] == []


async def test_the_roster_shows_the_splits(api: httpx.AsyncClient, login) -> None:
    roster = (await api.get("/api/v1/roster", headers=login(SECRETARY_B))).json()
    assert roster["front_office"][BURGEMEESTER]["fri"] == "ellen.dijkhuis@zeeveen.nl"
    assert SECRETARY_A in roster["serves"]


async def test_a_secretary_may_not_change_the_roster(api: httpx.AsyncClient, login) -> None:
    before = (await api.get("/api/v1/roster", headers=login(SECRETARY_A))).json()
    changed = {**before, "serves": {**before["serves"], SECRETARY_A: []}}
    resp = await api.put("/api/v1/roster", json=changed, headers=login(SECRETARY_A))
    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "access_denied"
    assert (await api.get("/api/v1/roster", headers=login(SECRETARY_A))).json() == before


async def test_an_admin_changes_the_roster_and_it_is_audited(api: httpx.AsyncClient, login) -> None:
    roster = (await api.get("/api/v1/roster", headers=login(ADMIN))).json()
    roster["front_office"][BURGEMEESTER]["fri"] = SECRETARY_A
    resp = await api.put("/api/v1/roster", json=roster, headers=login(ADMIN))
    assert resp.status_code == 200
    after = (await api.get("/api/v1/roster", headers=login(ADMIN))).json()
    assert after["front_office"][BURGEMEESTER]["fri"] == SECRETARY_A
    audit = (
        await api.get("/api/v1/audit", params={"action": "roster.replace"}, headers=login(ADMIN))
    ).json()
    [entry] = audit["entries"]
    assert entry["actor"] == ADMIN and entry["outcome"] == "success"


async def test_a_roster_with_a_stranger_is_refused_with_the_place(
    api: httpx.AsyncClient, login
) -> None:
    roster = (await api.get("/api/v1/roster", headers=login(ADMIN))).json()
    roster["serves"][SECRETARY_A] = ["nobody@zeeveen.nl"]
    resp = await api.put("/api/v1/roster", json=roster, headers=login(ADMIN))
    assert resp.status_code == 422
    error = resp.json()["error"]
    assert error["code"] == "invalid_roster"
    assert "nobody@zeeveen.nl" in error["message"]


async def test_a_refused_roster_says_why_in_dutch_naming_people_and_places(
    api: httpx.AsyncClient, login
) -> None:
    """Issue 20: each problem at its place in the document, people by their roster names, no
    English message of the validation library; nothing changes."""
    before = (await api.get("/api/v1/roster", headers=login(ADMIN))).json()
    roster = {**before, "serves": dict(before["serves"])}
    roster["serves"][SECRETARY_A] = [*roster["serves"][SECRETARY_A], SECRETARY_B]
    roster["members"] = [dict(m) for m in roster["members"]]
    stranger = next(m for m in roster["members"] if m["upn"] == SECRETARY_B_THU_FRI)
    stranger["role"] = "boss"
    resp = await api.put("/api/v1/roster", json=roster, headers=login(ADMIN))
    assert resp.status_code == 422
    error = resp.json()["error"]
    assert error["code"] == "invalid_roster" and error["request_id"]
    message = error["message"]
    assert message.startswith("Rooster afgewezen (1 fout): members[")
    assert ".role: ongeldige waarde 'boss'; kies uit 'secretary', 'executive' of 'admin'" in message
    assert f"(bij {stranger['display_name']})" in message
    roster["members"] = before["members"]
    resp = await api.put("/api/v1/roster", json=roster, headers=login(ADMIN))
    message = resp.json()["error"]["message"]
    assert message == (
        f"Rooster afgewezen (1 fout): serves.{SECRETARY_A}[2]: Karin Molenaar is secretaresse,"
        " geen bestuurder"
    )
    for english in ("Input should", "Field required", "Value error", "is not a", "does not"):
        assert english not in message
    assert (await api.get("/api/v1/roster", headers=login(ADMIN))).json() == before


async def test_the_audit_export_is_csv_and_non_admins_see_only_their_own(
    api: httpx.AsyncClient, login
) -> None:
    resp = await api.get("/api/v1/audit.csv", headers=login(ADMIN))
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    assert "roster.import" in resp.text
    mine = (await api.get("/api/v1/audit", headers=login(SECRETARY_A))).json()
    assert all(e["actor"] == SECRETARY_A for e in mine["entries"])


async def test_the_audit_goes_to_the_municipalitys_logboek_as_ldv_json_lines(
    api: httpx.AsyncClient, login
) -> None:
    resp = await api.get("/api/v1/audit.ldv.jsonl", headers=login(ADMIN))
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in resp.text.splitlines()]
    [imported, *_] = [line for line in lines if line["name"] == "roster.import"]
    assert imported["status"] == "Ok" and len(imported["span_id"]) == 16
    assert imported["attributes"]["dpl.core.processing_activity_id"].startswith("urn:")
    assert "@" not in resp.text  # addresses are pseudonyms; nobody is named
    denied = await api.get("/api/v1/audit.ldv.jsonl?outcome=nope", headers=login(ADMIN))
    assert denied.status_code == 422 and denied.json()["error"]["code"]
    mine = await api.get("/api/v1/audit.ldv.jsonl", headers=login(SECRETARY_A))
    assert "roster.import" not in mine.text  # a secretary exports only what she did


def test_a_register_entry_that_is_not_a_uri_is_refused_at_the_start(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="'calamity' needs an absolute URI"):
        Settings(sandbox_state=tmp_path, ldv_activities={"calamity": "agendabeheer"})
    fine = {"calamity": "https://register.zeeveen.nl/verwerkingen/42"}
    assert Settings(sandbox_state=tmp_path, ldv_activities=fine).ldv_activities == fine
