"""What a handler sees of one Graph request, and Graph's response conventions.

``Ctx`` bundles the stores, the caller and the request, and renders entities and collections
the way Graph does: ``@odata.context``, ``@odata.etag``, ``$select``, server-side paging with
``@odata.nextLink``, immutable or regular ids by ``Prefer: IdType``.
"""

from __future__ import annotations

import base64
import binascii
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from sandbox import odata
from sandbox.directory import Directory
from sandbox.errors import GraphError
from sandbox.identity.tokens import Caller
from sandbox.router import GraphRequest, GraphResponse
from sandbox.store import Record, Store

__all__ = ["Ctx", "public", "with_select"]

_QUERY_SAFE = "$,()':/"
_ENTITY = "/$entity"
# Directory skip tokens start with these bytes once decoded ("DSpt" and a version); the
# rest is opaque to clients. Here it carries the offset of the next page.
_DIRECTORY_TOKEN = b"DSpt\x02\x00"


def public(data: dict[str, Any]) -> dict[str, Any]:
    """The Graph representation: internal ``_`` keys dropped."""
    return {k: v for k, v in data.items() if not k.startswith("_")}


def with_select(fragment: str, select: list[str] | None) -> str:
    """The context fragment naming a ``$select`` list, as OData and Graph write it.

    The list follows the last segment: ``users('id')/mailFolders(id,displayName)/$entity``
    for one entity, ``users('id')/messages(subject)`` for a collection.
    """
    if not select:
        return fragment
    names = f"({','.join(select)})"
    if fragment.endswith(_ENTITY):
        return fragment[: -len(_ENTITY)] + names + _ENTITY
    return fragment + names


def directory_skiptoken(offset: int, last_id: str) -> str:
    """An opaque ``$skiptoken`` shaped like the directory's (base64 of ``DSpt``...)."""
    raw = _DIRECTORY_TOKEN + struct.pack("<I", offset) + f"User_{last_id}".encode()
    return base64.b64encode(raw).decode()


def read_directory_skiptoken(token: str) -> int:
    try:
        raw = base64.b64decode(token, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if not raw.startswith(_DIRECTORY_TOKEN) or len(raw) < len(_DIRECTORY_TOKEN) + 4:
        raise GraphError("Invalid Skip Token", code="Request_BadRequest")
    (offset,) = struct.unpack_from("<I", raw, len(_DIRECTORY_TOKEN))
    return int(offset)


@dataclass
class Ctx:
    store: Store
    directory: Directory
    caller: Caller
    request: GraphRequest
    base_url: str  # ".../v1.0"
    services: Any  # sandbox.app.Services: limits, tokens, dispatch for $batch
    mailbox: dict[str, Any] | None = None

    # -- request conventions ---------------------------------------------------------------
    @property
    def mailbox_id(self) -> str:
        assert self.mailbox is not None
        return self.mailbox["id"]

    @property
    def immutable_ids(self) -> bool:
        return self.request.prefer().get("idtype", "").lower() == "immutableid"

    @property
    def timezone(self) -> str | None:
        return self.request.prefer().get("outlook.timezone")

    @property
    def body_content_type(self) -> str | None:
        value = self.request.prefer().get("outlook.body-content-type", "").lower()
        return value if value in ("text", "html") else None

    def query(self) -> odata.Query:
        try:
            return odata.parse_query(self.request.query)
        except odata.ODataError as exc:
            raise GraphError(exc.message, code=exc.code) from exc

    def id_of(self, rec: Record) -> str:
        """Immutable ids when asked for, otherwise the current (move-sensitive) id."""
        if self.immutable_ids or not rec.rid:
            return rec.id
        return rec.rid

    def user_segment(self) -> str:
        assert self.mailbox is not None
        return f"users('{quote(self.mailbox['id'])}')"

    def context_url(self, fragment: str) -> str:
        return f"{self.base_url}/$metadata#{fragment}"

    # -- rendering -------------------------------------------------------------------------
    def entity(
        self,
        data: dict[str, Any],
        fragment: str,
        *,
        status: int = 200,
        select: bool = True,
        headers: dict[str, str] | None = None,
    ) -> GraphResponse:
        body = dict(data)
        if select:
            q = self.query()
            if q.select:
                body = odata.apply_select(body, q.select)
                fragment = with_select(fragment, q.select)
        out = {"@odata.context": self.context_url(fragment)}
        out.update(body)
        return GraphResponse(status=status, body=out, headers=dict(headers or {}))

    def collection(
        self,
        items: list[dict[str, Any]],
        fragment: str,
        *,
        default_page: int = 10,
        max_page: int = 1000,
        allow_filter: bool = True,
        default_order: Callable[[list[dict[str, Any]]], list[dict[str, Any]]] | None = None,
        skiptoken: bool = False,
    ) -> GraphResponse:
        """Filter, order, count, page and select a collection as Graph's Outlook APIs do.

        Outlook pages with ``$skip`` in ``@odata.nextLink``. With ``skiptoken`` the collection
        pages like the directory instead: ``$skip`` is refused, and the next link carries an
        opaque ``$skiptoken`` (``@odata.count`` only on the first page).
        """
        q = self.query()
        if q.filter is not None:
            if not allow_filter:
                raise GraphError(
                    "Filtering is not supported on this collection.", code="BadRequest"
                )
            items = [i for i in items if q.filter(i)]
        if q.orderby is not None:
            items = q.orderby(items)
        elif default_order is not None:
            items = default_order(items)
        total = len(items)
        top = q.top if q.top is not None else default_page
        top = min(top, max_page)
        token = q.raw.get("$skiptoken") if skiptoken else None
        if skiptoken:
            if q.skip is not None:
                raise GraphError(
                    "'$skip' is not supported by the service.", code="Request_BadRequest"
                )
            skip = read_directory_skiptoken(token) if token is not None else 0
        else:
            skip = q.skip or 0
        page = items[skip : skip + top]
        if q.select:
            page = [odata.apply_select(i, q.select) for i in page]
        body: dict[str, Any] = {"@odata.context": self.context_url(with_select(fragment, q.select))}
        if q.count and token is None:
            body["@odata.count"] = total
        body["value"] = page
        if skip + top < total:
            if skiptoken:
                drop = ("$skiptoken", "skiptoken")
                name, value = "$skiptoken", directory_skiptoken(skip + top, str(page[-1].get("id")))
            else:
                drop = ("$skip", "skip")
                name, value = "$skip", str(skip + top)
            params = {k: v for k, v in self.request.query.items() if k.lower() not in drop}
            params[name] = value
            qs = urlencode(params, quote_via=quote, safe=_QUERY_SAFE)
            body["@odata.nextLink"] = f"{self.base_url}{self.request.path}?{qs}"
        return GraphResponse(body=body)
