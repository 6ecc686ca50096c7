"""Every audit action the code records has a Dutch label for Beheer."""

from __future__ import annotations

import re
from pathlib import Path

from automations.audit.labels import LABELS, QUICKSTEP_ACTIONS, label_of
from automations.quicksteps.registry import ACTION_TYPES

ROOT = Path(__file__).resolve().parents[3]
NAME = re.compile(r"""["']((?:[a-z]+)\.[a-z_]+(?:\.[a-z_]+)?)["']""")
KINDS = ("quicksteps", "templates", "quickstep", "approval", "calamity", "backlog", "meetings",
         "roster", "queue", "dispatch", "job", "operator")  # fmt: skip


def recorded() -> set[str]:
    """The literal action names in the code that records audit entries."""
    found: set[str] = set()
    for path in [
        *ROOT.joinpath("automations").rglob("*.py"),
        *ROOT.joinpath("server").rglob("*.py"),
    ]:
        if path.name == "labels.py":
            continue
        found |= {n for n in NAME.findall(path.read_text(encoding="utf-8"))
                  if n.split(".")[0] in KINDS and not n.endswith((".py", ".html"))}  # fmt: skip
    return found


def test_every_recorded_action_has_a_label() -> None:
    names = {n for n in recorded() if not n.startswith(("operations.", "meetings.id"))}
    assert "job.run" in names and "quicksteps.publish" in names
    assert sorted(n for n in names if label_of(n) == n) == []


def test_each_quick_step_action_and_each_calamity_decision_has_one() -> None:
    assert set(QUICKSTEP_ACTIONS) == set(ACTION_TYPES)
    assert label_of("quickstep.move") == "Snelle stap: verplaatst"
    for decision in ("cancel", "decline", "remove"):
        assert f"calamity.{decision}" in LABELS
    assert label_of("iets.nieuws") == "iets.nieuws"
