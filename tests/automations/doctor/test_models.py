"""The permissions the doctor expects are the README's (step 6)."""

from __future__ import annotations

from automations.doctor.models import ENTRA_ROLES, EXCHANGE_ROLES, OPTIONAL_ROLES
from tests.test_permissions_used import readme_application, readme_exchange_roles


def test_the_doctor_asks_for_exactly_the_application_permissions_of_the_readme() -> None:
    assert {*ENTRA_ROLES, *EXCHANGE_ROLES, *OPTIONAL_ROLES} == readme_application()
    assert set(EXCHANGE_ROLES) == readme_exchange_roles()
