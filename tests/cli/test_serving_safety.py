"""Starting the backend safely: the sandbox (anyone signs in as anyone) never listens beyond
this machine, a tenant says loudly whose data it serves, and the store is private to its user.
"""

from __future__ import annotations

import os
import selectors
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sandbox.server import free_port

CLI = [sys.executable, "-m", "cli.main"]
TENANT_ID = "11111111-2222-3333-4444-555555555555"


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECRETARIAAT_")}
    env["SECRETARIAAT_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'store.sqlite3'}"
    env["PYTHONUNBUFFERED"] = "1"
    return {**env, **extra}


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::", "secretariaat.example.org"])
def test_the_sandbox_refuses_to_listen_beyond_loopback(tmp_path: Path, host: str) -> None:
    result = subprocess.run(
        [*CLI, "serve", "--host", host, "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(tmp_path),  # SECRETARIAAT_MODE unset: sandbox, the default
        cwd=tmp_path,
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("fout:") and "127.0.0.1" in lines[0] and host in lines[0]
    assert not (tmp_path / "store.sqlite3").exists()  # refused before anything was started


def test_tenant_mode_says_at_start_which_tenant_it_serves(tmp_path: Path) -> None:
    env = clean_env(
        tmp_path,
        SECRETARIAAT_MODE="tenant",
        SECRETARIAAT_TENANT_ID=TENANT_ID,
        SECRETARIAAT_CLIENT_ID="66666666-7777-8888-9999-000000000000",
        SECRETARIAAT_CLIENT_SECRET="a-real-looking-secret-value",
        SECRETARIAAT_JOBS_ENABLED="false",
    )
    proc = subprocess.Popen(
        [*CLI, "serve", "--port", str(free_port())],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert proc.stderr is not None
    announced = ""
    try:
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stderr, selectors.EVENT_READ)
            deadline = time.monotonic() + 60
            while "TENANT MODE" not in announced and time.monotonic() < deadline:
                if sel.select(timeout=1) and (line := proc.stderr.readline()):
                    announced = line if "TENANT MODE" in line else announced
                elif proc.poll() is not None:
                    break
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
    assert "TENANT MODE" in announced, proc.stderr.read()
    assert TENANT_ID in announced
    assert f"https://login.microsoftonline.com/{TENANT_ID}" in announced
    assert "WARNING" in announced  # loud: not an INFO line among many


def test_the_store_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    result = subprocess.run(
        [*CLI, "db", "upgrade"],
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_env(tmp_path),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    store = tmp_path / "store.sqlite3"
    for path in (store, *tmp_path.glob("store.sqlite3-*")):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
