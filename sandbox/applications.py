"""/applications: the tenant's app registrations as Entra ID's Graph shows them (application-get).

- ``GET /applications/{id}`` by the object id, ``GET /applications(appId='{appId}')`` by the
  application (client) id; ``$select`` as anywhere (``applications(appId,spa)/$entity``).
- Permission: Application.Read.All, delegated and application (``sandbox.permissions``);
  refused, the directory's 403 ``Authorization_RequestDenied``, "Insufficient privileges to
  complete the operation.". Unknown: 404 ``Request_ResourceNotFound``.

An application holds what the sandbox models of a registration (``sandbox.directory.App``):
its Application ID URI (``identifierUris``), its single-page-application redirect URIs
(``spa``; no ``web`` or ``publicClient`` ones), and its Microsoft Graph permissions
(``requiredResourceAccess``). The mail, calendar and mailbox-settings application roles are
not in it: the sandbox models those as Exchange's RBAC for Applications role assignments
(``rbac_scope``), which a real registration does not list either. The object id is derived
from the client id, so it is stable across reseeds.
"""

from __future__ import annotations

import uuid
from typing import Any

from sandbox.context import Ctx
from sandbox.directory import App
from sandbox.errors import ResourceNotFound
from sandbox.router import GraphResponse, Router

__all__ = ["application_json", "object_id", "router"]

router = Router()

GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"  # Microsoft Graph's resourceAppId
# Microsoft Graph's permission ids (its service principal's oauth2PermissionScopes and
# appRoles, the same in every tenant; the permissions reference lists them), for the
# permissions the demo app is granted. A permission not named here is left out.
SCOPE_IDS = {
    "Calendars.ReadWrite.Shared": "12466101-c9b8-439a-8589-dd09ee67e8e9",
    "Mail.ReadWrite.Shared": "5df07973-7d5d-46ed-9847-1271055cbd51",
    "Mail.Send.Shared": "a367ab51-6b49-43bf-a716-a1fb06d2a174",
    "Place.Read.All": "cb8f45a0-5c2e-4ea1-b803-84b870a7d7ec",
    "Sites.ReadWrite.All": "89fe6a52-be36-487e-b7d8-d061c450a026",
    "Tasks.ReadWrite": "2219042f-cab5-40cc-b0d2-16b1540b4c5f",
    "User.Read.All": "a154be20-db9c-4678-8ab7-66f6cc099a59",
}
ROLE_IDS = {
    "Application.Read.All": "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",
    "Place.Read.All": "913b9306-0ce1-42b8-9137-6a7df690a760",
    "Sites.ReadWrite.All": "9492366f-7969-46a4-8d15-ed1a20078fff",
    "Tasks.ReadWrite.All": "44e666d1-d276-445b-a5fc-8815eeb81d55",
    "User.Read.All": "df021288-bdef-4463-88db-98f22de89214",
}
_EXCHANGE_ROLES = ("Mail.", "Calendars.", "MailboxSettings.")  # RBAC for Applications
_NAMESPACE = uuid.UUID("5b0f8e0c-3f5d-4d8e-9a47-0c1e6b7a2d19")  # the sandbox's object ids


def object_id(app: App) -> str:
    """The application object's id (Entra's "Object ID"), as opposed to its appId."""
    return str(uuid.uuid5(_NAMESPACE, f"application:{app.client_id}"))


def _required_resource_access(app: App) -> list[dict[str, Any]]:
    access = [
        {"id": SCOPE_IDS[n], "type": "Scope"} for n in app.delegated_permissions if n in SCOPE_IDS
    ]
    access += [
        {"id": ROLE_IDS[n], "type": "Role"}
        for n in app.application_permissions
        if n in ROLE_IDS and not n.startswith(_EXCHANGE_ROLES)
    ]
    return [{"resourceAppId": GRAPH_APP_ID, "resourceAccess": access}] if access else []


def application_json(app: App, *, publisher_domain: str | None) -> dict[str, Any]:
    """The application object, in the order of application-get's first example."""
    return {
        "id": object_id(app),
        "deletedDateTime": None,
        "appId": app.client_id,
        "identifierUris": [app.app_id_uri],
        "displayName": app.display_name,
        "publisherDomain": publisher_domain,
        "signInAudience": "AzureADMyOrg",
        "tags": [],
        "publicClient": {"redirectUris": []},
        "requiredResourceAccess": _required_resource_access(app),
        "spa": {"redirectUris": list(app.spa_redirect_uris)},
        "web": {
            "homePageUrl": None,
            "logoutUrl": None,
            "redirectUris": [],
            "implicitGrantSettings": {
                "enableIdTokenIssuance": False,
                "enableAccessTokenIssuance": False,
            },
        },
    }


def _answer(ctx: Ctx, app: App | None, key: str) -> GraphResponse:
    if app is None:
        raise ResourceNotFound(
            f"Resource '{key}' does not exist or one of its queried reference-property objects"
            " are not present."
        )
    tenant = ctx.directory.tenant
    body = application_json(app, publisher_domain=tenant.domain if tenant else None)
    return ctx.entity(body, "applications/$entity")


@router.route("GET", "/applications(appId='{app_id}')", resource="directory")
async def get_application_by_app_id(ctx: Ctx, app_id: str) -> GraphResponse:
    return _answer(ctx, ctx.directory.app(app_id.lower()), app_id)


@router.route("GET", "/applications/{application_id}", resource="directory")
async def get_application(ctx: Ctx, application_id: str) -> GraphResponse:
    found = next((a for a in ctx.directory.apps() if object_id(a) == application_id.lower()), None)
    return _answer(ctx, found, application_id)
