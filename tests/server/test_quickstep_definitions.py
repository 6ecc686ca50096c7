"""The admin keeps the team's quick steps: a bad file is refused whole, every version stays."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.people import ADMIN, SECRETARY_A

GOOD = """format: 1
steps:
  - name: Gelezen
    actions:
      - action: mark_read
"""
BAD = """format: 1
steps:
  - name: Gelezen
    shortcut: Ctrl+Shift+12
    actions:
      - action: flag
        due: gisteren
      - action: forward
        to: [niet-een-adres]
      - action: teleport
"""


def yaml(login, upn: str = ADMIN) -> dict[str, str]:
    return {**login(upn), "Content-Type": "application/yaml"}


async def test_a_new_version_becomes_active_and_old_ones_stay_readable(
    api: httpx.AsyncClient, login
) -> None:
    demo = (await api.get("/api/v1/quicksteps", headers=login(SECRETARY_A))).json()
    resp = await api.put(
        "/api/v1/quicksteps", params={"note": "alleen gelezen"}, content=GOOD, headers=yaml(login)
    )
    assert resp.status_code == 201
    version = resp.json()["version"]
    assert version == demo["version"] + 1 and resp.json()["author"] == ADMIN

    now = (await api.get("/api/v1/quicksteps", headers=login(SECRETARY_A))).json()
    assert [s["name"] for s in now["steps"]] == ["Gelezen"]
    listed = (await api.get("/api/v1/quicksteps/versions", headers=login(ADMIN))).json()
    assert [v["version"] for v in listed["versions"]] == [version, demo["version"]]
    old = await api.get(f"/api/v1/quicksteps/versions/{demo['version']}", headers=login(ADMIN))
    assert old.status_code == 200 and "Ter afhandeling backoffice" in old.text
    assert old.headers["content-type"].startswith("application/yaml")


async def test_a_bad_file_is_refused_whole_with_lines_and_the_old_one_stays(
    api: httpx.AsyncClient, login
) -> None:
    before = (await api.get("/api/v1/quicksteps", headers=login(SECRETARY_A))).json()
    resp = await api.put("/api/v1/quicksteps", content=BAD, headers=yaml(login))
    assert resp.status_code == 422
    error = resp.json()["error"]
    assert error["code"] == "invalid_quicksteps"
    for expected in (
        "regel 4, steps[0].shortcut",
        "regel 7, steps[0].actions[0].due: ongeldige waarde 'gisteren'",
        "regel 9, steps[0].actions[1].to[0]: ongeldige waarde 'niet-een-adres'",
        "regel 10, steps[0].actions[2]: onbekende 'action' 'teleport'",
    ):
        assert expected in error["message"]
    after = (await api.get("/api/v1/quicksteps", headers=login(SECRETARY_A))).json()
    assert after == before
    audit = (
        await api.get(
            "/api/v1/audit", params={"action": "quicksteps.publish"}, headers=login(ADMIN)
        )
    ).json()
    assert audit["entries"][0]["outcome"] == "failure"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("format: 1\nsteps: [", "regel 2"),
        ("- just a list", "regel 1"),
        ("format: 1\nsteps:\n  - name: A\n    actions: [{action: mark_read}]\n"
         "  - name: a\n    actions: [{action: mark_read}]\n", "komt twee keer voor"),
        ("format: 1\nsteps:\n  - name: A\n    actions:\n      - action: reply_draft\n"
         "        body: '{{ oops'\n", "regel 6, steps[0].actions[0].body: sjabloonfout"),
    ],
)  # fmt: skip
async def test_more_mistakes_are_named(
    api: httpx.AsyncClient, login, text: str, problem: str
) -> None:
    resp = await api.put("/api/v1/quicksteps", content=text, headers=yaml(login))
    assert resp.status_code == 422 and problem in resp.json()["error"]["message"]


async def test_only_an_admin_publishes_or_reads_versions(api: httpx.AsyncClient, login) -> None:
    assert (
        await api.put("/api/v1/quicksteps", content=GOOD, headers=yaml(login, SECRETARY_A))
    ).status_code == 403
    assert (
        await api.get("/api/v1/quicksteps/versions", headers=login(SECRETARY_A))
    ).status_code == 403
    assert (
        await api.get("/api/v1/quicksteps/versions/999", headers=login(ADMIN))
    ).status_code == 404
