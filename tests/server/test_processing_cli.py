"""``secretariaat post``: the burgemeester's mail nobody has handled, printed for an operator
acting as her secretary; another team's secretary is refused by name."""

from __future__ import annotations

import json

from tests.cli.commands import secretariaat
from tests.cli.conftest import env  # noqa: F401 - the command's environment
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, SECRETARY_B
from tests.server.test_quicksteps_api import new_message


async def test_post_lists_new_mail(env: dict[str, str], tenant) -> None:  # noqa: F811
    await new_message(tenant, "Vraag via de CLI")
    result = secretariaat(env, "post", BURGEMEESTER, "--actor", SECRETARY_A)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Ingrid Zwanenburg: ")
    assert "nog niet verwerkt sinds" in result.stdout and "Vraag via de CLI" in result.stdout
    as_json = secretariaat(env, "post", BURGEMEESTER, "--actor", SECRETARY_A, "--json")
    assert json.loads(as_json.stdout)["count"] >= 1


def test_post_refuses_another_team(env: dict[str, str]) -> None:  # noqa: F811
    result = secretariaat(env, "post", BURGEMEESTER, "--actor", SECRETARY_B)
    assert result.returncode == 3
    assert "Karin Molenaar werkt niet voor Ingrid Zwanenburg" in result.stderr
