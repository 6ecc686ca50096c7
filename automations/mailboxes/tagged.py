"""Messages we make, tagged with the operation that made them (an extended property), so a
retried click finds its earlier draft or sent mail instead of making a second one; and the
short notices every feature sends (approvals, handover, jobs), sent once per tag."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from automations.graph import BatchRequest, GraphSession

__all__ = ["TAG_PROPERTY", "find_tagged", "graph_one", "send_tagged_mail", "tagged_filter"]

# The extended property every item we make carries, valued with the operation (and step)
# that made it: how a resumed operation finds what its first attempt already made.
TAG_PROPERTY = "String {1f6cbb2e-7d3a-4b8c-9a57-3f1f8f0d9a11} Name SecretariaatOperationId"


async def graph_one(graph: GraphSession, request: BatchRequest) -> Any:
    """One Graph request's body; Graph's refusal as the typed error."""
    [answer] = await graph.batch([request])
    answer.raise_for_status()
    return answer.body


def tagged_filter(tag: str) -> str:
    """The OData ``$filter`` for items carrying ``tag`` in our property."""
    return (
        f"singleValueExtendedProperties/any(ep: ep/id eq '{TAG_PROPERTY}' and ep/value eq '{tag}')"
    )


async def find_tagged(graph: GraphSession, mailbox: str, tag: str) -> dict[str, Any] | None:
    """The message this mailbox holds with our operation tag, if any (sent or draft)."""
    select = "id,isDraft,changeKey,subject"
    url = f"/users/{mailbox}/messages?$filter={tagged_filter(tag)}&$select={select}"
    found = (await graph_one(graph, BatchRequest("GET", url)))["value"]
    return found[0] if found else None


async def send_tagged_mail(
    graph: GraphSession, sender: str, to: Sequence[str], subject: str, html: str, tag: str
) -> None:
    """A notice from ``sender``'s mailbox, tagged so it is sent once per ``tag``: sendMail has
    no idempotency key of its own, and a retry after a lost answer must not send it twice."""
    if await find_tagged(graph, sender, tag) is not None:
        return
    message = {
        "subject": subject,
        "body": {"contentType": "html", "content": html},
        "toRecipients": [{"emailAddress": {"address": a}} for a in dict.fromkeys(to)],
        "singleValueExtendedProperties": [{"id": TAG_PROPERTY, "value": tag}],
    }
    await graph_one(
        graph,
        BatchRequest(
            "POST", f"/users/{sender}/sendMail", {"message": message, "saveToSentItems": True}
        ),
    )
