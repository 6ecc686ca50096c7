"""The permissions the product really uses are the ones the README tells IT to grant.

The sandbox checks every request against the permission its endpoint takes and records the
one that let it in (``sandbox/permissions.py``); after the whole suite has run, that list
must equal the app registration the README describes (steps 5 and 6), the demo tenant's
grants and the add-in manifest's scopes. A permission the code starts to use, or stops
using, fails here until the README says so.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from sandbox.permissions import PermissionLog
from sandbox.seed.loader import DEFAULT_PATH

ROOT = Path(__file__).resolve().parents[1]
_PERMISSION = re.compile(r"`([A-Z][A-Za-z]+\.[A-Za-z.]+)`")
_ROLE = re.compile(r'"Application ([A-Za-z.]+)"')
# The Exchange roles of RBAC for Applications: granted in Exchange, scoped to the mailboxes.
_EXCHANGE = ("Mail.", "Calendars.", "MailboxSettings.", "Contacts.")


def _step(n: int) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index(f"\n{n}. **")
    return readme[start : readme.index(f"\n{n + 1}. **", start)]


def readme_delegated() -> set[str]:
    return set(_PERMISSION.findall(_step(5)))


def readme_application() -> set[str]:
    return set(_PERMISSION.findall(_step(6)))


def readme_exchange_roles() -> set[str]:
    return set(_ROLE.findall(_step(6)))


def seed_app() -> dict[str, list[str]]:
    seed = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    app: dict[str, list[str]] = seed["apps"][0]
    return app


def manifest_scopes() -> set[str]:
    ns = {"o": "http://schemas.microsoft.com/office/mailappversionoverrides/1.1"}
    tree = ET.parse(ROOT / "addin" / "manifest.xml")
    scopes = {s.text or "" for s in tree.getroot().iterfind(".//o:Scopes/o:Scope", ns)}
    return scopes - {"openid", "profile", "offline_access", "email"}


def test_the_readme_the_demo_tenant_and_the_manifest_grant_the_same_permissions() -> None:
    app = seed_app()
    assert readme_delegated() == set(app["delegated_permissions"])
    assert readme_application() == set(app["application_permissions"])
    assert manifest_scopes() == readme_delegated()
    exchange = {p for p in readme_application() if p.startswith(_EXCHANGE)}
    assert readme_exchange_roles() == exchange, "step 6's role assignments miss a permission"


def test_the_suite_used_every_permission_the_readme_lists_and_no_other(
    request: pytest.FixtureRequest, permission_log: PermissionLog
) -> None:
    """Runs last (tests/conftest.py), and only when the whole suite ran."""
    if not request.config.stash.get(WHOLE_SUITE, False):
        pytest.skip("only a run of the whole suite sees every permission the product uses")
    app = seed_app()
    where = {
        f"{kind} {name}": sorted(endpoints)[:3]
        for (who, kind, name), endpoints in permission_log.used.items()
        if who == app["client_id"]
    }
    for kind, readme in (("delegated", readme_delegated()), ("application", readme_application())):
        used = permission_log.permissions(app["client_id"], kind)
        assert used == readme, f"{kind}: used {sorted(used)}, README {sorted(readme)}: {where}"
        spare = permission_log.superfluous(app["client_id"], kind, readme)
        assert not spare, f"{kind}: every request would have passed without {sorted(spare)}"


WHOLE_SUITE = pytest.StashKey[bool]()
