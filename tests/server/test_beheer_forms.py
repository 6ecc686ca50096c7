"""Beheer's forms for the common changes publish a new version through the same flow as the
YAML editor (validated, versioned, audited); a bad or duplicate addition is a 400 with the
problem in Dutch beside its field, and only admins may add anything."""

from __future__ import annotations

import asyncio
import difflib

import httpx
import pytest
from fastapi import FastAPI

from automations.quicksteps.service import active
from automations.replies.service import DOCUMENT as TEMPLATES
from tests.sandbox.people import ADMIN, SECRETARY_A
from tests.server.test_beheer_jobs import audited

DEPARTMENT = {"name": "Burgerzaken", "key": "", "address": "eva.bakker@zeeveen.nl",
              "subjects": "paspoorten, rijbewijzen"}  # fmt: skip
STEP = {"name": "Naar Burgerzaken", "description": "", "icon": "Eye", "category": "Burgerzaken",
        "flag": "tomorrow", "mark_read": True, "folder": "Inbox/Burgerzaken"}  # fmt: skip
TEMPLATE = {"name": "Afspraak bevestigd", "description": "De afspraak staat.", "style": "formeel",
            "body": "<p>{{ salutation }},</p>\n<p>{{ executive.name }}</p>\n"}  # fmt: skip
FORMS = {
    "afdeling": ("/pane/beheer/snelle-stappen/afdeling", DEPARTMENT),
    "stap": ("/pane/beheer/snelle-stappen/stap", STEP),
    "sjabloon": ("/pane/beheer/sjablonen/sjabloon", TEMPLATE),
}


async def version_of(backend: FastAPI, form: str) -> tuple[int, str]:
    document = TEMPLATES.active if form == "sjabloon" else active
    async with backend.state.sessions() as session:
        found = await document(session)
    assert found is not None
    return found.info.version, found.text


@pytest.mark.parametrize("form", FORMS)
async def test_an_addition_publishes_the_next_version_and_says_so(
    backend: FastAPI, api: httpx.AsyncClient, login, form: str
) -> None:
    url, body = FORMS[form]
    before, old_text = await version_of(backend, form)

    answer = await api.post(url, json=body, headers=login(ADMIN))

    assert answer.status_code == 200, answer.text
    version, text = await version_of(backend, form)
    assert version == before + 1
    assert body["name"] in text
    changes = list(difflib.ndiff(old_text.splitlines(), text.splitlines()))
    assert not [c for c in changes if c.startswith("- ")]  # only lines added, the rest as it was
    assert f"versie {version} is nu actief voor het hele team" in answer.text
    assert "data-nieuwe-versie" in answer.text  # the editor follows
    assert f"Actief: versie {version} van Dennis Vos" in answer.text  # by name, not address
    action = "templates.publish" if form == "sjabloon" else "quicksteps.publish"
    [entry] = [e for e in await audited(backend, action) if e.outcome == "success"
               and e.details and e.details["version"] == version]  # fmt: skip
    assert entry.actor == ADMIN


@pytest.mark.parametrize(
    ("form", "change", "field", "message"),
    [
        ("afdeling", {"name": "Communicatie"}, "afdeling-name",
         "Er is al een afdeling &#39;Communicatie&#39;."),
        ("afdeling", {"address": "geen-adres"}, "afdeling-address", "is geen e-mailadres"),
        ("stap", {"name": "Afgehandeld"}, "stap-name", "Er is al een snelle stap"),
        ("stap", {"category": "", "flag": "", "mark_read": False, "folder": ""}, "stap-actions",
         "Kies minstens één handeling"),
        ("sjabloon", {"name": "Ontvangstbevestiging"}, "sjabloon-name", "Er is al een sjabloon"),
        ("sjabloon", {"body": "<p>{{ aanhef }}</p>"}, "sjabloon-body",
         "onbekende variabele &#39;aanhef&#39;"),
    ],
)  # fmt: skip
async def test_a_bad_addition_is_a_400_with_the_problem_beside_its_field(
    backend: FastAPI, api: httpx.AsyncClient, login, form: str, change: dict, field: str,
    message: str,
) -> None:  # fmt: skip
    url, body = FORMS[form]
    before, _ = await version_of(backend, form)

    answer = await api.post(url, json=body | change, headers=login(ADMIN))

    assert answer.status_code == 400, answer.text
    assert f'<p class="veld-fout" id="{field}-fout"' in answer.text
    assert message in answer.text
    assert (await version_of(backend, form))[0] == before  # nothing published
    assert "data-nieuwe-versie" not in answer.text


async def test_her_values_come_back_with_the_problem(api: httpx.AsyncClient, login) -> None:
    url, body = FORMS["afdeling"]
    answer = await api.post(url, json=body | {"address": "<b>fout</b>"}, headers=login(ADMIN))
    assert answer.status_code == 400
    assert 'value="Burgerzaken"' in answer.text
    assert "&lt;b&gt;fout&lt;/b&gt;" in answer.text and "<b>fout" not in answer.text
    assert (
        'aria-invalid="true" aria-describedby="afdeling-address-fout" data-autofocus' in answer.text
    )


@pytest.mark.parametrize("form", FORMS)
async def test_a_secretary_may_not_add_anything(
    backend: FastAPI, api: httpx.AsyncClient, login, form: str
) -> None:
    url, body = FORMS[form]
    before, _ = await version_of(backend, form)

    refused = await api.post(url, json=body, headers=login(SECRETARY_A))

    assert refused.status_code == 403
    assert "Alleen beheerders" in refused.text
    assert (await version_of(backend, form))[0] == before


async def test_beheer_shows_people_by_name_and_actions_in_dutch(
    api: httpx.AsyncClient, login
) -> None:
    url, body = FORMS["afdeling"]
    await api.post(url, json=body, headers=login(ADMIN))
    await api.post("/pane/beheer/taken/expired-holds", json={"dry_run": True}, headers=login(ADMIN))

    page = await api.get("/pane/beheer/inhoud", params={"mailbox": ADMIN}, headers=login(ADMIN))

    assert page.status_code == 200
    audit = page.text.split('data-testid="audit"', 1)[1].split("</ul>", 1)[0]
    assert "Dennis Vos — Snelle stappen gepubliceerd: versie" in audit
    assert "Dennis Vos — Proefdraai van een geplande taak: Verlopen opties vrijgeven" in audit
    assert "@" not in audit and "quicksteps.publish" not in audit and "job.dry_run" not in audit
    runs = page.text.split('data-testid="taakruns"', 1)[1]
    assert " postvakken" in runs or " postvak<" in runs or "1 postvak" in runs
    assert "Afdeling toevoegen" in page.text and "Sjabloon toevoegen" in page.text
    assert page.text.count("Ja, nu uitvoeren") == page.text.count(">Nu uitvoeren</button>")


async def test_two_admins_adding_at_once_both_keep_their_addition(
    backend: FastAPI, api: httpx.AsyncClient, login
) -> None:
    """Each addition is made on the newest version: neither undoes the other's."""
    url, body = FORMS["afdeling"]
    names = ["Belastingen", "Sport en Cultuur"]
    answers = await asyncio.gather(
        *(api.post(url, json={**body, "name": n, "key": ""}, headers=login(ADMIN)) for n in names)
    )
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    _, text = await version_of(backend, "afdeling")
    assert all(f"name: {n}" in text for n in names)


async def test_a_whole_file_from_an_older_version_is_refused_and_the_text_is_kept(
    backend: FastAPI, api: httpx.AsyncClient, login
) -> None:
    """Dennis edits the file in the editor while a colleague adds a step through the form."""
    shown, text = await version_of(backend, "stap")
    added = await api.post(FORMS["stap"][0], json={**STEP, "name": "Tussendoor"},
                           headers=login(ADMIN))  # fmt: skip
    assert added.status_code == 200, added.text
    edited = text.replace("Afgehandeld", "Klaar")
    answer = await api.post(
        "/pane/beheer/snelle-stappen",
        json={"text": edited, "note": "hernoemd", "based_on": shown},
        headers=login(ADMIN),
    )
    assert answer.status_code == 400
    assert f"Intussen heeft Dennis Vos versie {shown + 1} van de snelle stappen gepubliceerd" in (
        answer.text
    )
    version, now = await version_of(backend, "stap")
    assert version == shown + 1 and "Tussendoor" in now  # the colleague's step stays
    # Based on the version now active, the same edit goes through and the line moves on.
    again = await api.post(
        "/pane/beheer/snelle-stappen",
        json={"text": now.replace("Afgehandeld", "Klaar"), "based_on": version},
        headers=login(ADMIN),
    )
    assert again.status_code == 200, again.text
    assert f'name="based_on" value="{version + 1}"' in again.text
