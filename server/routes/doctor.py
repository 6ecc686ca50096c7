"""The doctor's checks (``secretariaat doctor``) for admins: Beheer's *Controle* in the pane,
and ``GET /api/v1/doctor`` for monitoring. Both read only, with the app's identity."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from automations.context import Actor
from automations.doctor import Check, Setup, any_failed, summary
from automations.doctor.flows import run_checks
from server.deps import Me, SettingsDep
from server.routes.pane import fragment
from server.settings import Settings, SettingsError

__all__ = ["router"]

router = APIRouter()


def _setup(request: Request, settings: Settings) -> Setup:
    """What the checks judge, from this backend's own settings."""
    identity = request.app.state.identity
    try:
        notice: str | None = settings.notice_sender()
    except SettingsError:
        notice = None  # tenant mode without SECRETARIAAT_NOTICE_MAILBOX: nothing to try
    return Setup(
        mode=settings.mode,
        base_url=settings.base_url,
        client_id=identity.client_id,
        api_audience=identity.api_audience,
        notice_mailbox=notice,
    )


async def _checks(request: Request, settings: Settings, me: Actor) -> list[Check]:
    async with request.app.state.gateway.for_app() as graph:
        return await run_checks(
            me, graph=graph, engine=request.app.state.engine, setup=_setup(request, settings)
        )


@router.get("/api/v1/doctor", operation_id="run_doctor", tags=["doctor"])
async def run_doctor(request: Request, me: Me, settings: SettingsDep) -> list[Check]:
    """Every check of ``secretariaat doctor`` (admins only): ``status`` is ``ok``, ``warn`` or
    ``fail``; ``message`` and ``fix`` (when not ok) are Dutch. Nothing is changed."""
    return await _checks(request, settings, me)


@router.get("/pane/beheer/controle", response_class=HTMLResponse, include_in_schema=False)
async def doctor_view(request: Request, me: Me, settings: SettingsDep) -> HTMLResponse:
    """Beheer → Controle: the checks with their verdicts and fixes."""
    checks = await _checks(request, settings, me)
    return fragment(
        request, "views/beheer_controle.html", checks=checks, summary=summary(checks),
        failed=any_failed(checks),
    )  # fmt: skip
