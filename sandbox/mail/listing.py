"""Message collections as Outlook serves them: filter, order, search, count, page, select.

Outlook pages with ``$skip`` in ``@odata.nextLink`` (10 per page by default, at most 1000),
orders by ``receivedDateTime desc`` unless told otherwise, and refuses an ``$orderby`` whose
properties do not lead the ``$filter`` in the same order (``InefficientFilter``).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlencode

from sandbox import odata
from sandbox.context import Ctx, with_select
from sandbox.errors import GraphError
from sandbox.mail import render
from sandbox.router import GraphResponse
from sandbox.store import Record

__all__ = ["list_messages"]

_QUERY_SAFE = "$,()':/"
_WORDS = {"and", "or", "not", "eq", "ne", "gt", "ge", "lt", "le", "has", "in", "true", "false",
          "null", "any", "all", "startswith", "endswith", "contains"}  # fmt: skip
_STRING = re.compile(r"'(?:[^']|'')*'")
_PATH = re.compile(r"(?<![\w.:-])([A-Za-z_][\w]*(?:/[A-Za-z_][\w]*)*)(?![\w(])")


def _filter_properties(expr: str) -> list[str]:
    """Top-level properties a $filter names, in order (lambda variables left out)."""
    text = _STRING.sub("''", expr)
    names: list[str] = []
    lambda_vars = set(re.findall(r"\(\s*(\w+)\s*:", text))
    for m in _PATH.finditer(text):
        first = m.group(1).split("/")[0]
        if first.lower() in _WORDS or first in lambda_vars:
            continue
        if first.casefold() not in {n.casefold() for n in names}:
            names.append(first)
    return names


def _check_efficient(q: odata.Query) -> None:
    if q.orderby is None or q.filter is None:
        return
    ordered = [p.strip().split()[0].split("/")[0] for p in q.raw["$orderby"].split(",")]
    filtered = _filter_properties(q.raw["$filter"])
    lead = [f.casefold() for f in filtered[: len(ordered)]]
    if lead != [o.casefold() for o in ordered]:
        raise GraphError(
            "The restriction or sort order is too complex for this operation.",
            code="InefficientFilter",
        )


def _search(term: str, view: dict[str, Any]) -> bool:
    words = [w.casefold() for w in re.findall(r"[\w@.-]+", term.strip('"'))]
    people = [
        view.get("from"),
        *(view.get("toRecipients") or []),
        *(view.get("ccRecipients") or []),
    ]
    hay = " ".join(
        [
            view.get("subject") or "",
            view.get("bodyPreview") or "",
            *(
                f"{(p or {}).get('emailAddress', {}).get('name', '')} "
                f"{(p or {}).get('emailAddress', {}).get('address', '')}"
                for p in people
            ),
        ]
    ).casefold()
    return all(w in hay for w in words)


def _received_desc(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda v: v.get("receivedDateTime") or "", reverse=True)


def list_messages(ctx: Ctx, records: list[Record], fragment: str) -> GraphResponse:
    q = render.parse_message_query(ctx)
    _check_efficient(q)
    expand = render.parse_expand(q.expand)
    views = [(render.filter_view(ctx, r), r) for r in records]
    if q.filter is not None:
        views = [(v, r) for v, r in views if q.filter(v)]
    if q.search:
        if q.orderby is not None:
            raise GraphError(
                "The query parameter '$orderBy' is invalid with '$search'.", code="BadRequest"
            )
        views = [(v, r) for v, r in views if _search(q.search, v)]
    by_view = {id(v): r for v, r in views}
    items = [v for v, _ in views]
    items = q.orderby(items) if q.orderby is not None else _received_desc(items)
    total = len(items)
    top = q.top if q.top is not None else _max_page_size(ctx) or 10
    skip = q.skip or 0
    page = items[skip : skip + top]
    body: dict[str, Any] = {"@odata.context": ctx.context_url(with_select(fragment, q.select))}
    if q.count:
        body["@odata.count"] = total
    body["value"] = [
        render.message_json(ctx, by_view[id(v)], select=q.select, expand=expand) for v in page
    ]
    if skip + top < total:
        params = {k: v for k, v in ctx.request.query.items() if k.lower() not in ("$skip", "skip")}
        params["$skip"] = str(skip + top)
        qs = urlencode(params, quote_via=quote, safe=_QUERY_SAFE)
        body["@odata.nextLink"] = f"{ctx.base_url}{ctx.request.path}?{qs}"
    return GraphResponse(body=body, headers=render.preference_applied(ctx))


def _max_page_size(ctx: Ctx) -> int | None:
    raw = ctx.request.prefer().get("odata.maxpagesize")
    if raw and raw.isdigit() and int(raw) > 0:
        return min(int(raw), 1000)
    return None
