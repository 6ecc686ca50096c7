"""Graph's errors as our typed errors (``automations.errors``), in one place.

``translate`` takes what Graph gave us — msgraph's ``ODataError``, kiota's ``APIError`` (a
body the SDK could not parse), or a raw status with its JSON body (a ``$batch``
sub-response) — and keeps Graph's error code and ``request-id``. Graph's own message is English
and technical (and may name a mailbox): it is kept as the error's ``detail``, for the logs; the
user reads the Dutch message of the error's kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from kiota_abstractions.api_error import APIError
from msgraph.generated.models.o_data_errors.o_data_error import ODataError

from automations.errors import (
    AccessDenied,
    AppError,
    AuthenticationFailed,
    BadRequest,
    Conflict,
    GraphTimeout,
    NotFound,
    Throttled,
    Unavailable,
)
from automations.graph.retry import IDEMPOTENT_METHODS, parse_retry_after

__all__ = ["RawAnswer", "error_for_status", "translate"]


class RawAnswer(Protocol):
    """A Graph answer we parsed ourselves (a ``$batch`` sub-response)."""

    @property
    def method(self) -> str: ...
    @property
    def status(self) -> int: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    @property
    def body(self) -> Any: ...
    @property
    def request_id(self) -> str | None: ...


_BY_STATUS: dict[int, type[AppError]] = {
    400: BadRequest,
    401: AuthenticationFailed,
    403: AccessDenied,
    404: NotFound,
    405: BadRequest,
    409: Conflict,
    412: Conflict,  # changeKey / If-Match: the item changed since we read it
    413: BadRequest,
    415: BadRequest,
    416: Conflict,  # an upload range that does not continue where the session stands
    422: BadRequest,
    429: Throttled,
    500: Unavailable,
    502: Unavailable,
    503: Unavailable,
    504: GraphTimeout,
}


def translate(source: APIError | RawAnswer) -> AppError:
    """The typed error for an exception the SDK raised, or for a failed raw answer."""
    if not isinstance(source, APIError):
        return _from_raw(source)
    exc = source
    headers = _headers(exc.response_headers)
    status = exc.response_status_code or 0
    code = message = request_id = None
    if isinstance(exc, ODataError) and exc.error is not None:
        code, message = exc.error.code, exc.error.message
        if exc.error.inner_error is not None:
            request_id = exc.error.inner_error.request_id
    return error_for_status(
        status,
        graph_code=code,
        detail=message or exc.message or f"Microsoft Graph answered {status}.",
        request_id=headers.get("request-id") or request_id,
        retry_after=parse_retry_after(headers.get("retry-after")),
    )


def _from_raw(answer: RawAnswer) -> AppError:
    headers, status = _headers(answer.headers), answer.status
    error = answer.body.get("error") if isinstance(answer.body, dict) else None
    error = error if isinstance(error, dict) else {}
    inner = error.get("innerError") or error.get("innererror") or {}
    return error_for_status(
        status,
        graph_code=error.get("code"),
        detail=error.get("message") or f"Microsoft Graph answered {status}.",
        request_id=inner.get("request-id") or headers.get("request-id") or answer.request_id,
        retry_after=parse_retry_after(headers.get("retry-after")),
        outcome_unknown=status == 504 and answer.method.upper() not in IDEMPOTENT_METHODS,
    )


def error_for_status(
    status: int,
    *,
    graph_code: str | None,
    detail: str,
    request_id: str | None,
    retry_after: float | None = None,
    outcome_unknown: bool = False,
) -> AppError:
    """The typed error for Graph's ``status``: its kind's Dutch message, Graph's as ``detail``."""
    kind = _BY_STATUS.get(status)
    message = _MESSAGES.get(status)
    if kind is Throttled:
        return Throttled(
            detail=detail, retry_after=retry_after, graph_code=graph_code, request_id=request_id
        )
    if kind is not None and issubclass(kind, Unavailable):
        return kind(
            message, detail=detail, outcome_unknown=outcome_unknown, graph_code=graph_code,
            request_id=request_id,
        )  # fmt: skip
    if kind is not None:
        return kind(message, detail=detail, graph_code=graph_code, request_id=request_id)
    return AppError(
        "Microsoft 365 reageert niet zoals verwacht. Probeer het zo opnieuw.", detail=detail,
        code="graph_error", status=502, graph_code=graph_code, request_id=request_id,
    )  # fmt: skip


# Where Graph's status says more than the kind's own message.
_MESSAGES: dict[int, str] = {
    400: "Microsoft 365 kon dit verzoek niet uitvoeren. Probeer het opnieuw of meld het.",
    403: "Microsoft 365 geeft u geen toegang tot dit item; vraag om gemachtigde-rechten.",
    404: "Dit item bestaat niet meer in dit postvak: het is misschien verwijderd of verplaatst.",
    413: "Dit is te groot voor Microsoft 365.",
    500: "Microsoft 365 reageert niet zoals verwacht. Probeer het zo opnieuw.",
    502: "Microsoft 365 reageert niet zoals verwacht. Probeer het zo opnieuw.",
    503: "Microsoft 365 is even niet bereikbaar. Probeer het zo opnieuw.",
}


def _headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in (headers or {}).items()}
