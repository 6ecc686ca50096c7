"""What Outlook fetches from us: the manifest for sideloading, and the add-in's icons."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from server.addin.manifest import render_manifest

router = APIRouter(prefix="/addin", tags=["addin"])

ADDIN_VERSION = "1.0.0.0"


@router.get("/manifest.xml", operation_id="get_addin_manifest")
async def manifest(request: Request) -> Response:
    """The manifest for this deployment's base URL, ready to sideload or upload in admin center."""
    identity = request.app.state.identity
    xml = render_manifest(
        base_url=request.app.state.settings.base_url,
        client_id=identity.client_id,
        api_audience=identity.api_audience,
        version=ADDIN_VERSION,
    )
    headers = {"Content-Disposition": 'attachment; filename="secretariaat-manifest.xml"'}
    return Response(xml, media_type="application/xml", headers=headers)
