"""What ``secretariaat doctor`` reads of a mailbox: who its calendar is shared with
(calendarPermissions), its settings (time zone, working hours) and whether the account is
enabled, through the real SDK, with the permissions and RBAC scope Exchange applies."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from msgraph.generated.models.o_data_errors.o_data_error import ODataError

from sandbox.server import RunningSandbox
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, SECRETARY_A_FRIDAY, SECRETARY_B


@contextmanager
def delegate_rights(
    running: RunningSandbox, owner: str, delegate: str, rights: dict[str, str]
) -> Iterator[None]:
    """The owner's delegate rights for one colleague changed, put back afterwards."""
    directory = running.app.state.sandbox.directory
    owner_id, delegate_id = directory.user(owner)["id"], directory.user(delegate)["id"]
    before = dict(directory.delegate_rights(owner_id, delegate_id))
    directory.save_delegate(owner_id, delegate_id, rights)
    directory.reload()
    try:
        yield
    finally:
        directory.save_delegate(owner_id, delegate_id, before)
        directory.reload()


async def permissions_of(tenant: Tenant, mailbox: str, upn: str | None = None) -> dict[str, Any]:
    async with tenant.raw(upn) as graph:
        resp = await graph.get(f"/users/{mailbox}/calendar/calendarPermissions")
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def test_the_app_lists_who_the_executives_calendar_is_shared_with(tenant: Tenant) -> None:
    found = await tenant.graph().users.by_user_id(BURGEMEESTER).calendar.calendar_permissions.get()

    assert found is not None and found.value is not None
    roles = {p.email_address.address: p.role.value for p in found.value if p.email_address}
    assert roles[SECRETARY_A] == "write" and roles[SECRETARY_A_FRIDAY] == "write"
    assert SECRETARY_B not in roles  # team B does not serve the burgemeester
    [organisation] = [p for p in found.value if p.is_removable is False]
    assert organisation.role.value == "freeBusyRead" and organisation.email_address.address is None


async def test_a_secretary_without_calendar_rights_is_not_listed(
    running: RunningSandbox, tenant: Tenant
) -> None:
    with delegate_rights(running, BURGEMEESTER, SECRETARY_A, {"mail": "editor"}):
        body = await permissions_of(tenant, BURGEMEESTER)
    addresses = {p["emailAddress"].get("address") for p in body["value"]}
    assert SECRETARY_A not in addresses and SECRETARY_A_FRIDAY in addresses


async def test_a_reviewer_reads_the_calendar_and_is_listed_as_read(
    running: RunningSandbox, tenant: Tenant
) -> None:
    with delegate_rights(running, BURGEMEESTER, SECRETARY_A, {"calendar": "reviewer"}):
        body = await permissions_of(tenant, BURGEMEESTER)
    [hers] = [p for p in body["value"] if p["emailAddress"].get("address") == SECRETARY_A]
    assert hers["role"] == "read" and hers["isRemovable"] is True


async def test_a_delegate_sees_an_empty_collection(tenant: Tenant) -> None:
    """Microsoft: "Getting the calendar permissions of a calendar on behalf of a sharee or
    delegate returns an empty calendar permissions collection." """
    body = await permissions_of(tenant, BURGEMEESTER, SECRETARY_A)
    assert body["value"] == []


async def test_the_owner_sees_her_own_calendar_permissions(tenant: Tenant) -> None:
    body = await permissions_of(tenant, BURGEMEESTER, BURGEMEESTER)
    assert SECRETARY_A in {p["emailAddress"].get("address") for p in body["value"]}


async def test_calendar_permissions_outside_the_apps_rbac_scope_are_refused(
    tenant: Tenant,
) -> None:
    with pytest.raises(ODataError) as err:
        await tenant.graph().users.by_user_id(SECRETARY_A).calendar.calendar_permissions.get()
    assert err.value.response_status_code == 403 and err.value.error.code == "ErrorAccessDenied"


async def test_the_app_reads_an_executives_time_zone_and_working_hours(tenant: Tenant) -> None:
    found = await tenant.graph().users.by_user_id(BURGEMEESTER).mailbox_settings.get()

    assert found is not None and found.time_zone == "W. Europe Standard Time"
    hours = found.working_hours
    assert hours is not None and hours.time_zone is not None
    assert hours.time_zone.name == "W. Europe Standard Time"
    assert [d.value for d in hours.days_of_week or []][:1] == ["monday"]


async def test_mailbox_settings_outside_the_apps_rbac_scope_are_refused(tenant: Tenant) -> None:
    async with tenant.raw() as graph:
        resp = await graph.get(f"/users/{SECRETARY_A}/mailboxSettings")
    assert (resp.status_code, resp.json()["error"]["code"]) == (403, "ErrorAccessDenied")


async def test_a_delegate_cannot_read_the_executives_mailbox_settings(tenant: Tenant) -> None:
    """MailboxSettings.* has no .Shared form: only the owner and the app read them (and the
    product's app registration asks no delegated MailboxSettings permission at all)."""
    async with tenant.raw(SECRETARY_A) as graph:
        theirs = await graph.get(f"/users/{BURGEMEESTER}/mailboxSettings")
    assert (theirs.status_code, theirs.json()["error"]["code"]) == (403, "ErrorAccessDenied")


async def test_the_directory_says_whether_an_account_is_enabled(
    running: RunningSandbox, tenant: Tenant
) -> None:
    directory = running.app.state.sandbox.directory
    original = dict(directory.user(SECRETARY_B))
    directory.save_user(original | {"accountEnabled": False})
    directory.reload()
    try:
        async with tenant.raw() as graph:
            off = await graph.get(f"/users/{SECRETARY_B}", params={"$select": "accountEnabled"})
            on = await graph.get(f"/users/{SECRETARY_A}", params={"$select": "accountEnabled"})
    finally:
        directory.save_user(original)
        directory.reload()
    assert off.json()["accountEnabled"] is False and on.json()["accountEnabled"] is True
