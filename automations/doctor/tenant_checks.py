"""Verdicts on the tenant: the app token and its roles, and the reach of RBAC for
Applications (the app registration's URIs: ``registration_checks``; the executives'
calendars: ``calendar_checks``). Also the helpers the other check modules share.

Pure functions of the gathered ``Facts``; every fix names the README step and the Entra or
Exchange Online (PowerShell) setting to change.
"""

from __future__ import annotations

from collections.abc import Iterable

from automations.doctor.models import (
    ENTRA_ROLES,
    EXCHANGE_ROLES,
    OPTIONAL_ROLES,
    ROLE_ALTERNATIVES,
    Check,
    Facts,
    Probe,
    Setup,
    TokenFacts,
    unchecked,
)
from automations.roster.models import Roster

__all__ = [
    "NO_TOKEN",
    "app_roles",
    "app_token",
    "listed",
    "no_token",
    "not_asked",
    "rbac_executives",
    "rbac_outside",
    "refusal",
    "who",
]

NO_TOKEN_REASON = "de app kreeg geen token (zie App-token)."
NO_TOKEN = f"Niet gecontroleerd: {NO_TOKEN_REASON}"
SCOPE_GROUP = "Secretariaat-Bestuurders"  # the group README step 6 scopes the roles to


def who(roster: Roster | None, upn: str) -> str:
    """A person by her roster name and address, or the address alone."""
    name = roster.names.get(upn.lower()) if roster else None
    return f"{name} ({upn})" if name else upn


def listed(items: Iterable[str]) -> str:
    return "; ".join(items)


def no_token(check: str) -> Check:
    """The warning for a Graph check without an app token (``NO_TOKEN``)."""
    return unchecked(check, NO_TOKEN_REASON, "Los eerst App-token op.")


def app_token(token: TokenFacts, setup: Setup) -> Check:
    if token.obtained:
        return Check(
            check="app-token",
            status="ok",
            message=f"De app ({setup.client_id}) krijgt een token van Entra ID met de"
            " client-credentials-flow.",
        )
    fixes = {
        "invalid_client": "Het clientgeheim of certificaat klopt niet of is verlopen: maak in"
        " Entra (App-registraties → Certificaten en geheimen) een nieuw geheim en zet het in"
        " SECRETARIAAT_CLIENT_SECRET (README stap 3).",
        "unauthorized_client": "Entra kent deze client-id niet in deze tenant: controleer"
        " SECRETARIAAT_CLIENT_ID en SECRETARIAAT_TENANT_ID tegen de app-registratie (README"
        " stap 1).",
        "invalid_request": "Controleer SECRETARIAAT_TENANT_ID en SECRETARIAAT_AUTHORITY_HOST"
        " (README stap 1 en Configuration).",
        "unavailable": "Entra ID is niet bereikbaar vanaf deze machine: controleer de"
        " firewall of proxy naar SECRETARIAAT_AUTHORITY_HOST (standaard"
        " login.microsoftonline.com).",
    }
    fix = fixes.get(
        token.code or "",
        "Controleer de app-registratie (README stap 1 en 3): tenant-id, client-id en clientgeheim.",
    )
    return Check(
        check="app-token",
        status="fail",
        message=f"De app krijgt geen token van Entra ID: {token.error or 'onbekende fout'}.",
        fix=fix,
    )


def app_roles(token: TokenFacts, setup: Setup) -> Check:
    """The token's ``roles`` against README step 6: what is missing, what reaches too far."""
    if not token.obtained:
        return no_token("app-roles")
    if token.roles is None:
        return Check(
            check="app-roles",
            status="warn",
            message="Het app-token is niet als JWT te lezen; de rollen zijn niet te controleren.",
            fix="Controleer in Entra (App-registraties → API-machtigingen) de"
            f" toepassingsmachtigingen {', '.join(ENTRA_ROLES)} (README stap 6).",
        )
    roles = token.roles
    in_token = EXCHANGE_ROLES if setup.mode == "sandbox" else ()
    needed = (*ENTRA_ROLES, *in_token)
    missing = [r for r in needed if r not in roles and not roles & {*ROLE_ALTERNATIVES.get(r, ())}]
    if missing:
        entra = [r for r in missing if r in ENTRA_ROLES]
        exchange = [r for r in missing if r in EXCHANGE_ROLES]
        fixes = []
        if entra:
            fixes.append(
                "Entra → App-registraties → API-machtigingen → Microsoft Graph → Toepassing:"
                f" voeg {', '.join(entra)} toe en verleen beheerderstoestemming (README stap 6)."
            )
        if exchange:
            fixes.append(
                "Exchange Online PowerShell: New-ManagementRoleAssignment -App"
                f' {setup.client_id} -Role "Application {exchange[0]}" -CustomResourceScope'
                f' "{SCOPE_GROUP}" (voor elk van {", ".join(exchange)}; README stap 6).'
            )
        return Check(
            check="app-roles",
            status="fail",
            message=f"Het app-token mist toepassingsmachtigingen: {', '.join(missing)}.",
            fix=" ".join(fixes),
        )
    alternatives = (a for alts in ROLE_ALTERNATIVES.values() for a in alts)
    allowed = {*needed, *alternatives, *OPTIONAL_ROLES}
    mailbox_bound = ("Mail.", "Calendars.", "MailboxSettings.")
    tenant_wide = sorted(r for r in roles if r.startswith(mailbox_bound) and r not in allowed)
    extra = sorted(roles - allowed - set(tenant_wide))
    if tenant_wide:
        return Check(
            check="app-roles",
            status="warn",
            message=f"Het app-token draagt {', '.join(tenant_wide)} uit Entra ID: zo'n"
            " machtiging geldt voor elk postvak in de tenant, niet alleen voor de bestuurders.",
            fix="Verwijder die machtigingen in Entra (App-registraties → API-machtigingen →"
            " Toestemming intrekken) en wijs ze toe met RBAC for Applications, beperkt tot de"
            " bestuurders (README stap 6).",
        )
    if extra:
        return Check(
            check="app-roles",
            status="warn",
            message=f"Het app-token heeft meer dan nodig: {', '.join(extra)}.",
            fix="Trek in Entra (App-registraties → API-machtigingen) wat README stap 6 niet"
            " noemt in: minste rechten.",
        )
    if setup.mode == "sandbox":
        message = (
            "Het app-token draagt alle toepassingsmachtigingen uit README stap 6 (de sandbox"
            f" geeft ook de Exchange-rollen in het token mee): {', '.join(sorted(roles))}."
        )
    else:
        message = (
            "Het app-token draagt de machtigingen uit Entra ID die README stap 6 noemt:"
            f" {', '.join(sorted(roles))}. De Exchange-rollen (RBAC for Applications) staan niet"
            " in het token; Bereik: bestuurders probeert ze uit."
        )
    optional = sorted(roles & set(OPTIONAL_ROLES))
    if optional:
        message += (
            f" {', '.join(optional)} is optioneel: de app leest er haar eigen registratie mee"
            " (Redirect-URI's, API-audience)."
        )
    return Check(check="app-roles", status="ok", message=message)


def not_asked(facts: Facts, check: str) -> Check | None:
    """The warning for a Graph check on the roster's mailboxes that could not run, or None
    when it could."""
    if not facts.token.obtained:
        return no_token(check)
    if facts.roster.roster is None:
        return unchecked(
            check,
            "er is geen rooster (zie Rooster en gebruikerslijst).",
            "Los eerst het rooster op.",
        )
    if facts.graph_error:
        return unchecked(check, facts.graph_error, "Probeer het over een paar minuten opnieuw.")
    return None


def refusal(probe: Probe) -> str:
    if probe.status in (403, 401):
        return "geweigerd (buiten het bereik)"
    if probe.status == 404:
        return "niet gevonden in de tenant"
    return f"geen antwoord ({probe.code or probe.status})"


def rbac_executives(facts: Facts) -> Check:
    """Every executive (and the notice mailbox) within the app's RBAC scope."""
    skipped = not_asked(facts, "rbac-executives")
    if skipped:
        return skipped
    roster = facts.roster.roster
    probes = [*facts.executives, *([facts.notice] if facts.notice else [])]
    if not facts.executives:
        return Check(
            check="rbac-executives",
            status="warn",
            message="Het rooster noemt geen bestuurders.",
            fix="Zet de bestuurders in het rooster (role: executive).",
        )
    out = [p for p in probes if not p.ok]
    if not out:
        notice = f" en het meldingenpostvak {facts.notice.upn}" if facts.notice else ""
        return Check(
            check="rbac-executives",
            status="ok",
            message=f"Alle {len(facts.executives)} bestuurders{notice} zijn bereikbaar met de"
            " identiteit van de app.",
        )
    names = [f"{who(roster, p.upn)}: {refusal(p)}" for p in out]
    first = out[0].upn
    return Check(
        check="rbac-executives",
        status="fail",
        message=f"Niet bereikbaar met de identiteit van de app: {listed(names)}.",
        fix="Zet elk postvak in het bereik van RBAC for Applications (README stap 6), in Exchange"
        f' Online PowerShell: Add-DistributionGroupMember -Identity "{SCOPE_GROUP}" -Member'
        f" {first}; controleer met Test-ServicePrincipalAuthorization -Identity"
        f" {facts.setup.client_id} -Resource {first} (InScope: True). Ontbreken de rollen"
        " zelf, zie Toepassingsmachtigingen. Exchange kan er tot een uur over doen.",
    )


def rbac_outside(facts: Facts) -> Check:
    """A sample of other mailboxes (secretaries') must stay outside the app's reach."""
    skipped = not_asked(facts, "rbac-outside")
    if skipped:
        return skipped
    if not facts.outsiders:
        return Check(
            check="rbac-outside",
            status="warn",
            message="Het rooster noemt geen secretaresses om het bereik mee te proberen.",
            fix="Controleer met Test-ServicePrincipalAuthorization -Identity"
            f" {facts.setup.client_id} -Resource <ander postvak> (InScope: False).",
        )
    reached = [p for p in facts.outsiders if p.ok]
    unclear = [p for p in facts.outsiders if not p.ok and p.status not in (401, 403, 404)]
    roster = facts.roster.roster
    if reached:
        names = ", ".join(who(roster, p.upn) for p in reached)
        return Check(
            check="rbac-outside",
            status="fail",
            message=f"De app bereikt ook postvakken buiten de bestuurders: {names}. Het bereik"
            " van RBAC for Applications ontbreekt of is te ruim.",
            fix="Trek in Entra (App-registraties → API-machtigingen) de toepassingsmachtigingen"
            " Mail.*, Calendars.* en MailboxSettings.* voor de hele tenant in en beperk de"
            " Exchange-rollen tot de groep: New-ManagementScope -RecipientRestrictionFilter"
            " \"MemberOfGroup -eq '<groep>'\" (README stap 6). Test-ServicePrincipalAuthorization"
            f" -Identity {facts.setup.client_id} -Resource {reached[0].upn} moet InScope: False"
            " geven.",
        )
    if unclear:
        names = ", ".join(f"{who(roster, p.upn)}: {refusal(p)}" for p in unclear)
        return Check(
            check="rbac-outside",
            status="warn",
            message=f"Niet vast te stellen voor {names}.",
            fix="Probeer het over een paar minuten opnieuw.",
        )
    names = ", ".join(who(roster, p.upn) for p in facts.outsiders)
    return Check(
        check="rbac-outside",
        status="ok",
        message=f"Buiten het bereik van de app, zoals het hoort: {names}.",
    )
