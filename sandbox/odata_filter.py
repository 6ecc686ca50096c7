"""The OData ``$filter`` language: tokenizer, recursive-descent parser and evaluator.

Split from ``sandbox.odata`` (which re-exports ``parse_filter`` and ``ODataError``) to keep
modules small. The error and path helpers live here since the filter needs them: no cycle.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn

from sandbox.timezones import parse_iso_instant

__all__ = ["ODataError", "parse_filter"]


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
