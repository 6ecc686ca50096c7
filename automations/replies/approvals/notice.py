"""The mail that asks the executive to decide: enough to decide from the mail itself (the
draft's text, who asked and her note, what she said of an earlier version), one link to act.

Everything in it comes from people: the draft passes the allow-list (``html.clean``), the rest
is escaped. A long draft is cut, at a tag boundary, to keep the mail small on a phone.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from automations.replies.html import clean

__all__ = ["NOTICE_TEXT_LIMIT", "READ_ON", "draft_excerpt", "request_notice"]

NOTICE_TEXT_LIMIT = 12_000  # characters of cleaned HTML of the draft in the notice
READ_ON = "… (lees verder in Outlook)"
# Where the reply ends and the quoted original begins, as Outlook and Exchange write it: the
# original is in her inbox already.
_QUOTE = re.compile(
    r"<div[^>]*\bid=\"?appendonsend\b"
    r"|<hr[^>]*>\s*<div[^>]*\bid=\"?divRplyFwdMsg\b"
    r"|<div[^>]*\bid=\"?divRplyFwdMsg\b",
    re.IGNORECASE,
)


def draft_excerpt(body: str, limit: int = NOTICE_TEXT_LIMIT) -> tuple[str, bool]:
    """The reply's own text (above the quote), cleaned, and whether it was cut short."""
    found = _QUOTE.search(body)
    cleaned = clean(body[: found.start()] if found else body).strip()
    if len(cleaned) <= limit:
        return cleaned, False
    cut = cleaned[:limit]
    if cut.rfind("<") > cut.rfind(">"):  # inside a tag: before it
        cut = cut[: cut.rfind("<")]
    if cut.rfind("&") > cut.rfind(";"):  # inside an entity: before it
        cut = cut[: cut.rfind("&")]
    return clean(cut), True  # cleaning again closes what the cut left open


def _lines(text: str) -> Markup:
    return Markup("<br>").join(escape(line) for line in text.strip().splitlines())


def request_notice(
    *,
    subject: str,
    recipients: list[str],
    asker: str,
    note: str,
    link: str,
    draft_body: str | None,
    earlier_comment: str | None = None,
) -> str:
    """The notice's HTML. ``draft_body``: the draft's HTML as Graph has it (None: unreadable,
    only the link); ``earlier_comment``: her comment on the version this one revises."""
    act = Markup('<p><a href="{}">Bekijken en beslissen</a> (goedkeuren, bewerken of afwijzen)</p>')
    parts = [
        Markup("<p>{} vraagt uw goedkeuring voor dit antwoord: <b>{}</b>.</p>").format(
            asker, subject or "(geen onderwerp)"
        )
    ]
    if recipients:
        parts.append(Markup("<p><b>Aan:</b> {}</p>").format("; ".join(recipients)))
    if earlier_comment:
        parts.append(
            Markup("<p>Dit is een herziene versie. Bij de vorige schreef u: “{}”</p>").format(
                _lines(earlier_comment)
            )
        )
    if note.strip():
        parts.append(Markup("<p><b>Notitie van {}:</b><br>{}</p>").format(asker, _lines(note)))
    parts.append(act.format(link))
    if draft_body is not None:
        text, cut = draft_excerpt(draft_body)
        parts.append(Markup("<hr><div>{}</div>").format(Markup(text)))  # cleaned above
        if cut:
            parts.append(Markup("<p><i>{}</i></p>").format(READ_ON))
        parts.append(Markup("<hr>"))
        parts.append(act.format(link))
    return str(Markup("").join(parts))
