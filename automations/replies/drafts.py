"""Reply drafts in the executive's mailbox: rendered from a template, made once per click.

A draft is made with ``createReply``/``createReplyAll`` (so Graph threads it and quotes the
original) and then updated with the text above the quote, plus any of the original's
attachments that were chosen. The create carries the click's operation id as an extended
property: a retry finds the draft it made instead of making a second one.

The header above the quoted original ("Van:", "Verzonden:" ...) is ours, not Graph's. Exchange
writes it in the language and time zone of the mailbox's regional settings (English and UTC
until someone sets them), a format Graph does not document. A letter under an executive's
name should say "Verzonden: vrijdag 27 november 2026 13:12" whatever her mailbox is set to,
so the header block Exchange made (``divRplyFwdMsg``) gets our Dutch text; everything else of
the quote stays as Exchange made it.
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from babel.dates import format_datetime

from automations.dates import AMSTERDAM
from automations.errors import BadRequest
from automations.graph import BatchRequest, GraphSession
from automations.mailboxes.tagged import TAG_PROPERTY, find_tagged, graph_one
from automations.replies.html import clean, prepend_to_body
from automations.replies.salutation import Register, first_name_of, salutation, split_name
from automations.replies.templates import ReplyTemplate, Signature, TemplateSet, render_body

__all__ = [
    "MAX_ATTACHMENT",
    "Draft",
    "Rendered",
    "executive_of",
    "greeting",
    "make_draft",
    "quote_header",
    "recipients_of",
    "render_reply",
    "signer_of",
    "with_dutch_header",
]

log = logging.getLogger(__name__)

# Larger attachments need an upload session; a reply to an executive's mail rarely does.
MAX_ATTACHMENT = 3 * 1024 * 1024
MARKER = 'id="secretariaat-antwoord"'
_ORIGINAL = "$select=subject,from,sender,receivedDateTime,hasAttachments,isDraft"
_OWNER = "$select=displayName,givenName,surname,jobTitle,mail"  # what ``executive_of`` reads
_QUOTED = "$select=subject,from,sender,sentDateTime,receivedDateTime,toRecipients,ccRecipients"
# The header block of the quote as Exchange writes it: <div id="divRplyFwdMsg"><font ...>
# <b>From:</b> ... <b>Subject:</b> ...</font><div>&nbsp;</div></div>.
_HEADER = re.compile(
    r"(<div[^>]*\bid=\"?divRplyFwdMsg\"?[^>]*>\s*(?:<font[^>]*>)?)"
    r"(.*?)"
    r"(</font>|<div>&nbsp;</div>|</div>)",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True)
class Rendered:
    template: str
    html: str
    reply_all: bool
    subject: str
    sender: str


@dataclass(frozen=True)
class Draft:
    id: str
    subject: str
    recipients: list[str]
    change_key: str
    web_link: str | None


def _person(address_of: Mapping[str, Any]) -> dict[str, str]:
    email = (address_of or {}).get("emailAddress") or {}
    name = email.get("name") or email.get("address") or ""
    address = email.get("address") or ""
    parts = split_name(name, address)
    return {
        "name": name,
        "address": address,
        "first_name": first_name_of(name, address),
        "surname": parts.surname if parts else "",
    }


def executive_of(
    owner: Mapping[str, Any], signature: Signature | None, mailbox: str
) -> dict[str, str]:
    """Who signs: the template set's signature, else the directory's name and function. Never
    the mailbox address: a letter signed "ingrid.zwanenburg@..." is worse than no draft."""
    spelled = " ".join(filter(None, [owner.get("givenName"), owner.get("surname")]))
    name = (signature and signature.name) or owner.get("displayName") or spelled
    if not name or "@" in name:
        raise BadRequest(
            "De naam van de bestuurder staat niet in de adreslijst; zet die onder "
            f"'signatures:' in de sjablonen ({mailbox})."
        )
    function = (signature and signature.function) or owner.get("jobTitle") or ""
    return {"name": name, "function": function, "address": mailbox}


async def signer_of(
    graph: GraphSession, mailbox: str, templates: TemplateSet | None = None
) -> dict[str, str]:
    """Who signs a letter from ``mailbox`` (``executive_of`` on her directory entry and the
    set's signature): for letters made elsewhere than from a reply template (a quick step)."""
    owner = await graph_one(graph, BatchRequest("GET", f"/users/{mailbox}?{_OWNER}"))
    signature = templates.signatures.get(mailbox.lower()) if templates else None
    return executive_of(owner, signature, mailbox)


def greeting(
    name: str, address: str, style: Register = "formeel", templates: TemplateSet | None = None
) -> str:
    """The salutation (without its comma) for the person writing as ``name`` from ``address``:
    the set's known preference for the address, else the rule (``salutation``)."""
    known = templates.salutations if templates else None
    return salutation(name or address, address, style, known)


async def render_reply(
    graph: GraphSession,
    templates: TemplateSet,
    *,
    mailbox: str,
    message_id: str,
    template: str,
    actor: str,
    today: dt.date,
) -> Rendered:
    """The template's text for this message: salutation, names, dates, signature."""
    chosen: ReplyTemplate = templates.template(template)
    message, owner, secretary = await graph.batch(
        [
            BatchRequest("GET", f"/users/{mailbox}/messages/{message_id}?{_ORIGINAL}"),
            BatchRequest("GET", f"/users/{mailbox}?{_OWNER}"),
            BatchRequest("GET", f"/users/{actor}?$select=displayName"),
        ]
    )
    for answer in (message, owner, secretary):
        answer.raise_for_status()
    if message.body.get("isDraft"):
        raise BadRequest("Dit is zelf een concept; kies het bericht waarop u wilt antwoorden.")
    sender = _person(message.body.get("from") or message.body.get("sender") or {})
    executive = executive_of(owner.body, templates.signatures.get(mailbox.lower()), mailbox)
    received = dt.datetime.fromisoformat(message.body["receivedDateTime"].replace("Z", "+00:00"))
    subject: str = message.body.get("subject") or ""
    values = {
        "salutation": greeting(sender["name"], sender["address"], chosen.style, templates),
        "sender": sender,
        "executive": executive,
        "secretary": {"name": secretary.body.get("displayName") or actor},
        "subject": subject,
        "received": received.astimezone(AMSTERDAM),
        "today": today,
    }
    return Rendered(
        template=chosen.name,
        html=render_body(chosen, values),
        reply_all=chosen.reply_all,
        subject=subject,
        sender=sender["name"],
    )


def recipients_of(message: Mapping[str, Any]) -> list[str]:
    people = [*(message.get("toRecipients") or []), *(message.get("ccRecipients") or [])]
    return [p["emailAddress"]["address"] for p in people if p.get("emailAddress")]


async def make_draft(
    graph: GraphSession,
    *,
    mailbox: str,
    message_id: str,
    html: str,
    reply_all: bool,
    attachment_ids: Sequence[str],
    operation_id: str,
) -> Draft:
    """The reply draft for this click: made once, then given its text and attachments."""
    base = f"/users/{mailbox}/messages"
    tag = f"draft/{operation_id}"
    found = await find_tagged(graph, mailbox, tag)
    if found is not None and not found["isDraft"]:
        raise BadRequest("Dit concept is al verzonden.")
    original = BatchRequest("GET", f"{base}/{message_id}?{_QUOTED}")
    if found is None:
        verb = "createReplyAll" if reply_all else "createReply"
        tagged = [{"id": TAG_PROPERTY, "value": tag}]
        create = BatchRequest(
            "POST",
            f"{base}/{message_id}/{verb}",
            {"message": {"singleValueExtendedProperties": tagged}},
        )
        made, replied_to = await _both(graph, create, original)
        draft_id, quoted = made["id"], made["body"]["content"]
    else:
        draft_id = found["id"]
        current = BatchRequest("GET", f"{base}/{draft_id}?$select=body")
        made, replied_to = await _both(graph, current, original)
        quoted = made["body"]["content"]
    if MARKER not in quoted:  # a retry after the update: the text is there already
        quoted = prepend_to_body(
            with_dutch_header(quoted, replied_to), f"<div {MARKER}>{clean(html)}</div>"
        )
    updated = await graph_one(
        graph,
        BatchRequest(
            "PATCH", f"{base}/{draft_id}", {"body": {"contentType": "html", "content": quoted}}
        ),
    )
    if attachment_ids:
        updated = await _attach(graph, base, message_id, draft_id, attachment_ids) or updated
    return Draft(
        id=draft_id,
        subject=updated.get("subject") or "",
        recipients=recipients_of(updated),
        change_key=updated.get("changeKey") or "",
        web_link=updated.get("webLink"),
    )


async def _both(
    graph: GraphSession, first: BatchRequest, second: BatchRequest
) -> tuple[dict[str, Any], dict[str, Any]]:
    one, two = await graph.batch([first, second])
    one.raise_for_status()
    two.raise_for_status()
    return one.body, two.body


def _names(people: Sequence[Mapping[str, Any]] | None) -> str:
    emails = [(p or {}).get("emailAddress") or {} for p in people or []]
    return "; ".join(e.get("name") or e.get("address") or "" for e in emails)


def quote_header(original: Mapping[str, Any]) -> str:
    """The Dutch header above the quoted original, as Outlook in Dutch writes it: "Van:",
    "Verzonden: vrijdag 27 november 2026 13:12" (Dutch time), "Aan:", "CC:", "Onderwerp:"."""
    stamp = original.get("sentDateTime") or original.get("receivedDateTime")
    when = ""
    if stamp:
        moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        when = format_datetime(moment, "EEEE d MMMM y HH:mm", tzinfo=AMSTERDAM, locale="nl")
    rows = [
        ("Van", _names([original.get("from") or original.get("sender") or {}])),
        ("Verzonden", when),
        ("Aan", _names(original.get("toRecipients"))),
        ("CC", _names(original.get("ccRecipients"))),
        ("Onderwerp", original.get("subject") or ""),
    ]
    return "<br>\r\n".join(
        f"<b>{label}:</b> {htmllib.escape(value)}"
        for label, value in rows
        if value or label != "CC"
    )


def with_dutch_header(document: str, original: Mapping[str, Any]) -> str:
    """``document`` with our Dutch header in place of the one Exchange wrote."""
    found = _HEADER.search(document)
    if found is None:  # not the block we know: leave Exchange's quote as it is
        log.warning("reply draft without a recognisable quote header; kept as made")
        return document
    start, end = found.span(2)
    return document[:start] + quote_header(original) + document[end:]


async def _attach(
    graph: GraphSession, base: str, message_id: str, draft_id: str, ids: Sequence[str]
) -> dict[str, Any] | None:
    """Copy the chosen attachments of the original (skipping names the draft has already)."""
    wanted = list(dict.fromkeys(ids))[:20]
    answers = await graph.batch(
        [BatchRequest("GET", f"{base}/{message_id}/attachments/{a}") for a in wanted]
        + [BatchRequest("GET", f"{base}/{draft_id}/attachments?$select=name")]
    )
    for answer in answers:
        answer.raise_for_status()
    present = {a["name"] for a in answers[-1].body["value"]}
    posts = []
    for answer in answers[:-1]:
        item = answer.body
        if item.get("@odata.type") != "#microsoft.graph.fileAttachment":
            raise BadRequest(f"Bijlage '{item.get('name')}' is geen bestand en kan niet mee.")
        if (item.get("size") or 0) > MAX_ATTACHMENT:
            raise BadRequest(
                f"Bijlage '{item.get('name')}' is groter dan 3 MB; voeg die in Outlook toe."
            )
        if item["name"] in present:
            continue
        posts.append(
            BatchRequest(
                "POST",
                f"{base}/{draft_id}/attachments",
                {
                    "@odata.type": "#microsoft.graph.fileAttachment",
                    "name": item["name"],
                    "contentType": item.get("contentType") or "application/octet-stream",
                    "contentBytes": item["contentBytes"],
                },
            )
        )
    for answer in await graph.batch(posts) if posts else []:
        answer.raise_for_status()
    if not posts:
        return None
    fields = "subject,toRecipients,ccRecipients,changeKey,webLink"
    draft: dict[str, Any] = await graph_one(
        graph, BatchRequest("GET", f"{base}/{draft_id}?$select={fields}")
    )
    return draft
