"""Load a seed file (YAML): validate all of it, then resolve it for a given ``today``.

The demo is data, not code, so anyone can change the municipality without reading Python. The
price is validation strict enough that every mistake names its entry and field, and is reported
together with all the others rather than one per run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sandbox.seed.models import DemoFile
from sandbox.seed.references import check_references
from sandbox.seed.resolve import Resolver

__all__ = ["DEFAULT_PATH", "Seed", "SeedError", "load_seed"]

DEFAULT_PATH = Path(__file__).with_name("demo.yaml")
_LABEL_KEYS = ("subject", "displayName", "userPrincipalName", "name", "title", "secretary")


class SeedError(ValueError):
    """The seed file cannot be used; the message lists every problem found, one per line."""


@dataclass(frozen=True)
class Seed:
    """The demo as Graph JSON with absolute dates. People are UPNs unless a key ends in ``_id``.

    tenant      {id, display_name, domain}
    apps        [{displayName, client_id, api_scopes, delegated_permissions,
                  application_permissions, rbac_scope (UPNs), rbac_scope_ids}]
    users       [Graph user + role: executive | secretary | staff | admin]
    rooms       [Graph room (places API): id, displayName, emailAddress, capacity, building,
                 floorNumber, ... every property present]
    room_lists  [Graph roomList: id, displayName, emailAddress, ...; _rooms: member addresses]
    delegates   [{owner, owner_id, delegate, delegate_id, rights: {mail, calendar}}]
    roster      {executive: {mon..fri: front office secretary}}
    categories  {mailbox: [{displayName, color}]}
    folders     {mailbox: ["inbox/Uitgezet", ...]}
    messages    [{mailbox, folder, message}]
    events      [{organizer, event}]; an external organizer means attendee copies only
    site        {id, name, displayName, description, webUrl,
                 libraries: [{id, name, description, folders, files: [{path, name,
                 contentType, size, content (bytes)}]}]}
    todo        {owner: [{displayName, tasks: [Graph todoTask]}]}
    """

    tenant: dict[str, str]
    apps: list[dict[str, Any]]
    users: list[dict[str, Any]]
    rooms: list[dict[str, Any]]
    room_lists: list[dict[str, Any]]
    delegates: list[dict[str, Any]]
    roster: dict[str, dict[str, str]]
    categories: dict[str, list[dict[str, str]]]
    folders: dict[str, list[str]]
    messages: list[dict[str, Any]]
    events: list[dict[str, Any]]
    site: dict[str, Any] | None
    todo: dict[str, list[dict[str, Any]]]


def load_seed(path: Path | None = None, *, today: date) -> Seed:
    """Read, validate and resolve ``path`` (default: the demo municipality) for ``today``."""
    path = path or DEFAULT_PATH
    raw = _read(path)
    try:
        doc = DemoFile.model_validate(raw)
    except ValidationError as exc:
        raise SeedError(_report(path, [_describe(raw, e) for e in exc.errors()])) from None
    problems = check_references(doc)
    if problems:
        raise SeedError(_report(path, problems))
    resolver = Resolver(doc, today=today)
    seed = Seed(
        tenant=resolver.tenant(),
        apps=resolver.apps(),
        users=[user.model_dump() for user in doc.users],
        rooms=resolver.room_places(),
        room_lists=resolver.room_lists(),
        delegates=resolver.delegates(),
        roster={upn: week.model_dump() for upn, week in doc.roster.items()},
        categories=resolver.categories(),
        folders=resolver.folders(),
        messages=resolver.messages(),
        events=resolver.events(),
        site=resolver.site(),
        todo=resolver.todo(),
    )
    if resolver.problems:
        raise SeedError(_report(path, resolver.problems))
    return seed


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SeedError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise SeedError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise SeedError(f"{path}: expected a mapping at the top, got {type(raw).__name__}")
    return raw


def _report(path: Path, problems: list[str]) -> str:
    return f"{path.name}: {len(problems)} problem(s)\n  " + "\n  ".join(problems)


def _describe(raw: Any, error: Any) -> str:
    """``messages[x@zeeveen.nl][3] 'Subject'.flag.due: Field required`` from a pydantic error."""
    where, node = "", raw
    for part in error["loc"]:
        where += f"[{part}]" if isinstance(part, int) or "@" in str(part) else f".{part}"
        node = _child(node, part)
        if isinstance(part, int) and isinstance(node, dict):
            label = next((node[k] for k in _LABEL_KEYS if isinstance(node.get(k), str)), None)
            where += f" {label!r}" if label else ""
    where = where.lstrip(".")
    if error["type"] == "extra_forbidden":
        return f"{where}: unknown field {str(error['loc'][-1])!r}"
    return f"{where}: {error['msg']}"


def _child(node: Any, part: Any) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and part < len(node):
        return node[part]
    return None
