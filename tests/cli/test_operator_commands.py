"""Operator commands act with the app's identity, but only as far as --actor may."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.server import RunningSandbox
from tests.sandbox.people import BURGEMEESTER, GEMEENTESECRETARIS, SECRETARY_A, SECRETARY_B

CLI = [sys.executable, "-m", "cli.main"]


@pytest.fixture
def env(running: RunningSandbox, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SECRETARIAAT_SANDBOX_STATE": str(Path(running.info["ca_cert"]).parent),
        "SECRETARIAAT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'store.sqlite3'}",
    }


def secretariaat(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=120)


def audit_rows(env: dict[str, str]) -> list[tuple[str, str, str]]:
    import sqlite3

    path = env["SECRETARIAAT_DATABASE_URL"].split("///", 1)[1]
    with sqlite3.connect(path) as db:
        return db.execute("SELECT actor_upn, action, outcome FROM audit_log ORDER BY id").fetchall()


def test_an_operator_lists_what_the_secretary_may_open(env: dict[str, str]) -> None:
    result = secretariaat(env, "mailboxes", "--actor", SECRETARY_A, "--json")
    assert result.returncode == 0, result.stderr
    assert {m["upn"] for m in json.loads(result.stdout)} == {BURGEMEESTER, GEMEENTESECRETARIS}
    assert (SECRETARY_A, "operator.mailboxes", "success") in audit_rows(env)


def test_an_operator_cannot_reach_beyond_the_actors_team(env: dict[str, str]) -> None:
    result = secretariaat(env, "mailboxes", "--actor", SECRETARY_B, "--mailbox", BURGEMEESTER)
    assert result.returncode == 3
    assert result.stderr.strip().count("\n") == 0 and SECRETARY_B in result.stderr
    assert (SECRETARY_B, "operator.mailboxes", "denied") in audit_rows(env)


def test_the_actor_is_required(env: dict[str, str]) -> None:
    result = secretariaat(env, "mailboxes")
    assert result.returncode != 0 and "--actor" in result.stderr
