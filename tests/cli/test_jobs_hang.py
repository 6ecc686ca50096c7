"""Issue 19: ``secretariaat jobs run daily-overview`` against a fresh sandbox never hangs.

Fifty runs, in batches against fresh sandboxes (and fresh stores), each under a safety limit
far above what a run takes: the limit fails the test when a run hangs; it does not measure
how fast one is. One more run goes through the real command, process exit included.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from automations.clock import SetClock
from cli.main import app
from sandbox import clock as sandbox_clocks
from sandbox.app import SandboxConfig
from sandbox.server import start_in_thread
from server.operator import run_job_as_app
from server.settings import Settings
from tests.cli.commands import secretariaat
from tests.conftest import TODAY

RUNS = 50
SANDBOXES = 5
SAFETY_S = 60.0  # per run; a run takes about a second


async def test_daily_overview_fifty_times_against_fresh_sandboxes_never_hangs(
    tmp_path: Path,
) -> None:
    for n in range(SANDBOXES):
        tenant_clock = sandbox_clocks.SetClock.on_day(TODAY)
        config = SandboxConfig(state_dir=tmp_path / f"sandbox{n}", today=TODAY, clock=tenant_clock)
        sandbox = start_in_thread(config)
        try:
            clock = SetClock(tenant_clock.now())
            settings = Settings(
                sandbox_state=Path(sandbox.info["ca_cert"]).parent,
                database_url=f"sqlite+aiosqlite:///{tmp_path / f'store{n}.sqlite3'}",
                clock=clock.now().isoformat(),
            )
            for i in range(RUNS // SANDBOXES):
                run = run_job_as_app(settings, "daily-overview", clock=clock)
                try:
                    report = await asyncio.wait_for(run, SAFETY_S)
                except TimeoutError:
                    pytest.fail(f"daily-overview hung (sandbox {n}, run {i})")
                assert report.status == "done", report.mailboxes
        finally:
            sandbox.stop()


def test_the_command_against_a_fresh_sandbox_finishes_and_exits(env: dict[str, str]) -> None:
    done = secretariaat(env, "jobs", "run", "daily-overview")  # hangs: TimeoutExpired (120 s)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Dagoverzicht (daily-overview): klaar in" in done.stdout


def test_a_mailbox_out_of_time_is_named_and_the_command_fails(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from automations.jobs.runner import RunReport

    late = {"mailbox": "ingrid.zwanenburg@zeeveen.nl", "status": "timed_out", "counts": {},
            "actions": [], "error": "Time-out: niet klaar binnen 120 s; de volgende run maakt"
            " het af."}  # fmt: skip
    fine = {"mailbox": "bas.kuipers@zeeveen.nl", "status": "ok", "counts": {"sent": 1},
            "actions": [], "error": None}  # fmt: skip
    now = dt.datetime(2026, 11, 24, 17, tzinfo=dt.UTC)
    report = RunReport("r", "daily-overview", "cli:x", "cli", False, "partial", now, now, 120.0,
                       {"timed_out": 1}, [late, fine])  # fmt: skip

    async def run_job_as_app(*_args: object, **_kwargs: object) -> RunReport:
        return report

    monkeypatch.setattr("server.operator.run_job_as_app", run_job_as_app)
    result = CliRunner().invoke(app, ["jobs", "run", "daily-overview"], env=env)
    assert result.exit_code == 4
    assert "time-out" in result.output and "Time-out: niet klaar binnen 120 s" in result.output
    assert "timed_out" not in result.output  # the stored word is for --json
    assert "Time-out voor ingrid.zwanenburg@zeeveen.nl" in result.output
