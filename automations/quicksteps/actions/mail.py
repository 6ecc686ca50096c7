"""Actions that write mail: forward (inline or as an attachment), a reply draft, a new message.

Each makes a message tagged with ``<operation>/<message>/<action>`` (an extended property):
a draft the group sends afterwards, or one left for the secretary. A resumed run finds it by
that tag and does not make it again. What was sent cannot be undone; a draft stays for the
secretary to delete.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from automations.graph import BatchRequest, GraphSession
from automations.quicksteps import models as m
from automations.quicksteps.actions.base import (
    ActionType,
    DescribeContext,
    Finder,
    Made,
    RequestContext,
    Resuming,
    Wanted,
)
from automations.quicksteps.effects import TAG_PROPERTY, render
from automations.quicksteps.reads import get_one

__all__ = [
    "TAGGED",
    "ForwardAction",
    "ForwardAsAttachmentAction",
    "NewMessageAction",
    "ReplyDraftAction",
    "TaggedMessages",
]

TAGS_PER_QUERY = 10  # filter clauses per query, well within what Exchange accepts


class TaggedMessages(Finder):
    """Messages in the mailbox carrying one of the wanted tags, ten tags per query."""

    async def find(
        self, graph: GraphSession, where: Resuming, wanted: Sequence[Wanted]
    ) -> dict[str, Made]:
        tags = [w.tag for w in wanted]
        made: dict[str, Made] = {}
        prop = TAG_PROPERTY
        for i in range(0, len(tags), TAGS_PER_QUERY):
            wanted_tags = " or ".join(
                f"singleValueExtendedProperties/any(ep: ep/id eq '{prop}' and ep/value eq '{t}')"
                for t in tags[i : i + TAGS_PER_QUERY]
            )
            url = (
                f"/users/{where.mailbox}/messages?$filter={wanted_tags}&$select=id,isDraft"
                f"&$expand=singleValueExtendedProperties($filter=id eq '{prop}')"
            )
            for message in (await get_one(graph, url))["value"]:
                for ep in message.get("singleValueExtendedProperties") or []:
                    made[ep["value"]] = Made(message["id"], bool(message.get("isDraft")))
        return made


TAGGED = TaggedMessages()
SENT = "verstuurd; dat kan niet terug"


def _to(addresses: Sequence[str]) -> list[dict[str, Any]]:
    return [{"emailAddress": {"address": a}} for a in addresses]


class ForwardAction(ActionType[m.Forward]):
    """A forward drafted with ``createForward`` (tagged), sent after the group's changes."""

    name = "forward"
    finder = TAGGED
    kept = SENT

    @property
    def as_attachment(self) -> bool:
        return self.spec.as_attachment

    @property
    def sends(self) -> bool:
        return True

    def describe(self, ctx: DescribeContext) -> str:
        how = "als bijlage " if self.as_attachment else ""
        return f"Doorsturen {how}naar {', '.join(self.spec.to)}"

    def requests(self, ctx: RequestContext) -> list[BatchRequest]:
        if self.as_attachment:
            return [self._with_attachment(ctx)]
        message = {"toRecipients": _to(self.spec.to), "singleValueExtendedProperties": ctx.tagged}
        body = {"comment": render(self.spec.comment, ctx.values), "message": message}
        return [BatchRequest("POST", f"{ctx.message_url}/createForward", body)]

    def _with_attachment(self, ctx: RequestContext) -> BatchRequest:
        """Graph has no forward-as-attachment: a new message carrying the original as an item."""
        facts = ctx.facts
        attached = {"@odata.type": "#microsoft.graph.message", **facts.item}
        body = {
            "subject": f"FW: {facts.subject}",
            "body": {
                "contentType": "text",
                "content": render(self.spec.comment, ctx.values, html=False),
            },
            "toRecipients": _to(self.spec.to),
            "attachments": [
                {
                    "@odata.type": "#microsoft.graph.itemAttachment",
                    "name": facts.subject or "Bericht",
                    "item": attached,
                }
            ],
            "singleValueExtendedProperties": ctx.tagged,
        }
        return BatchRequest("POST", f"/users/{ctx.mailbox}/messages", body)


class ForwardAsAttachmentAction(ForwardAction):
    """``forward`` with the original attached, whatever ``as_attachment`` says."""

    name = "forward_as_attachment"

    @property
    def as_attachment(self) -> bool:
        return True


class ReplyDraftAction(ActionType[m.ReplyDraft]):
    """A reply (or reply to all) left in Drafts for the secretary or executive to finish."""

    name = "reply_draft"
    finder = TAGGED
    kept = "het concept blijft staan; verwijder het zelf"

    def describe(self, ctx: DescribeContext) -> str:
        return "Concept-antwoord aan allen" if self.spec.reply_all else "Concept-antwoord"

    def requests(self, ctx: RequestContext) -> list[BatchRequest]:
        verb = "createReplyAll" if self.spec.reply_all else "createReply"
        body = {
            "comment": render(self.spec.body, ctx.values),
            "message": {"singleValueExtendedProperties": ctx.tagged},
        }
        return [BatchRequest("POST", f"{ctx.message_url}/{verb}", body)]


class NewMessageAction(ActionType[m.NewMessage]):
    """A new message from the executive's mailbox: sent, or left as a draft to check."""

    name = "new_message"
    finder = TAGGED
    kept = "opgesteld of verstuurd; verwijder een concept zelf"

    @property
    def sends(self) -> bool:
        return self.spec.send

    def describe(self, ctx: DescribeContext) -> str:
        what = "Nieuw bericht versturen" if self.spec.send else "Nieuw concept"
        return f"{what} aan {', '.join(self.spec.to)}"

    def requests(self, ctx: RequestContext) -> list[BatchRequest]:
        body = {
            "subject": render(self.spec.subject, ctx.values, html=False),
            "body": {
                "contentType": "text",
                "content": render(self.spec.body, ctx.values, html=False),
            },
            "toRecipients": _to(self.spec.to),
            "singleValueExtendedProperties": ctx.tagged,
        }
        return [BatchRequest("POST", f"/users/{ctx.mailbox}/messages", body)]
