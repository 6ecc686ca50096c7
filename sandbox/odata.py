"""OData query options ($filter, $orderby, $select, $top, $skip, ...) over Graph JSON dicts.

Pure module: routes hand it raw query values and apply the results to stored
representations. Codes and messages mirror what Microsoft Graph answers, so a
client's error handling sees the same thing against the sandbox as in production.
The ``$filter`` language itself lives in ``sandbox.odata_filter``; its public names are
re-exported here, so callers keep importing only this module.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sandbox.odata_filter import ODataError, _is_cast, _resolve, _when, parse_filter

__all__ = [
    "ODataError",
    "Query",
    "apply_select",
    "parse_count",
    "parse_filter",
    "parse_orderby",
    "parse_query",
    "parse_select",
    "parse_skip",
    "parse_top",
]


# -- $orderby, $select ---------------------------------------------------------------------

_PATH = re.compile(r"[^\W\d][\w.]*(?:/(?:[^\W\d][\w.]*|\$count))*")


def _sort_key(value: Any) -> tuple:
    """Nulls first (OData 4.01 URL conventions, $orderby); kinds never compare to each other."""
    if value is None:
        return (0,)
    if isinstance(value, bool | int | float):
        return (1, 0 if isinstance(value, bool) else 1, value)
    if isinstance(value, str):
        when = _when(value, need_time=True)
        return (1, 2, when.timestamp(), "") if when else (1, 3, 0.0, value.casefold())
    return (1, 4, repr(value))


def parse_orderby(expr: str) -> Callable[[list[dict]], list[dict]]:
    """Compile `path [asc|desc], ...`; the sort is stable and desc puts nulls last."""
    keys: list[tuple[tuple[str, ...], bool]] = []
    start = 0
    for part in expr.split(","):
        words = [(m.group(), start + m.start()) for m in re.finditer(r"\S+", part)]
        problem = None
        if not words:
            problem = start, f"Expected a property name at column {start + 1}."
        elif not _PATH.fullmatch(words[0][0]):
            problem = (
                words[0][1],
                f"'{words[0][0]}' at column {words[0][1] + 1} is no property path.",
            )
        elif len(words) > 1 and words[1][0].lower() not in ("asc", "desc"):
            problem = (
                words[1][1],
                f"Expected asc or desc, found '{words[1][0]}' at column {words[1][1] + 1}.",
            )
        elif len(words) > 2:
            problem = words[2][1], f"Unexpected '{words[2][0]}' at column {words[2][1] + 1}."
        if problem:
            message = f"Invalid $orderby clause: Syntax error at position {problem[0]} in '{expr}'."
            raise ODataError("BadRequest", f"{message} {problem[1]}", position=problem[0])
        keys.append(
            (tuple(words[0][0].split("/")), len(words) == 2 and words[1][0].lower() == "desc")
        )
        start += len(part) + 1

    def order(items: list[dict]) -> list[dict]:
        result = list(items)
        for path, descending in reversed(keys):  # last key first, relying on a stable sort
            result.sort(
                key=lambda item, p=path: _sort_key(_resolve(p, item, {})), reverse=descending
            )
        return result

    return order


_SELECT_ITEM = re.compile(r"\*|(?:[^\W\d]\w*(?:\.[^\W\d]\w*)+/)?[^\W\d]\w*")


def parse_select(
    expr: str,
    *,
    known: set[str] | None = None,
    entity_type: str | None = None,
    unknown_code: str = "RequestBroker--ParseUri",
) -> list[str]:
    """Split $select; with `known`, unknown names fail like Outlook's and take canonical case."""
    canonical = {name.casefold(): name for name in known} if known is not None else None
    names: list[str] = []
    start = 0
    for part in expr.split(","):
        name, pos = part.strip(), start + len(part) - len(part.lstrip())
        if not _SELECT_ITEM.fullmatch(name):
            found = f"'{name}', which is no property name," if name else "an empty property name"
            odl = f"Syntax error at position {pos} in '{expr}'. Found {found} at column {pos + 1}."
            message = f"Parsing OData Select and Expand failed: {odl}"
            raise ODataError("BadRequest", message, position=pos)
        prop = name.rsplit("/", 1)[-1]
        if canonical is not None and name != "*":
            if prop.casefold() not in canonical:
                where = f" on type '{entity_type}'" if entity_type else ""
                message = f"Could not find a property named '{prop}'{where}."
                raise ODataError(unknown_code, message, position=pos)
            name = name[: len(name) - len(prop)] + canonical[prop.casefold()]
        if name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
        start += len(part) + 1
    return names


def apply_select(
    obj: dict,
    fields: list[str] | None,
    *,
    always: tuple[str, ...] = ("id", "@odata.etag", "@odata.type"),
) -> dict:
    """Project like Graph: annotations and `always` stay, order holds, absent picks are null."""
    if fields is None or "*" in fields:
        return dict(obj)
    picked: dict[str, str] = {}
    for name in fields:
        if "/" in name:  # derived-type cast: microsoft.graph.eventMessage/meetingMessageType
            cast, name = name.rsplit("/", 1)
            if not _is_cast(obj, cast):
                continue
        picked.setdefault(name.casefold(), name)
    keep = picked.keys() | {name.casefold() for name in always}
    out = {k: v for k, v in obj.items() if k.startswith("@odata.") or k.casefold() in keep}
    present = {k.casefold() for k in out}
    out.update({name: None for key, name in picked.items() if key not in present})
    return out


# -- $top, $skip, $count, and all options together -----------------------------------------


def _non_negative(value: str, option: str) -> int:
    if not re.fullmatch(r"[0-9]{1,10}", value) or int(value) > 2**31 - 1:
        why = f"The {option} query option requires a non-negative integer value."
        raise ODataError(
            "BadRequest", f"Invalid value '{value}' for {option} query option found. {why}"
        )
    return int(value)


def parse_top(value: str, *, maximum: int = 1000) -> int:
    """Graph pages messages 1..1000 (List messages docs), directory objects 1..999."""
    top = _non_negative(value, "$top")
    if not 1 <= top <= maximum:
        message = (
            f"Invalid page size specified: '{value}'. Must be between 1 and {maximum} inclusive."
        )
        raise ODataError("BadRequest", message)
    return top


def parse_skip(value: str) -> int:
    return _non_negative(value, "$skip")


def parse_count(value: str) -> bool:
    if value.lower() not in ("true", "false"):
        raise ODataError("BadRequest", f"'{value}' is not a valid count option.")
    return value.lower() == "true"


@dataclass(frozen=True)
class Query:
    """Parsed options; `raw` keeps each option's text under '$name', `extra` other parameters."""

    filter: Callable[[dict], bool] | None = None
    orderby: Callable[[list[dict]], list[dict]] | None = None
    select: list[str] | None = None
    top: int | None = None
    skip: int | None = None
    expand: str | None = None
    count: bool = False
    search: str | None = None
    raw: dict[str, str] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)


_OPTIONS = {"filter", "orderby", "select", "top", "skip", "expand", "count", "search", "format"}
_OPTIONS |= {"skiptoken", "deltatoken"}


def parse_query(
    params: Mapping[str, str] | Iterable[tuple[str, str]],
    *,
    maximum_top: int = 1000,
    allow_unprefixed: bool = True,
    known: set[str] | None = None,
    entity_type: str | None = None,
) -> Query:
    """Read the options; names ignore case (OData 4.01) and may drop '$' where Graph allows it.

    Outlook on v1.0 takes `filter=` like `$filter=`; directory APIs refuse it, so they pass
    allow_unprefixed=False and the bare names land in `extra`.
    """
    if hasattr(params, "multi_items"):  # Starlette's QueryParams keeps repeated keys there
        pairs: Iterable[tuple[str, str]] = params.multi_items()
    else:
        pairs = params.items() if isinstance(params, Mapping) else params
    raw: dict[str, str] = {}
    extra: dict[str, str] = {}
    for key, value in pairs:
        option = "$" + key.removeprefix("$").lower()
        if key.startswith("$") and option[1:] not in _OPTIONS:
            raise ODataError("BadRequest", f"The query parameter '{key}' is not supported.")
        if not key.startswith("$") and not (allow_unprefixed and option[1:] in _OPTIONS):
            extra[key] = value
        elif option in raw:
            twice = "was specified more than once, but it must be specified at most once."
            raise ODataError("BadRequest", f"Query option '{option}' {twice}")
        else:
            raw[option] = value
    has = raw.__contains__
    return Query(
        filter=parse_filter(raw["$filter"]) if has("$filter") else None,
        orderby=parse_orderby(raw["$orderby"]) if has("$orderby") else None,
        select=parse_select(raw["$select"], known=known, entity_type=entity_type)
        if has("$select")
        else None,
        top=parse_top(raw["$top"], maximum=maximum_top) if has("$top") else None,
        skip=parse_skip(raw["$skip"]) if has("$skip") else None,
        expand=raw.get("$expand"),
        count=parse_count(raw["$count"]) if has("$count") else False,
        search=raw.get("$search"),
        raw=raw,
        extra=extra,
    )
