"""Typed domain errors: what went wrong, in a form the API and the task pane can show.

Domain code raises these, never HTTP exceptions; ``server`` renders every ``AppError`` as
``{"error": {"code", "message", "request_id"}}`` with ``status``. ``message`` is for the user,
in Dutch: a kind's ``default_message`` when the raiser gives none. What happened technically
(Graph's own English message, the request that failed) goes in ``detail``, for the logs only.
Errors that come from Microsoft Graph also carry Graph's own error code and the ``request-id``
of the failed call, so support can find the call in Graph's logs.

    AppError
     ├── BadRequest            400  the request cannot be done as asked
     ├── AuthenticationFailed  401  no token for Graph (MSAL or the token endpoint refused)
     ├── AccessDenied          403  Graph or our own policy refuses this mailbox
     ├── NotFound              404  the item, folder or mailbox does not exist
     ├── Conflict              409  changed meanwhile (changeKey / etag) or already exists
     ├── Throttled             429  Graph's limits; ``retry_after`` seconds to wait
     └── Unavailable           503  Graph did not answer usably; ``outcome_unknown`` when a
          └── GraphTimeout     504  non-idempotent request may have been carried out
"""

from __future__ import annotations

from automations.plural import counted

__all__ = [
    "AccessDenied",
    "AppError",
    "AuthenticationFailed",
    "BadRequest",
    "Unprocessable",
    "Conflict",
    "GraphTimeout",
    "NotFound",
    "Throttled",
    "Unavailable",
]


class AppError(Exception):
    """Base of every error the product reports to a user; ``code`` is stable for clients."""

    code: str = "internal_error"
    status: int = 500
    default_message: str = "Er ging iets mis aan onze kant. Probeer het opnieuw."

    def __init__(
        self,
        message: str | None = None,
        *,
        detail: str | None = None,
        code: str | None = None,
        status: int | None = None,
        graph_code: str | None = None,
        request_id: str | None = None,
    ) -> None:
        message = message or self.default_message
        super().__init__(message)
        self.message = message  # for the user, in Dutch
        self.detail = detail  # for the logs: technical, English, may name mailboxes
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.graph_code = graph_code  # Graph's own error code, e.g. ErrorItemNotFound
        self.request_id = request_id  # Graph's request-id of the failed call

    def __str__(self) -> str:
        extra = ", ".join(
            f"{k}={v}"
            for k, v in (("graph", self.graph_code), ("request-id", self.request_id))
            if v
        )
        return f"{self.message} ({extra})" if extra else self.message


class BadRequest(AppError):
    code, status = "bad_request", 400
    default_message = "Dit verzoek kan niet worden uitgevoerd zoals het is gevraagd."


class Unprocessable(BadRequest):
    """Well formed, and as the API's schema describes it, but against a rule the schema cannot
    express (a colleague who is not on the roster, a roster without an admin, a YAML set that
    does not hold together): 422 with a code of its own, so clients can tell it from a
    malformed request (400) and from a body that fails the schema (``invalid_request``)."""

    code, status = "unprocessable", 422


class AuthenticationFailed(AppError):
    code, status = "authentication_failed", 401
    default_message = "Aanmelden bij Microsoft 365 is niet gelukt. Meld u opnieuw aan."


class AccessDenied(AppError):
    code, status = "access_denied", 403
    default_message = (
        "Geen toegang tot dit postvak of item. Vraag de beheerder om gemachtigde-rechten."
    )


class NotFound(AppError):
    code, status = "not_found", 404
    default_message = "Dit item bestaat niet meer: het is misschien verwijderd of verplaatst."


class Conflict(AppError):
    code, status = "conflict", 409
    default_message = "Het item is intussen door iemand anders gewijzigd. Open het opnieuw."


class Throttled(AppError):
    code, status = "throttled", 429
    default_message = "Microsoft 365 vraagt even te wachten. Probeer het over een minuut opnieuw."

    def __init__(
        self,
        message: str | None = None,
        *,
        detail: str | None = None,
        retry_after: float | None = None,
        graph_code: str | None = None,
        request_id: str | None = None,
    ) -> None:
        if message is None and retry_after is not None and 0 < retry_after <= 300:
            wait = counted(max(1, round(retry_after)), "seconde", "seconden")
            message = f"Microsoft 365 vraagt even te wachten ({wait}). Probeer het daarna opnieuw."
        super().__init__(message, detail=detail, graph_code=graph_code, request_id=request_id)
        self.retry_after = retry_after


class Unavailable(AppError):
    code, status = "unavailable", 503
    default_message = "De verbinding met Microsoft 365 viel weg. Probeer het opnieuw."

    def __init__(
        self,
        message: str | None = None,
        *,
        detail: str | None = None,
        outcome_unknown: bool = False,
        graph_code: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, detail=detail, graph_code=graph_code, request_id=request_id)
        # True when a request that is not safe to repeat was sent and no answer came back:
        # the caller must check (extended property of the operation) before trying again.
        self.outcome_unknown = outcome_unknown


class GraphTimeout(Unavailable):
    code, status = "graph_timeout", 504
    default_message = "Microsoft 365 antwoordde niet op tijd. Probeer het zo opnieuw."
