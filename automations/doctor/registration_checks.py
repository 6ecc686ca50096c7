"""Verdicts on the app registration as Entra ID holds it: the Application ID URI the backend
accepts tokens for (``identifierUris``) and the single-page-application redirect URIs the task
pane and the phone page sign in with (README steps 2 and 4).

The app reads its own registration (``GET /applications(appId='…')``) with the optional
application permission Application.Read.All. Without it the audience is judged on the forms
README step 2 prescribes, and the redirect URIs are listed to check by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import SplitResult, urlsplit

from automations.doctor.models import (
    OPTIONAL_ROLES,
    AppRegistration,
    Check,
    Facts,
    Setup,
    unchecked,
)
from automations.doctor.tenant_checks import NO_TOKEN_REASON

__all__ = ["api_audience", "is_registered", "redirect_uris", "required_redirect_uris"]

READ_ROLE = OPTIONAL_ROLES[0]  # Application.Read.All
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
SPA_FIX = (
    "Entra → App-registraties → (de app) → Verificatie → Platform toevoegen → Toepassing met"
    " één pagina"
)
GRANT_READ = (
    f"Verleent u de app de toepassingsmachtiging {READ_ROLE} (optioneel, alleen voor deze"
    " controle en die van de API-audience: Entra → App-registraties → API-machtigingen →"
    " Microsoft Graph → Toepassing, met beheerderstoestemming; README stap 6), dan vergelijkt"
    " de controle ze zelf met de app-registratie."
)


def required_redirect_uris(setup: Setup) -> dict[str, str]:
    """Each redirect URI the product signs in with (``SECRETARIAAT_BASE_URL``) → what for."""
    base = setup.base_url.rstrip("/")
    return {
        # server/pane/static/auth.js: nested app authentication, brokered by Outlook
        f"brk-multihub://{urlsplit(base).netloc}": "aanmelden in het taakvenster",
        # signin-dialog.js: the dialog's own address, when the host has no nested app auth
        f"{base}/pane/aanmelden/dialoog": "het aanmeldvenster zonder nested app authentication",
        # phone.js: the phone page's list address, whichever approval was opened
        f"{base}/goedkeuren": "de goedkeuringspagina op de telefoon",
    }


def _split(uri: str) -> SplitResult | None:
    try:
        return urlsplit(uri)
    except ValueError:  # an unreadable IPv6 host, say
        return None


def is_registered(uri: str, registered: Iterable[str]) -> bool:
    """Registered exactly, or registered on the same loopback host and path with another
    port or none: Entra ID ignores a loopback redirect URI's port (as the sandbox does)."""
    registered = list(registered)
    if uri in registered:
        return True
    wanted = _split(uri)
    if wanted is None or wanted.scheme not in ("http", "https") or wanted.hostname not in LOOPBACK:
        return False
    key = (wanted.scheme, wanted.hostname, wanted.path)
    return any(
        r is not None and (r.scheme, r.hostname, r.path) == key for r in map(_split, registered)
    )


def _audience_by_readme(setup: Setup) -> Check:
    """Without the registration: is the audience one of the forms README step 2 prescribes?"""
    audience = setup.api_audience
    host = urlsplit(setup.base_url).hostname or ""
    netloc = urlsplit(setup.base_url).netloc
    expected = {
        f"api://{setup.client_id}",
        f"api://{host}/{setup.client_id}",
        f"api://{netloc}/{setup.client_id}",
    }
    if audience in expected:
        return Check(
            check="app-audience",
            status="ok",
            message=f"De backend accepteert tokens voor {audience}; dat moet de Application ID"
            " URI zijn onder Entra → App-registraties → Een API beschikbaar maken.",
        )
    return Check(
        check="app-audience",
        status="warn",
        message=f"SECRETARIAAT_API_AUDIENCE is {audience}: niet api://{setup.client_id} en niet"
        f" api://{host}/{setup.client_id} zoals README stap 2 voorschrijft.",
        fix="Zet in Entra (App-registraties → Een API beschikbaar maken) de Application ID URI"
        f" op api://{setup.client_id} of api://{host}/{setup.client_id} en geef"
        " SECRETARIAAT_API_AUDIENCE precies dezelfde waarde (README stap 2 en 7); een token"
        " voor een andere audience wordt geweigerd.",
    )


def api_audience(facts: Facts) -> Check:
    """The audience the backend accepts is an Application ID URI of the registration (README
    steps 2 and 7); judged on the README's forms when the registration cannot be read."""
    setup, registration = facts.setup, facts.registration
    if registration is None or not registration.known:
        return _audience_by_readme(setup)
    audience = setup.api_audience
    if audience in registration.identifier_uris:
        return Check(
            check="app-audience",
            status="ok",
            message=f"De backend accepteert tokens voor {audience}, en dat is de Application ID"
            " URI van de app-registratie.",
        )
    has = ", ".join(registration.identifier_uris) or "geen"
    return Check(
        check="app-audience",
        status="fail",
        message=f"SECRETARIAAT_API_AUDIENCE is {audience}, maar de app-registratie heeft als"
        f" Application ID URI: {has}. Tokens voor het taakvenster worden dan geweigerd.",
        fix="Zet in Entra (App-registraties → Een API beschikbaar maken) de Application ID URI"
        f" op {audience}, of geef SECRETARIAAT_API_AUDIENCE de waarde van de app-registratie"
        " (README stap 2 en 7).",
    )


def _why_unread(facts: Facts, registration: AppRegistration | None) -> str:
    if not facts.token.obtained:
        return NO_TOKEN_REASON
    if facts.graph_error:
        return facts.graph_error
    if registration is None:
        return "de app-registratie is niet gelezen."
    if registration.status in (401, 403):
        return f"de app mag haar eigen registratie niet lezen (zonder {READ_ROLE})."
    if registration.status == 404:
        return (
            f"Entra ID vindt in deze tenant geen app-registratie met client-id"
            f" {facts.setup.client_id} (een app uit een andere tenant?)."
        )
    return f"de app-registratie gaf geen antwoord ({registration.code or registration.status})."


def redirect_uris(facts: Facts) -> Check:
    """Each redirect URI the pane and the phone page sign in with is registered for a
    single-page application (README step 4)."""
    wanted = required_redirect_uris(facts.setup)
    registration = facts.registration
    if registration is None or not registration.known:
        listing = ", ".join(wanted)
        fix = f"{SPA_FIX}: voeg {listing} toe (README stap 4)."
        if registration is not None and registration.status in (401, 403):
            fix = f"{fix} {GRANT_READ}"
        return unchecked(
            "app-redirect-uris",
            f"{_why_unread(facts, registration)} Controleer in Entra dat de app-registratie"
            f" deze redirect-URI's heeft (Toepassing met één pagina): {listing}.",
            fix,
        )
    missing = [u for u in wanted if not is_registered(u, registration.spa_redirect_uris)]
    if not missing:
        return Check(
            check="app-redirect-uris",
            status="ok",
            message="De app-registratie heeft elke redirect-URI als toepassing met één pagina:"
            f" {', '.join(wanted)}.",
        )
    named = "; ".join(f"{u} ({wanted[u]})" for u in missing)
    as_web = [u for u in missing if is_registered(u, registration.web_redirect_uris)]
    message = f"Niet in de app-registratie als toepassing met één pagina: {named}."
    fix = f"{SPA_FIX}: voeg {', '.join(missing)} toe (README stap 4)."
    if as_web:
        message += (
            f" Onder Web staat {', '.join(as_web)}: daar weigert Entra ID het aanmelden vanuit"
            " de browser (AADSTS9002326)."
        )
        fix += " Verwijder ze daarna onder Web."
    return Check(check="app-redirect-uris", status="fail", message=message, fix=fix)
