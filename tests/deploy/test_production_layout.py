"""The production layout in deploy/ holds up as far as this machine can run it.

- The reverse proxy's configuration (deploy/nginx) is the one nginx runs here: TLS in front
  of two real instances and a worker on PostgreSQL, and an instance that dies is skipped.
- The systemd units pass ``systemd-analyze verify`` (their commands rewritten to this
  checkout), and every setting they and the Kubernetes manifests name is a real setting.
- The Kubernetes manifests render with kustomize and validate against Kubernetes' schemas.

A container image cannot be built here (no Docker engine on this machine): the Containerfile
is only checked for what it copies and runs.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from sandbox.server import RunningSandbox, free_port
from server.settings import Settings
from tests.automations.store.databases import _drop, _new_database, postgres_enabled
from tests.cli.commands import CLI
from tests.cli.conftest import env  # noqa: F401 - the CLI's environment on this sandbox
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import SECRETARY_A

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SETTINGS = {f"SECRETARIAAT_{name.upper()}" for name in Settings.model_fields}
VENV_BIN = Path(sys.executable).parent


def needed(tool: str) -> str:
    """The tool's path; skipped on a developer's machine without it, a failure in CI."""
    found = shutil.which(tool, path=f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin")
    if found is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            raise RuntimeError(f"{tool} is missing in CI")
        pytest.skip(f"{tool} is not installed")
    return found


def settings_named(text: str) -> set[str]:
    return set(re.findall(r"\bSECRETARIAAT_[A-Z_]+[A-Z]\b", text))


# --- Kubernetes -----------------------------------------------------------------------------
def rendered() -> list[dict[str, Any]]:
    out = subprocess.run([needed("kubectl"), "kustomize", str(DEPLOY / "kubernetes")],
                         capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
    return [doc for doc in yaml.safe_load_all(out.stdout) if doc]


def test_the_kubernetes_manifests_render_and_validate_against_the_schemas() -> None:
    import kubernetes_validate

    docs = rendered()
    kinds = sorted(d["kind"] for d in docs)
    expected = ["ConfigMap", "Service", "Deployment", "Deployment", "CronJob",
                "PodDisruptionBudget", "PodDisruptionBudget", "Job", "Ingress"]  # fmt: skip
    assert kinds == sorted(expected)
    for doc in docs:
        kubernetes_validate.validate(doc, "1.30.0", strict=True)


def test_the_pods_run_unprivileged_with_probes_and_the_api_leaves_tasks_to_the_workers() -> None:
    docs = {(d["kind"], d["metadata"]["name"]): d for d in rendered()}
    settings = docs[("ConfigMap", "secretariaat-settings")]["data"]
    for name in ("secretariaat-api", "secretariaat-worker"):
        pod = docs[("Deployment", name)]["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        [container] = pod["containers"]
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert container["image"] == "registry.gemeente.example/secretariaat:0.1.0"
        assert docs[("Deployment", name)]["spec"]["replicas"] >= 2  # one may go
    api = docs[("Deployment", "secretariaat-api")]["spec"]["template"]["spec"]["containers"][0]
    # Traffic only once it can check tokens (/readyz); restarted only when it stops answering.
    assert api["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert api["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert {"name": "SECRETARIAAT_WORKER_IN_PROCESS", "value": "false"} in api["env"]
    worker = docs[("Deployment", "secretariaat-worker")]["spec"]["template"]["spec"]
    assert worker["containers"][0]["args"] == ["worker"]
    # A drained node gives the worker longer than its tasks' grace, so they are put back.
    assert worker["terminationGracePeriodSeconds"] > float(settings["SECRETARIAAT_WORKER_GRACE_S"])


def test_every_setting_the_deployment_files_name_exists() -> None:
    named: set[str] = set()
    for path in [*DEPLOY.rglob("*.yaml"), *DEPLOY.rglob("*.example"), *DEPLOY.rglob("*.service")]:
        named |= settings_named(path.read_text(encoding="utf-8"))
    assert named, "the deployment files name no settings"
    assert named <= SETTINGS, sorted(named - SETTINGS)


# --- systemd --------------------------------------------------------------------------------
def test_the_systemd_units_verify(tmp_path: Path) -> None:
    analyze = needed("systemd-analyze")
    env_file = tmp_path / "secretariaat.env"
    env_file.write_text("")
    units = []
    for unit in sorted((DEPLOY / "systemd").glob("secretariaat*.[st]*")):
        text = unit.read_text(encoding="utf-8")
        text = text.replace("/opt/secretariaat/venv/bin/", f"{VENV_BIN}/")
        text = re.sub(r"/etc/secretariaat/\w+\.env", str(env_file), text)
        text = text.replace("User=secretariaat", "User=root").replace(
            "Group=secretariaat", "Group=root"
        )
        name = unit.name.replace("@.", "@8001.")
        (tmp_path / name).write_text(text, encoding="utf-8")
        units.append(str(tmp_path / name))
    assert len(units) == 5
    done = subprocess.run([analyze, "verify", "--man=no", *units], capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr


# --- the container image --------------------------------------------------------------------
def test_the_containerfile_copies_what_exists_and_runs_real_commands() -> None:
    from cli.main import app

    text = (DEPLOY / "container" / "Containerfile").read_text(encoding="utf-8")
    for line in re.findall(r"^COPY (?!--from)(.+)$", text, re.M):
        *sources, _target = line.split()
        for source in sources:
            assert (ROOT / source).exists(), source
    commands = {c.name or c.callback.__name__ for c in app.registered_commands}
    groups = {g.name for g in app.registered_groups}
    assert "serve" in commands and "worker" in commands and "db" in groups
    assert 'CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]' in text


# --- nginx in front of two instances and a worker -------------------------------------------
@pytest.fixture
def pg_url(tmp_path: Path) -> Iterator[str]:
    if not postgres_enabled():
        pytest.skip("SECRETARIAAT_TEST_POSTGRES=0")
    url, name = _new_database("postgresql", tmp_path)
    try:
        yield url
    finally:
        _drop(name)


def proxy_config(state: Path, tmp_path: Path, port: int, upstreams: list[int]) -> Path:
    """deploy/nginx/secretariaat.conf as it is, with this machine's ports, certificate and
    paths put in, inside a minimal nginx.conf."""
    site = (DEPLOY / "nginx" / "secretariaat.conf").read_text(encoding="utf-8")
    site = site.replace("server 127.0.0.1:8001", f"server 127.0.0.1:{upstreams[0]}")
    site = site.replace("server 127.0.0.1:8002", f"server 127.0.0.1:{upstreams[1]}")
    site = re.sub(r"listen \[::\]:\d+[^;]*;\n", "", site)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{free_port()};")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port} ssl http2;")
    site = site.replace("/etc/ssl/secretariaat/fullchain.pem", str(state / "server.pem"))
    site = site.replace("/etc/ssl/secretariaat/privkey.pem", str(state / "server-key.pem"))
    site = site.replace("secretariaat.gemeente.example", "127.0.0.1")
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events { worker_connections 64; }\n"
        f"http {{\n  access_log {tmp_path}/access.log;\n"
        f"  client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy;\n"
        f"  fastcgi_temp_path {tmp_path}/fcgi; uwsgi_temp_path {tmp_path}/uwsgi;\n"
        f"  scgi_temp_path {tmp_path}/scgi;\n{site}\n}}\n",
        encoding="utf-8",
    )
    return conf


def start(args: list[str], environ: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    out = log.open("wb")
    return subprocess.Popen(args, env=environ, stdout=out, stderr=out, start_new_session=True)


def stop(process: subprocess.Popen[bytes], how: signal.Signals = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, how)
        process.wait(timeout=30)


def answering(url: str, tls: ssl.SSLContext, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{url}: its process exited"
        try:
            if httpx.get(url, verify=tls).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"nothing answers {url}")


def test_nginx_serves_two_instances_over_tls_and_skips_one_that_died(
    running: RunningSandbox,
    tenant: Tenant,
    env: dict[str, str],  # noqa: F811 - the fixture imported above
    pg_url: str,
    tmp_path: Path,
) -> None:
    nginx = needed("nginx")
    state = Path(running.info["ca_cert"]).parent
    ports, proxy = [free_port(), free_port()], free_port()
    conf = proxy_config(state, tmp_path, proxy, ports)
    checked = subprocess.run([nginx, "-t", "-c", str(conf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr

    shared = {**env, "SECRETARIAAT_DATABASE_URL": pg_url, "SECRETARIAAT_WORKER_IN_PROCESS": "false"}
    tls = ssl.create_default_context(cafile=running.info["ca_cert"])
    processes = []
    try:
        # as the units order it: migrations, then the instances and a worker
        migrated = subprocess.run([*CLI, "db", "upgrade"], env=shared, capture_output=True,
                                  text=True, timeout=120)  # fmt: skip
        assert migrated.returncode == 0, migrated.stderr
        for n, port in enumerate(ports):  # plain HTTP behind the proxy, as the units run them
            processes.append(start([*CLI, "serve", "--port", str(port), "--plain-http"],
                                   shared, tmp_path / f"api-{n}.log"))  # fmt: skip
        processes.append(start([*CLI, "worker", "--name", "w1"], shared, tmp_path / "w1.log"))
        for port, process in zip(ports, processes, strict=False):
            answering(f"http://127.0.0.1:{port}/healthz", tls, process)
        proxy_process = start([nginx, "-g", "daemon off;", "-c", str(conf)], shared,
                              tmp_path / "nginx.log")  # fmt: skip
        processes.append(proxy_process)
        base = f"https://127.0.0.1:{proxy}"
        answering(f"{base}/healthz", tls, proxy_process)

        me = {"Authorization": f"Bearer {tenant.user_token(SECRETARY_A)}"}
        # the first call on each instance is slow (MSAL, the keys, on-behalf-of): a minute
        seen = [httpx.get(f"{base}/api/v1/me", headers=me, verify=tls, timeout=60)
                for _ in range(4)]  # fmt: skip
        assert {r.status_code for r in seen} == {200}, [r.text for r in seen]
        assert seen[0].json()["upn"] == SECRETARY_A
        plain = httpx.get(f"http://127.0.0.1:{proxy}/healthz", verify=tls)
        assert plain.status_code == 400  # plain HTTP on the TLS port is refused

        stop(processes[0], signal.SIGKILL)  # one instance dies
        after = [httpx.get(f"{base}/api/v1/me", headers=me, verify=tls, timeout=60)
                 for _ in range(4)]  # fmt: skip
        assert {r.status_code for r in after} == {200}, [r.status_code for r in after]
    finally:
        for process in reversed(processes):
            stop(process)
