"""The product runs from its wheel, as a municipality's IT (or the Containerfile) installs it.

The wheel is built from a copy of the packages, installed into a folder of its own, and the
CLI, the sandbox and the backend are started from there, in a working directory outside this
tree: every template, static file, migration, demo file and the add-in's manifest and icons
must come from the installed packages, never from the source tree.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import ssl
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from sandbox.server import free_port
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("addin", "automations", "cli", "sandbox", "server")  # pyproject's packages.find
# In the packages' folders but read by nobody at run time: a note for developers, the stamp
# of the npm build.
NOT_SHIPPED = {"sandbox/README.md", "server/pane/static/vendor/.built"}
VENDORED = ROOT / "server" / "pane" / "static" / "vendor" / "msal-browser.min.js"


@dataclass(frozen=True)
class Installed:
    wheel: Path
    site: Path  # pip install --target: the packages, and bin/secretariaat
    home: Path  # the working directory the product runs in (not this tree)

    @property
    def secretariaat(self) -> list[str]:
        return [str(self.site / "bin" / "secretariaat")]

    def env(self, **settings: str) -> dict[str, str]:
        """A clean environment: the wheel first on the path, the venv's packages after it (the
        venv's editable install of this tree comes last, and must never be needed)."""
        base = {k: v for k, v in os.environ.items() if not k.startswith("SECRETARIAAT_")}
        base.pop("PYTHONPATH", None)
        return {**base, "PYTHONPATH": str(self.site), "PYTHONUNBUFFERED": "1", **settings}

    def run(self, args: list[str], **settings: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args,
            cwd=self.home,
            env=self.env(**settings),
            capture_output=True,
            text=True,
            timeout=120,
        )


def source_files(root: Path) -> set[str]:
    """The packages' files below ``root``, as paths in a wheel."""
    found = set()
    for package in PACKAGES:
        for path in (root / package).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                found.add(path.relative_to(root).as_posix())
    return found - NOT_SHIPPED


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    assert VENDORED.exists(), "the pane's npm files are missing: run `make install` first"
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"  # a copy: the build writes build/ and *.egg-info beside its sources
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, src / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    built = subprocess.run(
        [*pip, "wheel", str(src), "--no-deps", "-q", "-w", str(tmp / "dist")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    [wheel] = (tmp / "dist").glob("secretariaat-*.whl")
    site = tmp / "site"
    done = subprocess.run(
        [*pip, "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    home = tmp / "home"
    home.mkdir()
    return Installed(wheel=wheel, site=site, home=home)


def test_the_wheel_carries_every_file_of_the_packages(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        shipped = {n for n in wheel.namelist() if ".dist-info/" not in n}
    assert sorted(source_files(ROOT) - shipped) == []
    assert {"addin/manifest.xml", "addin/icons/icon-32.png", "sandbox/COVERAGE.md"} <= shipped


PROBE = """
import json, sys
import addin, automations, cli, sandbox, server
import cli.main, server.app, server.startup, sandbox.app
from server.addin.manifest import ADDIN_DIR
from server.pane import PANE_DIR
mods = {name: getattr(m, "__file__", None) or "" for name, m in list(sys.modules.items())}
print(json.dumps({"files": mods, "path": sys.path, "addin": str(ADDIN_DIR),
                  "pane": str(PANE_DIR), "roster": str(server.startup.DEMO_ROSTER)}))
"""


def test_the_code_comes_from_the_wheel_and_not_from_this_tree(installed: Installed) -> None:
    probe = installed.run([sys.executable, "-c", PROBE])
    assert probe.returncode == 0, probe.stderr
    seen = json.loads(probe.stdout)
    assert str(ROOT) not in seen["path"]  # ("" is there: the working directory, not this tree)
    for package in PACKAGES:
        assert seen["files"][package].startswith(f"{installed.site}/"), seen["files"][package]
    venv = f"{Path(sys.prefix).resolve()}/"  # the dependencies; inside this tree here
    from_tree = [f for f in seen["files"].values() if f.startswith(f"{ROOT}/")]
    assert [f for f in from_tree if not f.startswith(venv)] == []
    for key in ("addin", "pane", "roster"):
        assert seen[key].startswith(f"{installed.site}/"), seen[key]


def test_the_cli_renders_the_manifest_and_migrates_from_the_wheel(installed: Installed) -> None:
    helped = installed.run([sys.executable, "-m", "cli.main", "--help"])
    assert helped.returncode == 0 and "serve" in helped.stdout, helped.stderr

    url, app = "https://secretariaat.gemeente.example", ["--client-id", "app-id"]
    command = ["addin", "manifest", "--base-url", url, *app, "--api-audience", "api://app-id"]
    manifest = installed.run([*installed.secretariaat, *command])
    assert manifest.returncode == 0, manifest.stderr
    assert f"{url}/addin/icons/icon-32.png" in manifest.stdout
    assert "{{" not in manifest.stdout

    store = installed.home / "store.sqlite3"
    database = f"sqlite+aiosqlite:///{store}"
    migrated = installed.run(
        [*installed.secretariaat, "db", "upgrade", "--json"], SECRETARIAAT_DATABASE_URL=database
    )
    assert migrated.returncode == 0, migrated.stderr
    revision = json.loads(migrated.stdout)["revision"]
    with closing(sqlite3.connect(store)) as db:
        assert db.execute("select version_num from alembic_version").fetchall() == [(revision,)]


# --- the sandbox and the backend, started as an operator does ----------------------------
def start(installed: Installed, args: list[str], log: Path, **settings: str) -> subprocess.Popen:
    with log.open("wb") as out:  # the process keeps its own copy of the file
        return subprocess.Popen(
            [*installed.secretariaat, *args],
            cwd=installed.home,
            env=installed.env(**settings),
            stdout=out,
            stderr=out,
            start_new_session=True,
        )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def until(ready: Callable[[], bool], process: subprocess.Popen, log: Path) -> None:
    """Poll ``ready`` until it holds; fail as soon as the process exits, or after a minute."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        if ready():
            return
        time.sleep(0.1)
    raise AssertionError(f"not ready after a minute: {log.read_text(errors='replace')[-3000:]}")


def answers(url: str, tls: ssl.SSLContext) -> bool:
    try:
        return httpx.get(url, verify=tls).status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture
def backend(installed: Installed, tmp_path: Path) -> Iterator[tuple[str, dict, ssl.SSLContext]]:
    """``secretariaat sandbox`` and ``secretariaat serve`` from the wheel, on free ports."""
    state, port = tmp_path / "sandbox", free_port()
    processes = []
    try:
        log = tmp_path / "sandbox.log"
        sandbox = start(
            installed, ["sandbox", "--port", str(free_port()), "--state", str(state)], log
        )
        processes.append(sandbox)
        until(lambda: "Sandbox luistert op" in log.read_text(errors="replace"), sandbox, log)
        info = json.loads((state / "connection.json").read_text())
        tls = ssl.create_default_context(cafile=info["ca_cert"])
        base = f"https://127.0.0.1:{port}"
        log = tmp_path / "serve.log"
        settings = {
            "SECRETARIAAT_SANDBOX_STATE": str(state),
            "SECRETARIAAT_BASE_URL": base,
            "SECRETARIAAT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'store.sqlite3'}",
        }
        serve = start(installed, ["serve", "--port", str(port)], log, **settings)
        processes.append(serve)
        until(lambda: answers(f"{base}/healthz", tls), serve, log)
        yield base, info, tls
    finally:
        for process in reversed(processes):
            stop(process)


def test_the_sandbox_and_the_backend_serve_from_the_wheel(
    backend: tuple[str, dict, ssl.SSLContext],
) -> None:
    base, info, tls = backend
    with httpx.Client(base_url=base, verify=tls, timeout=60) as http:
        harness = http.get("/dev/outlook")  # dev/outlook.html on base.html
        assert harness.status_code == 200 and "<html" in harness.text
        shell = http.get("/pane/bericht")  # shell.html and its includes
        assert shell.status_code == 200 and "msal-browser.min.js" in shell.text
        manifest = http.get("/addin/manifest.xml")
        assert manifest.status_code == 200 and f"{base}/addin/icons/icon-32.png" in manifest.text
        icon = http.get("/addin/icons/icon-32.png")
        assert icon.status_code == 200 and icon.content.startswith(b"\x89PNG")
        vendored = http.get("/pane/static/vendor/msal-browser.min.js")
        assert vendored.status_code == 200 and vendored.content == VENDORED.read_bytes()
        assert http.get("/api/docs").status_code == 200

        # Signed in: the roster the backend loaded from its demo.yaml, a views/ template.
        me = {"Authorization": f"Bearer {Tenant(info).user_token(SECRETARY_A)}"}
        whoami = http.get("/api/v1/me", headers=me)
        assert whoami.status_code == 200 and whoami.json()["upn"] == SECRETARY_A, whoami.text
        queue = http.get("/pane/werkvoorraad/inhoud", params={"mailbox": BURGEMEESTER}, headers=me)
        assert queue.status_code == 200, queue.text
