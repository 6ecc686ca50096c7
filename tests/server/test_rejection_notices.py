"""A rejection whose notice to the secretary cannot be sent is never silent.

The executive's decision stands; the reject answer, her approval page and the work queue say
the secretary who asked was not told ("niet gemeld"), with why, until the notice is sent
again through the same ``notify`` the request's notices use: once, from her mailbox, tagged
as the first attempt was.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from automations.errors import AccessDenied
from automations.mailboxes.tagged import send_tagged_mail
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A
from tests.server.test_approvals_api import in_folder, mail_from_hans, prepare
from tests.server.test_notices import queue_item

SENDING = "automations.replies.approvals.decide.send_tagged_mail"
REFUSED = f"melding niet verstuurd: geen toegang tot postvak {BURGEMEESTER}"
UNTOLD = (
    "Afgekeurd, maar de melding aan Monique Verschuren kon niet worden verstuurd: "
    f"geen toegang tot postvak {BURGEMEESTER}"
)


async def refused(*args: Any, **kwargs: Any) -> None:
    raise AccessDenied("Access is denied. Check credentials and try again.")


async def asked(api: httpx.AsyncClient, login, tenant: Tenant, subject: str) -> tuple[str, str]:
    """Monique asked the burgemeester about a reply draft; returns (approval id, subject)."""
    message_id, subject = await mail_from_hans(tenant, subject)
    approval = (await prepare(api, login, message_id))["approval"]
    assert approval["notice_error"] is None
    return approval["id"], subject


async def rejection_notices(tenant: Tenant, subject: str) -> list[dict[str, Any]]:
    return await in_folder(tenant, SECRETARY_A, "inbox", f"Afgekeurd: RE: {subject}")


async def test_a_rejection_whose_notice_fails_stands_and_says_so_until_sent_again(
    api: httpx.AsyncClient, login, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    approval_id, subject = await asked(api, login, tenant, "Afkeuring niet gemeld")
    monkeypatch.setattr(SENDING, refused)

    # The answer: rejected, and the secretary was not told.
    url, comment = f"/api/v1/approvals/{approval_id}/reject", {"comment": "Korter graag."}
    resp = await api.post(url, json=comment, headers=login(BURGEMEESTER))
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "rejected"
    assert resp.json()["notice_error"] == REFUSED
    [draft] = await in_folder(tenant, BURGEMEESTER, "drafts", f"RE: {subject}")
    assert draft["categories"] == ["Afgekeurd"]  # the decision stands
    assert await rejection_notices(tenant, subject) == []
    again = await api.post(url, json=comment, headers=login(BURGEMEESTER))
    assert again.json()["notice_error"] == REFUSED  # a second tap answers the same

    # The list and the queue: "niet gemeld", with why, and her comment kept.
    listed = await api.get("/api/v1/approvals", params={"status": "rejected"},
                           headers=login(SECRETARY_A))  # fmt: skip
    [shown] = [a for a in listed.json()["approvals"] if a["id"] == approval_id]
    assert shown["notice_error"] == REFUSED
    item = await queue_item(api, login, approval_id)
    assert item["kind"] == "rejected"
    assert item["action"].startswith("Niet gemeld: afkeuring opnieuw melden")
    why = f"geen toegang tot postvak {BURGEMEESTER}"
    assert item["detail"] == f"Niet gemeld: {why}. Toelichting: Korter graag."
    page = await api.get("/pane/werkvoorraad/inhoud", params={"mailbox": BURGEMEESTER},
                         headers=login(SECRETARY_A))  # fmt: skip
    assert "Niet gemeld: afkeuring opnieuw melden" in page.text

    # Her approval page and her list say so, with "Opnieuw melden".
    opened = await api.get(f"/pane/goedkeuren/{approval_id}/inhoud", headers=login(BURGEMEESTER))
    assert opened.status_code == 200
    assert 'data-testid="niet-gemeld"' in opened.text and UNTOLD in opened.text
    assert "Opnieuw melden" in opened.text
    mine = await api.get("/pane/goedkeuren/inhoud", params={"mailbox": BURGEMEESTER},
                         headers=login(BURGEMEESTER))  # fmt: skip
    assert 'data-testid="niet-gemeld">niet gemeld<' in mine.text

    # Sent again (the same notify as a request's): it reaches Monique, once.
    monkeypatch.undo()
    sent = await api.post(f"/api/v1/approvals/{approval_id}/notify", headers=login(SECRETARY_A))
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "rejected" and sent.json()["notice_error"] is None
    [notice] = await rejection_notices(tenant, subject)
    assert "Korter graag." in notice["body"]["content"]
    item = await queue_item(api, login, approval_id)
    assert item["action"] == "Concept herzien en opnieuw aanbieden"
    assert item["detail"] == "Korter graag."
    opened = await api.get(f"/pane/goedkeuren/{approval_id}/inhoud", headers=login(BURGEMEESTER))
    assert 'data-testid="niet-gemeld"' not in opened.text

    # Told is told: another notify sends nothing.
    twice = await api.post(f"/api/v1/approvals/{approval_id}/notify", headers=login(BURGEMEESTER))
    assert twice.status_code == 200 and twice.json()["notice_error"] is None
    assert len(await rejection_notices(tenant, subject)) == 1


async def test_rejecting_in_the_pane_says_who_was_not_told_and_opnieuw_melden_tells_her(
    api: httpx.AsyncClient, login, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    approval_id, subject = await asked(api, login, tenant, "Afkeuring in het paneel")
    monkeypatch.setattr(SENDING, refused)
    outcome = await api.post(f"/pane/goedkeuren/{approval_id}/afwijzen",
                             json={"comment": "Toon <b>vriendelijker</b>."},
                             headers=login(BURGEMEESTER))  # fmt: skip
    assert outcome.status_code == 200, outcome.text
    assert 'data-testid="niet-gemeld"' in outcome.text and UNTOLD in outcome.text
    assert "Opnieuw melden" in outcome.text
    assert "gaat terug naar het secretariaat" not in outcome.text

    monkeypatch.undo()
    told = await api.post(f"/pane/goedkeuren/{approval_id}/melden", json={},
                          headers=login(BURGEMEESTER))  # fmt: skip
    assert told.status_code == 200, told.text
    assert 'data-testid="gemeld"' in told.text and 'data-testid="niet-gemeld"' not in told.text
    assert "Monique Verschuren is gemeld dat het concept is afgekeurd." in told.text
    [notice] = await rejection_notices(tenant, subject)
    assert "Toon &lt;b&gt;vriendelijker&lt;/b&gt;." in notice["body"]["content"]


async def test_a_rejection_notice_sent_but_reported_failed_is_not_sent_twice(
    api: httpx.AsyncClient, login, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The send went through and its answer was lost: sending it again finds it (its tag)."""
    approval_id, subject = await asked(api, login, tenant, "Afkeuring zonder antwoord")

    async def lost(*args: Any, **kwargs: Any) -> None:
        await send_tagged_mail(*args, **kwargs)
        raise AccessDenied("Access is denied. Check credentials and try again.")

    monkeypatch.setattr(SENDING, lost)
    resp = await api.post(f"/api/v1/approvals/{approval_id}/reject",
                          json={"comment": "Nee."}, headers=login(BURGEMEESTER))  # fmt: skip
    assert resp.json()["notice_error"] == REFUSED
    monkeypatch.undo()
    sent = await api.post(f"/api/v1/approvals/{approval_id}/notify", headers=login(SECRETARY_A))
    assert sent.json()["notice_error"] is None
    assert len(await rejection_notices(tenant, subject)) == 1
    assert (await queue_item(api, login, approval_id))["detail"] == "Nee."


async def test_a_rejection_whose_notice_went_out_is_not_niet_gemeld(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    approval_id, subject = await asked(api, login, tenant, "Afkeuring gemeld")
    resp = await api.post(f"/api/v1/approvals/{approval_id}/reject",
                          json={"comment": "Anders."}, headers=login(BURGEMEESTER))  # fmt: skip
    assert resp.json()["notice_error"] is None
    assert len(await rejection_notices(tenant, subject)) == 1
    item = await queue_item(api, login, approval_id)
    assert item["action"] == "Concept herzien en opnieuw aanbieden" and item["detail"] == "Anders."
    opened = await api.get(f"/pane/goedkeuren/{approval_id}/inhoud", headers=login(BURGEMEESTER))
    assert 'data-testid="niet-gemeld"' not in opened.text
