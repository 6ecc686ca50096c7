"""Asking the executive to decide on a draft: the draft gets the category "Ter goedkeuring",
its ``changeKey`` after that is recorded with who asked and the note, and she gets a mail with
the draft's text, the note and a link to the approval page (the notice, ``notice.py``).

**Revise and offer again** (``resubmit``): after a rejection the draft is still in her Drafts
folder ("Afgekeurd"). Revised in Outlook, or here with the text the pane offers, it is asked
about again as a new approval of its own version (its own ``changeKey``), which replaces the
rejected one: that one is closed as "revised", linked (``revises``), and stays as the history.
Asking about a draft with a rejected approval in any other way (``request_approval``) does the
same. Once per click: the new approval is named by the click's operation id.

The notice comes from the secretary's own mailbox when she asks with her own sign-in, and
from the secretariat's shared mailbox when the app asks with its own identity (the CLI): the
app's RBAC scope holds that one, not the secretaries'. A notice that cannot be sent leaves the
approval standing, and says so: in the answer (``notice_error``), in the audit log, and so in
the work queue ("niet gemeld") until a notice or a reminder does reach her."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.errors import AppError, BadRequest, NotFound
from automations.graph import BatchRequest, GraphSession
from automations.mailboxes.categories import ensure_categories
from automations.mailboxes.tagged import TAG_PROPERTY, graph_one, send_tagged_mail
from automations.replies.approvals.decide import notify_rejected
from automations.replies.approvals.notice import request_notice
from automations.replies.approvals.views import (
    AWAITING,
    CATEGORIES,
    OPEN,
    REJECTED,
    STATUS_LABELS,
    ApprovalClosed,
    ApprovalView,
    DraftChanged,
    approval_id_for,
    audit,
    failure_reason,
    load,
    not_sent,
    successor_of,
    view_of,
    with_notices,
)
from automations.replies.drafts import recipients_of
from automations.replies.html import clean
from automations.store import rowcount
from automations.store.models import ApprovalRow

__all__ = ["notify_again", "request_approval", "resubmit"]

_GONE = "Het concept staat niet meer in Concepten; maak een nieuw antwoord."


async def request_approval(
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    *,
    mailbox: str,
    draft_id: str,
    message_id: str,
    actor: str,
    note: str,
    template: str | None,
    operation_id: str,
    link_base: str,
    sender: str | None = None,
    names: Mapping[str, str] | None = None,
    revised_html: str | None = None,
    seen_change_key: str | None = None,
) -> ApprovalView:
    """Ask once per ``operation_id`` (and per draft: a draft already waiting is answered with
    that approval), the notice from ``sender`` (default: ``actor``'s own mailbox); asking
    again under the same id sends a notice that failed. A rejected approval of the draft is
    replaced (closed as "revised"); ``revised_html`` is the draft's new text, written with
    ``If-Match`` on ``seen_change_key`` when given. ``names``: display names for the notice.
    The caller has authorised ``actor`` on ``mailbox``."""
    mailbox, actor = mailbox.lower(), actor.lower()
    approval_id = approval_id_for(operation_id)
    async with sessions() as session:
        mine = await session.get(ApprovalRow, approval_id)
        other = await session.scalar(
            select(ApprovalRow).where(
                ApprovalRow.draft_id == draft_id, ApprovalRow.status.in_(OPEN)
            )
        )
        earlier = await session.scalar(
            select(ApprovalRow)
            .where(ApprovalRow.draft_id == draft_id, ApprovalRow.status == "rejected")
            .order_by(ApprovalRow.requested_at.desc())
            .limit(1)
        )
    if other is not None and other.id != approval_id:  # one approval per draft at a time
        return await _answered(sessions, other)  # already waiting (and whether she was told)
    if mine is None:
        mine = await _mark_and_record(
            graph, sessions, approval_id=approval_id, mailbox=mailbox, draft_id=draft_id,
            message_id=message_id, actor=actor, note=note, template=template,
            revises=earlier.id if earlier else None, html=revised_html, seen=seen_change_key,
        )  # fmt: skip
        if mine.id != approval_id:  # another click offered it again first: that one
            return await _answered(sessions, mine)
        extra = {"revises": mine.revises} if mine.revises else {}
        await audit(sessions, mine, actor, "approval.request", "success",
                    operation_id=operation_id, **extra)  # fmt: skip
    view = view_of(mine)
    if actor != mailbox:
        failed = await _tell_her(graph, sessions, mine, actor, sender, link_base, names)
        view = replace(view, notice_error=failed)
    return view


async def resubmit(
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    *,
    row: ApprovalRow,
    actor: str,
    operation_id: str,
    link_base: str,
    note: str = "",
    html: str | None = None,
    seen_change_key: str | None = None,
    sender: str | None = None,
    names: Mapping[str, str] | None = None,
) -> ApprovalView:
    """The rejected draft of ``row``, revised (in Outlook, or ``html`` here), offered again as
    a new approval that replaces it; ``note`` for her (default: the earlier note). Once per
    ``operation_id``: a retry resumes this click's request (a notice that failed is sent), a
    second click elsewhere is answered with the version already waiting. The caller has
    authorised ``actor`` on the approval's mailbox."""
    if html is not None and not clean(html).strip():
        raise BadRequest("Het herziene concept is leeg; er is niets aangeboden.")
    if row.status == "revised":
        async with sessions() as session:
            after = await successor_of(session, row.id)
        mine = after is not None and after.id == approval_id_for(operation_id)
        if after is None or not (mine or after.status in OPEN):
            label = STATUS_LABELS[after.status].lower() if after else "herzien"
            raise ApprovalClosed(f"Dit concept is al herzien en opnieuw aangeboden ({label}).")
        html = None  # this click's text is in the draft already, or another click's is
    elif row.status != "rejected":
        raise ApprovalClosed(
            "Alleen een afgekeurd concept wordt herzien en opnieuw aangeboden; dit concept is: "
            f"{STATUS_LABELS[row.status].lower()}."
        )
    return await request_approval(
        graph, sessions, mailbox=row.mailbox, draft_id=row.draft_id, message_id=row.message_id,
        actor=actor, note=note if note.strip() else row.note, template=row.template,
        operation_id=operation_id, link_base=link_base, sender=sender, names=names,
        revised_html=html, seen_change_key=seen_change_key,
    )  # fmt: skip


async def _answered(sessions: async_sessionmaker[AsyncSession], row: ApprovalRow) -> ApprovalView:
    async with sessions() as session:
        [view] = await with_notices(session, [view_of(row)])
    return view


async def notify_again(
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    *,
    approval_id: str,
    actor: str,
    link_base: str,
    sender: str | None = None,
    front_office: str | None = None,
    names: Mapping[str, str] | None = None,
) -> ApprovalView:
    """The notice of a waiting approval once more (after it failed: "niet gemeld"), from
    ``sender`` (default: ``actor``'s own mailbox); sent at most once per mailbox it comes from.
    For a rejected one, the rejection's notice to who asked and ``front_office``, when it
    failed (``decide.notify_rejected``). The caller has authorised ``actor`` on the approval's
    mailbox."""
    async with sessions() as session:
        row = await load(session, approval_id)
    actor = actor.lower()
    if row.status == "rejected":
        return await notify_rejected(graph, sessions, row=row, actor=actor,
                                     front_office=front_office, link_base=link_base)  # fmt: skip
    if row.status != "waiting":
        label = view_of(row).status_label
        raise BadRequest(f"Dit concept wacht niet meer op een besluit ({label}).")
    failed = await _tell_her(graph, sessions, row, actor, sender, link_base, names)
    return replace(view_of(row), notice_error=failed)


async def _mark_and_record(
    graph: GraphSession, sessions: async_sessionmaker[AsyncSession], *, approval_id: str,
    mailbox: str, draft_id: str, message_id: str, actor: str, note: str, template: str | None,
    revises: str | None, html: str | None, seen: str | None,
) -> ApprovalRow:  # fmt: skip
    """The draft marked "Ter goedkeuring" (with ``html`` as its text, when revised here) and
    the version that made, recorded; the rejected approval ``revises`` closed as "revised" in
    the same transaction. Another click that replaced it first is answered instead."""
    url = f"/users/{mailbox}/messages/{draft_id}"
    try:
        draft = await graph_one(
            graph,
            BatchRequest(
                "GET", f"{url}?$select=isDraft,categories,subject,toRecipients,ccRecipients"
            ),  # fmt: skip
        )
    except NotFound:
        raise NotFound(_GONE) from None
    if not draft.get("isDraft"):
        raise BadRequest(
            "Dit bericht is geen concept (meer); alleen concepten gaan ter goedkeuring."
        )
    await ensure_categories(graph, mailbox, CATEGORIES, create=True)
    keep = [c for c in draft.get("categories") or [] if c not in (AWAITING, REJECTED)]
    patch: dict[str, Any] = {"categories": [*keep, AWAITING]}
    if html is None:
        marked = await graph_one(graph, BatchRequest("PATCH", url, patch))
    else:
        marked = await _revise(graph, url, patch, clean(html), seen, f"revise/{approval_id}")
    try:
        return await _record(sessions, approval_id, mailbox, draft_id, message_id, actor, note,
                             template, revises, marked)  # fmt: skip
    except IntegrityError:  # another click recorded the draft's open approval first: that one
        async with sessions() as session:
            first = await session.scalar(
                select(ApprovalRow).where(
                    ApprovalRow.draft_id == draft_id, ApprovalRow.status.in_(OPEN)
                )
            )
        if first is None:
            raise
        return first


async def _record(
    sessions: async_sessionmaker[AsyncSession], approval_id: str, mailbox: str, draft_id: str,
    message_id: str, actor: str, note: str, template: str | None, revises: str | None,
    marked: dict[str, Any],
) -> ApprovalRow:  # fmt: skip
    async with sessions() as session, session.begin():
        if revises is not None:
            won = await session.execute(
                update(ApprovalRow)
                .where(ApprovalRow.id == revises, ApprovalRow.status == "rejected")
                .values(status="revised")
            )
            if rowcount(won) != 1:  # replaced meanwhile: by this click, or another
                found = await successor_of(session, revises)
                if found is not None:
                    return found
                revises = None
        row = ApprovalRow(
            id=approval_id,
            mailbox=mailbox,
            draft_id=draft_id,
            message_id=message_id,
            subject=(marked.get("subject") or "")[:400],
            recipients=";".join(recipients_of(marked))[:1000],
            change_key=marked["changeKey"],
            template=template,
            note=note.strip()[:4000],
            requested_by=actor,
            status="waiting",
            reminders=0,
            revises=revises,
        )
        session.add(row)
    return row


async def _revise(
    graph: GraphSession, url: str, patch: dict[str, Any], html: str, seen: str | None, tag: str
) -> Any:
    """The new text and the mark in one update, on the version she saw (``seen``: Graph
    answers 412 when it changed). The update carries this click's tag, so a retry after a
    lost answer recognises its own change instead of refusing it."""
    patch = {
        **patch,
        "body": {"contentType": "html", "content": html},
        "singleValueExtendedProperties": [{"id": TAG_PROPERTY, "value": tag}],
    }
    headers = {"If-Match": f'W/"{seen}"'} if seen else {}
    [answer] = await graph.batch([BatchRequest("PATCH", url, patch, headers=headers)])
    if answer.status == 412:
        prop = f"singleValueExtendedProperties($filter=id eq '{TAG_PROPERTY}')"
        now = await graph_one(graph, BatchRequest("GET", f"{url}?$select=id&$expand={prop}"))
        tags = [e.get("value") for e in now.get("singleValueExtendedProperties") or []]
        if tag not in tags:
            raise DraftChanged()
        answer = (await graph.batch([BatchRequest("PATCH", url, patch)]))[0]
    if answer.status == 404:
        raise NotFound(_GONE)
    answer.raise_for_status()
    return answer.body


async def _tell_her(
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    row: ApprovalRow,
    actor: str,
    app_sender: str | None,
    link_base: str,
    names: Mapping[str, str] | None = None,
) -> str | None:
    """The notice with the draft's text, the note and the link, from ``app_sender`` (the
    app's own identity sends) or else from ``actor``'s own mailbox; audited either way. The
    request stands when it fails: the answer is why (``not_sent``), None when it went out."""
    sender = (app_sender or actor).lower()
    names = names or {}
    body = None
    try:  # the text as it is now: gone, the notice has the link alone
        found = await graph_one(graph, BatchRequest(
            "GET", f"/users/{row.mailbox}/messages/{row.draft_id}?$select=body"
        ))  # fmt: skip
        body = (found.get("body") or {}).get("content") or ""
    except NotFound:
        pass
    earlier = None
    if row.revises:
        async with sessions() as session:
            revised = await session.get(ApprovalRow, row.revises)
            earlier = revised.comment if revised else None
    html = request_notice(
        subject=row.subject, recipients=[r for r in row.recipients.split(";") if r],
        asker=names.get(row.requested_by, row.requested_by), note=row.note,
        link=f"{link_base}/goedkeuren/{row.id}", draft_body=body, earlier_comment=earlier,
    )  # fmt: skip
    try:
        await send_tagged_mail(
            graph, sender, [row.mailbox], f"Ter goedkeuring: {row.subject}", html,
            f"approval-request/{row.id}",
        )  # fmt: skip
    except AppError as exc:
        reason = failure_reason(exc, sender, app_sent=app_sender is not None)
        await audit(sessions, row, actor, "approval.notify", "failure", sender=sender,
                    error=reason, graph_error=(exc.detail or exc.message)[:400])  # fmt: skip
        return not_sent(reason)
    await audit(sessions, row, actor, "approval.notify", sender=sender)
    return None
