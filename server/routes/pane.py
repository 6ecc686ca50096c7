"""The task pane: an HTML shell per pane, and its content as server-rendered fragments.

The shell needs no token (Outlook loads it before anyone signs in); the fragments do. The pane
says which mailbox it is in (its own, or the executive's it opened as delegate) with
``mailbox=``; the roster decides, before Graph is asked, whether the user may work there.
Errors on these paths come back as the HTML error fragment (see ``server.errors``).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from automations.roster.models import Roster
from automations.roster.policy import Action, authorize
from server.deps import (
    CurrentUser,
    RosterDep,
    SettingsDep,
    Today,
)
from server.errors import ApiError
from server.fields import MailboxQuery
from server.pane import templates
from server.settings import Settings

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)

OFFICE_JS_CDN = "https://appsforoffice.microsoft.com/lib/1/hosted/office.js"
VIEWS = {
    "bericht": "Bericht",
    "agenda": "Agenda",
    "goedkeuren": "Goedkeuren",
    "werkvoorraad": "Werkvoorraad",
    "postverwerking": "Postverwerking",
    "beheer": "Beheer",
}
ADMIN_VIEWS = frozenset({"beheer"})
# Opened with nothing selected (an empty mailbox; Outlook's SupportsNoItemContext), the pane
# hides the views that are about a selected item and shows NO_ITEM_VIEW instead.
ITEM_VIEWS = frozenset({"bericht"})
NO_ITEM_VIEW = "werkvoorraad"
BODY_LIMIT = 4000  # characters of mail text shown in a 320 px pane; the rest stays in Outlook

ItemId = Annotated[str | None, Query(max_length=512)]
ItemType = Annotated[str | None, Query(pattern="^(message|appointment)$")]


@dataclass(frozen=True)
class PaneContext:
    """Who is signed in and whose mailbox the pane is in, as the header shows it."""

    user: str
    user_name: str
    mailbox: str
    mailbox_name: str
    delegate: bool
    office: str | None  # "front" | "back" for a secretary in an executive's mailbox


def office_js_url(settings: Settings) -> str:
    """Microsoft's CDN in production; the harness's shim when running on the sandbox."""
    return f"{settings.base_url}/dev/office.js" if settings.mode == "sandbox" else OFFICE_JS_CDN


def pane_context(user: Any, roster: Roster, mailbox: str, today: dt.date) -> PaneContext:
    mailbox = mailbox.lower()
    authorize(roster, user.upn, Action.ACT_ON_MAILBOX, mailbox)
    office = None
    if roster.role(user.upn) == "secretary" and mailbox != user.upn:
        office = "front" if roster.front_office_on(mailbox, today) == user.upn else "back"
    return PaneContext(
        user=user.upn,
        user_name=user.name or roster.names.get(user.upn, user.upn),
        mailbox=mailbox,
        mailbox_name=roster.names.get(mailbox, mailbox),
        delegate=mailbox != user.upn,
        office=office,
    )


@dataclass(frozen=True)
class Selection:
    """Where the pane is, as it reports it: the mailbox (checked) and the selected item."""

    ctx: PaneContext
    item: str | None
    type: str | None  # "message" | "appointment", Office.js's itemType


async def _selection(
    user: CurrentUser,
    roster: RosterDep,
    today: Today,
    mailbox: MailboxQuery,
    item: ItemId = None,
    type: ItemType = None,  # noqa: A002 - the name Office.js uses
) -> Selection:
    return Selection(pane_context(user, roster, mailbox, today), item, type)


Selected = Annotated[Selection, Depends(_selection)]


def pane_url(request: Request, name: str, /, **params: Any) -> str:
    """Where the route called ``name`` lives: templates tell the pane's script what a button
    asks (``data-post="{{ url('step_apply') }}"``), so no path is written in JavaScript."""
    quoted = {k: quote(str(v), safe="{}") for k, v in params.items()}  # "{id}": a JS template
    base: str = request.app.state.settings.base_url
    return base.rstrip("/") + str(request.app.url_path_for(name, **quoted))


def fragment(request: Request, name: str, *, status_code: int = 200, **values: Any) -> HTMLResponse:
    values.setdefault("base_url", request.app.state.settings.base_url)
    values.setdefault("url", partial(pane_url, request))
    return templates.TemplateResponse(request, name, values, status_code=status_code)


@router.get("/pane/")
@router.get("/pane")
async def pane_root(settings: SettingsDep) -> RedirectResponse:
    return RedirectResponse(f"{settings.base_url}/pane/bericht", status_code=307)


def _sign_in_config(request: Request, settings: Settings, **extra: Any) -> dict[str, Any]:
    identity = request.app.state.identity
    return {
        "baseUrl": settings.base_url,
        "clientId": identity.client_id,
        "authority": identity.authority,
        "apiScope": f"{identity.api_audience}/access_as_user",
        "sandbox": settings.mode == "sandbox",
        **extra,
    }


@router.get("/pane/aanmelden/dialoog", response_class=HTMLResponse)
async def sign_in_dialog(request: Request, settings: SettingsDep) -> HTMLResponse:
    """The Office dialog the pane opens when the host has no nested app authentication."""
    return fragment(
        request,
        "signin_dialog.html",
        config=_sign_in_config(request, settings),
        office_js_url=office_js_url(settings),
    )


@router.get("/pane/{view}", response_class=HTMLResponse)
async def shell(
    request: Request,
    view: str,
    settings: SettingsDep,
    tab: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z\-]*$")] = None,
) -> HTMLResponse:
    """The pane's page for Outlook: layout, navigation, and the script that signs in."""
    if view not in VIEWS:
        raise ApiError(404, "not_found", f"Onbekend onderdeel '{view}'.")
    config = _sign_in_config(request, settings, view=view, tab=tab, noItemView=NO_ITEM_VIEW)
    return fragment(
        request,
        "shell.html",
        view=view,
        views=VIEWS,
        admin_views=ADMIN_VIEWS,
        item_views=ITEM_VIEWS,
        config=config,
        office_js_url=office_js_url(settings),
    )


@router.get("/help", response_class=HTMLResponse)
async def help_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    """The manifest's SupportUrl: what the add-in does and whom to ask."""
    return fragment(request, "help.html", sandbox=settings.mode == "sandbox")
