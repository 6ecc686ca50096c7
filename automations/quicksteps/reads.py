"""Reading from Graph for a quick step: one GET, a whole collection, and the messages' facts.

Every read goes through ``graph.batch`` like the changes do, so the gateway's limits and retries
apply to it too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from automations.graph import BatchRequest, BatchResponse, GraphSession
from automations.quicksteps.effects import MessageFacts

__all__ = ["FACTS", "get_all", "get_one", "graph_message", "read_facts", "why_unreadable"]

# One read gives everything every action needs: texts, the item to attach, and undo's state.
FACTS = (
    "$select=id,subject,from,receivedDateTime,sentDateTime,categories,webLink,internetMessageId,"
    "body,toRecipients,ccRecipients,conversationId,parentFolderId,flag,isRead,importance"
)


async def get_one(graph: GraphSession, url: str) -> Any:
    """One GET's body; Graph's refusal as the typed error."""
    [answer] = await graph.batch([BatchRequest("GET", url)])
    answer.raise_for_status()
    return answer.body


async def get_all(graph: GraphSession, url: str) -> list[Any]:
    """Every item of a collection, following ``@odata.nextLink`` (relative to the root)."""
    items: list[Any] = []
    next_url: str | None = url
    while next_url:
        body = await get_one(graph, next_url)
        items.extend(body.get("value", []))
        link = body.get("@odata.nextLink")
        next_url = "/" + link.split("/v1.0/", 1)[1] if link else None
    return items


async def read_facts(
    graph: GraphSession, mailbox: str, ids: Sequence[str]
) -> dict[str, MessageFacts | BatchResponse]:
    """Each message's facts, or Graph's answer when it could not be read (gone, refused).

    The reads go side by side as plain requests, not one ``$batch``: the gateway keeps four in
    flight per mailbox either way, and a batch costs one more round trip."""

    async def read(message_id: str) -> BatchResponse:
        url = f"/users/{mailbox}/messages/{message_id}?{FACTS}"
        [answer] = await graph.batch([BatchRequest("GET", url)])
        return answer

    got = await asyncio.gather(*(read(i) for i in ids), return_exceptions=True)
    answers = []
    for answer in got:  # every read ended before the first failure is raised: none left over
        if isinstance(answer, BaseException):
            raise answer
        answers.append(answer)
    pairs = zip(ids, answers, strict=True)
    return {i: MessageFacts.from_graph(a.body) if a.ok else a for i, a in pairs}


def why_unreadable(answer: BatchResponse) -> str:
    """Why a message could not be read, in Dutch, for the preview and the result."""
    if answer.status == 404:
        return "Het bericht bestaat niet meer in dit postvak."
    if answer.status == 403:
        return "Microsoft 365 geeft geen toegang tot dit bericht."
    return f"Het bericht kon niet worden gelezen (status {answer.status})."


def graph_message(answer: BatchResponse) -> str:
    """Graph's own error code and message, shown as the detail of a failed action."""
    error = (answer.body or {}).get("error", {}) if isinstance(answer.body, dict) else {}
    return f"{error.get('code', answer.status)}: {error.get('message', '')}".strip()
