"""Replaying Microsoft's Graph doc examples against the sandbox: the corpus, the shape rules,
and the objects an example needs before it can run.

The corpus (``../shared/graph-examples/examples.json`` from the repository root) is read where
it lies and never copied: its licence allows using the samples, not redistributing them.
Doc samples are not captures, so responses are compared by *shape* (keys and JSON value types,
recursively), never by value.
"""

from __future__ import annotations

import base64
import email
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from tests.dates import seed_day
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, GEMEENTESECRETARIS

__all__ = [
    "EXAMPLES_FILE",
    "ITEM_ATTACHMENTS",
    "batch_mismatches",
    "file_attachment",
    "item_attachment",
    "Replay",
    "Seeder",
    "load_examples",
    "raw_mismatches",
    "shape_mismatches",
    "with_ids",
]

EXAMPLES_FILE = Path(__file__).resolve().parents[2].parent / "shared/graph-examples/examples.json"
ZONE = "W. Europe Standard Time"

# Graph adds these to every JSON answer; the docs often leave them out of a sample.
ALWAYS_ALLOWED = frozenset({"@odata.context"})
# OData minimal metadata (what msgraph-sdk asks for) omits navigation and association links that
# follow the URL conventions; some doc samples were captured with them.
_CONVENTIONAL_LINKS = ("@odata.navigationLink", "@odata.associationLink")
# A sample id or placeholder in a doc URL: {id}, AAMk.../AQMk... Exchange ids, GUIDs, hex ids.
_ID_TOKEN = re.compile(
    r"\{[\w\-]+\}"
    r"|(?<![\w])(?:AAMk|AQMk)[\w=+\-]*"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|(?<![\w])[0-9a-f]{32}(?![\w])"
)


@cache
def load_examples() -> dict[str, dict[str, Any]]:
    """The doc examples by name; empty when the shared corpus is not beside the repository."""
    if not EXAMPLES_FILE.is_file():
        return {}
    return {ex["name"]: ex for ex in json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))}


def with_ids(url: str, *ids: str) -> str:
    """The doc URL below /v1.0 with its sample ids/placeholders replaced, in order, by ``ids``."""
    url = url.removeprefix("/v1.0")
    path, sep, query = url.partition("?")
    found = list(_ID_TOKEN.finditer(path))
    assert len(found) == len(ids), f"{url}: {len(found)} ids in the URL, {len(ids)} given"
    out, pos = [], 0
    for m, value in zip(found, ids, strict=True):
        out.append(path[pos : m.start()])
        out.append(quote(value, safe=""))
        pos = m.end()
    out.append(path[pos:])
    return "".join(out) + sep + query


@dataclass
class Replay:
    """One doc request as sent to the sandbox, and what its answer is held to."""

    method: str
    url: str  # below /v1.0, or absolute (upload URLs)
    upn: str | None  # delegated caller; None = app-only
    headers: dict[str, str] = field(default_factory=dict)
    json: Any = None
    content: bytes | None = None
    auth: bool = True  # upload URLs carry their own credentials and must not get a token
    status: int | None = None  # the real service's status where the doc sample disagrees
    optional: frozenset[str] = frozenset()  # keys whose presence depends on the data
    nullable: frozenset[str] = frozenset()  # doc placeholders for properties Graph sends as null
    nonempty: frozenset[str] = frozenset({"value"})  # arrays the seeded data must fill
    raw: bytes | None = None  # the exact bytes a non-JSON answer must carry


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def shape_mismatches(
    doc: Any,
    got: Any,
    *,
    superset: bool,
    optional: Iterable[str] = (),
    nullable: Iterable[str] = (),
    nonempty: Iterable[str] = (),
    path: str = "$",
) -> list[str]:
    """How ``got`` differs in shape from the doc sample ``doc``.

    Same keys (a superset when the docs mark the sample truncated), same JSON types, recursively;
    null in the doc matches anything; each array element must match one of the doc's elements.
    """
    rules = {"superset": superset, "optional": frozenset(optional),
             "nullable": frozenset(nullable), "nonempty": frozenset(nonempty)}  # fmt: skip
    return _diff(doc, got, path, "", rules)


def _diff(doc: Any, got: Any, path: str, key: str, rules: dict[str, Any]) -> list[str]:
    if doc is None or doc == "null":  # "null" (a string) is the docs' typo for null
        return []
    if got is None:
        return [] if key in rules["nullable"] else [f"{path}: null, the docs show {_kind(doc)}"]
    if _kind(doc) != _kind(got):
        return [f"{path}: {_kind(got)}, the docs show {_kind(doc)}"]
    if isinstance(doc, dict):
        return _diff_object(doc, got, path, rules)
    if isinstance(doc, list):
        if not doc:
            return []
        if not got:
            return [f"{path}: empty, the docs show items"] if key in rules["nonempty"] else []
        out: list[str] = []
        for i, item in enumerate(got):
            candidates = [_diff(d, item, f"{path}[{i}]", key, rules) for d in doc]
            out += min(candidates, key=len)
        return out
    return []


def _diff_object(doc: dict[str, Any], got: dict[str, Any], path: str, rules: dict) -> list[str]:
    out: list[str] = []
    for k, v in doc.items():
        if k not in got:
            if k not in rules["optional"] and not k.endswith(_CONVENTIONAL_LINKS):
                out.append(f"{path}.{k}: missing")
            continue
        out += _diff(v, got[k], f"{path}.{k}", k, rules)
    if not rules["superset"]:
        extra = sorted(set(got) - set(doc) - ALWAYS_ALLOWED - rules["optional"])
        out += [f"{path}.{k}: not in the docs' (complete) sample" for k in extra]
    return out


def raw_mismatches(doc_raw: str, got: httpx.Response, expected: bytes | None) -> list[str]:
    """A non-JSON answer ($value, $count) must be the same kind of payload as the doc's."""
    body = got.content
    if expected is not None:
        return [] if body == expected else [f"body: {body[:80]!r}, expected the uploaded bytes"]
    text = body.decode("utf-8", "replace").lstrip()
    for marker in ("BEGIN:VCARD", "BEGIN:VCALENDAR"):
        if doc_raw.startswith(marker):
            return [] if text.startswith(marker) else [f"body: {text[:60]!r}, not {marker}"]
    if doc_raw.strip().isdigit():
        return [] if text.strip().isdigit() else [f"body: {text[:60]!r}, not a count"]
    msg = email.message_from_bytes(body)
    missing = [h for h in ("From", "To", "Subject") if msg[h] is None]
    return [f"body: not a MIME message (no {', '.join(missing)} header)"] if missing else []


def batch_mismatches(ex: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """Envelope exactly as documented; bodies by shape, except the memberOf page (directory
    roles) whose stand-in is a page of mail folders: only its paging keys are compared."""
    expected = {str(r["id"]): r for r in ex["response"]["body"]["responses"]}
    out = shape_mismatches({"responses": []}, got, superset=False)
    for answer in got.get("responses", []):
        want = expected.get(str(answer.get("id")))
        if want is None:
            out.append(f"responses: unexpected id {answer.get('id')!r}")
            continue
        where = f"$.responses[id={want['id']}]"
        if answer.get("status") != want["status"]:
            out.append(f"{where}.status: {answer.get('status')}, the docs show {want['status']}")
            continue
        out += [f"{where}.{k}: missing" for k in ("headers", "body") if k not in answer]
        if not all(isinstance(v, str) for v in answer.get("headers", {}).values()):
            out.append(f"{where}.headers: values must be strings")
        body = want["body"]
        if want["id"] == "1":
            body = {k: v for k, v in body.items() if k != "value"}
        out += shape_mismatches(body, answer.get("body"), superset=want["id"] == "1", path=where)
    return out


def file_attachment(content: bytes = b"Agenda collegevergadering") -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.fileAttachment",
        "name": "Agenda.txt",
        "contentType": "text/plain",
        "contentBytes": base64.b64encode(content).decode(),
    }


def item_attachment(item: dict[str, Any], name: str) -> dict[str, Any]:
    return {"@odata.type": "#microsoft.graph.itemAttachment", "name": name, "item": item}


MAIL_ITEM = {
    "@odata.type": "#microsoft.graph.message",
    "subject": "Doorgestuurd: verslag regionaal overleg",
    "body": {"contentType": "html", "content": "<p>Zie bijgaand verslag.</p>"},
    "from": {"emailAddress": {"name": "Maarten Oosterveld", "address": GEMEENTESECRETARIS}},
    "toRecipients": [{"emailAddress": {"name": "Ingrid Zwanenburg", "address": BURGEMEESTER}}],
}


# What each item-attachment example attaches, by example name.
ITEM_ATTACHMENTS = {
    "get_item_attachment": MAIL_ITEM,
    "get_and_expand_item_attachment": MAIL_ITEM,
    "get_and_expand_nested_item_attachment": {
        **MAIL_ITEM,
        "attachments": [{**file_attachment(), "name": "Verslag.txt"}],
    },
    "get_value_message_attachment": MAIL_ITEM,
    "get_value_contact_attachment": {
        "@odata.type": "#microsoft.graph.contact",
        "displayName": "Ronald Kempers",
        "givenName": "Ronald",
        "surname": "Kempers",
        "emailAddresses": [{"name": "Ronald Kempers", "address": "r.kempers@vr-kustland.nl"}],
    },
    "get_value_event_attachment": {
        "@odata.type": "#microsoft.graph.event",
        "subject": "Regionaal Veiligheidsoverleg",
        "start": {"dateTime": f"{seed_day('fri')}T09:00:00", "timeZone": ZONE},
        "end": {"dateTime": f"{seed_day('fri')}T11:00:00", "timeZone": ZONE},
    },
}


class SetupFailed(AssertionError):
    """The sandbox refused a request an example needs first; that refusal is the mismatch."""


@dataclass
class Seeder:
    """Creates and finds the tenant objects an example acts on, through plain Graph calls."""

    tenant: Tenant

    async def send(self, r: Replay) -> httpx.Response:
        headers = dict(r.headers)
        if r.auth:
            async with self.tenant.raw(r.upn, prefer=None) as http:
                return await http.request(
                    r.method, r.url, headers=headers, json=r.json, content=r.content
                )
        async with httpx.AsyncClient(verify=self.tenant.tls, timeout=30) as http:
            return await http.request(r.method, r.url, headers=headers, content=r.content)

    async def call(
        self, upn: str | None, method: str, url: str, body: Any = None, **kw: Any
    ) -> Any:
        resp = await self.send(Replay(method, url, upn, json=body, **kw))
        if resp.status_code >= 300:
            raise SetupFailed(
                f"setup {method} {url} answered {resp.status_code}: {resp.text[:400]}"
            )
        return (
            resp.json() if resp.content and "json" in resp.headers.get("content-type", "") else None
        )

    # -- mail ---------------------------------------------------------------------------------
    async def folder_id(self, upn: str, name: str) -> str:
        return (await self.call(upn, "GET", f"/me/mailFolders/{name}"))["id"]

    async def received(self, upn: str) -> str:
        """The newest message in the inbox (seeded mail from a sender, with recipients)."""
        page = await self.call(upn, "GET", "/me/mailFolders/inbox/messages?$top=1&$select=id")
        return page["value"][0]["id"]

    async def draft(self, upn: str, to: str, subject: str = "Conceptantwoord") -> str:
        body = {
            "subject": subject,
            "body": {"contentType": "html", "content": "<p>Beste collega,</p>"},
            "toRecipients": [{"emailAddress": {"address": to}}],
        }
        return (await self.call(upn, "POST", "/me/messages", body))["id"]

    async def attach(self, upn: str, message: str, attachment: dict[str, Any]) -> str:
        return (await self.call(upn, "POST", f"/me/messages/{message}/attachments", attachment))[
            "id"
        ]

    # -- calendar -----------------------------------------------------------------------------
    async def event(self, upn: str, subject: str, attendees: Iterable[str], **extra: Any) -> str:
        body = {
            "subject": subject,
            "body": {"contentType": "html", "content": "<p>Overleg.</p>"},
            "start": {"dateTime": f"{seed_day('thu')}T14:00:00", "timeZone": ZONE},
            "end": {"dateTime": f"{seed_day('thu')}T15:00:00", "timeZone": ZONE},
            "location": {"displayName": "Collegekamer"},
            "attendees": [{"emailAddress": {"address": a}, "type": "required"} for a in attendees],
            **extra,
        }
        return (await self.call(upn, "POST", "/me/events", body))["id"]

    async def invitation(self, organizer: str, attendee: str, subject: str) -> str:
        """An event ``organizer`` invites ``attendee`` to, as it sits in the attendee's calendar."""
        await self.event(organizer, subject, [attendee])
        found = await self.call(
            attendee, "GET", f"/me/events?$filter=subject eq '{subject}'&$select=id"
        )
        if not found["value"]:
            raise SetupFailed(f"the invitation {subject!r} did not reach {attendee}'s calendar")
        return found["value"][0]["id"]

    # -- drive ---------------------------------------------------------------------------------
    async def upload(self, upn: str, path: str, content: bytes) -> dict[str, Any]:
        headers = {"Content-Type": "text/plain"}
        return await self.call(upn, "PUT", f"/me/drive/root:/{path}:/content", None,
                               content=content, headers=headers)  # fmt: skip

    async def folder(self, upn: str, name: str) -> dict[str, Any]:
        body = {"name": name, "folder": {}, "@microsoft.graph.conflictBehavior": "replace"}
        return await self.call(upn, "POST", "/me/drive/root/children", body)

    async def library(self, upn: str) -> str:
        """The drive id of the site library with the meeting documents."""
        sites = await self.call(upn, "GET", "/sites?search=Bestuursondersteuning")
        drives = await self.call(upn, "GET", f"/sites/{sites['value'][0]['id']}/drives")
        return next(d["id"] for d in drives["value"] if d["name"] == "Vergaderstukken")

    async def upload_session(self, upn: str, name: str, *, defer: bool = False) -> str:
        body: dict[str, Any] = {"item": {"@microsoft.graph.conflictBehavior": "rename"}}
        if defer:
            body["deferCommit"] = True
        session = await self.call(upn, "POST", f"/me/drive/root:/{name}:/createUploadSession", body)
        return session["uploadUrl"]

    async def fragment(self, url: str, data: bytes, start: int, total: int) -> None:
        end = start + len(data) - 1
        headers = {"Content-Range": f"bytes {start}-{end}/{total}"}
        await self.call(None, "PUT", url, None, content=data, headers=headers, auth=False)

    # -- to do ---------------------------------------------------------------------------------
    async def task_list(self, upn: str) -> str:
        return (await self.call(upn, "GET", "/me/todo/lists"))["value"][0]["id"]
