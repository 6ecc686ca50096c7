"""Drives and sites: ``/drives/{id}``, ``/users/{user}/drive``, ``/sites/...``, and downloads.

``/sites`` is addressed by composite id (``host,siteGuid,webGuid``) or by server-relative path
(``/sites/{host}:/sites/{name}:``), so one catch-all route parses it and forwards item
addresses below a site's drives to :mod:`sandbox.drive.items`. The pre-authenticated download
URL that ``/content`` redirects to is served here too.
"""

from __future__ import annotations

import logging
import re
import secrets
from urllib.parse import quote

from sandbox.context import Ctx
from sandbox.drive import items, render, service
from sandbox.drive.service import ItemNotFound
from sandbox.errors import GraphError, MethodNotAllowed
from sandbox.router import GraphResponse, Router
from sandbox.store import Record

__all__ = ["router"]

log = logging.getLogger(__name__)
router = Router()

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _drive_entity(ctx: Ctx, drive: Record) -> GraphResponse:
    return ctx.entity(render.drive_json(ctx.store, drive), "drives/$entity")


@router.route("GET", "/drives/{drive_id}", resource="site")
async def get_drive(ctx: Ctx, drive_id: str) -> GraphResponse:
    drive = service.get_drive(ctx.store, drive_id)
    items.check_personal(ctx, drive)
    return _drive_entity(ctx, drive)


@router.route("GET", "/users/{user}/drive", resource="drive")
async def get_user_drive(ctx: Ctx, user: str) -> GraphResponse:
    drive = service.drive_for_user(ctx.store, user)
    items.check_personal(ctx, drive)
    body = render.drive_json(ctx.store, drive)
    return ctx.entity(body, f"users('{user}')/drive/$entity")


@router.route("GET", "/sites", resource="site")
async def search_sites(ctx: Ctx) -> GraphResponse:
    """``/sites?search=`` over names and descriptions (Graph requires the parameter)."""
    query = ctx.request.query
    term = query.get("search", query.get("$search"))  # the SDK sends $search
    if term is None:
        raise GraphError(
            "Listing all sites requires the search query parameter.", code="invalidRequest"
        )
    term = term.strip('"').lower()
    found = [
        render.site_json(s)
        for s in ctx.store.find("site")
        if term in " ".join((s.data["name"], s.data["displayName"], s.data["description"])).lower()
        or term == "*"
    ]
    return ctx.collection(found, "sites", default_page=200, allow_filter=False)


# -- /sites/{address}[/...] -----------------------------------------------------------------------
def _site_by_path(ctx: Ctx, host: str, path: str) -> Record:
    for s in ctx.store.find("site"):
        same_host = s.data["siteCollection"]["hostname"].lower() == host.lower()
        if same_host and s.data["_path"].rstrip("/").lower() == path.rstrip("/").lower():
            return s
    raise ItemNotFound("Requested site could not be found")


def _site_by_id(ctx: Ctx, key: str) -> Record:
    parts = key.split(",")
    for s in ctx.store.find("site"):
        host, site_guid, web_guid = s.id.split(",")
        if key.lower() in (s.id.lower(), site_guid, f"{host},{site_guid}".lower()):
            return s
        if len(parts) == 3 and parts[1].lower() == site_guid and parts[2].lower() == web_guid:
            return s
    raise ItemNotFound("Requested site could not be found")


def _split_site(ctx: Ctx, rest: str) -> tuple[Record, list[str], str]:
    """The site, the segments after it, and the raw text after it (for item addresses)."""
    first, _, remainder = rest.partition("/")
    if ":" in first:
        host = first.split(":", 1)[0]
        end = remainder.find(":")
        path, after = (remainder, "") if end < 0 else (remainder[:end], remainder[end + 1 :])
        site = _site_by_path(ctx, host, "/" + path.strip("/"))
    else:
        site, after = _site_by_id(ctx, first), remainder
    after = after.strip("/")
    return site, [s for s in after.split("/") if s], after


async def by_site(ctx: Ctx, **_: str) -> GraphResponse:
    """Everything below ``/sites/{address}``; the address may itself hold slashes."""
    site, segments, after = _split_site(ctx, ctx.request.path.split("/", 2)[2])
    method = ctx.request.method
    site_key = quote(site.id, safe=",")
    if len(segments) >= 2 and segments[0] == "drive":
        drive = _default_drive(ctx, site)
        rest_of = after.split("/", 1)[1]
        target = items.parse_target(
            ctx, drive, rest_of, context=f"sites('{site_key}')/drive", by_drive_id=False
        )
        return await items.handle(ctx, target)
    if len(segments) >= 3 and segments[0] == "drives":
        drive = _site_drive(ctx, site, segments[1])
        rest_of = after.split("/", 2)[2]
        context = f"sites('{site_key}')/drives('{quote(drive.id, safe='')}')"
        target = items.parse_target(ctx, drive, rest_of, context=context, by_drive_id=True)
        return await items.handle(ctx, target)
    if method != "GET":
        raise MethodNotAllowed(f"The HTTP method '{method}' is not allowed for this resource.")
    if not segments:
        return ctx.entity(render.site_json(site), "sites/$entity")
    if segments == ["drive"]:
        return _drive_entity(ctx, _default_drive(ctx, site))
    if segments == ["drives"]:
        drives = [
            render.drive_json(ctx.store, d) for d in service.drives_of_site(ctx.store, site.id)
        ]
        return ctx.collection(drives, "drives", default_page=200, allow_filter=False)
    if len(segments) == 2 and segments[0] == "drives":
        return _drive_entity(ctx, _site_drive(ctx, site, segments[1]))
    raise GraphError(f"Resource not found for the segment '{segments[0]}'.", code="BadRequest")


# Most specific first: the handler parses the path itself, the templates only pick methods.
for _method, _suffix in items.ACTIONS:
    for _prefix in ("/sites/{site:path}/drives/{drive_id}", "/sites/{site:path}/drive"):
        router.route(_method, _prefix + "/{item:path}" + _suffix, resource="site")(by_site)
for _template in ("/drives/{drive_id}", "/drives", "/drive", ""):
    router.route("GET", "/sites/{site:path}" + _template, resource="site")(by_site)


def _default_drive(ctx: Ctx, site: Record) -> Record:
    drives = service.drives_of_site(ctx.store, site.id)
    if not drives:
        raise ItemNotFound("The site has no document library.")
    return drives[0]


def _site_drive(ctx: Ctx, site: Record, drive_id: str) -> Record:
    drive = service.get_drive(ctx.store, drive_id)
    if drive.parent != site.id:
        raise ItemNotFound("The provided drive id appears to be malformed, or does not exist.")
    return drive


# -- the pre-authenticated download URL ------------------------------------------------------
@router.route("GET", "/_layouts/15/download.aspx", resource="anonymous")
async def download(ctx: Ctx) -> GraphResponse:
    """The bytes of a file (or an older version), ``tempauth`` naming it; ``Range`` honoured."""
    key, _, token = ctx.request.query.get("tempauth", "").rpartition(".")
    rec = ctx.store.get(key) if key else None
    if (
        rec is None
        or rec.kind not in ("driveItem", "driveItemVersion")
        or not secrets.compare_digest(token, str(rec.data.get("_downloadToken", "")))
    ):
        raise GraphError(
            "Access denied. The download link is invalid or has expired.",
            code="accessDenied",
            status=401,
        )
    content = ctx.store.get_blob(rec.id) or b""
    owner = rec if rec.kind == "driveItem" else ctx.store.get(rec.parent or "", "driveItem")
    mime = (owner.data.get("file") or {}).get("mimeType") if owner else None
    mime = mime or "application/octet-stream"
    name = owner.data["name"] if owner else "download"
    headers = {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
        "Accept-Ranges": "bytes",
    }
    m = _RANGE.match(ctx.request.headers.get("range", "").strip())
    if m and (m.group(1) or m.group(2)) and content:
        size = len(content)
        if m.group(1):
            start = int(m.group(1))
            end = min(int(m.group(2)) if m.group(2) else size - 1, size - 1)
        else:
            start, end = max(size - int(m.group(2)), 0), size - 1
        if start >= size or start > end:
            return GraphResponse(
                status=416,
                body=b"",
                content_type=mime,
                headers={"Content-Range": f"bytes */{size}"},
            )
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        return GraphResponse(
            status=206, body=content[start : end + 1], content_type=mime, headers=headers
        )
    return GraphResponse(status=200, body=content, content_type=mime, headers=headers)
