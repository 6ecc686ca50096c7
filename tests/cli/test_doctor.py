"""``secretariaat doctor`` against the sandbox tenant: as seeded every check is in order, and
each seeded mistake fails its own check with its fix, exit code 1, in the JSON and in the text
(the verdicts alone, on facts made up: tests/automations/doctor)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from automations.doctor import LABELS
from sandbox.server import RunningSandbox
from tests.cli.commands import secretariaat
from tests.sandbox.people import (
    GEMEENTESECRETARIS,
    SECRETARY_A_FRIDAY,
    SECRETARY_B,
    WETHOUDERS,
)
from tests.sandbox.test_mailbox_permissions import delegate_rights
from tests.server.test_identity import changed_in_directory

BASE = "https://127.0.0.1:8443"  # the backend's default address, as the demo app registers it
REDIRECT_URIS = ("brk-multihub://127.0.0.1:8443", f"{BASE}/pane/aanmelden/dialoog",
                 f"{BASE}/goedkeuren")  # fmt: skip
INHERENT: dict[str, str] = {}  # nothing is out of order on the seeded tenant


@contextmanager
def changed_app(running: RunningSandbox, **changes: Any) -> Iterator[dict[str, Any]]:
    """The demo app's registration changed in the sandbox (its roles, its RBAC scope) as an
    Entra or Exchange admin would, put back afterwards: the sandbox serves the module."""
    sandbox = running.app.state.sandbox
    client_id = running.info["client_id"]
    record = sandbox.store.get(client_id, "app")
    assert record is not None
    original = dict(record.data)
    sandbox.directory.save_app(original | changes)
    sandbox.directory.reload()
    try:
        yield original
    finally:
        sandbox.directory.save_app(original)
        sandbox.directory.reload()


def user_id(running: RunningSandbox, upn: str) -> str:
    return str(running.app.state.sandbox.directory.user(upn)["id"])


@pytest.fixture
def migrated(env: dict[str, str]) -> dict[str, str]:
    """The environment with the store migrated, as README step 7 does before anything else."""
    result = secretariaat(env, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    return env


def doctor(env: dict[str, str]) -> tuple[int, dict[str, dict[str, Any]]]:
    result = secretariaat(env, "doctor", "--json")
    assert result.stderr == "", result.stderr
    checks = json.loads(result.stdout)
    assert [c["check"] for c in checks] == list(LABELS)
    assert all(set(c) == {"check", "status", "message", "fix"} for c in checks)
    return result.returncode, {c["check"]: c for c in checks}


def not_ok(checks: dict[str, dict[str, Any]]) -> dict[str, str]:
    return {name: c["status"] for name, c in checks.items() if c["status"] != "ok"}


def test_the_seeded_sandbox_is_in_order(migrated: dict[str, str]) -> None:
    code, checks = doctor(migrated)

    assert not_ok(checks) == INHERENT, checks
    assert code == 0
    assert all(c["fix"] is None for c in checks.values())
    registered = checks["app-redirect-uris"]["message"]
    assert all(uri in registered for uri in REDIRECT_URIS)
    assert "Application ID URI van de app-registratie" in checks["app-audience"]["message"]


def test_the_text_gives_each_verdict_in_dutch(migrated: dict[str, str]) -> None:
    result = secretariaat(migrated, "doctor")

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("in orde") and "App-token:" in line for line in lines)
    assert any(line.startswith("in orde") and "Redirect-URI's:" in line for line in lines)
    assert lines[-1] == f"{len(LABELS)} in orde, 0 waarschuwingen, 0 fouten."


def test_a_redirect_uri_missing_from_the_registration_fails(
    running: RunningSandbox, migrated: dict[str, str]
) -> None:
    spa = [u for u in current(running, "spaRedirectUris") if not u.endswith("/goedkeuren")]
    with changed_app(running, spaRedirectUris=spa):
        code, checks = doctor(migrated)
        text = secretariaat(migrated, "doctor")

    assert not_ok(checks) == INHERENT | {"app-redirect-uris": "fail"}, checks
    assert code == 1 and text.returncode == 1
    found = checks["app-redirect-uris"]
    assert found["message"] == (
        "Niet in de app-registratie als toepassing met één pagina:"
        f" {BASE}/goedkeuren (de goedkeuringspagina op de telefoon)."
    )
    assert found["fix"] == (
        "Entra → App-registraties → (de app) → Verificatie → Platform toevoegen → Toepassing met"
        f" één pagina: voeg {BASE}/goedkeuren toe (README stap 4)."
    )
    lines = text.stdout.splitlines()
    assert any(line.startswith("fout") and "Redirect-URI's:" in line for line in lines)
    assert f"{'':<14}Oplossing: {found['fix']}" in lines


def test_without_application_read_all_the_redirect_uris_are_a_warning_to_check_by_hand(
    running: RunningSandbox, migrated: dict[str, str]
) -> None:
    roles = [r for r in current(running, "applicationPermissions") if r != "Application.Read.All"]
    with changed_app(running, applicationPermissions=roles):
        code, checks = doctor(migrated)

    assert not_ok(checks) == INHERENT | {"app-redirect-uris": "warn"}, checks
    assert code == 0
    found = checks["app-redirect-uris"]
    assert found["message"].startswith(
        "Niet gecontroleerd: de app mag haar eigen registratie niet lezen (zonder"
        " Application.Read.All)."
    )
    assert all(uri in found["message"] and uri in found["fix"] for uri in REDIRECT_URIS)
    assert "toepassingsmachtiging Application.Read.All (optioneel" in found["fix"]
    # The audience falls back on README step 2's forms; the roles do not miss the optional one.
    assert "Application ID URI van de app-registratie" not in checks["app-audience"]["message"]
    assert "Application.Read.All" not in checks["app-roles"]["message"]


def test_a_secretary_without_rights_on_her_executives_calendar_fails(
    running: RunningSandbox, migrated: dict[str, str]
) -> None:
    with delegate_rights(running, GEMEENTESECRETARIS, SECRETARY_A_FRIDAY, {"mail": "editor"}):
        code, checks = doctor(migrated)

    assert not_ok(checks) == INHERENT | {"calendar-delegates": "fail"}, checks
    assert code == 1
    found = checks["calendar-delegates"]
    assert "Ellen Dijkhuis" in found["message"] and "Maarten Oosterveld" in found["message"]
    assert (
        f'Add-MailboxFolderPermission -Identity "{GEMEENTESECRETARIS}:\\Agenda"'
        f" -User {SECRETARY_A_FRIDAY} -AccessRights Editor"
    ) in found["fix"]


def test_a_secretary_who_may_only_read_the_calendar_fails_with_set(
    running: RunningSandbox, migrated: dict[str, str]
) -> None:
    rights = {"mail": "editor", "calendar": "reviewer"}
    with delegate_rights(running, GEMEENTESECRETARIS, SECRETARY_A_FRIDAY, rights):
        code, checks = doctor(migrated)

    assert code == 1 and checks["calendar-delegates"]["status"] == "fail"
    assert "alleen read" in checks["calendar-delegates"]["message"]
    assert "Set-MailboxFolderPermission" in checks["calendar-delegates"]["fix"]


def test_an_executive_outside_the_apps_rbac_scope_fails(
    running: RunningSandbox, migrated: dict[str, str]
) -> None:
    outside = WETHOUDERS[2]
    scope = [i for i in current(running, "rbacScope") if i != user_id(running, outside)]
    with changed_app(running, rbacScope=scope):
        code, checks = doctor(migrated)

    assert code == 1
    found = checks["rbac-executives"]
    assert found["status"] == "fail", checks
    assert outside in found["message"] and "geweigerd" in found["message"]
    assert (
        f'Add-DistributionGroupMember -Identity "Secretariaat-Bestuurders" -Member {outside}'
        in (found["fix"])
    )
    # What cannot be read of his mailbox is said, not guessed: a warning, not a second failure.
    assert not_ok(checks) == INHERENT | {
        "rbac-executives": "fail",
        "calendar-delegates": "warn",
        "calendar-working-hours": "warn",
    }


def test_an_rbac_scope_that_reaches_a_secretary_fails(
    running: RunningSandbox, migrated: dict[str, str]
) -> None:
    """The sample is the first secretaries on the roster (Ellen Dijkhuis, Karin Molenaar)."""
    scope = [*current(running, "rbacScope"), user_id(running, SECRETARY_A_FRIDAY)]
    with changed_app(running, rbacScope=scope):
        code, checks = doctor(migrated)

    assert not_ok(checks) == INHERENT | {"rbac-outside": "fail"}, checks
    assert code == 1
    assert "Ellen Dijkhuis" in checks["rbac-outside"]["message"]
    assert "New-ManagementScope" in checks["rbac-outside"]["fix"]


def test_a_missing_application_permission_fails(
    running: RunningSandbox, migrated: dict[str, str]
) -> None:
    roles = [r for r in current(running, "applicationPermissions") if r != "Place.Read.All"]
    with changed_app(running, applicationPermissions=roles):
        code, checks = doctor(migrated)

    assert not_ok(checks) == INHERENT | {"app-roles": "fail"}, checks
    assert code == 1
    assert "Place.Read.All" in checks["app-roles"]["message"]
    assert "API-machtigingen" in checks["app-roles"]["fix"]
    assert "Place.Read.All" in checks["app-roles"]["fix"]


def test_a_disabled_secretary_on_the_roster_fails(
    running: RunningSandbox, migrated: dict[str, str]
) -> None:
    with changed_in_directory(running, SECRETARY_B, accountEnabled=False):
        code, checks = doctor(migrated)

    assert not_ok(checks) == INHERENT | {"roster-directory": "fail"}, checks
    assert code == 1 and "Karin Molenaar" in checks["roster-directory"]["message"]


def test_a_store_never_migrated_fails(env: dict[str, str]) -> None:
    code, checks = doctor(env)

    assert not_ok(checks) == INHERENT | {"store-migrations": "fail"}, checks
    assert code == 1 and "secretariaat db upgrade" in checks["store-migrations"]["fix"]


def test_a_wrong_client_secret_fails_the_token_and_says_why(
    migrated: dict[str, str], tmp_path: Path, running: RunningSandbox
) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / "connection.json").write_text(
        json.dumps(running.info | {"client_secret": "niet-het-geheim"})
    )
    code, checks = doctor(migrated | {"SECRETARIAAT_SANDBOX_STATE": str(state)})

    assert code == 1 and checks["app-token"]["status"] == "fail"
    assert "invalid_client" in checks["app-token"]["message"]
    assert "SECRETARIAAT_CLIENT_SECRET" in checks["app-token"]["fix"]
    assert checks["rbac-executives"]["status"] == "warn"  # not asked without a token


def current(running: RunningSandbox, field: str) -> list[str]:
    """A list in the demo app's registration now: its ``rbacScope`` (object ids),
    ``applicationPermissions`` (its token's roles) or ``spaRedirectUris``."""
    record = running.app.state.sandbox.store.get(running.info["client_id"], "app")
    return list(record.data[field])
