"""A reply draft as the correspondent will read it: the salutation by the rule, the quoted
original under a Dutch header, the executive's name and function under the letter.

Everything is read back from the executive's Drafts folder in the sandbox.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
from babel.dates import format_date

from tests.conftest import TODAY
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A
from tests.server.test_approvals_api import in_folder

CORRESPONDENT = "bas.kuipers@zeeveen.nl"


async def mail_as(tenant: Tenant, display_name: str, subject: str) -> str:
    """A message to the burgemeester whose sender shows ``display_name``; its id in her Inbox."""
    message: dict[str, Any] = {
        "subject": subject,
        "from": {"emailAddress": {"name": display_name, "address": CORRESPONDENT}},
        "body": {"contentType": "text", "content": "Graag een reactie op ons verzoek."},
        "toRecipients": [{"emailAddress": {"address": BURGEMEESTER}}],
    }
    async with tenant.raw(CORRESPONDENT) as graph:
        sent = await graph.post(f"/users/{CORRESPONDENT}/sendMail", json={"message": message})
        sent.raise_for_status()
    [found] = await in_folder(tenant, BURGEMEESTER, "inbox", subject)
    return str(found["id"])


async def draft_for(
    api: httpx.AsyncClient, login, tenant: Tenant, display_name: str, template: str
) -> str:
    subject = f"Verzoek om overleg [{uuid.uuid4().hex[:6]}]"
    message_id = await mail_as(tenant, display_name, subject)
    body = {
        "mailbox": BURGEMEESTER,
        "message": message_id,
        "template": template,
        "operation_id": str(uuid.uuid4()),
    }
    resp = await api.post("/api/v1/drafts", json=body, headers=login(SECRETARY_A))
    assert resp.status_code == 201, resp.text
    [draft] = await in_folder(tenant, BURGEMEESTER, "drafts", f"RE: {subject}")
    return str(draft["body"]["content"])


async def test_a_draft_greets_by_the_rule_quotes_in_dutch_and_signs_with_name_and_function(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    html = await draft_for(
        api, login, tenant, "Ronald Kempers (Veiligheidsregio Kustland)", "Ontvangstbevestiging"
    )
    assert "<p>Geachte heer/mevrouw Kempers,</p>" in html
    assert "Kustland)," not in html
    # Signed by the executive's name and function from the directory, not her address.
    assert "Ingrid Zwanenburg<br>Burgemeester<br>Gemeente Zeeveen" in html
    above_quote = html.split('id="divRplyFwdMsg"')[0]
    assert BURGEMEESTER not in above_quote
    # The quote's header in Dutch, with the time in the Netherlands (the tenant's clock
    # stands at 10:00 Amsterdam time on TODAY when the module starts).
    day = format_date(TODAY, "EEEE d MMMM y", locale="nl")
    assert re.search(rf"<b>Verzonden:</b> {day} 1\d:\d\d<br>", html), html
    assert "<b>Van:</b> Ronald Kempers (Veiligheidsregio Kustland)<br>" in html
    assert "<b>Aan:</b> Ingrid Zwanenburg<br>" in html
    assert "<b>Onderwerp:</b> Verzoek om overleg" in html
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", html)  # no raw timestamp anywhere
    assert "Graag een reactie op ons verzoek." in html  # the original is still quoted
    assert html.count("<b>Verzonden:</b>") == 1


async def test_an_organisation_gets_the_neutral_salutation_and_a_family_its_own(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    html = await draft_for(
        api, login, tenant, "Gemeente Zeeveen | Team Wonen", "Uitnodiging afslaan"
    )
    assert "<p>Geachte heer/mevrouw,</p>" in html
    html = await draft_for(api, login, tenant, "Familie Meijerink", "Ontvangstbevestiging")
    assert "<p>Geachte familie Meijerink,</p>" in html


async def test_an_informal_draft_uses_the_first_name_only(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    html = await draft_for(api, login, tenant, "Kempers, R. (Ronald)", "Kort en informeel")
    assert "<p>Beste Ronald,</p>" in html
    assert "Groet,<br>Ingrid Zwanenburg" in html
