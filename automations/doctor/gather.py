"""Gather the facts the doctor judges: Microsoft Graph with the app's identity (through the
gateway's session: its token, retries and limits), the store, and this machine's clock.

Nothing here decides a verdict; a failure to gather is itself a fact (an empty probe, an
error text) for the verdicts to report. Graph's reads are few and batched: the app's own
registration, each executive's mailbox settings and calendar permissions, a sample of
secretaries' mailboxes, the roster's people in the directory, and one plain request whose
``Date`` header the clock is held to.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
import json
import logging
import re
import time
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from automations.clock import SystemClock
from automations.doctor.models import (
    AppRegistration,
    ClockFacts,
    DirectoryUser,
    Facts,
    Probe,
    RosterFacts,
    Setup,
    StoreFacts,
    TokenFacts,
)
from automations.errors import AppError, AuthenticationFailed
from automations.graph import BatchResponse, GraphSession, calendar, users
from automations.roster.models import Roster
from automations.roster.service import load_roster_file, snapshot
from automations.store import session_factory
from automations.store.migrate import alembic_config, current_revision, head_revision

__all__ = ["gather", "roles_in", "roster_facts", "store_facts", "zone_error"]

log = logging.getLogger(__name__)

SAMPLE = 2  # other mailboxes (secretaries') tried against the RBAC scope
STORE_TIMEOUT_S = 15.0
_AADSTS = re.compile(r"AADSTS\d+")
# What the registration checks read of the app's own registration (Application.Read.All).
REGISTRATION_SELECT = ("appId", "identifierUris", "spa", "web")


def roles_in(token: str) -> frozenset[str] | None:
    """The ``roles`` claim of a JWT, read without checking its signature: it came from our own
    MSAL call to Entra ID a moment ago. None when the token is not a readable JWT."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError):
        return None
    roles = payload.get("roles") if isinstance(payload, dict) else None
    if roles is None:
        return frozenset()
    return frozenset(r for r in roles if isinstance(r, str)) if isinstance(roles, list) else None


async def token_facts(graph: GraphSession) -> TokenFacts:
    """The app token (client credentials through the gateway's MSAL app), never logged."""
    try:
        token = await graph.token()
    except AppError as exc:
        code = exc.graph_code or ("unavailable" if exc.status == 503 else exc.code)
        found = _AADSTS.search(exc.detail or "")
        detail = f"{code}, {found.group(0)}" if found else code
        if not isinstance(exc, AuthenticationFailed):
            return TokenFacts(obtained=False, error=f"{exc.message} ({detail})", code=code)
        return TokenFacts(obtained=False, error=f"Entra ID weigert ({detail})", code=code)
    return TokenFacts(obtained=True, roles=roles_in(token))


async def roster_facts(engine: AsyncEngine, roster_file: Path | None) -> RosterFacts:
    """The roster the product works from: the store's once it has one, else the file it
    loads into an empty store on its first start."""
    try:
        async with asyncio.timeout(STORE_TIMEOUT_S):
            async with session_factory(engine, clock=SystemClock())() as session:
                stored = await snapshot(session)
    except (SQLAlchemyError, OSError, TimeoutError):
        stored = Roster()
    if stored.roles:
        return RosterFacts(stored, "het rooster in de database")
    if roster_file is None:
        why = "de database heeft geen rooster en er is geen rooster-bestand"
        return RosterFacts(None, "geen SECRETARIAAT_ROSTER_FILE", why)
    try:
        document = await asyncio.to_thread(load_roster_file, roster_file)
    except AppError as exc:
        return RosterFacts(None, f"bestand {roster_file}", exc.message)
    return RosterFacts(Roster.from_document(document), f"bestand {roster_file.name}")


async def store_facts(engine: AsyncEngine) -> StoreFacts:
    """Reachable, and which migration it is at (read only: the doctor never migrates)."""
    url = engine.url
    kind = "PostgreSQL" if url.get_backend_name() == "postgresql" else "SQLite"
    where = url.render_as_string(hide_password=True)
    head = head_revision()
    try:
        async with asyncio.timeout(STORE_TIMEOUT_S):
            current = await current_revision(engine)
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        text = str(getattr(exc, "orig", None) or exc).strip()  # the driver's own words
        reason = text.splitlines()[0] if text else type(exc).__name__
        return StoreFacts(kind, where, head, error=reason)
    known = True
    if current is not None:
        try:
            known = ScriptDirectory.from_config(alembic_config()).get_revision(current) is not None
        except CommandError:
            known = False
    return StoreFacts(kind, where, head, current=current, known=known)


def zone_error() -> str | None:
    """Why Europe/Amsterdam cannot be used, or None: present, and CET/CEST as it should be."""
    try:
        zone = zoneinfo.ZoneInfo("Europe/Amsterdam")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        return f"geen tijdzonegegevens ({type(exc).__name__})"
    winter = dt.datetime(2026, 1, 15, 12, tzinfo=zone).utcoffset()
    summer = dt.datetime(2026, 7, 15, 12, tzinfo=zone).utcoffset()
    if (winter, summer) != (dt.timedelta(hours=1), dt.timedelta(hours=2)):
        return f"onverwachte verschuivingen ({winter}, {summer})"
    return None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name), None)


async def _skew(graph: GraphSession, wall: Callable[[], float]) -> float | None:
    """Graph's ``Date`` minus this machine's time (the middle of the request); one plain
    request (a batch's sub-answers carry no ``Date``)."""
    before = wall()
    [answer] = await graph.batch([users.any_user_request()])
    after = wall()
    raw = _header(answer.headers, "date")
    if raw is None:
        return None
    try:
        at = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return at.timestamp() - (before + after) / 2


def _probe(upn: str, answer: BatchResponse) -> Probe:
    error = answer.body.get("error") if isinstance(answer.body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    body = answer.body if answer.ok and isinstance(answer.body, dict) else None
    return Probe(upn, answer.status, code if isinstance(code, str) else None, body)


def outsiders(roster: Roster, exclude: Sequence[str]) -> list[str]:
    """The mailboxes tried against the scope: the first secretaries on the roster."""
    secretaries = sorted(u for u, role in roster.roles.items() if role == "secretary")
    return [s for s in secretaries if s not in exclude][:SAMPLE]


def _uris(value: Any) -> tuple[str, ...]:
    return tuple(u for u in value if isinstance(u, str)) if isinstance(value, list) else ()


def _registration(answer: BatchResponse) -> AppRegistration:
    """Graph's application object (its URIs), or its refusal."""
    probe = _probe("", answer)
    if probe.body is None:
        return AppRegistration(probe.status, probe.code)
    spa, web = probe.body.get("spa"), probe.body.get("web")
    return AppRegistration(
        probe.status,
        identifier_uris=_uris(probe.body.get("identifierUris")),
        spa_redirect_uris=_uris(spa.get("redirectUris") if isinstance(spa, Mapping) else None),
        web_redirect_uris=_uris(web.get("redirectUris") if isinstance(web, Mapping) else None),
    )


async def _tenant(graph: GraphSession, roster: Roster | None, setup: Setup) -> dict[str, Any]:
    """The app's own registration; with a roster also each executive's mailbox settings and
    calendar permissions, the notice mailbox, the sample, and its people in the directory."""
    own = users.application_request(setup.client_id, REGISTRATION_SELECT)
    if roster is None:
        [answer] = await graph.batch([own])
        return {"registration": _registration(answer)}
    executives = sorted(u for u, role in roster.roles.items() if role == "executive")
    notice = setup.notice_mailbox.lower() if setup.notice_mailbox else None
    if notice in executives:
        notice = None
    others = outsiders(roster, [*executives, *([notice] if notice else [])])
    settings = [*executives, *([notice] if notice else []), *others]
    requests = [own, *map(users.mailbox_settings_request, settings)]
    requests += map(calendar.calendar_permissions_request, executives)
    registration, *answers = await graph.batch(requests)
    probes = [_probe(u, a) for u, a in zip(settings, answers[: len(settings)], strict=True)]
    calendars = [_probe(u, a) for u, a in zip(executives, answers[len(settings) :], strict=True)]
    directory: tuple[DirectoryUser, ...] | None = None
    directory_error = None
    try:
        found = await users.find_users(
            graph, sorted(roster.roles), select=["id", "userPrincipalName", "accountEnabled"]
        )
    except AppError as exc:  # User.Read.All missing, say: the other reads still count
        directory_error = f"de gebruikerslijst is niet te lezen ({exc.graph_code or exc.code})."
    else:
        directory = tuple(
            DirectoryUser(upn, user is not None, user.get("accountEnabled") if user else None)
            for upn, user in found.items()
        )
    return {
        "registration": _registration(registration),
        "executives": tuple(probes[: len(executives)]),
        "notice": probes[len(executives)] if notice else None,
        "outsiders": tuple(probes[len(executives) + (1 if notice else 0) :]),
        "calendars": tuple(calendars),
        "directory": directory,
        "directory_error": directory_error,
    }


async def gather(
    *,
    graph: GraphSession,
    engine: AsyncEngine,
    setup: Setup,
    roster: RosterFacts,
    wall: Callable[[], float] = time.time,
) -> Facts:
    """All the facts, each part on its own: a failing store does not stop the Graph checks."""
    store = await store_facts(engine)
    token = await token_facts(graph)
    found: dict[str, Any] = {}
    graph_error, skew = None, None
    if token.obtained:
        try:
            skew = await _skew(graph, wall)
            found = await _tenant(graph, roster.roster, setup)
        except AppError as exc:
            log.warning("doctor: Microsoft Graph did not answer: %s", exc.code)
            graph_error = f"Microsoft Graph gaf geen bruikbaar antwoord: {exc.message}"
    clock = ClockFacts(skew, "Microsoft Graph", zone_error())
    return Facts(
        setup=setup,
        token=token,
        roster=roster,
        store=store,
        clock=clock,
        graph_error=graph_error,
        **found,
    )
