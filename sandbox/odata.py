"""OData query options ($filter, $orderby, $select, $top, $skip, ...) over Graph JSON dicts.

Pure module: routes hand it raw query values and apply the results to stored
representations. Codes and messages mirror what Microsoft Graph answers, so a
client's error handling sees the same thing against the sandbox as in production.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NoReturn

from sandbox.timezones import parse_iso_instant

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


class ODataError(ValueError):
    """A query Graph refuses with 400; `code` is the Graph error code to send back."""

    status = 400

    def __init__(self, code: str, message: str, *, position: int | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.position = code, message, position


# -- values --------------------------------------------------------------------------------


def _when(value: str, *, need_time: bool = False) -> datetime | None:
    """An ISO string as an aware instant (naive means UTC), or None when it is not one."""
    if need_time and "T" not in value:
        return None
    try:
        return parse_iso_instant(value)
    except (ValueError, OverflowError):
        return None


def _lookup(obj: dict, name: str) -> Any:
    """Property names are case-insensitive in Graph queries (its docs write ReceivedDateTime)."""
    if name in obj:
        return obj[name]
    return next((v for k, v in obj.items() if k.casefold() == name.casefold()), None)


def _is_cast(obj: Any, type_name: str) -> bool:
    kind = obj.get("@odata.type") if isinstance(obj, dict) else None
    return isinstance(kind, str) and kind.lstrip("#").casefold() == type_name.casefold()


def _resolve(path: tuple[str, ...], root: Any, scope: dict[str, Any]) -> Any:
    """Walk a property path from the item or a lambda variable; anything missing is null."""
    cur, rest = (scope[path[0]], path[1:]) if path[0] in scope else (root, path)
    for seg in rest:
        if seg == "$count":
            cur = len(cur) if isinstance(cur, list) else None
        elif "." in seg:  # type cast, e.g. microsoft.graph.eventMessage
            if not _is_cast(cur, seg):
                return None
        elif seg != "$it":
            cur = _lookup(cur, seg) if isinstance(cur, dict) else None
    return cur


# -- $filter semantics ---------------------------------------------------------------------
# Text compares ignoring case, for eq/ne/lt... and startswith/endswith/contains alike:
# Exchange matches text case-insensitively and so does the directory (Microsoft Q&A
# 1274766, "Is $filter eq case sensitive or not?": it is not), so one rule fits both.


def _comparable(op: str, a: Any, b: Any) -> tuple[Any, Any] | None:
    if isinstance(a, bool) or isinstance(b, bool):
        return (a, b) if isinstance(a, bool) and isinstance(b, bool) else None
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a, b
    if isinstance(a, datetime) or isinstance(b, datetime):  # an unquoted datetime literal
        x, y = (
            v if isinstance(v, datetime) else _when(v) if isinstance(v, str) else None
            for v in (a, b)
        )
        return (x, y) if x and y else None
    if isinstance(a, str) and isinstance(b, str):  # two ISO strings compare as instants
        x, y = _when(a, need_time=True), _when(b, need_time=True)
        return (x, y) if x and y else (a.casefold(), b.casefold())
    return (a, b) if op in ("eq", "ne") and type(a) is type(b) else None  # objects, lists


def _compare(op: str, a: Any, b: Any) -> bool:
    if op == "has":  # flags enum, stored as a list or as "a,b"
        flags = a if isinstance(a, list) else a.split(",") if isinstance(a, str) else []
        return isinstance(b, str) and b.casefold() in {str(f).strip().casefold() for f in flags}
    if a is None or b is None:  # null eq null; ordering against null is false
        return (a is None and b is None) == (op == "eq") if op in ("eq", "ne") else False
    pair = _comparable(op, a, b)
    if pair is None:
        return op == "ne"
    return bool(getattr(operator, op)(*pair))  # eq ne gt ge lt le are operator's names too


def _text(test: Callable[[str, str], bool]) -> Callable[[Any, Any], bool | None]:
    def apply(a: Any, b: Any) -> bool | None:
        if isinstance(a, str) and isinstance(b, str):
            return test(a.casefold(), b.casefold())
        return None if a is None or b is None else False

    return apply


_FUNCTIONS = {
    "startswith": _text(str.startswith),
    "endswith": _text(str.endswith),
    "contains": _text(lambda a, b: b in a),
}
_KEYWORDS = {"and", "or", "not", "eq", "ne", "gt", "ge", "lt", "le", "has", "in"}
_MAX_DEPTH = 50  # deeper input is refused so neither parsing nor evaluation exhausts the stack


def _logic(fns: list[Callable], root: Any, scope: dict, decisive: bool) -> bool | None:
    """Three-valued and/or: `decisive` (True for or) wins at once, otherwise null is sticky."""
    result: bool | None = not decisive
    for fn in fns:
        value = fn(root, scope)
        if value is decisive:
            return decisive
        if value is not (not decisive):
            result = None
    return result


@dataclass
class _Tok:
    kind: str  # name, string, number, date, guid, punct, end
    text: str
    pos: int
    value: Any = None

    def at(self) -> str:
        shown = self.text if self.kind == "string" else f"'{self.text}'"
        shown = "the end of the expression" if self.kind == "end" else shown
        return f"{shown} at column {self.pos + 1}"


@dataclass
class _Node:
    fn: Callable[[Any, dict], Any]
    kind: str  # "bool" when surely boolean, "lit" for literals, "value" otherwise
    tok: _Tok
    depth: int = 1


_LEX = re.compile(
    r"(?P<guid>[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12})(?![\w.$-])"
    r"|(?P<date>\d{4}-\d\d-\d\d(?:T\d\d:\d\d(?::\d\d(?:\.\d+)?)?)?(?:Z|[+-]\d\d:\d\d)?)(?![\w.:$-])"
    r"|(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?![\w.$-])"
    r"|(?P<name>[^\W\d][\w.]*|\$[A-Za-z]+)"
    r"|(?P<punct>[(),:/])"
)


class _FilterParser:
    """Recursive descent in OData's precedence: not, then gt ge lt le has in, eq ne, and, or."""

    def __init__(self, expr: str) -> None:
        self.expr, self.i, self.nesting = expr, 0, 0
        self.toks = self.tokenize()

    def fail(self, graph_message: str, detail: str, pos: int) -> NoReturn:
        message = f"Invalid filter clause: {graph_message} {detail}".rstrip()
        raise ODataError("BadRequest", message, position=pos)

    def syntax(self, tok: _Tok, detail: str) -> NoReturn:
        self.fail(f"Syntax error at position {tok.pos} in '{self.expr}'.", detail, tok.pos)

    def tokenize(self) -> list[_Tok]:
        expr, toks, i = self.expr, [], 0
        while i < len(expr):
            if expr[i].isspace():
                i += 1
            elif expr[i] == "'":  # '' inside a string is an escaped quote
                j, parts = i + 1, []
                while (k := expr.find("'", j)) >= 0 and expr.startswith("''", k):
                    parts.append(expr[j : k + 1])
                    j = k + 2
                if k < 0:
                    odl = f"There is an unterminated string literal at position {len(expr)}"
                    where = f"The string {expr[i : i + 24]} at column {i + 1} never ends."
                    self.fail(f"{odl} in '{expr}'.", where, i)
                toks.append(_Tok("string", expr[i : k + 1], i, "".join(parts) + expr[j:k]))
                i = k + 1
            elif m := _LEX.match(expr, i):
                kind, text = m.lastgroup or "", m.group()
                value: Any = text.lower() if kind == "guid" else text
                if kind == "number":
                    value = float(text) if any(c in text for c in ".eE") else int(text)
                elif kind == "date" and (value := _when(text)) is None:
                    self.bad_date(i)
                toks.append(_Tok(kind, text, i, value))
                i = m.end()
            elif re.match(r"\d{4}-\d\d-\d\d", expr[i:]):
                self.bad_date(i)
            else:
                odl = f"Syntax error: character '{expr[i]}' is not valid at position {i}"
                self.fail(f"{odl} in '{expr}'.", "", i)
        return [*toks, _Tok("end", "", len(expr))]

    def bad_date(self, i: int) -> NoReturn:
        text = re.split(r"[\s(),]", self.expr[i:], maxsplit=1)[0]
        odl = f"Unrecognized 'Edm.DateTimeOffset' literal '{text}' at '{i}' in '{self.expr}'."
        self.fail(odl, f"Write it as 2026-11-24T09:00:00Z (column {i + 1}).", i)

    def word(self) -> str:
        tok = self.toks[self.i]
        return tok.text.lower() if tok.kind == "name" else ""

    def next_is(self, text: str) -> bool:
        return self.toks[self.i].kind == "punct" and self.toks[self.i].text == text

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i = min(self.i + 1, len(self.toks) - 1)
        return tok

    def node(self, fn: Callable, tok: _Tok, *children: _Node) -> _Node:
        depth = 1 + max((c.depth for c in children), default=0)
        if depth > _MAX_DEPTH:
            self.syntax(tok, f"The expression nests deeper than {_MAX_DEPTH} levels at {tok.at()}.")
        return _Node(fn, "bool", tok, depth)

    def enter(self, tok: _Tok) -> None:
        """Count nesting before recursing, so runaway input fails before the stack does."""
        self.nesting += 1
        if self.nesting > _MAX_DEPTH:
            self.syntax(tok, f"The expression nests deeper than {_MAX_DEPTH} levels at {tok.at()}.")

    def boolean(self, node: _Node, graph_message: str) -> _Node:
        if node.kind == "lit" and not isinstance(node.tok.value, bool):
            detail = f"Found {node.tok.at()}, which is not a boolean."
            self.fail(graph_message, detail, node.tok.pos)
        return node

    def parse(self) -> _Node:
        node = self.logic("or")
        tok = self.take()
        if tok.kind != "end":
            hint = "an operator such as eq or and belongs"
            hint = "nothing is open to close" if tok.text == ")" else hint
            self.syntax(tok, f"Unexpected {tok.at()}: {hint} there.")
        return self.boolean(node, "The $filter expression must evaluate to a single boolean value.")

    def logic(self, word: str) -> _Node:
        items = [self.logic("and") if word == "or" else self.equality()]
        while self.word() == word:
            tok = self.take()
            items.append(self.logic("and") if word == "or" else self.equality())
        if len(items) == 1:
            return items[0]
        for item in items:
            self.boolean(item, f"The operands of '{word}' must be boolean expressions.")
        fns, decisive = [item.fn for item in items], word == "or"
        return self.node(lambda r, s: _logic(fns, r, s, decisive), tok, *items)

    def equality(self) -> _Node:
        left = self.relational()
        while self.word() in ("eq", "ne"):
            left = self.compare(self.take(), left, self.relational())
        return left

    def relational(self) -> _Node:
        left = self.unary()
        while self.word() in ("gt", "ge", "lt", "le", "has", "in"):
            tok = self.take()
            if tok.text.lower() != "in":
                left = self.compare(tok, left, self.unary())
                continue
            items = self.arguments(self.take(), "in")
            fns, lfn = [item.fn for item in items], left.fn
            member = _member(lfn, fns)
            left = self.node(member, tok, left, *items)
        return left

    def compare(self, tok: _Tok, left: _Node, right: _Node) -> _Node:
        op, lfn, rfn = tok.text.lower(), left.fn, right.fn
        return self.node(lambda r, s: _compare(op, lfn(r, s), rfn(r, s)), tok, left, right)

    def unary(self) -> _Node:
        if self.word() != "not":
            return self.primary()
        tok = self.take()
        self.enter(tok)
        operand = self.boolean(self.unary(), "The operand of 'not' must be a boolean expression.")
        self.nesting -= 1
        fn = operand.fn
        negate = lambda r, s: not v if isinstance(v := fn(r, s), bool) else None  # noqa: E731
        return self.node(negate, tok, operand)

    def primary(self) -> _Node:
        tok = self.take()
        if tok.kind == "punct" and tok.text == "(":
            self.enter(tok)
            node = self.logic("or")
            self.nesting -= 1
            self.close(tok, "')' or operator")
            return node
        word = tok.text.lower() if tok.kind == "name" else ""
        if word in ("true", "false", "null"):
            tok.value = {"true": True, "false": False, "null": None}[word]
        elif word and word not in _KEYWORDS:
            return self.function(tok) if self.next_is("(") else self.path(tok)
        elif tok.kind not in ("string", "number", "date", "guid"):
            odl = f"Expression expected at position {tok.pos} in '{self.expr}'."
            self.fail(odl, f"Found {tok.at()} where a value or property belongs.", tok.pos)
        value = tok.value
        return _Node(lambda r, s: value, "lit", tok)

    def close(self, opened: _Tok, expected: str) -> None:
        tok = self.take()
        if tok.kind != "punct" or tok.text != ")":
            odl = f"{expected} expected at position {tok.pos} in '{self.expr}'."
            self.fail(
                odl, f"Found {tok.at()}; the '(' at column {opened.pos + 1} is open.", tok.pos
            )

    def arguments(self, opened: _Tok, owner: str) -> list[_Node]:
        if opened.kind != "punct" or opened.text != "(":
            self.syntax(opened, f"Expected '(' after '{owner}', found {opened.at()}.")
        items: list[_Node] = []
        self.enter(opened)
        if not self.next_is(")") or owner == "in":
            items.append(self.logic("or"))
            while self.next_is(","):
                self.take()
                items.append(self.logic("or"))
        self.nesting -= 1
        self.close(opened, "')' or ','")
        return items

    def function(self, name: _Tok) -> _Node:
        impl = _FUNCTIONS.get(name.text.lower())
        if impl is None:
            odl = f"An unknown function with name '{name.text}' was found."
            self.fail(odl, f"Graph offers {', '.join(_FUNCTIONS)}; found {name.at()}.", name.pos)
        args = self.arguments(self.take(), name.text)
        if len(args) != 2:
            odl = f"No function signature for the function with name '{name.text}' matches."
            self.fail(odl, f"It takes 2 arguments, got {len(args)} at {name.at()}.", name.pos)
        a, b = args[0].fn, args[1].fn
        return self.node(lambda r, s: impl(a(r, s), b(r, s)), name, *args)

    def path(self, first: _Tok) -> _Node:
        segments = [first.text]
        while self.next_is("/"):
            self.take()
            seg = self.take()
            if seg.kind != "name":
                self.syntax(seg, f"Expected a property name after '/', found {seg.at()}.")
            if seg.text.lower() in ("any", "all") and self.next_is("("):
                return self.lambda_(tuple(segments), seg)
            segments.append(seg.text)
        path = tuple(segments)
        return _Node(lambda r, s: _resolve(path, r, s), "value", first)

    def lambda_(self, source: tuple[str, ...], op: _Tok) -> _Node:
        opened, body, var, every = self.take(), None, "", op.text.lower() == "all"
        self.enter(opened)
        if not self.next_is(")") or every:
            name, colon = self.take(), self.take()
            if name.kind != "name" or colon.text != ":":
                bad = colon if name.kind == "name" and name.text not in _KEYWORDS else name
                self.syntax(bad, f"Expected 'variable:' inside {op.text}(), found {bad.at()}.")
            var = name.text
            body = self.boolean(self.logic("or"), f"The body of '{op.text}' must be boolean.")
        self.nesting -= 1
        self.close(opened, "')' or operator")
        test = body.fn if body else None

        def fn(
            root: Any, scope: dict
        ) -> bool:  # Graph documents `all` as unsupported; OData has it
            items = _resolve(source, root, scope)
            items = items if isinstance(items, list) else []
            if test is None:
                return bool(items)
            checks = (test(root, {**scope, var: item}) is True for item in items)
            return all(checks) if every else any(checks)

        return self.node(fn, op, *([body] if body else []))


def _member(lfn: Callable, fns: list[Callable]) -> Callable[[Any, dict], bool]:
    return lambda r, s: any(_compare("eq", lfn(r, s), f(r, s)) for f in fns)


def parse_filter(expr: str) -> Callable[[dict], bool]:
    """Compile a $filter; items where it is false or null are left out, as in Graph."""
    fn = _FilterParser(expr).parse().fn
    return lambda item: fn(item, {}) is True


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
