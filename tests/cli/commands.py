"""Running the ``secretariaat`` command as an operator would, and reading what it audited."""

from __future__ import annotations

import subprocess
import sys

CLI = [sys.executable, "-m", "cli.main"]


def secretariaat(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=120)


def audit_rows(env: dict[str, str]) -> list[tuple[str, str, str]]:
    import sqlite3

    path = env["SECRETARIAAT_DATABASE_URL"].split("///", 1)[1]
    with sqlite3.connect(path) as db:
        return db.execute("SELECT actor_upn, action, outcome FROM audit_log ORDER BY id").fetchall()
