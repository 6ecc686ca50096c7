"""`secretariaat sandbox` as an operator starts it: HTTPS, connection.json, state kept on disk."""

from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from sandbox.server import free_port
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A

CLI = [sys.executable, "-m", "cli.main"]


@contextmanager
def sandbox_process(state: Path, *extra: str) -> Iterator[tuple[str, dict]]:
    """Run the command until the block ends; yield its first line and connection.json."""
    port = free_port()
    proc = subprocess.Popen(
        [*CLI, "sandbox", "--port", str(port), "--state", str(state), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line, proc.stderr.read() if proc.stderr else "no output"
        yield line, json.loads((state / "connection.json").read_text())
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)


def tag(info: dict, category: str) -> str:
    """Categorise the burgemeester's newest message through Graph; return its id."""
    tenant = Tenant(info)
    headers = {"Authorization": f"Bearer {tenant.graph_token(SECRETARY_A)}"}
    tls = ssl.create_default_context(cafile=info["ca_cert"])
    with httpx.Client(base_url=info["graph_url"], headers=headers, verify=tls) as graph:
        newest = graph.get(f"/users/{BURGEMEESTER}/messages", params={"$top": "1"}).json()
        message_id = newest["value"][0]["id"]
        graph.patch(
            f"/users/{BURGEMEESTER}/messages/{message_id}", json={"categories": [category]}
        ).raise_for_status()
    return message_id


def categories(info: dict, message_id: str) -> list[str] | None:
    tenant = Tenant(info)
    headers = {"Authorization": f"Bearer {tenant.graph_token(SECRETARY_A)}"}
    tls = ssl.create_default_context(cafile=info["ca_cert"])
    with httpx.Client(base_url=info["graph_url"], headers=headers, verify=tls) as graph:
        resp = graph.get(f"/users/{BURGEMEESTER}/messages/{message_id}")
    return resp.json()["categories"] if resp.status_code == 200 else None


def test_it_says_where_it_listens_and_publishes_the_connection(tmp_path: Path) -> None:
    with sandbox_process(tmp_path) as (line, info):
        assert info["graph_url"].split("/v1.0")[0].split("//")[1] in line
        assert set(info) >= {
            "graph_url",
            "authority",
            "tenant_id",
            "client_id",
            "client_secret",
            "ca_cert",
        }
        assert Path(info["ca_cert"]).read_text().startswith("-----BEGIN CERTIFICATE-----")
        assert (tmp_path / "sandbox.sqlite3").exists()


def test_a_restart_keeps_the_mailboxes_and_reset_seeds_them_anew(tmp_path: Path) -> None:
    with sandbox_process(tmp_path) as (_, info):
        message_id = tag(info, "Herstarttest")
        secret = info["client_secret"]
    with sandbox_process(tmp_path) as (_, info):
        assert info["client_secret"] == secret  # the backend's configuration stays valid
        assert categories(info, message_id) == ["Herstarttest"]
    with sandbox_process(tmp_path, "--reset") as (_, info):
        assert categories(info, message_id) is None  # seeded anew: new ids


@pytest.mark.parametrize(
    "args",
    [["--today", "24-11-2026"], ["--fault-rate", "2"], ["--port", "0"]],
    ids=["bad-date", "rate-above-one", "port-zero"],
)
def test_bad_options_end_with_one_clear_line(tmp_path: Path, args: list[str]) -> None:
    result = subprocess.run(
        [*CLI, "sandbox", "--state", str(tmp_path), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("fout:")


def test_a_busy_sandbox_port_ends_the_demo_with_one_line_not_a_traceback(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "cli.main", "demo", "--sandbox-port", str(port),
             "--port", str(free_port()), "--state", str(tmp_path / "sandbox")],
            capture_output=True, text=True, timeout=120, env={**os.environ},
        )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    said = f"fout: sandbox kan niet starten op poort {port}: al in gebruik of niet te openen"
    assert last == said
