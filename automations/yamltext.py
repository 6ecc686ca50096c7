"""One entry added to a list of a YAML file, everything else kept as the admin wrote it.

The team's files (quick steps, reply templates) are edited by people: they hold comments, a
chosen order and quoting. ruamel.yaml (a round-trip YAML library) is not a dependency, and
re-dumping with PyYAML would lose all of that, so an addition is made as text:

1. the new entry is written as YAML in the style of the list's entries (the same column for
   its ``-`` and its keys; short lists in flow style ``[a, b]``; text with line breaks as a
   literal block ``|``), and put on the lines right after the list's last entry — before any
   blank or comment lines that precede the next top-level key. A blank line is put before it
   when the entries are separated by blank lines. A missing list is started just above
   ``before`` (a top-level key, with the comment lines directly above it), else at the end.
2. the result is loaded again and must be the old data with the entry appended. When it is
   not (a list written in flow style, an unusual layout), the document is dumped anew from its
   data instead: still valid and complete, but without the comments. ``Added.kept_layout``
   says which happened.

A form's addition that is refused is a ``FormError``: per form field what is wrong, in Dutch;
``field_problems`` turns the file validator's problems about the new entry into one.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from automations.errors import BadRequest
from automations.yamlfile import load

__all__ = ["ATTEMPTS", "Added", "FormError", "append_entry", "field_problems"]

log = logging.getLogger(__name__)

# A form's addition is made again on a colleague's newer version at most this often.
ATTEMPTS = 3

WIDE = 2**31  # never fold a long line


@dataclass(frozen=True)
class Added:
    text: str
    kept_layout: bool  # False: re-dumped from the data (the comments are gone)


def append_entry(
    text: str, key: str, entry: Mapping[str, Any], *, before: str | None = None
) -> Added:
    """``text`` with ``entry`` appended to the top-level list ``key`` (see the module's doc).
    ``text`` must be a mapping at the top (the caller has validated it)."""
    data = load(text).data if text.strip() else {}
    if not isinstance(data, dict):
        raise ValueError("the document is not a mapping")
    existing = data.get(key)
    if existing is not None and not isinstance(existing, list):
        raise ValueError(f"'{key}' is not a list")
    wanted = {**data, key: [*(existing or []), dict(entry)]}
    if key not in data:  # a new key goes last in the data, wherever its lines are
        wanted = {k: v for k, v in wanted.items() if k != key} | {key: wanted[key]}
    candidate = _insert(text, key, entry, before)
    if candidate is not None and load(candidate).data == wanted:
        return Added(candidate, kept_layout=True)
    log.info("adding to '%s': the layout could not be kept; the document is dumped anew", key)
    return Added(_dump(wanted), kept_layout=False)


def _insert(text: str, key: str, entry: Mapping[str, Any], before: str | None) -> str | None:
    """The text with the entry's lines inserted, or None when the layout is not one we know."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines()
    root = yaml.compose(text, Loader=yaml.SafeLoader) if text.strip() else None
    if root is not None and not isinstance(root, MappingNode):
        return None
    pairs = root.value if root is not None else []
    found = next((v for k, v in pairs if isinstance(k, ScalarNode) and k.value == key), None)
    if found is None:
        at = _start_of(lines, pairs, before)
        block = [f"{key}:", *_entry_lines(entry, 2, 4)]
        if at < len(lines):
            block.append("")  # a blank line between the new list and what follows it
        elif lines and lines[-1].strip():
            block.insert(0, "")
        return _joined([*lines[:at], *block, *lines[at:]], newline)
    if not isinstance(found, SequenceNode) or found.flow_style or not found.value:
        return None
    dash = found.start_mark.column
    last = found.value[-1]
    first_line = last.start_mark.line
    if first_line >= len(lines) or lines[first_line][dash : dash + 1] != "-":
        return None  # the entry does not start on its dash's line
    column = last.start_mark.column if isinstance(last, MappingNode) else dash + 2
    end = _last_line_of(lines, first_line, dash)
    spaced = len(found.value) > 1 and first_line > 0 and not lines[first_line - 1].strip()
    block = ([""] if spaced else []) + _entry_lines(entry, dash, column)
    return _joined([*lines[: end + 1], *block, *lines[end + 1 :]], newline)


def _last_line_of(lines: list[str], start: int, dash: int) -> int:
    """The last line of the entry starting at ``start``: lines indented deeper than its dash,
    up to the first line that is not (blank and comment lines at the dash's column or less
    belong to what follows)."""
    end = start
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        if indent > dash:
            end = i
        elif not line.lstrip().startswith("#"):
            break
    return end


def _start_of(lines: list[str], pairs: list[tuple[Any, Any]], before: str | None) -> int:
    """Where a new top-level list goes: above ``before`` and the comment lines right above
    it, else at the end."""
    node = next((k for k, _ in pairs if isinstance(k, ScalarNode) and k.value == before), None)
    if node is None:
        return len(lines)
    at = node.start_mark.line
    while at > 0 and lines[at - 1].lstrip().startswith("#"):
        at -= 1
    return at


def _joined(lines: list[str], newline: str) -> str:
    return newline.join(lines) + newline


def _entry_lines(entry: Mapping[str, Any], dash: int, column: int) -> list[str]:
    """The entry as a block mapping in a list: ``-`` at ``dash``, its keys at ``column``."""
    out: list[str] = []
    for i, (name, value) in enumerate(entry.items()):
        for j, line in enumerate(_pair(str(name), value, column)):
            if i == 0 and j == 0:
                line = " " * dash + "-" + line[dash + 1 :]
            out.append(line)
    return out


def _pair(name: str, value: Any, column: int) -> list[str]:
    pad = " " * column
    key = _scalar(name)
    if isinstance(value, str) and "\n" in value.rstrip("\n"):
        block = _literal(value, column + 2)
        if block is not None:
            return [f"{pad}{key}: {block[0]}", *block[1:]]
    if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        out = [f"{pad}{key}:"]
        for item in value:
            out.extend(_entry_lines(item, column + 2, column + 4))
        return out
    return [f"{pad}{key}: {_flow(value)}"]


def _literal(value: str, column: int) -> list[str] | None:
    """A literal block (``|``, ``|-``), or None when the text needs a quoted scalar instead."""
    body = value[:-1] if value.endswith("\n") else value
    if body.endswith("\n") or body.startswith((" ", "\n")) or "\r" in body or "\t" in body:
        return None
    if any(not (ch.isprintable() or ch == "\n") for ch in body):
        return None
    pad = " " * column
    head = "|" if value.endswith("\n") else "|-"
    return [head, *[(pad + line) if line else "" for line in body.split("\n")]]


def _flow(value: Any) -> str:
    """One value on one line: a scalar, or a list or mapping in flow style."""
    dumped = yaml.safe_dump([value], default_flow_style=True, allow_unicode=True, width=WIDE)
    return dumped.strip()[1:-1]


def _scalar(value: str) -> str:
    return _flow(value)


class _Dumper(yaml.SafeDumper):
    """Text with line breaks as literal blocks, as people write them."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and _literal(value, 0) is not None else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def _dump(data: Mapping[str, Any]) -> str:
    return yaml.dump(
        dict(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=WIDE, indent=2
    )


class FormError(BadRequest):
    """The addition is refused; ``fields`` says per form field what is wrong, ``general`` what
    belongs to no field. Nothing was published."""

    code = "invalid_addition"

    def __init__(self, fields: Mapping[str, str], general: Sequence[str] = ()) -> None:
        self.fields = dict(fields)
        self.general = list(general)
        super().__init__("Niet toegevoegd: " + "; ".join([*self.fields.values(), *self.general]))


def field_problems(
    problems: Sequence[str], list_key: str, index: int, fields: Mapping[str, str]
) -> FormError:
    """The validator's problems (``regel 31, departments[5].address: …``) as a ``FormError``:
    those about entry ``index`` of ``list_key`` by the form field its path starts with
    (``fields``: path part -> field), the rest as general problems."""
    where = re.compile(
        r"^(?:regel \d+, )?" + re.escape(f"{list_key}[{index}]")
        + r"(?P<path>[^\s:]*)(?: \([^)]*\))?: (?P<message>.+)$"
    )  # fmt: skip
    named: dict[str, str] = {}
    general: list[str] = []
    for problem in problems:
        found = where.match(problem)
        path = found.group("path").lstrip(".") if found else ""
        field = next((f for part, f in fields.items() if path.startswith(part)), None)
        if found and field:
            named.setdefault(field, found.group("message"))
        else:
            general.append(problem)
    return FormError(named, general)
