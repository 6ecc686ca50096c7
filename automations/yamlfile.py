"""YAML that remembers where every value was, so a validation error can name its line.

``load`` returns plain Python data (safe types only) and a map from each value's path, as
pydantic reports it in ``loc`` (``("steps", 2, "actions", 0, "folder")``), to its 1-based
line. ``describe`` turns a pydantic error into ``regel 14, steps[2].actions[0].folder: …``.

The files are edited by people and sent by admins, so what they may hold is bounded before
anything is built: at most ``MAX_BYTES``, nested at most ``MAX_DEPTH`` deep, and no anchors
or aliases (``&a``/``*a``) — our files never need them, and an alias that is copied for each
use is how a few lines of "billion laughs" become gigabytes. They are refused while the
document is composed, before a single value is copied.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from automations.validation import dutch_message

__all__ = ["MAX_BYTES", "MAX_DEPTH", "Located", "YamlError", "describe", "load"]

MAX_BYTES = 256 * 1024
MAX_DEPTH = 20  # mappings and lists inside each other; our files need fewer than ten

Path = tuple[str | int, ...]


class YamlError(ValueError):
    """The text is not YAML of the expected shape; the message names the line."""


@dataclass(frozen=True)
class Located:
    data: Any
    lines: Mapping[Path, int]
    blocks: frozenset[Path] = frozenset()  # text written as a block scalar (``|``, ``>``)

    def line_of(self, path: Path) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())

    def text_line(self, path: Path, lineno: int | None) -> int | None:
        """The file line of line ``lineno`` (1-based) of the text value at ``path``: a block
        scalar (``|``, ``>``) starts on the line after its key, a plain one on the key's."""
        start = self.line_of(path)
        if start is None:
            return None
        return start + (lineno or 1) - (0 if path in self.blocks else 1)


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses anchors, aliases and deep nesting while composing."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        line = event.start_mark.line + 1
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            raise YamlError(f"regel {line}: ankers en verwijzingen (&, *) worden niet ondersteund")
        if self._depth >= MAX_DEPTH:
            raise YamlError(f"regel {line}: te diep genest (meer dan {MAX_DEPTH} niveaus)")
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _compose(text: str) -> Node | None:
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def load(text: str) -> Located:
    if len(text.encode()) > MAX_BYTES:
        raise YamlError(f"het bestand is groter dan {MAX_BYTES // 1024} KiB")
    try:
        root = _compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"regel {mark.line + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlError(f"{where}geen geldige YAML ({problem})") from None
    if root is None:
        return Located(None, {})
    lines: dict[Path, int] = {}
    blocks: set[Path] = set()
    constructor = SafeConstructor()

    def scalar(node: Node) -> Any:
        """One value; what PyYAML cannot make of it (an unknown ``!tag``, ``!!binary`` that is
        not base64, a date like 2026-13-45, a 5000-digit number, a list as a key) is a
        ``YamlError`` naming its line, not an unexpected error."""
        if not isinstance(node, ScalarNode):
            raise YamlError(f"regel {node.start_mark.line + 1}: een sleutel moet een tekst zijn")
        try:
            return constructor.construct_object(node)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            problem = getattr(exc, "problem", None) or str(exc)[:200]
            line = node.start_mark.line + 1
            raise YamlError(f"regel {line}: ongeldige waarde ({problem})") from None

    def build(node: Node, path: Path) -> Any:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = scalar(key_node)
                if key == "<<":
                    line = key_node.start_mark.line + 1
                    raise YamlError(f"regel {line}: '<<' (samenvoegen) wordt niet ondersteund")
                out[key] = build(value_node, (*path, key))
            return out
        if isinstance(node, SequenceNode):
            return [build(child, (*path, i)) for i, child in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        if node.style in ("|", ">"):
            blocks.add(path)
        return scalar(node)

    return Located(build(root, ()), lines, frozenset(blocks))


def describe(located: Located, error: Mapping[str, Any]) -> str:
    """One pydantic error as ``regel N, a.b[2].c: message``."""
    loc = tuple(error.get("loc", ()))
    path = _data_path(located.data, loc)
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
    line = located.line_of(path)
    message = _message(error, loc)
    prefix = f"regel {line}, " if line else ""
    return f"{prefix}{where or '(bestand)'}: {message}"


def _data_path(data: Any, loc: tuple[Any, ...]) -> Path:
    """``loc`` without the parts that are not in the data (pydantic's union tags)."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and part not in node:
            if part.isidentifier() and part == loc[-1]:
                path.append(part)  # a missing or unknown field: name it
            continue
        else:
            continue
        path.append(part)
    return tuple(path)


def _message(error: Mapping[str, Any], loc: tuple[Any, ...]) -> str:
    """Pydantic's message in Dutch (``validation.dutch_message``)."""
    return dutch_message({**error, "loc": loc})
