"""Issue 20: what the commands print for people is Dutch (statuses, counts, job names, with
correct plurals); what they print with ``--json`` keeps the stored words programs read."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from automations.calamity.models import ClearItem, ClearReport, group_of
from automations.jobs.catalog import COUNT_NOUNS, STATUS_LABELS, label_of
from automations.jobs.runner import RunReport
from automations.quicksteps.results import ActionResult, MessageResult
from cli.main import app
from tests.cli.commands import secretariaat
from tests.sandbox.people import BURGEMEESTER, GEMEENTESECRETARIS, SECRETARY_A

ENGLISH = re.compile(
    r"\b(done|partial|failed|running|timed_out|out_of_scope|not_run|preview|released|expired"
    r"|requests|mailboxes|error|field required|value error|input should)\b",
    re.IGNORECASE,
)
NOW = dt.datetime(2026, 11, 24, 7, tzinfo=dt.UTC)
DEMO_ROSTER = Path(__file__).resolve().parents[2] / "automations" / "roster" / "demo.yaml"


def _mailbox(upn: str, status: str, counts: dict[str, int], error: str | None = None) -> Any:
    return {"mailbox": upn, "status": status, "counts": counts, "actions": [], "error": error}


def _run_job(monkeypatch: pytest.MonkeyPatch, report: RunReport, env: dict[str, str],
             *args: str) -> Any:  # fmt: skip
    async def run_job_as_app(*_args: object, **_kwargs: object) -> RunReport:
        return report

    monkeypatch.setattr("server.operator.run_job_as_app", run_job_as_app)
    return CliRunner().invoke(app, ["jobs", "run", report.job, *args], env=env)


def test_a_partly_failed_job_run_reads_in_dutch_with_its_label_and_counts(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ok = _mailbox(BURGEMEESTER, "ok", {"requests": 3, "expired": 1, "released": 1})
    late = _mailbox(GEMEENTESECRETARIS, "timed_out", {"timed_out": 1},
                    "Time-out: niet klaar binnen 120 s; de volgende run maakt het af.")  # fmt: skip
    report = RunReport("r", "expired-holds", "cli:x", "cli", False, "partial", NOW, NOW, 2.5,
                       {"mailboxes": 2, "failed": 1}, [ok, late])  # fmt: skip
    result = _run_job(monkeypatch, report, env)
    assert result.exit_code == 4
    lines = result.output.splitlines()
    assert lines[-1] == (
        f"{label_of('expired-holds')} (expired-holds): {STATUS_LABELS['partial']} in 2,5 s"
        " (2 postvakken, 1 mislukt)"
    )
    assert "3 Graph-verzoeken, 1 verlopen optie, 1 vrijgegeven" in lines[0]
    assert "klaar" in lines[0] and "time-out" in lines[1] and "1 time-out" in lines[1]
    # The job's own technical name stays (for cron); no other English word is printed.
    assert not ENGLISH.search(result.output.replace("(expired-holds)", ""))


def test_a_job_run_that_went_well_says_klaar_for_one_mailbox(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fine = _mailbox(BURGEMEESTER, "ok", {"sent": 1})
    report = RunReport("r", "daily-overview", "cli:x", "cli", False, "done", NOW, NOW, 1.0,
                       {"mailboxes": 1, "failed": 0}, [fine])  # fmt: skip
    result = _run_job(monkeypatch, report, env, "--mailbox", BURGEMEESTER)
    assert result.exit_code == 0, result.output
    assert (
        result.output.splitlines()[-1]
        == "Dagoverzicht (daily-overview): klaar in 1,0 s (1 postvak)"
    )
    assert "1 verstuurd" in result.output


def test_json_keeps_the_stored_words(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    late = _mailbox(BURGEMEESTER, "timed_out", {"timed_out": 1}, "Time-out")
    report = RunReport("r", "conflicts", "cli:x", "cli", False, "failed", NOW, NOW, 1.0,
                       {"mailboxes": 1, "failed": 1}, [late])  # fmt: skip
    result = _run_job(monkeypatch, report, env, "--json")
    shown = json.loads(result.output)
    assert shown["status"] == "failed" and shown["mailboxes"][0]["status"] == "timed_out"
    assert shown["job"] == "conflicts"


def test_every_count_a_job_keeps_has_a_dutch_noun() -> None:
    jobs = Path(__file__).resolve().parents[2] / "automations" / "jobs"
    counted = {
        m.group(1)
        for source in jobs.glob("*.py")
        for m in re.finditer(r"\.count\(\s*\"([a-z_]+)\"", source.read_text(encoding="utf-8"))
    }
    assert counted and counted <= COUNT_NOUNS.keys(), counted - COUNT_NOUNS.keys()


def test_a_quick_step_applied_from_a_script_shows_each_action_in_dutch(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    found = [MessageResult("m1", "Uitnodiging", [
        ActionResult("mark_read", "Markeren als gelezen", "done"),
        ActionResult("move", "Verplaatsen naar Archief", "failed", "De map bestaat niet meer."),
        ActionResult("flag", "Markering: morgen", "not_run"),
    ])]  # fmt: skip

    async def quickstep_as_operator(*_args: object, **_kwargs: object) -> Any:
        return found

    monkeypatch.setattr("server.operator.quickstep_as_operator", quickstep_as_operator)
    args = ["quicksteps", "apply", "--mailbox", BURGEMEESTER, "--message", "m1",
            "--actor", SECRETARY_A, "--step", "Afgehandeld"]  # fmt: skip
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 4
    assert re.search(r"^  gedaan\s+Markeren als gelezen$", result.output, re.MULTILINE)
    assert re.search(r"^  mislukt\s+Verplaatsen naar Archief: De map", result.output, re.MULTILINE)
    assert re.search(r"^  niet uitgevoerd\s+Markering: morgen$", result.output, re.MULTILINE)
    assert not ENGLISH.search(result.output)


def test_a_calamity_clear_preview_names_its_status_in_dutch(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    item = ClearItem("e1", "Overleg", "2026-11-24T14:00:00", "2026-11-24T15:00:00", "cancel",
                     "zij organiseert")  # fmt: skip
    report = ClearReport("op-1", BURGEMEESTER, item.start, item.end, "preview", [item])
    monkeypatch.setattr("cli.agenda.run_flow", lambda work: group_of("op-1", [report]))
    args = ["agenda", "clear", "--mailbox", BURGEMEESTER, "--actor", SECRETARY_A,
            "--window", "vandaag", "--dry-run"]  # fmt: skip
    result = CliRunner().invoke(app, args, env=env)
    assert "operatie op-1: voorbeeld, nog niets gewijzigd" in result.output
    assert not ENGLISH.search(result.output)


def test_roster_validate_says_ok_for_the_demo_roster(env: dict[str, str]) -> None:
    result = secretariaat(env, "roster", "validate", str(DEMO_ROSTER))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{DEMO_ROSTER}: in orde, 10 teamleden"


def test_roster_validate_names_every_problem_with_its_line_in_dutch(
    env: dict[str, str], tmp_path: Path
) -> None:
    text = DEMO_ROSTER.read_text(encoding="utf-8")
    text = text.replace("role: admin}", "role: beheerder}")  # line 15
    text = text.replace(  # line 17: she serves someone who is not on the roster
        "monique.verschuren@zeeveen.nl: [ingrid",
        "monique.verschuren@zeeveen.nl: [nobody@zeeveen.nl, ingrid",
    )
    bad = tmp_path / "rooster.yaml"
    bad.write_text(text, encoding="utf-8")
    result = secretariaat(env, "roster", "validate", str(bad))
    assert result.returncode == 1
    problems = result.stderr.splitlines()
    assert problems == [
        f"{bad}: regel 15, members[9].role: ongeldige waarde 'beheerder'; kies uit 'secretary',"
        " 'executive' of 'admin' (bij Dennis Vos)",
    ]
    text = text.replace("role: beheerder}", "role: admin}")
    bad.write_text(text, encoding="utf-8")
    result = secretariaat(env, "roster", "validate", str(bad))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{bad}: regel 17, serves.monique.verschuren@zeeveen.nl[0]: nobody@zeeveen.nl staat niet"
        " in het rooster; voeg die eerst toe onder members",
    ]
