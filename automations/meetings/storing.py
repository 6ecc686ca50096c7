"""One step of a push: stream a file from Graph into a spooled temporary file (memory stays
flat; large files go to disk) while hashing it, then store it under its agenda item — once per
content, a new version when the name exists with other content. A resumed step finds what an
earlier attempt stored by its hash, in the store or in the target. The last step labels the
mail *In vergadermap*.

The mail itself (its ``.eml``) is recognised by its identity, not by its bytes: Exchange
converts a message to MIME anew on every read (another multipart boundary, other transport
headers), so two reads of one unchanged mail hash differently. Its identity is the immutable
id (the gateway asks for immutable ids, so a move to another folder keeps it). Not the
``changeKey``: that changes with every property, and the label this push sets, a quick step's
category, a flag or reading it all change it while the mail is the same. A received mail's
content does not change, so the same mail in the same agenda item is one document — what the
secretary sees in her mailbox as one mail — and pushing it again reports it as already there.
Attachments keep their content hash: their bytes are stable between reads.
"""

from __future__ import annotations

import dataclasses
import hashlib
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.audit import AuditEntry, record
from automations.graph import BatchRequest, GraphSession
from automations.journal import StepContext
from automations.mailboxes.categories import ensure_categories
from automations.meetings.folders import folders_of
from automations.meetings.models import PushResult, PushStatus
from automations.meetings.reading import Place
from automations.meetings.targets import Target
from automations.store import clock_of
from automations.store.models import MeetingDocumentRow

__all__ = ["CATEGORY", "executor", "spool"]

CATEGORY = "In vergadermap"
SPOOL = 1024 * 1024  # in memory up to this, then on disk
READ = 1024 * 1024


async def spool(graph: GraphSession, path: str) -> tuple[IO[bytes], int, str]:
    """Stream ``path`` into a spooled file, hashing on the way; memory stays at one block."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL)  # noqa: SIM115 - returned to caller
    digest, size = hashlib.sha256(), 0
    try:
        async for block in graph.stream(path, READ):
            out.write(block)
            digest.update(block)
            size += len(block)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out, size, digest.hexdigest()


def executor(
    graph: GraphSession, sessions: async_sessionmaker[AsyncSession], place: Place,
    target: Target, actor: str,
) -> Callable[[StepContext], Awaitable[dict[str, Any]]]:  # fmt: skip
    """The journal's executor of a push: ``file`` steps store, the ``label`` step labels."""

    async def execute(ctx: StepContext) -> dict[str, Any]:
        if ctx.name == "label":
            return await _label(graph, ctx.mailbox, ctx.params["message"])
        if ctx.params.get("attachment") is None:  # the mail itself: once per mail
            known = await _mail_in_item(sessions, place, ctx.params["message"])
            if known is not None:
                return dataclasses.asdict(_duplicate(ctx, known))
        data, size, sha256 = await spool(graph, ctx.params["path"])
        try:
            stored = await _store_one(sessions, place, target, actor, ctx, data, size, sha256)
        finally:
            data.close()
        return dataclasses.asdict(stored)

    return execute


async def _mail_in_item(
    sessions: async_sessionmaker[AsyncSession], place: Place, message: str
) -> MeetingDocumentRow | None:
    """The ``.eml`` of this mail (by its immutable id) already under the agenda item."""
    async with sessions() as session:
        return await session.scalar(
            select(MeetingDocumentRow)
            .where(
                MeetingDocumentRow.agenda_item_id == place.item.id,
                MeetingDocumentRow.source_message_id == message,
                MeetingDocumentRow.source_attachment_id.is_(None),
            )
            .order_by(MeetingDocumentRow.version)
            .limit(1)
        )


def _duplicate(ctx: StepContext, same: MeetingDocumentRow) -> PushResult:
    """Already there: what was stored then, under the name it got then."""
    p = ctx.params
    return PushResult(p["original"], same.file_name, same.size, same.sha256, "duplicate",
                      same.version, p["file_name"] != p["original"])  # fmt: skip


async def _label(graph: GraphSession, mailbox: str, message: str) -> dict[str, Any]:
    """The mail's category *In vergadermap* (made in her mailbox when missing), kept once."""
    await ensure_categories(graph, mailbox, {CATEGORY: "preset7"}, create=True)
    url = f"/users/{mailbox}/messages/{message}"
    [current] = await graph.batch([BatchRequest("GET", f"{url}?$select=categories")])
    current.raise_for_status()
    categories = current.body.get("categories") or []
    if CATEGORY not in categories:
        [done] = await graph.batch(
            [BatchRequest("PATCH", url, {"categories": [*categories, CATEGORY]})]
        )
        done.raise_for_status()
    return {"label": CATEGORY}


async def _store_one(
    sessions: async_sessionmaker[AsyncSession], place: Place, target: Target, actor: str,
    ctx: StepContext, data: IO[bytes], size: int, sha256: str,
) -> PushResult:  # fmt: skip
    p = ctx.params
    async with sessions() as session:
        same = await session.scalar(
            select(MeetingDocumentRow).where(
                MeetingDocumentRow.agenda_item_id == place.item.id,
                MeetingDocumentRow.sha256 == sha256,
            )
        )
    if same is not None:  # pushed before (or by an earlier attempt of this step)
        return _duplicate(ctx, same)
    folders = folders_of(place.kind, place.meeting, place.item)
    stored = await target.store(folders, p["file_name"], data, size, sha256)
    async with sessions() as session, session.begin():
        versions = await session.scalar(
            select(func.count()).where(
                MeetingDocumentRow.agenda_item_id == place.item.id,
                MeetingDocumentRow.file_name == p["file_name"],
            )
        )
        row = MeetingDocumentRow(
            id=str(uuid.uuid4()), agenda_item_id=place.item.id, file_name=p["file_name"],
            original_name=p["original"][:400], display_name=p["display_name"][:200], size=size,
            sha256=sha256, version=(versions or 0) + 1,
            confidential=p["confidential"] or place.item.confidential,
            source_mailbox=ctx.mailbox, source_message_id=p["message"],
            source_attachment_id=p.get("attachment"), target=target.kind,
            target_ref=stored.ref[:1000], placed_by=actor, placed_at=clock_of(session).now(),
        )  # fmt: skip
        session.add(row)
        await record(
            session,
            AuditEntry(actor=actor, mailbox=ctx.mailbox, action="meetings.push",
                       outcome="success", item_id=p["message"], operation_id=ctx.operation_id,
                       details={"file": p["file_name"], "sha256": sha256, "size": size,
                                "version": row.version, "agenda_item": place.item.id}),
        )  # fmt: skip
    status: PushStatus = "stored" if row.version == 1 else "new_version"
    return PushResult(p["original"], p["file_name"], size, sha256, status, row.version,
                      p["file_name"] != p["original"])  # fmt: skip
