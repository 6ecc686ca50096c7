"""Issue 20: a reply draft made by a quick step ("Concept klaarzetten") greets and signs as a
reply template does: the salutation by the replies' rule, the executive's name and function
under the letter, never her address.

Everything is read back from the executive's Drafts folder in the sandbox.
"""

from __future__ import annotations

import uuid

import httpx

from automations.replies.salutation import split_name
from automations.replies.service import greeting, parse
from server.startup import DEMO_TEMPLATES
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER
from tests.server.test_approvals_api import in_folder
from tests.server.test_quicksteps_api import SENDER, apply, graph_get, new_message
from tests.server.test_reply_drafts import CORRESPONDENT, mail_as

STEP = "Concept klaarzetten"  # automations/quicksteps/demo.yaml


async def draft_of(api: httpx.AsyncClient, login, tenant: Tenant, message_id: str) -> str:
    subject = (await graph_get(tenant, f"/users/{BURGEMEESTER}/messages/{message_id}"))["subject"]
    resp = await apply(api, login, STEP, [message_id])
    assert resp.status_code == 200, resp.text
    assert all(a["status"] == "done" for a in resp.json()["messages"][0]["actions"])
    [draft] = await in_folder(tenant, BURGEMEESTER, "drafts", f"RE: {subject}")
    return str(draft["body"]["content"])


async def test_an_inverted_name_is_greeted_by_surname_and_the_executive_signs_by_name(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    sender = "Kempers, R. (Ronald)"
    message_id = await mail_as(tenant, sender, f"Verzoek om overleg [{uuid.uuid4().hex[:6]}]")
    html = await draft_of(api, login, tenant, message_id)
    above_quote = html.split('id="divRplyFwdMsg"')[0]
    # The replies' rule: the surname is certain in "Achternaam, Voorletters".
    name = split_name(sender, CORRESPONDENT)
    assert name is not None and name.surname_alone == "Kempers"
    expected = greeting(sender, CORRESPONDENT)
    assert expected.endswith(" Kempers") and "Ronald" not in expected
    assert f"{expected},<br>" in above_quote
    # Signed with her name and function from the directory, not with her mailbox address.
    owner = await graph_get(tenant, f"/users/{BURGEMEESTER}?$select=displayName,jobTitle")
    assert f"{owner['displayName']}<br>\n{owner['jobTitle']}" in above_quote
    assert BURGEMEESTER not in above_quote and "@" not in above_quote.split("groet,")[-1]


async def test_a_known_preference_in_the_template_set_wins_as_in_a_reply_template(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    """hans.verbeek@ is "Beste Hans" in the team's reply templates: a quick step says so too."""
    message_id = await new_message(tenant, "Vraag over de begroting")
    html = await draft_of(api, login, tenant, message_id)
    templates = parse(DEMO_TEMPLATES.read_text(encoding="utf-8"))
    expected = greeting("Hans Verbeek", SENDER, templates=templates)
    assert expected == templates.salutations[SENDER]
    assert html.split('id="divRplyFwdMsg"')[0].count(f"{expected},<br>") == 1


async def test_an_organisation_gets_the_neutral_salutation(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    message_id = await mail_as(tenant, "Gemeente Zeeveen | Team Wonen", f"Wonen [{uuid.uuid4()}]")
    html = await draft_of(api, login, tenant, message_id)
    expected = greeting("Gemeente Zeeveen | Team Wonen", CORRESPONDENT)
    assert split_name("Gemeente Zeeveen | Team Wonen", CORRESPONDENT) is None
    assert f"{expected},<br>" in html.split('id="divRplyFwdMsg"')[0]
    assert "Wonen," not in html.split('id="divRplyFwdMsg"')[0]
