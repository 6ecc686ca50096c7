"""The ``resource`` paths of a mail subscription, as Graph accepts them.

``me/messages``, ``users/{id|upn}/messages``, ``me/mailFolders('Inbox')/messages``,
``users/{id}/mailFolders/{id}/messages`` and the same with ``users('{id}')``, a leading ``/``,
any letter case (the docs write ``mailfolders`` and ``mailFolders``). A query (``$filter``,
``$select`` for rich notifications) is Graph's but not emulated: refused with a 400 that says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sandbox.subscriptions.errors import InvalidRequest

__all__ = ["MailResource", "parse"]

_PATH = re.compile(
    r"^/?(?:(?P<me>me)|users(?:/(?P<user>[^/()']+)|\('(?P<quser>[^']+)'\)))"
    r"(?:/mailfolders(?:/(?P<folder>[^/()']+)|\('(?P<qfolder>[^']+)'\)))?"
    r"/messages/?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class MailResource:
    """Whose messages: ``user`` None is the signed-in user (``me``); ``folder`` None is the
    whole mailbox, else a folder id or well-known name."""

    user: str | None
    folder: str | None


def parse(resource: str) -> MailResource:
    path, _, query = resource.strip().partition("?")
    match = _PATH.match(path)
    if match is None:
        raise InvalidRequest(
            f"Invalid 'resource' attribute: '{resource}'. The sandbox emulates change"
            " notifications for messages only (me/messages, users/{id}/messages,"
            " users/{id}/mailFolders/{id}/messages)."
        )
    if query:
        raise InvalidRequest(
            f"Invalid 'resource' attribute: '{resource}'. Query options ($filter, $select) on a"
            " subscription resource are not emulated by the sandbox."
        )
    user = None if match["me"] else (match["user"] or match["quser"])
    return MailResource(user=user, folder=match["folder"] or match["qfolder"])
