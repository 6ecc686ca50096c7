"""The control plane's part for app registrations: the certificates an app signs in with.

What an administrator does in the Entra admin center under "Certificates & secrets":

- ``GET  /_admin/apps/{client_id}/keyCredentials``: the registered certificates (Graph's
  ``keyCredential``: keyId, displayName, customKeyIdentifier = SHA-1 thumbprint, validity);
- ``POST /_admin/apps/{client_id}/keyCredentials``: upload one, ``{"certificate": PEM}``
  (and optionally ``displayName``); the same certificate again is answered as registered;
- ``DELETE /_admin/apps/{client_id}/keyCredentials/{keyId}``: remove one (a rotation's end).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.identity.credentials import key_credential_json

if TYPE_CHECKING:
    from sandbox.dispatch import Sandbox

__all__ = ["key_credential_routes"]


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status)


def _public(credential: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in credential.items() if k != "key"}


def key_credential_routes(sandbox: Sandbox) -> list[Route]:
    directory = sandbox.directory

    async def key_credentials(request: Request) -> Response:
        client_id = request.path_params["client_id"]
        if directory.app(client_id) is None:
            return _error(404, "NotFound", f"no app {client_id}")
        if request.method == "GET":
            return JSONResponse(
                {"value": [_public(k) for k in directory.key_credentials(client_id)]}
            )
        try:
            body: Any = json.loads(await request.body() or b"{}")
            if not isinstance(body, dict) or not isinstance(body.get("certificate"), str):
                raise ValueError(
                    'the body must be {"certificate": "-----BEGIN CERTIFICATE-----..."}'
                )
            name = body.get("displayName")
            credential = key_credential_json(
                body["certificate"].encode(), display_name=name if isinstance(name, str) else None
            )
        except ValueError as exc:
            return _error(400, "BadRequest", str(exc))
        return JSONResponse(_public(directory.add_key_credential(client_id, credential)), 201)

    async def remove(request: Request) -> Response:
        client_id, key_id = request.path_params["client_id"], request.path_params["key_id"]
        if not directory.remove_key_credential(client_id, key_id):
            return _error(404, "NotFound", f"no key {key_id} on app {client_id}")
        return Response(status_code=204)

    return [
        Route("/apps/{client_id}/keyCredentials", key_credentials, methods=["GET", "POST"]),
        Route("/apps/{client_id}/keyCredentials/{key_id}", remove, methods=["DELETE"]),
    ]
