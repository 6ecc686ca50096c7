"""What the pane and the API say when Microsoft 365 fails: Dutch, never Graph's English, never a
mailbox address where the roster knows the person's name."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.sandbox.graphclients import DEFAULT_LIMITS, Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, SECRETARY_B
from tests.server.test_pane_pages import first_inbox_message

# What Graph and our transport say in English; none of it may reach a user.
ENGLISH = re.compile(
    r"Microsoft Graph|connection|was lost|did not answer|time limit|timed out|\$batch|"
    r"\b(GET|POST|PATCH|DELETE) /|Too Many Requests|Service Unavailable|throttl",
    re.IGNORECASE,
)
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def _visible(page: str) -> str:
    """The text a user reads in the pane's answer (attributes and scripts left out)."""
    page = re.sub(r"<script.*?</script>", " ", page, flags=re.DOTALL)
    return re.sub(r"<[^>]*>", " ", page)


@pytest.mark.parametrize("fault", ["drop", "503", "504", "429"])
async def test_a_graph_failure_reaches_the_pane_in_dutch(
    api: httpx.AsyncClient, login, tenant: Tenant, admin: httpx.Client, fault: str
) -> None:
    message = await first_inbox_message(tenant, BURGEMEESTER)
    failing = {"fault_rate": 1.0, "seed": 3, "fault_kinds": [fault], "retry_after_s": 0}
    admin.post("/limits", json=failing).raise_for_status()
    try:
        params = {"mailbox": BURGEMEESTER, "item": message["id"], "type": "message"}
        pane = await api.get("/pane/bericht/inhoud", params=params, headers=login(SECRETARY_A))
        json = await api.get(f"/api/v1/mailboxes/{BURGEMEESTER}/messages/{message['id']}",
                             headers=login(SECRETARY_A))  # fmt: skip
    finally:
        admin.post("/limits", json=DEFAULT_LIMITS).raise_for_status()
    assert pane.status_code in (429, 502, 503, 504), pane.text
    shown = _visible(pane.text)
    assert "Microsoft 365" in shown and 'role="alert"' in pane.text
    assert not ENGLISH.search(shown), ENGLISH.search(shown)
    assert not ADDRESS.search(shown)
    if json.status_code >= 400:  # the API's one error shape, with the same Dutch message
        said = json.json()["error"]
        assert set(said) == {"code", "message", "request_id"}
        assert not ENGLISH.search(said["message"]) and not ADDRESS.search(said["message"])


async def test_a_refusal_names_people_by_name_not_by_mailbox(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    message = await first_inbox_message(tenant, BURGEMEESTER)
    params = {"mailbox": BURGEMEESTER, "item": message["id"], "type": "message"}
    pane = await api.get("/pane/bericht/inhoud", params=params, headers=login(SECRETARY_B))
    assert pane.status_code == 403
    shown = _visible(pane.text)
    assert "Karin Molenaar werkt niet voor Ingrid Zwanenburg" in shown
    assert not ADDRESS.search(shown), ADDRESS.search(shown)
