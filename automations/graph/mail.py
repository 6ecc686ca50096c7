"""A mailbox's mail: listing a folder, reading one message, a folder's counters.

Features call these instead of building SDK requests; see ``calendar.py`` for what every
call gets from the gateway.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.models.mail_folder import MailFolder
from msgraph.generated.models.message import Message
from msgraph.generated.users.item.mail_folders.item.mail_folder_item_request_builder import (
    MailFolderItemRequestBuilder,
)
from msgraph.generated.users.item.mail_folders.item.messages.messages_request_builder import (
    MessagesRequestBuilder,
)
from msgraph.generated.users.item.messages.item.message_item_request_builder import (
    MessageItemRequestBuilder,
)

from automations.errors import NotFound
from automations.graph.batch import BatchRequest
from automations.graph.client import GraphSession
from automations.graph.users import user_path

__all__ = [
    "create_message_request",
    "folder_messages_request",
    "get_mail_folder",
    "get_message",
    "immutable_ids",
    "list_messages",
    "permanent_delete_request",
]

# Graph's preference for a body as plain text instead of HTML (the pane shows mail as text).
_TEXT_BODY = 'outlook.body-content-type="text"'


def folder_messages_request(
    mailbox: str, folder: str, *, select: Sequence[str], top: int, filter: str | None = None
) -> BatchRequest:
    """One page of a folder's messages (``filter``: an OData ``$filter``), for a ``$batch``."""
    query = f"$filter={filter}&" if filter else ""
    path = f"{user_path(mailbox)}/mailFolders/{folder}/messages"
    return BatchRequest("GET", f"{path}?{query}$select={','.join(select)}&$top={top}")


def create_message_request(mailbox: str, folder: str, message: dict[str, Any]) -> BatchRequest:
    """A new message (a draft) in one of the mailbox's folders."""
    return BatchRequest("POST", f"{user_path(mailbox)}/mailFolders/{folder}/messages", message)


def permanent_delete_request(mailbox: str, message_id: str) -> BatchRequest:
    """Delete a message for good: to Recoverable Items' Purges, never through Deleted Items."""
    return BatchRequest("POST", f"{user_path(mailbox)}/messages/{message_id}/permanentDelete")


async def list_messages(
    graph: GraphSession,
    mailbox: str,
    *,
    folder: str,
    select: Sequence[str],
    top: int,
    orderby: Sequence[str] = ("receivedDateTime desc",),
) -> list[Message]:
    """The first ``top`` messages of ``folder`` (an id or a well-known name such as
    ``inbox``) in ``orderby`` order: one page, one request."""
    query = MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(
        select=list(select), orderby=list(orderby), top=top
    )
    page = await graph.run(
        graph.sdk.users.by_user_id(mailbox)
        .mail_folders.by_mail_folder_id(folder)
        .messages.get(RequestConfiguration(query_parameters=query))
    )
    return list((page.value if page else None) or [])


async def get_message(
    graph: GraphSession,
    mailbox: str,
    message_id: str,
    *,
    select: Sequence[str],
    text_body: bool = False,
) -> Message:
    """One message; with ``text_body`` Graph converts its body to plain text."""
    query = MessageItemRequestBuilder.MessageItemRequestBuilderGetQueryParameters(
        select=list(select)
    )
    config = RequestConfiguration(query_parameters=query)
    if text_body:
        config.headers.add("Prefer", _TEXT_BODY)  # the gateway adds its own preferences
    message = await graph.run(
        graph.sdk.users.by_user_id(mailbox).messages.by_message_id(message_id).get(config)
    )
    if message is None:
        raise NotFound(f"Microsoft Graph answered without message {message_id}.")
    return message


async def get_mail_folder(
    graph: GraphSession, mailbox: str, folder: str, *, select: Sequence[str]
) -> MailFolder:
    """One folder, by id or well-known name (``inbox``)."""
    query = MailFolderItemRequestBuilder.MailFolderItemRequestBuilderGetQueryParameters(
        select=list(select)
    )
    found = await graph.run(
        graph.sdk.users.by_user_id(mailbox)
        .mail_folders.by_mail_folder_id(folder)
        .get(RequestConfiguration(query_parameters=query))
    )
    if found is None:
        raise NotFound(f"Microsoft Graph answered without folder {folder}.")
    return found


async def immutable_ids(graph: GraphSession, mailbox: str, ids: Sequence[str]) -> dict[str, str]:
    """The id each message keeps for good, by the id it was asked by (Outlook's current one
    changes with every move); a message Graph no longer has is left out. The gateway prefers
    immutable ids, so the answer's ``id`` is one."""
    answers = await graph.batch(
        [BatchRequest("GET", f"/users/{mailbox}/messages/{m}?$select=id") for m in ids]
    )
    known: dict[str, str] = {}
    for asked, answer in zip(ids, answers, strict=True):
        if answer.status == 404:
            continue
        answer.raise_for_status()
        known[asked] = answer.body.get("id") or asked
    return known
