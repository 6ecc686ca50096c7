"""Random requests against every implemented endpoint: never a 5xx, always Graph's error shape.

The endpoint list comes from the running sandbox (``GET /_admin/coverage``), so a new route is
fuzzed the day it lands. Each example picks a template, mostly keeps its method, fills its
``{params}`` with a mix of real ids (collected first), well-known names and hostile strings,
adds random OData query options and headers, and sends a random JSON body (often shaped like
the resource's own properties, or a ``$batch`` of such requests) or garbage bytes, as a
secretary (delegated, so the authorisation paths run) or as the app. Faults stay off, so any
status >= 500 is a sandbox bug; the sandbox's log line for it is put in the failure message.
"""

from __future__ import annotations

import json
import logging
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.server import RunningSandbox
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import (
    BURGEMEESTER,
    GEMEENTESECRETARIS,
    SECRETARY_A,
    SECRETARY_B,
    STAFF,
    WETHOUDERS,
)
from tests.sandbox.test_bad_input import assert_graph_error

pytestmark = pytest.mark.slow

EXECUTIVES = (BURGEMEESTER, GEMEENTESECRETARIS)
METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")
_PARAM = re.compile(r"\{(\w+)(:path)?\}")


# -- the world the fuzzer draws from ----------------------------------------------------------
class _Failures(logging.Handler):
    """Keeps the sandbox's unhandled-error log records, to name the bug in a failure."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def last(self) -> str:
        if not self.records:
            return "(nothing logged)"
        record = self.records[-1]
        text = logging.Formatter().format(record)
        return "\n".join(text.splitlines()[-6:])


class World:
    """Clients, endpoint templates and id pools (a plain class: Hypothesis prints its repr)."""

    def __init__(self, clients: dict[str, httpx.Client], endpoints: list[tuple[str, str]]):
        self.clients, self.endpoints = clients, endpoints
        # param name -> owner (a UPN, or "" for site content) -> real values
        self.pools: dict[str, dict[str, list[str]]] = {}
        self.failures = _Failures()

    def __repr__(self) -> str:
        return f"World({len(self.endpoints)} endpoints)"

    def values(self, name: str, owner: str | None = None) -> list[str]:
        """Values for ``{name}``: the owner's own when there are any, else everyone's."""
        by_owner = self.pools.get(name) or self.pools["any"]
        if owner and by_owner.get(owner):
            return by_owner[owner]
        return [v for vs in by_owner.values() for v in vs] or ["x"]


def _ids(client: httpx.Client, path: str, key: str = "id", top: int = 4) -> list[str]:
    resp = client.get(f"{path}{'&' if '?' in path else '?'}$top={top}")
    if resp.status_code != 200:
        return []
    return [str(v[key]) for v in resp.json().get("value", []) if key in v][:top]


def _collect(sec: httpx.Client, app: httpx.Client) -> dict[str, dict[str, list[str]]]:
    """A few real ids of every kind the templates name (best effort: modules change)."""
    pools: dict[str, dict[str, list[str]]] = {}

    def add(name: str, owner: str, values: list[str]) -> None:
        pools.setdefault(name, {}).setdefault(owner, []).extend(values)

    others = [WETHOUDERS[0], SECRETARY_A, SECRETARY_B, STAFF, "me", "nobody@zeeveen.nl"]
    add("user", "", [*EXECUTIVES * 4, *others, *_ids(app, "/users", top=2)])
    for upn in EXECUTIVES:
        base = f"/users/{upn}"
        add("message", upn, _ids(sec, f"{base}/mailFolders/inbox/messages", top=3))
        with_files = _ids(sec, f"{base}/messages?$filter=hasAttachments%20eq%20true", top=2)
        add("message", upn, with_files)
        for m in with_files:
            add("attachment", upn, _ids(sec, f"{base}/messages/{m}/attachments", top=2))
        folders = _ids(sec, f"{base}/mailFolders", top=4)
        add("folder", upn, ["inbox"] * 4 + folders + ["drafts", "sentitems", "msgfolderroot"])
        add("child", upn, _ids(sec, f"{base}/mailFolders/inbox/childFolders", top=2) + folders)
        add("event_id", upn, _ids(sec, f"{base}/events", top=4))
        cats = sec.get(f"{base}/outlook/masterCategories").json().get("value", [])
        add("category", upn, [c["id"] for c in cats[:3]] + [c["displayName"] for c in cats[:2]])
    for upn in (SECRETARY_A, BURGEMEESTER):
        lists = _ids(app, f"/users/{upn}/todo/lists", top=2)
        add("list_id", upn, lists)
        for lst in lists:
            tasks = _ids(app, f"/users/{upn}/todo/lists/{lst}/tasks", top=3)
            add("task_id", upn, tasks)
            for t in tasks[:2]:
                links = _ids(app, f"/users/{upn}/todo/lists/{lst}/tasks/{t}/linkedResources")
                add("link_id", upn, links)
    sites = _ids(app, "/sites?search=*", top=2)
    drives = [d for s in sites for d in _ids(app, f"/sites/{s}/drives", top=2)]
    items = [i for d in drives for i in _ids(app, f"/drives/{d}/root/children", top=4)]
    own_drive = app.get(f"/users/{BURGEMEESTER}/drive")
    if own_drive.status_code == 200:
        add("drive_id", BURGEMEESTER, [own_drive.json()["id"]])
    paths = ["root", "root/children", "root:/College van B&W:", "root:/nope.txt:"]
    paths += [f"items/{i}" for i in items] + [f"items/{i}/children" for i in items[:2]]
    add("drive_id", "", drives)
    add("item_id", "", items)
    for d in drives[:1]:
        for i in items[:2]:
            add("version_id", "", _ids(app, f"/drives/{d}/items/{i}/versions", top=2))
        session = app.post(f"/drives/{d}/root:/fuzz.bin:/createUploadSession", json={})
        if session.status_code == 200:  # the pre-authenticated upload URL, below /v1.0
            add("upload_url", "", [session.json()["uploadUrl"].split("/v1.0", 1)[1]])
    add("item", "", paths)
    add("site", "", [*sites, "root", "zeeveen.sharepoint.com:/sites/Bestuursondersteuning:"])
    add("rest", "", paths + [f"{s}/drives" for s in sites] + sites)
    pools["any"] = {"": [v for p in pools.values() for vs in p.values() for v in vs] or ["x"]}
    return pools


@pytest.fixture(scope="module")
def world(running: RunningSandbox, tenant: Tenant) -> Iterator[World]:
    info = running.info
    tls = ssl.create_default_context(cafile=info["ca_cert"])
    with httpx.Client(base_url=info["admin_url"], verify=tls) as control:
        control.post("/limits", json={"fault_rate": 0, "latency_ms": 0, "budget": 1_000_000})
        coverage = control.get("/coverage").json()["endpoints"]
    clients = {
        who: httpx.Client(
            base_url=info["graph_url"],
            verify=tls,
            timeout=20,
            headers={"Authorization": f"Bearer {tenant.graph_token(upn)}"},
        )
        for who, upn in (("secretary", SECRETARY_A), ("app", None))
    }
    endpoints = [tuple(line.split(" ", 1)) for line in coverage]
    w = World(clients=clients, endpoints=endpoints)  # type: ignore[arg-type]
    w.pools = _collect(clients["secretary"], clients["app"])
    logging.getLogger("sandbox").addHandler(w.failures)
    logging.getLogger("uvicorn.error").addHandler(w.failures)
    yield w
    logging.getLogger("sandbox").removeHandler(w.failures)
    logging.getLogger("uvicorn.error").removeHandler(w.failures)
    for c in clients.values():
        c.close()
    with httpx.Client(base_url=info["admin_url"], verify=tls) as control:
        control.post("/limits", json={"budget": 10_000})


# -- strategies ---------------------------------------------------------------------------------
HOSTILE = st.one_of(
    st.text(max_size=40),
    st.text(min_size=300, max_size=1500),
    st.sampled_from(
        [
            "", " ", "..", ".", "/", "%", "%2F", "'", "''", '"', "\\", "?", "#", "&", "=", ":",
            "null", "undefined", "0", "-1", "9" * 40, "AAMk", "AAMkAGI2" + "A" * 44 + "=",
            "root:", "root:/:", "items/", "me", "$value", "$count", "$ref", "delta()",
            "../../etc/passwd", "inbox/../drafts", "ü😀\u202e", "\x00", "a\nb", "a b",
            "{user}", "users('x')", "b!xyz", "00000000-0000-0000-0000-000000000000",
        ]
    ),
)  # fmt: skip

WELL_KNOWN_TEXT = st.sampled_from(["Ter goedkeuring", "Marktplein", "Rondvraag", "x", ""])

QUERY_VALUES: dict[str, list[str]] = {
    "$filter": [
        "isRead eq false", "subject eq 'Marktplein'", "receivedDateTime ge 2026-11-01T00:00:00Z",
        "start/dateTime ge '2026-11-24T00:00:00'", "contains(subject,'Markt')", "not(isRead)",
        "categories/any(c:c eq 'Ter goedkeuring')", "isRead eq", "((", "id in ('a','b')",
        "hasAttachments eq true and importance eq 'high'", "from/emailAddress/address eq 'x'",
        "microsoft.graph.eventMessage/meetingMessageType eq 'meetingRequest'", "1 eq 1",
        "null eq null", "startswith(subject,'R') or endswith(subject,'g')", "length(subject) gt 3",
        "singleValueExtendedProperties/any(ep:ep/id eq 'String {1f6cbb2e-7d3a-4b8c-9a57-"
        "3f1f8f0d9a11} Name X' and ep/value eq 'y')", "subject eq 'it''s'", "status ne 'completed'",
        "receivedDateTime ge 99999-01-01", "isRead eq tru", "flag/flagStatus eq 'flagged'",
    ],
    "$select": [
        "id,subject", "subject,fooBar", "*", ",", "body,uniqueBody", "start,end,attendees",
        "microsoft.graph.eventMessage/meetingMessageType", "displayName", "name,size,file",
        "title,status", "id,,id",
    ],
    "$orderby": [
        "receivedDateTime desc", "subject", "start/dateTime", "subject asc,receivedDateTime desc",
        "foo sideways", "desc", "name", "lastModifiedDateTime desc",
    ],
    "$expand": [
        "attachments", "instances", "children", "fooBar", "attachments($select=name)",
        "singleValueExtendedProperties($filter=id eq 'String {1f6cbb2e-7d3a-4b8c-9a57-"
        "3f1f8f0d9a11} Name X')", "extensions", "thumbnails", "linkedResources",
    ],
    "$count": ["true", "false", "maybe"],
    "$search": ['"Marktplein"', "subject:x", '"', "from:ingrid"],
    "startDateTime": ["2026-11-23T00:00:00", "0001-01-01T00:00:00", "2026-11-24", "2026-02-30"],
    "endDateTime": ["2026-11-30T00:00:00", "9999-12-31T23:59:59", "2026-11-22T00:00:00Z", "x"],
    "$deltatoken": ["abc", "0", ""],
    "$skiptoken": ["abc", "X'44'"],
}  # fmt: skip
NUMBERS = ["0", "1", "3", "10", "1000", "1001", "-1", "abc", "99999999999", "2147483648", "1e3"]
for _key in ("$top", "$skip", "top", "skip"):
    QUERY_VALUES[_key] = NUMBERS
for _key in ("filter", "select", "orderby", "expand", "search", "$format", "$foo", "$apply"):
    QUERY_VALUES.setdefault(_key, QUERY_VALUES.get("$" + _key, ["json", "x"]))

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    WELL_KNOWN_TEXT,
)
any_json = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
# Values shaped like Graph's complex types, so handlers get past their first type check.
SHAPED: list[Any] = [
    {"dateTime": "2026-11-25T10:00:00", "timeZone": "W. Europe Standard Time"},
    {"dateTime": "2026-11-25T10:00:00.0000000", "timeZone": "Mars/Olympus"},
    {"dateTime": "not a time", "timeZone": "UTC"},
    {"dateTime": "2026-11-25T10:00:00"},
    {"emailAddress": {"address": BURGEMEESTER, "name": "Ingrid"}},
    [{"emailAddress": {"address": BURGEMEESTER}}, {"emailAddress": {"address": "x@extern.nl"}}],
    [{"emailAddress": {"address": "not-an-address"}, "type": "required"}],
    [{"emailAddress": {}, "type": "sideways"}],
    {"contentType": "html", "content": "<p>Hallo</p>"},
    {"contentType": "binary", "content": 5},
    {"pattern": {"type": "daily", "interval": 1},
     "range": {"type": "noEnd", "startDate": "2026-11-24"}},
    {"pattern": {"type": "weekly", "interval": 0, "daysOfWeek": ["funday"]},
     "range": {"type": "endDate", "startDate": "2026-11-24", "endDate": "2026-01-01"}},
    {"pattern": {"type": "absoluteMonthly", "dayOfMonth": 31, "interval": 1},
     "range": {"type": "numbered", "startDate": "2026-11-24", "numberOfOccurrences": 100000}},
    {"pattern": {"type": "relativeYearly", "month": 13, "daysOfWeek": ["monday"], "index": "fifth"},
     "range": {"type": "numbered", "startDate": "0001-01-01", "numberOfOccurrences": -1}},
    {"flagStatus": "flagged", "dueDateTime": {"dateTime": "2026-11-30T00:00", "timeZone": "UTC"}},
    {"displayName": "Stadhuis"},
    [{"id": "String {1f6cbb2e-7d3a-4b8c-9a57-3f1f8f0d9a11} Name X", "value": "y"}],
    [{"id": "garbage", "value": None}],
    ["Ter goedkeuring"],
    {"@odata.type": "#microsoft.graph.fileAttachment", "name": "a.txt", "contentBytes": "aGFsbG8="},
    {"@odata.type": "#microsoft.graph.itemAttachment", "name": "x"},
    {"@odata.type": "#microsoft.graph.fileAttachment", "name": "a.txt", "contentBytes": "!!"},
    {"id": "x", "driveId": "y", "path": "/drive/root:/a"},
    "2026-11-25T10:00:00Z", "PT30M", "P-1D", "high", "preset3", "notStarted", "rename",
]  # fmt: skip
# The properties each kind of request body has, by the template's last segment(s).
MESSAGE = """subject body toRecipients ccRecipients bccRecipients from replyTo isRead categories
    flag importance singleValueExtendedProperties isDraft inferenceClassification
    internetMessageHeaders attachments""".split()
EVENT = """subject body start end recurrence attendees isAllDay location locations isOnlineMeeting
    showAs sensitivity responseRequested categories importance isReminderOn
    reminderMinutesBeforeStart singleValueExtendedProperties originalStartTimeZone
    allowNewTimeProposals transactionId""".split()
TASK = """title status importance body dueDateTime reminderDateTime isReminderOn categories
    linkedResources startDateTime completedDateTime recurrence""".split()
DRIVE_ITEM = """name folder file parentReference @microsoft.graph.conflictBehavior description item
    deferCommit""".split()
FAMILIES: list[tuple[str, list[str]]] = [
    ("/$batch", ["requests"]),
    ("/sendMail", ["message", "saveToSentItems"]),
    ("/reply", ["comment", "message", "toRecipients"]),
    ("/replyAll", ["comment", "message"]),
    ("/forward", ["comment", "message", "toRecipients"]),
    ("/createReply", ["comment", "message"]),
    ("/createReplyAll", ["comment", "message"]),
    ("/createForward", ["comment", "message", "toRecipients"]),
    ("/move", ["destinationId"]),
    ("/copy", ["destinationId", "parentReference", "name"]),
    ("/accept", ["comment", "sendResponse"]),
    ("/decline", ["comment", "sendResponse", "proposedNewTime"]),
    ("/tentativelyAccept", ["comment", "sendResponse", "proposedNewTime"]),
    ("/cancel", ["comment"]),
    ("/getSchedule", ["schedules", "startTime", "endTime", "availabilityViewInterval"]),
    ("/findMeetingTimes", [
        "attendees", "timeConstraint", "meetingDuration", "maxCandidates", "locationConstraint",
        "isOrganizerOptional", "returnSuggestionReasons", "minimumAttendeePercentage",
    ]),
    ("/attachments", [
        "@odata.type", "name", "contentBytes", "contentType", "isInline", "contentId", "item",
        "size",
    ]),
    ("/linkedResources", ["webUrl", "applicationName", "displayName", "externalId"]),
    ("/linkedResources/{link_id}", ["webUrl", "applicationName", "displayName", "externalId"]),
    ("/tasks", TASK),
    ("/tasks/{task_id}", TASK),
    ("/lists", ["displayName"]),
    ("/lists/{list_id}", ["displayName"]),
    ("/masterCategories", ["displayName", "color"]),
    ("/masterCategories/{category}", ["displayName", "color"]),
    ("/childFolders", ["displayName", "isHidden"]),
    ("/mailFolders", ["displayName", "isHidden"]),
    ("/mailFolders/{folder}", ["displayName", "isHidden"]),
    ("/messages", MESSAGE),
    ("/messages/{message}", MESSAGE),
    ("/events", EVENT),
    ("/events/{event_id}", EVENT),
    ("/uploadSession", ["item", "deferCommit"]),
    ("/createUploadSession", ["item", "deferCommit"]),
    ("}", DRIVE_ITEM),
    ("/children", DRIVE_ITEM),
]  # fmt: skip
ALL_PROPERTIES = sorted({p for _, props in FAMILIES for p in props} | {"id", "changeKey"})
# Plausible values per property, so a body gets past the first check more often than not.
ADDRESS = [{"emailAddress": {"address": a}} for a in (BURGEMEESTER, "x@extern.nl", "bad")]
LIKELY: dict[str, list[Any]] = {
    "toRecipients": [ADDRESS[:1], ADDRESS, [{"emailAddress": {}}], []],
    "ccRecipients": [ADDRESS[1:2], []],
    "attendees": [
        [{**ADDRESS[0], "type": "required"}], [{**ADDRESS[1], "type": "sideways"}], ["x"], [{}],
    ],
    "start": SHAPED[:4], "end": SHAPED[:4], "proposedNewTime": [
        {"start": SHAPED[0], "end": SHAPED[1]}, {"start": SHAPED[0]},
    ],
    "dueDateTime": SHAPED[:4], "reminderDateTime": SHAPED[:4], "startDateTime": SHAPED[:3],
    "completedDateTime": SHAPED[:3], "startTime": SHAPED[:4], "endTime": SHAPED[:4],
    "recurrence": SHAPED[10:14], "body": SHAPED[8:10] + [{"content": "x"}],
    "message": [{"subject": "x", "toRecipients": ADDRESS[:1]}, {"body": 5}, {"fooBar": 1}],
    "destinationId": ["inbox", "deleteditems", "archive", "AAMkAGI2" + "Q" * 44 + "=", ""],
    "schedules": [[BURGEMEESTER, "x@extern.nl"], [], [5]],
    "availabilityViewInterval": [30, 0, -5, 100000, "15"],
    "timeConstraint": [
        {"timeslots": [{"start": SHAPED[0], "end": SHAPED[1]}]}, {"timeslots": []},
        {"activityDomain": "work", "timeslots": [{"start": SHAPED[1], "end": SHAPED[0]}]},
    ],
    "meetingDuration": ["PT30M", "PT0S", "P-1D", "PT100000H", "x"],
    "maxCandidates": [1, 0, -1, 10**9],
    "flag": [SHAPED[14], {"flagStatus": "sideways"}],
    "@odata.type": [
        "#microsoft.graph.fileAttachment", "#microsoft.graph.itemAttachment",
        "#microsoft.graph.referenceAttachment", "#microsoft.graph.nope",
    ],
    "contentBytes": ["aGFsbG8=", "!!", ""],
    "status": ["notStarted", "completed", "inProgress", "sideways"],
    "color": ["preset3", "preset99", "none"],
    "showAs": ["busy", "free", "sideways"],
    "importance": ["high", "low", "urgent"],
    "@microsoft.graph.conflictBehavior": ["rename", "fail", "replace", "shrug"],
    "folder": [{}, {"childCount": 1}], "file": [{}, {"mimeType": "text/plain"}],
    "parentReference": [SHAPED[22], {"id": "root"}, {}],
    "item": [{"@microsoft.graph.conflictBehavior": "rename"}, {"attachmentType": "file",
             "name": "big.bin", "size": 5000000}, {"size": -1}],
    "linkedResources": [[{"webUrl": "https://x", "applicationName": "Secretariaat"}], [5]],
    "webUrl": ["https://zeeveen.nl/x", "not a url", ""],
}  # fmt: skip
property_value = st.one_of(any_json, st.sampled_from(SHAPED), WELL_KNOWN_TEXT)


def _family(template: str) -> list[str]:
    for suffix, props in FAMILIES:
        if template.endswith(suffix):
            return props
    return ALL_PROPERTIES


def _shaped(draw: st.DrawFn, template: str) -> dict[str, Any]:
    """An object of the resource's own properties (now and then a stranger), plausible values
    more often than junk."""
    props = _family(template)
    keys = draw(st.lists(st.sampled_from(props), max_size=4, unique=True))
    if draw(st.integers(0, 7)) == 0:
        keys.append(draw(st.sampled_from(ALL_PROPERTIES)))
    out: dict[str, Any] = {}
    for key in keys:
        likely = LIKELY.get(key)
        if likely and draw(st.integers(0, 9)) < 6:
            out[key] = draw(st.sampled_from(likely))
        else:
            out[key] = draw(property_value)
    return out


CONTENT_TYPES = [
    "application/json",
    "application/json",
    "application/json; charset=utf-8",
    "text/plain",
    "application/octet-stream",
    "application/x-www-form-urlencoded",
    None,
]
PREFER = [
    'IdType="ImmutableId"',
    'outlook.timezone="W. Europe Standard Time"',
    'outlook.timezone="Mars/Olympus"',
    'outlook.body-content-type="text"',
    "odata.maxpagesize=2",
    "odata.track-changes",
    'IdType="ImmutableId", outlook.timezone="W. Europe Standard Time"',
]
header_text = st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=60)


@dataclass
class Call:
    caller: str
    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    template: str = ""

    def describe(self) -> str:
        body = (self.body or b"")[:300]
        return f"{self.caller}: {self.method} {self.url[:400]} headers={self.headers} body={body!r}"


def _fill(draw: st.DrawFn, w: World, template: str) -> str:
    """The template with every ``{param}`` replaced by a real id (mostly of the mailbox the
    URL names), a known name, any other real id, or junk."""
    owner: list[str] = []

    def value(m: re.Match[str]) -> str:
        name, is_path = m.group(1), bool(m.group(2))
        choice = draw(st.integers(0, 9))
        if choice < 7:
            raw = draw(st.sampled_from(w.values(name, owner[0] if owner else None)))
        elif choice < 8:
            raw = draw(st.sampled_from(w.values("any")))
        else:
            raw = draw(HOSTILE)
        if name == "user":
            owner.append(raw)
        encoded = quote(raw, safe="/:,!'()" if is_path else "")
        # A bare "." or ".." segment would be resolved away by the client, not sent.
        dots = {".": "%2E", "..": "%2E%2E"}
        return "/".join(dots.get(seg, seg) for seg in encoded.split("/"))

    return _PARAM.sub(value, template)


def _query(draw: st.DrawFn) -> str:
    keys = draw(st.lists(st.sampled_from(sorted(QUERY_VALUES)), max_size=3, unique=True))
    parts = []
    for key in keys:
        raw = draw(st.one_of(st.sampled_from(QUERY_VALUES[key]), st.text(max_size=40)))
        parts.append(f"{quote(key, safe='$')}={quote(raw, safe='')}")
    return "&".join(parts)


def _sub_request(draw: st.DrawFn, w: World, index: int) -> dict[str, Any]:
    """One step of a ``$batch``: mostly valid framing, so the sub-request reaches its handler."""
    method, template = draw(st.sampled_from(w.endpoints))
    sane = draw(st.integers(0, 9)) < 8
    step: dict[str, Any] = {
        "id": str(index + 1) if sane else draw(st.sampled_from(["1", "a", "", "1"])),
        "method": method if sane else draw(st.sampled_from(["GET", "get", "FOO", "DELETE"])),
        "url": _fill(draw, w, template) + ("?" + q if (q := _query(draw)) else ""),
    }
    if method in ("POST", "PATCH", "PUT") and draw(st.integers(0, 3)) > 0:
        step["headers"] = {"Content-Type": "application/json"}
        step["body"] = _shaped(draw, template) if draw(st.booleans()) else draw(any_json)
    if index and draw(st.integers(0, 3)) == 0:
        earlier = [str(i + 1) for i in range(index)] + ([] if sane else ["x"])
        step["dependsOn"] = draw(st.lists(st.sampled_from(earlier), max_size=2, unique=True))
    return step


def _body(draw: st.DrawFn, w: World, template: str) -> bytes | None:
    kind = draw(st.sampled_from(["none", "shaped", "shaped", "json", "garbage", "batch"]))
    if template == "/$batch" and kind != "garbage":
        kind = draw(st.sampled_from(["batch", "batch", "batch", kind]))
    if kind == "none":
        return None
    if kind == "garbage":
        return draw(st.binary(max_size=120))
    if kind == "batch":
        count = draw(st.integers(1, 4))
        value: Any = {"requests": [_sub_request(draw, w, i) for i in range(count)]}
    elif kind == "shaped":
        value = _shaped(draw, template)
    else:
        value = draw(any_json)
    return json.dumps(value).encode()


@st.composite
def calls(draw: st.DrawFn, w: World) -> Call:
    method, template = draw(st.sampled_from(w.endpoints), label="endpoint")
    if draw(st.integers(0, 9)) == 0:
        method = draw(st.sampled_from(METHODS))
    url = _fill(draw, w, template)
    if query := _query(draw):
        url += "?" + query
    uploads = w.pools.get("upload_url", {}).get("")
    if template.startswith("/_api/") and uploads and draw(st.integers(0, 9)) < 7:
        url = uploads[0]  # a live upload session, so the fragment handling runs
    headers: dict[str, str] = {}
    body = _body(draw, w, template) if method in ("POST", "PATCH", "PUT") else None
    if body is None and draw(st.integers(0, 9)) == 0:
        body = draw(st.binary(max_size=60))
    if body is not None and (ctype := draw(st.sampled_from(CONTENT_TYPES))):
        headers["Content-Type"] = ctype
    if draw(st.integers(0, 3)) == 0:
        headers["Prefer"] = draw(st.one_of(st.sampled_from(PREFER), header_text))
    if draw(st.integers(0, 7)) == 0:
        headers["If-Match"] = draw(st.one_of(st.just("*"), header_text))
    if template.endswith("uploadSession") or template.endswith("content"):
        if draw(st.booleans()):
            ranges = st.sampled_from(["bytes 0-9/10", "bytes 0-0/*", "bytes 5-1/3"])
            headers["Content-Range"] = draw(st.one_of(ranges, header_text))
    caller = draw(st.sampled_from(["secretary", "app"]))
    return Call(caller, method, url, headers, body, template)


# -- the property ------------------------------------------------------------------------------
def _check_batch(resp: httpx.Response, call: Call) -> None:
    for sub in resp.json().get("responses", []):
        assert sub["status"] < 500, f"sub-request {sub.get('id')} of {call.describe()}: {sub}"
        if sub["status"] >= 400:
            error = sub.get("body", {}).get("error", {})
            assert isinstance(error.get("code"), str) and error["code"], sub
            assert isinstance(error.get("message"), str), sub
            assert {"request-id", "date", "client-request-id"} <= set(error["innerError"]), sub


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_no_request_makes_the_sandbox_fail_or_answer_outside_graphs_error_shape(
    world: World, data: st.DataObject
) -> None:
    call = data.draw(calls(world), label="call")
    seen = len(world.failures.records)
    resp = world.clients[call.caller].request(
        call.method, call.url, content=call.body, headers=call.headers
    )
    logged = world.failures.last() if len(world.failures.records) > seen else "(nothing logged)"
    answer = f"-> {resp.status_code} {resp.text[:300]}"
    assert resp.status_code < 500, f"{call.describe()}\n{answer}\n{logged}"
    if resp.status_code >= 400:
        try:
            assert_graph_error(resp, resp.status_code)
        except AssertionError as exc:
            raise AssertionError(f"{call.describe()}\n{exc}") from None
    elif call.url.startswith("/$batch") and call.method == "POST" and resp.status_code == 200:
        _check_batch(resp, call)
