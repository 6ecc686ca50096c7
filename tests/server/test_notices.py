"""The notice that tells an executive a draft waits for her: where it comes from, and that one
which cannot be sent is never silent (issue 19).

The app's own identity (the CLI) sends from the secretariat's shared mailbox, the only one
besides the executives' in its RBAC scope; a secretary's click sends from her own mailbox with
her sign-in. A notice that fails leaves the approval standing, and the API answer, the pane
and the work queue say "niet gemeld" until one reaches her.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from automations.clock import SetClock
from automations.context import Actor
from automations.errors import AccessDenied
from automations.replies import flows
from automations.replies.approvals import ApprovalView
from sandbox.server import RunningSandbox
from server.operator import Operator, flow_as_operator
from server.settings import DEMO_NOTICE_MAILBOX, Settings, SettingsError
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A
from tests.server.test_approvals_api import mail_from_hans, prepare
from tests.server.test_quicksteps_api import graph_get


@pytest.fixture
def app_settings(running: RunningSandbox, tmp_path: Path, clock: SetClock) -> Settings:
    """The CLI's settings on the backend's store, with a notice mailbox outside the app's
    scope: Monique's own, where the notice used to come from."""
    return Settings(
        sandbox_state=Path(running.info["ca_cert"]).parent,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'store.sqlite3'}",
        clock=clock.now().isoformat(),
        notice_mailbox=SECRETARY_A,
    )


async def a_draft(tenant: Tenant, subject: str) -> tuple[str, str, str]:
    """Monique made a reply draft in Outlook; returns (message, draft, exact subject)."""
    message_id, subject = await mail_from_hans(tenant, subject)
    async with tenant.raw(SECRETARY_A) as graph:
        made = await graph.post(
            f"/users/{BURGEMEESTER}/messages/{message_id}/createReply",
            json={"comment": "Dank voor uw bericht."},
        )
        made.raise_for_status()
    return message_id, made.json()["id"], subject


async def notices(tenant: Tenant, subject: str) -> list[dict[str, Any]]:
    escaped = f"Ter goedkeuring: RE: {subject}".replace("'", "''")
    url = (
        f"/users/{BURGEMEESTER}/mailFolders/inbox/messages?$filter=subject eq '{escaped}'"
        "&$select=id,from"
    )
    found: list[dict[str, Any]] = (await graph_get(tenant, url))["value"]
    return found


async def ask_as_the_app(settings: Settings, message_id: str, draft_id: str) -> ApprovalView:
    """What ``secretariaat approvals request`` does: the app's identity, acting as Monique."""

    async def work(op: Operator, who: Actor) -> ApprovalView:
        return await flows.request_approval(
            op.deps, op.graph, who, mailbox=BURGEMEESTER, draft_id=draft_id,
            message_id=message_id, operation_id=str(uuid.uuid4()),
            notice_from=op.settings.notice_sender(),
        )  # fmt: skip

    return await flow_as_operator(settings, SECRETARY_A, work)


async def queue_item(api: httpx.AsyncClient, login, approval_id: str) -> dict[str, Any]:
    resp = await api.get("/api/v1/queue", headers=login(SECRETARY_A))
    assert resp.status_code == 200, resp.text
    [item] = [i for i in resp.json()["items"] if i["key"] == f"approval:{approval_id}"]
    return item


async def test_a_notice_the_app_cannot_send_is_niet_gemeld_in_api_pane_and_queue_until_sent(
    api: httpx.AsyncClient, login, tenant: Tenant, app_settings: Settings
) -> None:
    message_id, draft_id, subject = await a_draft(tenant, "Niet gemeld")
    view = await ask_as_the_app(app_settings, message_id, draft_id)
    assert view.status == "waiting"
    assert view.notice_error is not None
    assert view.notice_error.startswith("melding niet verstuurd: de app mag niet verzenden")
    assert await notices(tenant, subject) == []

    # The API: the approval exists, and says she was not told.
    listed = await api.get("/api/v1/approvals", params={"status": "open"},
                           headers=login(SECRETARY_A))  # fmt: skip
    [shown] = [a for a in listed.json()["approvals"] if a["id"] == view.id]
    assert shown["notice_error"] == view.notice_error
    # The queue: "niet gemeld", with why and what to do.
    item = await queue_item(api, login, view.id)
    assert item["kind"] == "approval"
    assert item["action"].startswith("Niet gemeld")
    assert "RBAC for Applications" in item["detail"]
    page = await api.get("/pane/werkvoorraad/inhoud", params={"mailbox": BURGEMEESTER},
                         headers=login(SECRETARY_A))  # fmt: skip
    assert page.status_code == 200 and "Niet gemeld: bestuurder opnieuw melden" in page.text
    # The pane: in the list, and on the approval with "Opnieuw melden".
    listing = await api.get("/pane/goedkeuren/inhoud", params={"mailbox": BURGEMEESTER},
                            headers=login(SECRETARY_A))  # fmt: skip
    assert 'data-testid="niet-gemeld">niet gemeld<' in listing.text
    opened = await api.get(f"/pane/goedkeuren/{view.id}/inhoud", headers=login(SECRETARY_A))
    assert opened.status_code == 200
    assert 'data-testid="niet-gemeld"' in opened.text and "Opnieuw melden" in opened.text
    assert "melding niet verstuurd" in opened.text

    # Monique sends it again from the pane, with her own sign-in: it reaches the burgemeester.
    again = await api.post(f"/pane/goedkeuren/{view.id}/melden", json={},
                           headers=login(SECRETARY_A))  # fmt: skip
    assert again.status_code == 200, again.text
    assert 'data-testid="gemeld"' in again.text and 'data-testid="niet-gemeld"' not in again.text
    [notice] = await notices(tenant, subject)
    assert notice["from"]["emailAddress"]["address"].lower() == SECRETARY_A
    item = await queue_item(api, login, view.id)
    assert item["action"] == "Goedkeuren of afwijzen" and item["detail"] is None


async def test_from_the_secretariat_mailbox_the_app_sent_notice_reaches_her(
    api: httpx.AsyncClient, login, tenant: Tenant, app_settings: Settings
) -> None:
    settings = app_settings.model_copy(update={"notice_mailbox": None})  # the sandbox's demo
    message_id, draft_id, subject = await a_draft(tenant, "Gemeld door de app")
    view = await ask_as_the_app(settings, message_id, draft_id)
    assert view.notice_error is None
    [notice] = await notices(tenant, subject)
    assert notice["from"]["emailAddress"]["address"].lower() == DEMO_NOTICE_MAILBOX
    item = await queue_item(api, login, view.id)
    assert item["action"] == "Goedkeuren of afwijzen"


async def test_a_click_whose_notice_fails_answers_that_the_approval_exists_unannounced(
    api: httpx.AsyncClient, login, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refused(*args: Any, **kwargs: Any) -> None:
        raise AccessDenied("Access is denied. Check credentials and try again.")

    monkeypatch.setattr("automations.replies.approvals.request.send_tagged_mail", refused)
    message_id, subject = await mail_from_hans(tenant, "Klik zonder melding")
    made = await prepare(api, login, message_id)  # the API: 201, the approval exists
    approval = made["approval"]
    assert approval["status"] == "waiting"
    assert approval["notice_error"] == (
        f"melding niet verstuurd: geen toegang tot postvak {SECRETARY_A}"
    )
    other_id, _ = await mail_from_hans(tenant, "Klik in het paneel")
    pane = await api.post(
        "/pane/concept/klaarzetten",
        json={"mailbox": BURGEMEESTER, "message": other_id, "template": "Ontvangstbevestiging",
              "html": "<p>Dank u.</p>", "operation_id": str(uuid.uuid4()),
              "request_approval": True},
        headers=login(SECRETARY_A),
    )  # fmt: skip
    assert pane.status_code == 200, pane.text
    assert 'data-testid="niet-gemeld"' in pane.text and "is niet gemeld" in pane.text
    assert "heeft een bericht gekregen" not in pane.text

    monkeypatch.undo()
    again = await api.post(f"/api/v1/approvals/{approval['id']}/notify",
                           headers=login(SECRETARY_A))  # fmt: skip
    assert again.status_code == 200, again.text
    assert again.json()["notice_error"] is None
    assert len(await notices(tenant, subject)) == 1


def test_tenant_mode_needs_the_notice_mailbox_for_app_sent_notices() -> None:
    tenant = Settings(
        mode="tenant",
        tenant_id="11111111-2222-3333-4444-555555555555",
        client_id="66666666-7777-8888-9999-000000000000",
        client_secret="a-real-looking-secret-value",
    )
    with pytest.raises(SettingsError, match="SECRETARIAAT_NOTICE_MAILBOX is niet ingesteld"):
        tenant.notice_sender()
    configured = tenant.model_copy(update={"notice_mailbox": "Secretariaat@Gemeente.nl"})
    assert configured.notice_sender() == "secretariaat@gemeente.nl"
    assert Settings().notice_sender() == DEMO_NOTICE_MAILBOX
    with pytest.raises(ValueError):
        Settings(notice_mailbox="geen adres")
