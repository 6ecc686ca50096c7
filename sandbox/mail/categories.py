"""/users/{user}/outlook/masterCategories: the mailbox's category list (name + colour preset)."""

from __future__ import annotations

import logging
from typing import Any

from sandbox.context import Ctx
from sandbox.errors import ErrorInvalidRequest, ErrorItemNotFound, GraphError
from sandbox.mail import access, service
from sandbox.router import GraphResponse, Router
from sandbox.store import Record

router = Router()
log = logging.getLogger(__name__)

_BASE = "/users/{user}/outlook/masterCategories"
COLORS = ("none", *(f"preset{i}" for i in range(25)))


def _json(rec: Record) -> dict[str, Any]:
    return {
        "id": rec.id,
        "displayName": rec.data.get("displayName"),
        "color": rec.data.get("color"),
    }


def _color(value: Any) -> str:
    if not isinstance(value, str) or value.lower() not in COLORS:
        raise GraphError(f"Requested value '{value}' was not found.", code="RequestBodyRead")
    return value.lower()


def _body(ctx: Ctx, allowed: set[str]) -> dict[str, Any]:
    body = ctx.request.json()
    for key in body:
        if key.startswith("@odata.") or key in allowed or key == "id":
            continue
        raise GraphError(
            f"The property '{key}' does not exist on type 'microsoft.graph.outlookCategory'. Make"
            " sure to only use property names that are defined by the type or mark the type as"
            " open type.",
            code="RequestBodyRead",
        )
    return body


def _category(ctx: Ctx, category_id: str) -> Record:
    rec = ctx.store.get(category_id, "outlookCategory")
    if rec is None or rec.mailbox != ctx.mailbox_id:
        raise ErrorItemNotFound()
    return rec


def _fragment(ctx: Ctx) -> str:
    return f"{ctx.user_segment()}/outlook/masterCategories"


@router.route("GET", _BASE, resource="mail")
async def list_categories(ctx: Ctx, user: str) -> GraphResponse:
    items = [_json(r) for r in ctx.store.find("outlookCategory", mailbox=ctx.mailbox_id)]
    return ctx.collection(items, _fragment(ctx), default_page=1000)


@router.route("GET", _BASE + "/{category}", resource="mail")
async def get_category(ctx: Ctx, user: str, category: str) -> GraphResponse:
    return ctx.entity(_json(_category(ctx, category)), f"{_fragment(ctx)}/$entity")


@router.route("POST", _BASE, resource="mail")
async def create_category(ctx: Ctx, user: str) -> GraphResponse:
    access.require_write(ctx)
    body = _body(ctx, {"displayName", "color"})
    name = body.get("displayName")
    if not isinstance(name, str) or not name.strip():
        raise ErrorInvalidRequest("The category name cannot be empty.")
    color = _color(body.get("color", "none"))
    existing = ctx.store.find("outlookCategory", mailbox=ctx.mailbox_id)
    if any(
        (r.data.get("displayName") or "").casefold() == name.strip().casefold() for r in existing
    ):
        raise GraphError(
            f"A category with the name '{name.strip()}' already exists.",
            code="ErrorAlreadyExists",
            status=409,
        )
    rec = service.add_category(ctx.store, ctx.mailbox_id, name.strip(), color)
    log.info("category %r created in %s", name, ctx.mailbox_id)
    return ctx.entity(_json(rec), f"{_fragment(ctx)}/$entity", status=201, select=False)


@router.route("PATCH", _BASE + "/{category}", resource="mail")
async def update_category(ctx: Ctx, user: str, category: str) -> GraphResponse:
    """Only the colour can change; the name is fixed once created."""
    access.require_write(ctx)
    rec = _category(ctx, category)
    body = _body(ctx, {"color", "displayName"})
    if "displayName" in body and body["displayName"] != rec.data.get("displayName"):
        raise ErrorInvalidRequest("The displayName of a category cannot be changed.")
    if "color" in body:
        rec.data["color"] = _color(body["color"])
    ctx.store.put(rec)
    return ctx.entity(_json(rec), f"{_fragment(ctx)}/$entity")


@router.route("DELETE", _BASE + "/{category}", resource="mail")
async def delete_category(ctx: Ctx, user: str, category: str) -> GraphResponse:
    access.require_write(ctx)
    rec = _category(ctx, category)
    ctx.store.delete(rec.id)
    return GraphResponse(status=204)
