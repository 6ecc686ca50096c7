"""``secretariaat agenda clear --window``: a quick choice from the clock, both executives a
secretary serves in one go, and the report per day with what happened to each item."""

from __future__ import annotations

import json

from tests.cli.commands import secretariaat
from tests.dates import TODAY, dutch_day, local, next_working_day, seed_day
from tests.sandbox.people import BURGEMEESTER, GEMEENTESECRETARIS, SECRETARY_A


def test_a_quick_choice_for_both_executives_lists_each_by_day(env: dict[str, str]) -> None:
    args = ["agenda", "clear", "--mailbox", BURGEMEESTER, "--mailbox", GEMEENTESECRETARIS,
            "--window", "morgenochtend", "--actor", SECRETARY_A, "--dry-run"]  # fmt: skip
    shown = secretariaat(env, *args, "--json")
    assert shown.returncode == 0, shown.stderr
    group = json.loads(shown.stdout)
    morning = next_working_day(TODAY)
    assert group["start"] == local(morning, 8).isoformat()
    assert group["end"] == local(morning, 12).isoformat()
    assert [r["mailbox"] for r in group["reports"]] == [BURGEMEESTER, GEMEENTESECRETARIS]

    friday = ["--start", f"{seed_day('fri')}T00:00", "--end", f"{seed_day('sat')}T00:00"]
    text = secretariaat(env, "agenda", "clear", "--mailbox", BURGEMEESTER, *friday,
                        "--actor", SECRETARY_A, "--dry-run")  # fmt: skip
    assert text.returncode == 0, text.stderr
    assert dutch_day(seed_day("fri")) in text.stdout.splitlines()
    assert "00:00" not in text.stdout.split("operatie")[0]


def test_a_window_that_cannot_be_cleared_exits_with_one_dutch_line(env: dict[str, str]) -> None:
    args = ["agenda", "clear", "--mailbox", BURGEMEESTER, "--actor", SECRETARY_A, "--dry-run",
            "--start", f"{seed_day('fri')}T10:00", "--end", f"{seed_day('fri')}T09:00"]  # fmt: skip
    refused = secretariaat(env, *args)
    assert refused.returncode != 0 and refused.stderr.count("\n") == 1
    assert "einde na het begin" in refused.stderr
