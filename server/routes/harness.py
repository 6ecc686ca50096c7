"""``/dev/outlook``: a local stand-in for Outlook on the web, for the demo and browser tests.

Only in sandbox mode (a 404 otherwise). Sign in as any seeded user, open the mailboxes she may
open, pick a message or appointment, and the real task pane opens beside it, hosted by an
Office.js shim (``static/office-shim.js``) that answers from the selection and hands MSAL.js
its token through the same nested-app-auth bridge Outlook provides.
"""

from __future__ import annotations

import ssl
from dataclasses import asdict
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Body, Request
from fastapi.responses import FileResponse, HTMLResponse

from automations.directory import list_users
from server.deps import SettingsDep, Today
from server.errors import ApiError
from server.pane import STATIC_DIR, templates
from server.settings import Identity, Settings

router = APIRouter(prefix="/dev", include_in_schema=False)


def _sandbox_only(settings: Settings) -> None:
    if settings.mode != "sandbox":
        raise ApiError(404, "not_found", "De Outlook-testomgeving bestaat alleen in de sandbox.")


@router.get("/outlook", response_class=HTMLResponse)
async def harness(request: Request, settings: SettingsDep, today: Today) -> HTMLResponse:
    _sandbox_only(settings)
    values = {"base_url": settings.base_url, "today": today}
    return templates.TemplateResponse(request, "dev/outlook.html", values)


@router.get("/office.js")
async def office_shim(settings: SettingsDep) -> FileResponse:
    _sandbox_only(settings)
    return FileResponse(STATIC_DIR / "office-shim.js", media_type="text/javascript")


@router.get("/outlook/gebruikers")
async def users(request: Request, settings: SettingsDep) -> dict[str, Any]:
    """Everyone in the sandbox directory, read with the app's own identity."""
    _sandbox_only(settings)
    async with request.app.state.gateway.for_app() as graph:
        people = await list_users(graph)
    return {"users": [asdict(p) for p in people]}


@router.post("/outlook/aanmelden")
async def sign_in(
    request: Request,
    settings: SettingsDep,
    upn: Annotated[str, Body(embed=True, min_length=3, max_length=320)],
) -> dict[str, Any]:
    """A token for the backend's API scope as ``upn``, from the sandbox's harness sign-in."""
    _sandbox_only(settings)
    identity: Identity = request.app.state.identity
    verify = ssl.create_default_context(cafile=str(identity.ca_cert))
    async with httpx.AsyncClient(verify=verify, timeout=10) as http:
        response = await http.post(
            f"{identity.authority}/sandbox/signin",
            data={"username": upn, "client_id": identity.client_id},
        )
    body = response.json()
    if response.status_code != 200:
        raise ApiError(400, "sign_in_failed", body.get("error_description", "Aanmelden mislukt."))
    return {
        "access_token": body["access_token"],
        "id_token": body["id_token"],
        "expires_in": body["expires_in"],
        "scope": body.get("scope", ""),
        "client_info": body.get("client_info", ""),
        "authority": identity.authority,
        "tenant_id": identity.tenant_id,
    }
