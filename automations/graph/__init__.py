"""The one place that talks to Microsoft Graph (msgraph-sdk, kiota and MSAL stay in here).

Domain code gets a ``GraphSession`` from ``GraphGateway.for_user`` / ``for_app`` and sees
Graph's failures as ``automations.errors`` types. See ``client.py`` for the shape of a call,
``retry.py`` for what is sent twice, ``limits.py`` for the 4-per-mailbox rule.
"""

from automations.graph.auth import MsalTokenSource, TokenSource, token_source_for
from automations.graph.batch import BatchRequest, BatchResponse
from automations.graph.client import GraphGateway, GraphSession
from automations.graph.config import GraphConfig
from automations.graph.errors import translate
from automations.graph.transport import GraphCall, record_calls

__all__ = [
    "BatchRequest",
    "BatchResponse",
    "GraphCall",
    "GraphConfig",
    "GraphGateway",
    "GraphSession",
    "MsalTokenSource",
    "TokenSource",
    "record_calls",
    "token_source_for",
    "translate",
]
