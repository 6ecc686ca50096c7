"""A secretary's session keeps an executive's master category list with the app's identity:
Exchange opens mailbox settings to the owner and the app, never to a delegate."""

from __future__ import annotations

import uuid

import pytest

from automations.errors import AccessDenied
from automations.graph import BatchRequest, GraphGateway
from automations.mailboxes.categories import ensure_categories
from automations.mailboxes.tagged import graph_one
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A


async def test_her_own_token_cannot_read_the_executives_list_but_her_session_keeps_it(
    gateway: GraphGateway, tenant: Tenant
) -> None:
    label = f"Label {uuid.uuid4().hex[:6]}"
    url = f"/users/{BURGEMEESTER}/outlook/masterCategories"
    async with gateway.for_user(tenant.user_token(SECRETARY_A)) as graph:
        with pytest.raises(AccessDenied):  # what Graph tells a delegate
            await graph_one(graph, BatchRequest("GET", url))
        assert await ensure_categories(graph, BURGEMEESTER, {label: "preset9"}, create=True) == [
            label
        ]
        assert await ensure_categories(graph, BURGEMEESTER, {label: "preset9"}, create=False) == []
    async with gateway.for_app() as app:
        listed = await graph_one(app, BatchRequest("GET", url))
    assert {"displayName": label, "color": "preset9"}.items() <= next(
        c for c in listed["value"] if c["displayName"] == label
    ).items()


async def test_a_list_out_of_the_apps_reach_is_skipped_and_the_work_goes_on(
    gateway: GraphGateway, tenant: Tenant
) -> None:
    # Her own mailbox lies outside the app's RBAC scope: the category then has no colour in
    # Outlook, which is no reason to stop a quick step.
    async with gateway.for_user(tenant.user_token(SECRETARY_A)) as graph:
        missing = await ensure_categories(graph, SECRETARY_A, {"Eigen": "preset1"}, create=True)
    assert missing == []
