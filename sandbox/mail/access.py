"""Who may do what to a mailbox, and finding items in it without leaking other mailboxes.

The dispatcher decides the permission each endpoint takes (``sandbox/permissions.py``), and
reading (own mailbox, delegate rights, RBAC scope); changing and sending need editor rights
for a delegate too. An id from
another mailbox is answered exactly like an id that does not exist.
"""

from __future__ import annotations

import re

from sandbox.context import Ctx
from sandbox.errors import ErrorAccessDenied, ErrorItemNotFound, GraphError
from sandbox.mail import service
from sandbox.store import Record

__all__ = ["attachment", "folder", "message", "require_send", "require_write"]

_ID = re.compile(r"^[A-Za-z0-9_\-+/]{20,}={0,2}$")


def require_write(ctx: Ctx) -> None:
    """Editor rights for a delegate (the permission itself is the dispatcher's check)."""
    if not ctx.services.can_write(ctx.caller, ctx.mailbox_id, "mail"):
        raise ErrorAccessDenied()


def require_send(ctx: Ctx) -> None:
    """Sending from someone else's mailbox takes the same editor rights as changing it."""
    require_write(ctx)


def check_id(item_id: str) -> None:
    if not _ID.match(item_id):
        raise GraphError("Id is malformed.", code="ErrorInvalidIdMalformed")


def message(ctx: Ctx, message_id: str, folder_key: str | None = None) -> Record:
    """A message of this mailbox by immutable or current id (and in ``folder_key`` if given)."""
    check_id(message_id)
    rec = ctx.store.get(message_id, "message")
    if rec is None or rec.mailbox != ctx.mailbox_id:
        raise ErrorItemNotFound()
    if folder_key is not None and folder(ctx, folder_key).id != rec.parent:
        raise ErrorItemNotFound()
    return rec


def folder(ctx: Ctx, key: str) -> Record:
    """A folder by id or well-known name; ids of other mailboxes are not found."""
    lowered = key.lower()
    if lowered not in service.WELL_KNOWN and lowered != service.ROOT:
        check_id(key)
    try:
        return service.resolve_folder(ctx.store, ctx.mailbox_id, key)
    except ErrorItemNotFound:
        raise ErrorItemNotFound() from None


def attachment(ctx: Ctx, msg: Record, attachment_id: str) -> Record:
    check_id(attachment_id)
    rec = ctx.store.get(attachment_id, "attachment")
    if rec is None or rec.parent != msg.id:
        raise ErrorItemNotFound()
    return rec
