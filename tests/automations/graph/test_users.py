"""The directory helper on the sandbox: every user, however many pages Graph needs."""

from __future__ import annotations

from automations.graph import GraphGateway, list_users, record_calls
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A

FIELDS = ["displayName", "userPrincipalName"]


async def test_every_user_is_listed_following_the_pages(
    gateway: GraphGateway, tenant: Tenant
) -> None:
    async with gateway.for_user(tenant.user_token(SECRETARY_A)) as graph:
        with record_calls() as whole:
            everyone = await list_users(graph, select=FIELDS)
        with record_calls() as paged:
            in_pages = await list_users(graph, select=FIELDS, top=5)
    assert len(whole) == 1 and len(paged) == -(-len(everyone) // 5) > 1
    assert [u.id for u in in_pages] == [u.id for u in everyone]
    assert BURGEMEESTER in {u.user_principal_name for u in everyone}
    assert everyone[0].job_title is None  # only what was selected
