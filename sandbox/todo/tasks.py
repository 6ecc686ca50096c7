"""Microsoft To Do routes: task lists, tasks and linked resources under /users/{user}/todo.

To Do has no delegate access: a signed-in user reaches only their own lists (the dispatcher
refuses other users' To Do as Graph does); an app with Tasks.ReadWrite.All reaches anyone's.
"""

from __future__ import annotations

import logging
from typing import Any

from sandbox.context import Ctx, public
from sandbox.errors import ErrorItemNotFound, GraphError
from sandbox.router import GraphResponse, Router
from sandbox.store import Record
from sandbox.todo import service

__all__ = ["router"]

log = logging.getLogger(__name__)
router = Router()

_LISTS = "/users/{user}/todo/lists"
_LIST = _LISTS + "/{list_id}"
_TASKS = _LIST + "/tasks"
_TASK = _TASKS + "/{task_id}"
_LINKS = _TASK + "/linkedResources"
_LINK = _LINKS + "/{link_id}"


def _lists_ctx(user: str) -> str:
    return f"users('{user}')/todo/lists"


def _tasks_ctx(user: str, list_id: str) -> str:
    return f"{_lists_ctx(user)}('{list_id}')/tasks"


def _links_ctx(user: str, list_id: str, task_id: str) -> str:
    return f"{_tasks_ctx(user, list_id)}('{task_id}')/linkedResources"


def _expand_links(ctx: Ctx) -> bool:
    expand = (ctx.query().expand or "").replace(" ", "")
    parts = {p.split("(", 1)[0].lower() for p in expand.split(",") if p}
    unknown = parts - {"linkedresources", "checklistitems", "attachments", "extensions"}
    if unknown:
        name = sorted(unknown)[0]
        raise GraphError(
            f"Could not find a property named '{name}' on type 'microsoft.graph.todoTask'.",
            code="BadRequest",
        )
    return "linkedresources" in parts


def task_json(ctx: Ctx, rec: Record, *, links: bool) -> dict[str, Any]:
    body = public(rec.data)
    if links:
        body["linkedResources"] = [public(r.data) for r in service.linked_resources(ctx.store, rec)]
    return body


def _body(ctx: Ctx) -> dict[str, Any]:
    return ctx.request.json()


# -- lists ------------------------------------------------------------------------------------
@router.route("GET", _LISTS, resource="tasks")
async def list_lists(ctx: Ctx, user: str) -> GraphResponse:
    items = [public(r.data) for r in service.lists(ctx.store, user)]
    return ctx.collection(items, _lists_ctx(user), default_page=100)


@router.route("POST", _LISTS, resource="tasks")
async def create_list(ctx: Ctx, user: str) -> GraphResponse:
    body = _body(ctx)
    name = body.get("displayName")
    if not isinstance(name, str) or not name.strip():
        raise GraphError("The displayName of the list cannot be empty.", code="invalidRequest")
    rec = service.new_list(ctx.store, user, name)
    return ctx.entity(public(rec.data), f"{_lists_ctx(user)}/$entity", status=201)


@router.route("GET", _LIST, resource="tasks")
async def get_list(ctx: Ctx, user: str, list_id: str) -> GraphResponse:
    rec = service.get_list(ctx.store, user, list_id)
    return ctx.entity(public(rec.data), f"{_lists_ctx(user)}/$entity")


@router.route("PATCH", _LIST, resource="tasks")
async def update_list(ctx: Ctx, user: str, list_id: str) -> GraphResponse:
    rec = service.get_list(ctx.store, user, list_id)
    name = _body(ctx).get("displayName")
    if name is not None:
        if not isinstance(name, str) or not name.strip():
            raise GraphError("The displayName of the list cannot be empty.", code="invalidRequest")
        if rec.data.get("wellknownListName") == "defaultList":
            raise GraphError("The default list cannot be renamed.", code="invalidRequest")
        rec.data["displayName"] = name
    service.touch(ctx.store, rec.data)
    ctx.store.put(rec)
    return ctx.entity(public(rec.data), f"{_lists_ctx(user)}/$entity")


@router.route("DELETE", _LIST, resource="tasks")
async def delete_list(ctx: Ctx, user: str, list_id: str) -> GraphResponse:
    rec = service.get_list(ctx.store, user, list_id)
    if rec.data.get("wellknownListName") == "defaultList":
        raise GraphError("The default list cannot be deleted.", code="invalidRequest")
    with ctx.store.transaction():
        for task in ctx.store.find("todoTask", mailbox=user, parent=rec.id):
            service.delete_task(ctx.store, task)
        ctx.store.delete(rec.id)
    return GraphResponse(status=204)


# -- tasks ------------------------------------------------------------------------------------
@router.route("GET", _TASKS, resource="tasks")
async def list_tasks(ctx: Ctx, user: str, list_id: str) -> GraphResponse:
    service.get_list(ctx.store, user, list_id)
    links = _expand_links(ctx)
    items = [
        task_json(ctx, r, links=links)
        for r in ctx.store.find("todoTask", mailbox=user, parent=list_id)
    ]
    return ctx.collection(items, _tasks_ctx(user, list_id), default_page=100)


@router.route("POST", _TASKS, resource="tasks")
async def create_task(ctx: Ctx, user: str, list_id: str) -> GraphResponse:
    body = _body(ctx)
    if not isinstance(body.get("linkedResources", []), list):
        raise GraphError("Invalid value for property 'linkedResources'.", code="invalidRequest")
    rec = service.create_task(ctx.store, user, list_id, body)
    out = task_json(ctx, rec, links=bool(body.get("linkedResources")))
    return ctx.entity(out, f"{_tasks_ctx(user, list_id)}/$entity", status=201)


@router.route("GET", _TASK, resource="tasks")
async def get_task(ctx: Ctx, user: str, list_id: str, task_id: str) -> GraphResponse:
    rec = service.get_task(ctx.store, user, list_id, task_id)
    out = task_json(ctx, rec, links=_expand_links(ctx))
    return ctx.entity(out, f"{_tasks_ctx(user, list_id)}/$entity")


@router.route("PATCH", _TASK, resource="tasks")
async def update_task(ctx: Ctx, user: str, list_id: str, task_id: str) -> GraphResponse:
    rec = service.get_task(ctx.store, user, list_id, task_id)
    service.update_task(ctx.store, rec, _body(ctx))
    return ctx.entity(task_json(ctx, rec, links=False), f"{_tasks_ctx(user, list_id)}/$entity")


@router.route("DELETE", _TASK, resource="tasks")
async def delete_task(ctx: Ctx, user: str, list_id: str, task_id: str) -> GraphResponse:
    rec = service.get_task(ctx.store, user, list_id, task_id)
    service.delete_task(ctx.store, rec)
    return GraphResponse(status=204)


# -- linked resources ---------------------------------------------------------------------------
def _link(ctx: Ctx, task: Record, link_id: str) -> Record:
    rec = ctx.store.get(link_id, "linkedResource")
    if rec is None or rec.parent != task.id:
        raise ErrorItemNotFound("The specified object was not found in the store.")
    return rec


@router.route("GET", _LINKS, resource="tasks")
async def list_links(ctx: Ctx, user: str, list_id: str, task_id: str) -> GraphResponse:
    task = service.get_task(ctx.store, user, list_id, task_id)
    items = [public(r.data) for r in service.linked_resources(ctx.store, task)]
    return ctx.collection(items, _links_ctx(user, list_id, task_id), default_page=100)


@router.route("POST", _LINKS, resource="tasks")
async def create_link(ctx: Ctx, user: str, list_id: str, task_id: str) -> GraphResponse:
    task = service.get_task(ctx.store, user, list_id, task_id)
    rec = service.create_linked_resource(ctx.store, task, _body(ctx))
    service.touch(ctx.store, task.data)
    ctx.store.put(task)
    fragment = f"{_links_ctx(user, list_id, task_id)}/$entity"
    return ctx.entity(public(rec.data), fragment, status=201)


@router.route("GET", _LINK, resource="tasks")
async def get_link(ctx: Ctx, user: str, list_id: str, task_id: str, link_id: str) -> GraphResponse:
    task = service.get_task(ctx.store, user, list_id, task_id)
    rec = _link(ctx, task, link_id)
    return ctx.entity(public(rec.data), f"{_links_ctx(user, list_id, task_id)}/$entity")


@router.route("PATCH", _LINK, resource="tasks")
async def update_link(
    ctx: Ctx, user: str, list_id: str, task_id: str, link_id: str
) -> GraphResponse:
    task = service.get_task(ctx.store, user, list_id, task_id)
    rec = _link(ctx, task, link_id)
    body = _body(ctx)
    for key in ("webUrl", "applicationName", "displayName", "externalId"):
        if key in body:
            rec.data[key] = body[key]
    ctx.store.put(rec)
    return ctx.entity(public(rec.data), f"{_links_ctx(user, list_id, task_id)}/$entity")


@router.route("DELETE", _LINK, resource="tasks")
async def delete_link(
    ctx: Ctx, user: str, list_id: str, task_id: str, link_id: str
) -> GraphResponse:
    task = service.get_task(ctx.store, user, list_id, task_id)
    rec = _link(ctx, task, link_id)
    ctx.store.delete(rec.id)
    return GraphResponse(status=204)
