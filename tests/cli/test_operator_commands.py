"""Operator commands act with the app's identity, but only as far as --actor may."""

from __future__ import annotations

import json

from tests.cli.commands import audit_rows, secretariaat
from tests.sandbox.people import BURGEMEESTER, GEMEENTESECRETARIS, SECRETARY_A, SECRETARY_B


def test_an_operator_lists_what_the_secretary_may_open(env: dict[str, str]) -> None:
    result = secretariaat(env, "mailboxes", "--actor", SECRETARY_A, "--json")
    assert result.returncode == 0, result.stderr
    assert {m["upn"] for m in json.loads(result.stdout)} == {BURGEMEESTER, GEMEENTESECRETARIS}
    assert (SECRETARY_A, "operator.mailboxes", "success") in audit_rows(env)


def test_an_operator_cannot_reach_beyond_the_actors_team(env: dict[str, str]) -> None:
    result = secretariaat(env, "mailboxes", "--actor", SECRETARY_B, "--mailbox", BURGEMEESTER)
    assert result.returncode == 3
    assert result.stderr.strip().count("\n") == 0
    assert "Karin Molenaar werkt niet voor Ingrid Zwanenburg" in result.stderr  # by name
    assert (SECRETARY_B, "operator.mailboxes", "denied") in audit_rows(env)


def test_the_actor_is_required(env: dict[str, str]) -> None:
    result = secretariaat(env, "mailboxes")
    assert result.returncode != 0 and "--actor" in result.stderr
