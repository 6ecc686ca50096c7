"""The app registration's URIs: the API audience and the redirect URIs, judged on the
registration when the app may read it (Application.Read.All), by hand when it may not."""

from __future__ import annotations

from dataclasses import replace

from automations.doctor.models import AppRegistration, TokenFacts
from automations.doctor.registration_checks import is_registered, required_redirect_uris
from tests.automations.doctor.facts import BASE_URL, REDIRECT_URIS, REGISTRATION, facts, verdicts

REFUSED = AppRegistration(403, "Authorization_RequestDenied")


def test_the_required_redirect_uris_follow_the_base_url() -> None:
    assert list(required_redirect_uris(facts().setup)) == list(REDIRECT_URIS)


def test_a_registration_with_every_redirect_uri_passes() -> None:
    check = verdicts(facts())["app-redirect-uris"]
    assert check.status == "ok" and check.fix is None
    assert all(uri in check.message for uri in REDIRECT_URIS)


def test_a_missing_redirect_uri_fails_with_what_it_is_for_and_the_entra_fix() -> None:
    spa = tuple(u for u in REDIRECT_URIS if not u.endswith("/goedkeuren"))
    check = verdicts(facts(registration=replace(REGISTRATION, spa_redirect_uris=spa)))[
        "app-redirect-uris"
    ]
    assert check.status == "fail"
    assert f"{BASE_URL}/goedkeuren (de goedkeuringspagina op de telefoon)" in check.message
    assert check.fix == (
        "Entra → App-registraties → (de app) → Verificatie → Platform toevoegen → Toepassing met"
        f" één pagina: voeg {BASE_URL}/goedkeuren toe (README stap 4)."
    )


def test_a_redirect_uri_registered_as_web_fails_and_says_so() -> None:
    dialog = f"{BASE_URL}/pane/aanmelden/dialoog"
    registration = replace(
        REGISTRATION,
        spa_redirect_uris=tuple(u for u in REDIRECT_URIS if u != dialog),
        web_redirect_uris=(dialog,),
    )
    check = verdicts(facts(registration=registration))["app-redirect-uris"]
    assert check.status == "fail"
    assert f"Onder Web staat {dialog}" in check.message and "AADSTS9002326" in check.message
    assert (check.fix or "").endswith("Verwijder ze daarna onder Web.")


def test_a_loopback_redirect_uri_matches_on_any_port_as_in_entra() -> None:
    assert is_registered("https://127.0.0.1:8443/goedkeuren", ["https://127.0.0.1/goedkeuren"])
    assert is_registered("https://localhost:8443/goedkeuren", ["https://localhost:9/goedkeuren"])
    assert not is_registered("https://127.0.0.1:8443/goedkeuren", ["https://localhost/goedkeuren"])
    assert not is_registered("https://x.nl:8443/goedkeuren", ["https://x.nl/goedkeuren"])
    # The broker's redirect names an origin, port and all.
    assert not is_registered("brk-multihub://127.0.0.1:8443", ["brk-multihub://127.0.0.1"])
    assert not is_registered("https://127.0.0.1/goedkeuren", ["https://[::1/goedkeuren"])


def test_without_application_read_all_the_redirect_uris_are_listed_to_check_by_hand() -> None:
    check = verdicts(facts(registration=REFUSED))["app-redirect-uris"]
    assert check.status == "warn"
    assert check.message.startswith(
        "Niet gecontroleerd: de app mag haar eigen registratie niet lezen (zonder"
        " Application.Read.All)."
    )
    assert all(uri in check.message and uri in (check.fix or "") for uri in REDIRECT_URIS)
    assert "toepassingsmachtiging Application.Read.All (optioneel" in (check.fix or "")


def test_without_a_token_or_in_another_tenant_the_redirect_uris_are_listed_too() -> None:
    no_token = verdicts(facts(token=TokenFacts(False, error="x"), registration=None))
    elsewhere = verdicts(facts(registration=AppRegistration(404, "Request_ResourceNotFound")))
    for found in (no_token, elsewhere):
        check = found["app-redirect-uris"]
        assert check.status == "warn" and REDIRECT_URIS[0] in check.message
        assert "Application.Read.All" not in (check.fix or "")
    assert "de app kreeg geen token" in no_token["app-redirect-uris"].message
    assert "een app uit een andere tenant?" in elsewhere["app-redirect-uris"].message


def test_an_audience_the_registration_does_not_have_fails() -> None:
    registration = replace(REGISTRATION, identifier_uris=("api://secretariaat.x.nl/c1d",))
    check = verdicts(facts(registration=registration))["app-audience"]
    assert check.status == "fail"
    assert "api://secretariaat.x.nl/c1d" in check.message
    assert (check.fix or "").startswith(
        "Zet in Entra (App-registraties → Een API beschikbaar maken) de Application ID URI op"
        " api://c1d"
    )


def test_the_registration_decides_the_audience_whatever_its_form() -> None:
    setup = replace(facts().setup, api_audience="https://elders.nl/api")
    registration = replace(REGISTRATION, identifier_uris=("https://elders.nl/api",))
    check = verdicts(facts(setup=setup, registration=registration))["app-audience"]
    assert check.status == "ok" and "Application ID URI van de app-registratie" in check.message


def test_an_unread_registration_judges_the_audience_on_the_readmes_forms() -> None:
    ok = replace(facts().setup, api_audience="api://secretariaat.x.nl/c1d")
    odd = replace(facts().setup, api_audience="https://elders.nl/api")
    assert verdicts(facts(setup=ok, registration=REFUSED))["app-audience"].status == "ok"
    assert verdicts(facts(setup=odd, registration=REFUSED))["app-audience"].status == "warn"
    assert verdicts(facts(setup=odd, registration=None))["app-audience"].status == "warn"
