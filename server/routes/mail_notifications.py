"""Graph's webhook for the executives' Inboxes: public (Microsoft calls it, with no user token),
so nothing it is told is trusted. The validation handshake echoes the token; a notification is
only a reason to read the Inbox delta, and only when its ``clientState`` matches the secret of
the subscription it names (``automations.inbox``).

Not in the OpenAPI description: Microsoft is its only client, and it speaks Graph's protocol
(``text/plain`` echo, ``202`` with no body), not our API's.
"""

from __future__ import annotations

import json
import logging

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse

from automations.errors import BadRequest
from automations.inbox import flows
from server.settings import MAIL_NOTIFICATIONS_PATH

__all__ = ["router"]

log = logging.getLogger(__name__)

router = APIRouter(tags=["mail"], include_in_schema=False)

MAX_TOKEN = 1024  # Graph's validation token is a short sentence
MAX_BODY = 1024 * 1024  # one notification per post, without resource data: a few hundred bytes


@router.post(MAIL_NOTIFICATIONS_PATH, operation_id="graph_notifications")
async def notifications(request: Request) -> Response:
    """``?validationToken=…``: answer 200 with the token, URL-decoded, as text/plain (Graph's
    handshake when a subscription is made). Otherwise change or lifecycle notifications: 202 at
    once, each item checked against its subscription's secret, the reads run behind."""
    token = request.query_params.get("validationToken")
    if token is not None:
        if len(token) > MAX_TOKEN or not token.isprintable():
            raise BadRequest("Ongeldig validatietoken.", detail="validationToken too long")
        return PlainTextResponse(token, media_type="text/plain")
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise BadRequest("Deze melding is te groot.", detail=f"{len(raw)} bytes")
    try:
        body = json.loads(raw)
    except ValueError:
        raise BadRequest("Dit is geen melding van Microsoft Graph.", detail="not JSON") from None
    receipt = await flows.receive_notifications(request.app.state.inbox, body)
    if receipt.dropped:
        log.warning("Graph notifications: %d dropped (see above)", receipt.dropped)
    return Response(status_code=202)
