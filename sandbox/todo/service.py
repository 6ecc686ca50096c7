"""Microsoft To Do state: task lists, tasks and their linked resources as stored records.

Routes and the seed both go through these functions. Every user has the well-known default
list "Tasks", created the first time anything touches their To Do.
"""

from __future__ import annotations

from typing import Any

from sandbox.errors import ErrorItemNotFound, GraphError
from sandbox.ids import change_key, new_guid, new_id
from sandbox.mail.service import now_iso
from sandbox.store import Record, Store
from sandbox.timezones import format_graph_datetime, parse_graph_datetime

__all__ = [
    "DEFAULT_LIST_NAME",
    "create_linked_resource",
    "create_list",
    "create_task",
    "default_list",
    "get_list",
    "get_task",
    "lists",
    "new_list",
    "touch",
    "update_task",
]

DEFAULT_LIST_NAME = "Tasks"
STATUSES = ("notStarted", "inProgress", "completed", "waitingOnOthers", "deferred")
IMPORTANCES = ("low", "normal", "high")
_TASK_FIELDS = {
    "title", "body", "importance", "status", "categories", "dueDateTime", "startDateTime",
    "completedDateTime", "reminderDateTime", "isReminderOn", "recurrence",
    "bodyLastModifiedDateTime",
}  # fmt: skip
_DATE_FIELDS = ("dueDateTime", "startDateTime", "reminderDateTime", "completedDateTime")
_LINK_FIELDS = {"webUrl", "applicationName", "displayName", "externalId"}


def _now(store: Store) -> str:
    """To Do stamps carry seven fractional digits."""
    return now_iso(store).replace("Z", ".0000000Z")


def touch(store: Store, data: dict[str, Any]) -> None:
    ck = change_key()
    data["@odata.etag"] = f'W/"{ck}"'
    if "lastModifiedDateTime" in data:
        data["lastModifiedDateTime"] = _now(store)


# -- lists ----------------------------------------------------------------------------------
def _make_list(store: Store, user_id: str, name: str, well_known: str) -> Record:
    rec = Record(id=new_id("todoTaskList"), kind="todoTaskList", mailbox=user_id, parent=None)
    rec.data = {
        "@odata.etag": f'W/"{change_key()}"',
        "displayName": name,
        "isOwner": True,
        "isShared": False,
        "wellknownListName": well_known,
        "id": rec.id,
    }
    store.put(rec)
    return rec


def default_list(store: Store, user_id: str) -> Record:
    for rec in store.find("todoTaskList", mailbox=user_id):
        if rec.data.get("wellknownListName") == "defaultList":
            return rec
    return _make_list(store, user_id, DEFAULT_LIST_NAME, "defaultList")


def lists(store: Store, user_id: str) -> list[Record]:
    default_list(store, user_id)
    return store.find("todoTaskList", mailbox=user_id)


def create_list(store: Store, user_id: str, name: str) -> Record:
    """A new list; the seed's "Tasks" is the user's default list rather than a second one."""
    if not isinstance(name, str) or not name.strip():
        raise GraphError("The displayName of the list cannot be empty.", code="invalidRequest")
    if name == DEFAULT_LIST_NAME:
        return default_list(store, user_id)
    return new_list(store, user_id, name)


def new_list(store: Store, user_id: str, name: str) -> Record:
    """A list the user made; names need not be unique in To Do."""
    default_list(store, user_id)
    return _make_list(store, user_id, name, "none")


def get_list(store: Store, user_id: str, list_id: str) -> Record:
    rec = store.get(list_id, "todoTaskList")
    if rec is None or rec.mailbox != user_id:
        raise ErrorItemNotFound("The specified object was not found in the store.")
    return rec


# -- tasks ----------------------------------------------------------------------------------
def _check_task(task: dict[str, Any]) -> None:
    unknown = [k for k in task if k not in _TASK_FIELDS and not k.startswith("@")]
    if unknown and unknown != ["linkedResources"]:
        extra = next(k for k in unknown if k != "linkedResources")
        raise GraphError(
            f"The property '{extra}' does not exist on type 'microsoft.graph.todoTask'. Make sure"
            " to only use property names that are defined by the type.",
            code="invalidRequest",
        )
    if "status" in task and task["status"] not in STATUSES:
        raise GraphError(f"Invalid value '{task['status']}' for status.", code="invalidRequest")
    if "importance" in task and task["importance"] not in IMPORTANCES:
        raise GraphError(
            f"Invalid value '{task['importance']}' for importance.", code="invalidRequest"
        )
    kinds = {"title": str, "isReminderOn": bool, "recurrence": dict}
    for key, kind in kinds.items():
        if task.get(key) is not None and not isinstance(task[key], kind):
            raise GraphError(f"Invalid value for property '{key}'.", code="invalidRequest")
    categories = task.get("categories", [])
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        raise GraphError("Invalid value for property 'categories'.", code="invalidRequest")
    for key in _DATE_FIELDS:
        if task.get(key) is not None:
            task[key] = _utc(key, task[key])


def _utc(key: str, value: Any) -> dict[str, str]:
    """To Do keeps its dates in UTC whatever zone they were sent in."""
    try:
        when = parse_graph_datetime(value)
    except (ValueError, KeyError, TypeError) as exc:
        raise GraphError(f"Invalid value for property '{key}'.", code="invalidRequest") from exc
    return format_graph_datetime(when, "UTC")


def create_task(store: Store, user_id: str, list_id: str, task: dict[str, Any]) -> Record:
    """A task in ``list_id`` with Graph's defaults; inline ``linkedResources`` are created too."""
    task = dict(task)
    _check_task(task)
    get_list(store, user_id, list_id)
    now = _now(store)
    rec = Record(id=new_id("todoTask"), kind="todoTask", mailbox=user_id, parent=list_id)
    data: dict[str, Any] = {
        "@odata.etag": "",
        "importance": "normal",
        "isReminderOn": False,
        "status": "notStarted",
        "title": "",
        "createdDateTime": now,
        "lastModifiedDateTime": now,
        "hasAttachments": False,
        "categories": [],
        "id": rec.id,
        "body": {"content": "", "contentType": "text"},
        "bodyLastModifiedDateTime": now,
    }
    links = task.get("linkedResources") or []
    data.update({k: v for k, v in task.items() if k in _TASK_FIELDS})
    data["body"] = _body(task.get("body"))
    if data["status"] == "completed" and "completedDateTime" not in task:
        data["completedDateTime"] = {"dateTime": now[:-1], "timeZone": "UTC"}
    touch(store, data)
    rec.data = data
    with store.transaction():
        store.put(rec)
        for link in links:
            create_linked_resource(store, rec, link)
    return rec


def _body(body: Any) -> dict[str, Any]:
    if not body:
        return {"content": "", "contentType": "text"}
    if not isinstance(body, dict):
        raise GraphError("Invalid value for body.", code="invalidRequest")
    kind = str(body.get("contentType", "text")).lower()
    if kind not in ("text", "html"):
        raise GraphError(f"Invalid value '{kind}' for contentType.", code="invalidRequest")
    return {"content": body.get("content") or "", "contentType": kind}


def get_task(store: Store, user_id: str, list_id: str, task_id: str) -> Record:
    get_list(store, user_id, list_id)
    rec = store.get(task_id, "todoTask")
    if rec is None or rec.parent != list_id:
        raise ErrorItemNotFound("The specified object was not found in the store.")
    return rec


def update_task(store: Store, rec: Record, patch: dict[str, Any]) -> Record:
    patch = {k: v for k, v in patch.items() if k != "linkedResources"}
    _check_task(patch)
    data = rec.data
    was_done = data.get("status") == "completed"
    for key, value in patch.items():
        if key.startswith("@"):
            continue
        data[key] = _body(value) if key == "body" else value
    if "body" in patch:
        data["bodyLastModifiedDateTime"] = _now(store)
    if data.get("status") == "completed" and not was_done and "completedDateTime" not in patch:
        data["completedDateTime"] = {"dateTime": _now(store)[:-1], "timeZone": "UTC"}
    if data.get("status") != "completed" and "completedDateTime" not in patch:
        data.pop("completedDateTime", None)
    touch(store, data)
    store.put(rec)
    return rec


def delete_task(store: Store, rec: Record) -> None:
    with store.transaction():
        for link in store.find("linkedResource", mailbox=rec.mailbox, parent=rec.id):
            store.delete(link.id)
        store.delete(rec.id)


# -- linked resources -------------------------------------------------------------------------
def create_linked_resource(store: Store, task: Record, link: dict[str, Any]) -> Record:
    if not isinstance(link, dict):
        raise GraphError("Invalid linkedResource.", code="invalidRequest")
    unknown = [k for k in link if k not in _LINK_FIELDS and k not in ("id",) and k[0] != "@"]
    if unknown:
        raise GraphError(
            f"The property '{unknown[0]}' does not exist on type 'microsoft.graph.linkedResource'."
            " Make sure to only use property names that are defined by the type.",
            code="invalidRequest",
        )
    if not link.get("applicationName"):
        raise GraphError("applicationName is required.", code="invalidRequest")
    rec = Record(id=new_guid(), kind="linkedResource", mailbox=task.mailbox, parent=task.id)
    rec.data = {
        "id": rec.id,
        "webUrl": link.get("webUrl"),
        "applicationName": link["applicationName"],
        "displayName": link.get("displayName"),
        "externalId": link.get("externalId"),
    }
    store.put(rec)
    return rec


def linked_resources(store: Store, task: Record) -> list[Record]:
    return store.find("linkedResource", mailbox=task.mailbox, parent=task.id)
