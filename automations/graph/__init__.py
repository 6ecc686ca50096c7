"""The one place that talks to Microsoft Graph (msgraph-sdk, kiota and MSAL stay in here).

Domain code gets a ``GraphSession`` from ``GraphGateway.for_user`` / ``for_app`` and sees
Graph's failures as ``automations.errors`` types. See ``client.py`` for the shape of a call,
``retry.py`` for what is transient and what is sent twice, ``limits.py`` for the
4-per-mailbox rule, and ``calendar.py``, ``mail.py``, ``users.py`` for the reads and actions
features call instead of building SDK requests themselves.
"""

from automations.graph import calendar, mail, users
from automations.graph.auth import MsalTokenSource, TokenSource, token_source_for
from automations.graph.batch import BatchRequest, BatchResponse
from automations.graph.calendar import (
    calendar_view,
    calendar_view_json,
    cancel_event,
    decline_event,
    delete_event,
    get_event,
)
from automations.graph.client import GraphGateway, GraphSession
from automations.graph.config import GraphConfig
from automations.graph.errors import translate
from automations.graph.mail import get_mail_folder, get_message, list_messages
from automations.graph.retry import TRANSIENT_STATUSES, is_transient, retry_delay
from automations.graph.transport import GraphCall, record_calls
from automations.graph.users import list_users

__all__ = [
    "TRANSIENT_STATUSES",
    "BatchRequest",
    "BatchResponse",
    "GraphCall",
    "GraphConfig",
    "GraphGateway",
    "GraphSession",
    "MsalTokenSource",
    "TokenSource",
    "calendar",
    "calendar_view",
    "calendar_view_json",
    "cancel_event",
    "decline_event",
    "delete_event",
    "get_event",
    "get_mail_folder",
    "get_message",
    "is_transient",
    "list_messages",
    "list_users",
    "mail",
    "record_calls",
    "retry_delay",
    "token_source_for",
    "translate",
    "users",
]
