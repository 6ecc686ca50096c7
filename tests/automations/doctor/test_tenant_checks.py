"""The app token's roles against README step 6, and the shared "not checked" verdicts."""

from __future__ import annotations

from automations.doctor.models import ENTRA_ROLES, OPTIONAL_ROLES, TokenFacts
from automations.doctor.tenant_checks import NO_TOKEN, no_token
from tests.automations.doctor.facts import facts, verdicts


def test_a_tenant_tokens_exchange_roles_reach_every_mailbox() -> None:
    token = TokenFacts(True, frozenset({*ENTRA_ROLES, "Mail.ReadWrite"}))
    found = verdicts(facts(token=token))["app-roles"]
    assert found.status == "warn" and "Mail.ReadWrite" in found.message
    assert "RBAC for Applications" in (found.fix or "")


def test_sites_selected_does_not_stand_in_for_sites_readwrite_all_yet() -> None:
    """The meeting folders find their library with /sites?search=, which it does not allow."""
    roles = {*ENTRA_ROLES, "Sites.Selected"} - {"Sites.ReadWrite.All"}
    found = verdicts(facts(token=TokenFacts(True, frozenset(roles))))["app-roles"]
    assert found.status == "fail" and "Sites.ReadWrite.All" in found.message


def test_a_role_missing_in_entra_fails_with_the_entra_fix() -> None:
    token = TokenFacts(True, frozenset(ENTRA_ROLES) - {"User.Read.All"})
    found = verdicts(facts(token=token))["app-roles"]
    assert found.status == "fail" and "User.Read.All" in found.message
    assert "beheerderstoestemming" in (found.fix or "")


def test_application_read_all_is_optional_neither_missing_nor_more_than_needed() -> None:
    without = verdicts(facts(token=TokenFacts(True, frozenset(ENTRA_ROLES))))["app-roles"]
    granted = verdicts(facts(token=TokenFacts(True, frozenset({*ENTRA_ROLES, *OPTIONAL_ROLES}))))
    assert without.status == "ok" and "optioneel" not in without.message
    assert granted["app-roles"].status == "ok"
    assert "Application.Read.All is optioneel" in granted["app-roles"].message


def test_a_role_beyond_the_readme_is_more_than_needed() -> None:
    token = TokenFacts(True, frozenset({*ENTRA_ROLES, "Directory.Read.All"}))
    found = verdicts(facts(token=token))["app-roles"]
    assert found.status == "warn" and "meer dan nodig: Directory.Read.All" in found.message


def test_without_a_token_the_graph_checks_say_so_in_one_shape() -> None:
    found = verdicts(facts(token=TokenFacts(False, error="Entra ID weigert (invalid_client)")))
    for name in ("app-roles", "rbac-executives", "calendar-delegates", "roster-directory"):
        assert found[name] == no_token(name)
    assert no_token("x").message == NO_TOKEN
    assert NO_TOKEN == "Niet gecontroleerd: de app kreeg geen token (zie App-token)."
    assert no_token("x").fix == "Los eerst App-token op."
