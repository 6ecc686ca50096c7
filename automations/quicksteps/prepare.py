"""What a step needs in the mailbox before it runs: folders, categories, To Do lists.

Each action type says what it needs (``ActionType.needs``); this finds them, and makes the
missing ones when applying (a preview only reports them). Finding or making them is
idempotent and happens before the journal, so their ids can be part of the plan.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from automations.graph import BatchRequest, GraphSession
from automations.mailboxes.categories import ensure_categories
from automations.quicksteps.actions import ActionType
from automations.quicksteps.effects import Prepared
from automations.quicksteps.reads import get_all, get_one

__all__ = ["WELL_KNOWN", "ensure_categories", "find_folder", "prepare"]

WELL_KNOWN = {
    "inbox": "inbox",
    "postvak in": "inbox",
    "archive": "archive",
    "archief": "archive",
    "drafts": "drafts",
    "sentitems": "sentitems",
    "deleteditems": "deleteditems",
}


async def prepare(
    graph: GraphSession,
    mailbox: str,
    actor: str,
    kinds: Sequence[ActionType[Any]],
    chosen: Mapping[str, str],
    *,
    create: bool,
) -> tuple[Prepared, list[str], list[str]]:
    """Folders, categories and To Do lists the step needs, looked up side by side; returns
    them with the folders and categories that are (or would be) new."""
    needs = [kind.needs(chosen) for kind in kinds]
    paths = list(dict.fromkeys(path for need in needs for path in need.folders))
    wanted: dict[str, str] = {}
    for need in needs:
        wanted.update(need.categories)
    names = list(dict.fromkeys(name for need in needs for name in need.todo_lists))
    found_folders, new_categories, todo_lists = await asyncio.gather(
        asyncio.gather(*(find_folder(graph, mailbox, path, create=create) for path in paths)),
        ensure_categories(graph, mailbox, wanted, create=create),
        _todo_lists(graph, actor, names, create=create),
    )
    folders = {path: fid for path, (fid, _) in zip(paths, found_folders, strict=True) if fid}
    new_folders = [path for path, (_, made) in zip(paths, found_folders, strict=True) if made]
    prepared = Prepared(folders=folders, todo_lists=todo_lists, dispatch=dict(chosen))
    return prepared, new_folders, new_categories


async def find_folder(
    graph: GraphSession, mailbox: str, path: str, *, create: bool
) -> tuple[str | None, bool]:
    """The folder's id for ``Inbox/Backoffice/Wonen`` and whether it is (or would be) new;
    made when missing if ``create``."""
    parts = path.split("/")
    first = WELL_KNOWN.get(parts[0].lower())
    parent, rest = (first, parts[1:]) if first else ("msgfolderroot", parts)
    made = False
    for name in rest:
        escaped = name.replace("'", "''")
        url = f"/users/{mailbox}/mailFolders/{parent}/childFolders"
        found = await get_one(graph, f"{url}?$filter=displayName eq '{escaped}'&$select=id")
        if found["value"]:
            parent = found["value"][0]["id"]
            continue
        if not create:
            return None, True
        [answer] = await graph.batch([BatchRequest("POST", url, {"displayName": name})])
        if answer.status == 409:  # made meanwhile by a colleague's step
            found = await get_one(graph, f"{url}?$filter=displayName eq '{escaped}'&$select=id")
            parent = found["value"][0]["id"]
        else:
            answer.raise_for_status()
            parent, made = answer.body["id"], True
    return parent, made


async def _todo_lists(
    graph: GraphSession, actor: str, names: Sequence[str], *, create: bool
) -> dict[str, str]:
    """The actor's To Do lists by name (made if missing and ``create``)."""
    if not names:
        return {}
    url = f"/users/{actor}/todo/lists"
    by_name = {lst["displayName"].lower(): lst["id"] for lst in await get_all(graph, url)}
    out: dict[str, str] = {}
    for name in names:
        if name.lower() in by_name:
            out[name] = by_name[name.lower()]
        elif create:
            [made] = await graph.batch([BatchRequest("POST", url, {"displayName": name})])
            made.raise_for_status()
            out[name] = made.body["id"]
    return out
