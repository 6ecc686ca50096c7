"""Graph's wire errors, one class per code, serialised in one place.

Exception tree::

    GraphError                      (400 BadRequest)
     ├── ErrorInvalidRequest        (400)
     ├── ErrorInvalidUser           (404)
     ├── ErrorItemNotFound          (404)
     ├── ResourceNotFound           (404 Request_ResourceNotFound, directory)
     ├── ErrorAccessDenied          (403)
     ├── InvalidAuthenticationToken (401)
     ├── MethodNotAllowed           (405)
     ├── NameAlreadyExists          (409)
     ├── ApplicationThrottled       (429, Retry-After)
     ├── ServiceUnavailable         (503, Retry-After)
     └── GatewayTimeout             (504)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

__all__ = [
    "ApplicationThrottled",
    "ErrorAccessDenied",
    "ErrorInvalidRequest",
    "ErrorInvalidUser",
    "ErrorItemNotFound",
    "GatewayTimeout",
    "GraphError",
    "InvalidAuthenticationToken",
    "MethodNotAllowed",
    "NameAlreadyExists",
    "ResourceNotFound",
    "ServiceUnavailable",
    "error_body",
]


class GraphError(Exception):
    status = 400
    code = "BadRequest"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status
        self.headers = dict(headers or {})


class ErrorInvalidRequest(GraphError):
    code = "ErrorInvalidRequest"


class ErrorInvalidUser(GraphError):
    status = 404
    code = "ErrorInvalidUser"


class ErrorItemNotFound(GraphError):
    status = 404
    code = "ErrorItemNotFound"

    def __init__(
        self, message: str = "The specified object was not found in the store.", **kw: Any
    ):
        super().__init__(message, **kw)


class ResourceNotFound(GraphError):
    status = 404
    code = "Request_ResourceNotFound"


class ErrorAccessDenied(GraphError):
    status = 403
    code = "ErrorAccessDenied"

    def __init__(
        self, message: str = "Access is denied. Check credentials and try again.", **kw: Any
    ):
        super().__init__(message, **kw)


class InvalidAuthenticationToken(GraphError):
    status = 401
    code = "InvalidAuthenticationToken"


class MethodNotAllowed(GraphError):
    status = 405
    code = "Request_BadRequest"


class NameAlreadyExists(GraphError):
    status = 409
    code = "nameAlreadyExists"


class ApplicationThrottled(GraphError):
    status = 429
    code = "ApplicationThrottled"

    def __init__(self, message: str, *, retry_after: int = 1, **kw: Any):
        super().__init__(message, headers={"Retry-After": str(retry_after)}, **kw)


class ServiceUnavailable(GraphError):
    status = 503
    code = "serviceNotAvailable"

    def __init__(self, message: str = "Service Unavailable", *, retry_after: int = 1, **kw: Any):
        super().__init__(message, headers={"Retry-After": str(retry_after)}, **kw)


class GatewayTimeout(GraphError):
    status = 504
    code = "UnknownError"

    def __init__(self, message: str = "Gateway Timeout", **kw: Any):
        super().__init__(message, **kw)


def error_body(
    err: GraphError, *, request_id: str, client_request_id: str, now: dt.datetime
) -> dict[str, Any]:
    """The one place that renders Graph's error JSON; ``now`` is the tenant's time."""
    return {
        "error": {
            "code": err.code,
            "message": err.message,
            "innerError": {
                "date": now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                "request-id": request_id,
                "client-request-id": client_request_id,
            },
        }
    }
