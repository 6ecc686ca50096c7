"""The error codes of Graph's subscription service, serialised by ``sandbox.errors``.

Exception tree (all ``sandbox.errors.GraphError``)::

    InvalidRequest      (400)  a property missing or malformed, an http notification URL
    ValidationError     (400)  the notification endpoint failed the validation handshake
    ExtensionError      (400/403/404)  refused by the workload (Outlook): lifetime, access,
                                       limits, the mailbox or folder not found
    SubscriptionNotFound (404 ResourceNotFound)
"""

from __future__ import annotations

from sandbox.errors import GraphError

__all__ = [
    "ExtensionError",
    "InvalidRequest",
    "SubscriptionNotFound",
    "ValidationError",
    "forbidden",
    "not_found",
]


class InvalidRequest(GraphError):
    code = "InvalidRequest"


class ValidationError(GraphError):
    code = "ValidationError"


class ExtensionError(GraphError):
    code = "ExtensionError"


class SubscriptionNotFound(GraphError):
    status = 404
    code = "ResourceNotFound"

    def __init__(self, message: str = "The object was not found.") -> None:
        super().__init__(message)


def forbidden(operation: str, reason: str = "Forbidden") -> ExtensionError:
    """Outlook's refusal as Graph relays it: ``Operation: Create; Exception: [...]``."""
    return ExtensionError(
        f"Operation: {operation}; Exception: [Status Code: Forbidden; Reason: {reason}]",
        status=403,
    )


def not_found(operation: str, reason: str = "Not Found") -> ExtensionError:
    return ExtensionError(
        f"Operation: {operation}; Exception: [Status Code: NotFound; Reason: {reason}]",
        status=404,
    )
