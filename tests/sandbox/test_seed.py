"""The demo municipality: it loads for any day, it is rich enough to demo, and it is checked."""

from __future__ import annotations

import base64
import io
import re
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import yaml

from sandbox.calendar.recurrence import expand
from sandbox.seed.documents import docx_bytes, pdf_bytes
from sandbox.seed.loader import DEFAULT_PATH, Seed, SeedError, load_seed
from sandbox.timezones import parse_graph_datetime, to_zoneinfo

MONDAY, FRIDAY, SUNDAY = date(2026, 11, 23), date(2026, 11, 27), date(2026, 11, 29)
LOCAL = to_zoneinfo("W. Europe Standard Time")


@pytest.fixture(scope="module", params=[MONDAY, FRIDAY, SUNDAY], ids=["mon", "fri", "sun"])
def today(request: pytest.FixtureRequest) -> date:
    return request.param


@pytest.fixture(scope="module")
def seed(today: date) -> Seed:
    return load_seed(today=today)


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def upns(seed: Seed, role: str) -> list[str]:
    return [u["userPrincipalName"] for u in seed.users if u["role"] == role]


def occurrences(event: dict[str, Any], monday: date) -> list[tuple[datetime, datetime]]:
    """(start, end) of each occurrence in the week starting ``monday``, in local time."""
    window_start = datetime.combine(monday, time(), tzinfo=LOCAL).astimezone(UTC)
    window_end = window_start + timedelta(days=7)
    if event["recurrence"]:
        found = expand(
            start=event["start"],
            end=event["end"],
            recurrence=event["recurrence"],
            window_start=window_start,
            window_end=window_end,
        )
        return [(o.start.astimezone(LOCAL), o.end.astimezone(LOCAL)) for o in found]
    start = parse_graph_datetime(event["start"]).astimezone(LOCAL)
    end = parse_graph_datetime(event["end"]).astimezone(LOCAL)
    return [(start, end)] if window_start <= start.astimezone(UTC) < window_end else []


def involves(entry: dict[str, Any], upn: str) -> bool:
    return entry["organizer"] == upn or any(
        a["emailAddress"]["address"] == upn for a in entry["event"]["attendees"]
    )


def week_items(seed: Seed, upn: str) -> list[tuple[dict[str, Any], datetime, datetime]]:
    """Every occurrence in the test week (all test days fall in the week of MONDAY)."""
    return [
        (entry, start, end)
        for entry in seed.events
        if involves(entry, upn)
        for start, end in occurrences(entry["event"], MONDAY)
    ]


def response_of(event: dict[str, Any], upn: str) -> str | None:
    for attendee in event["attendees"]:
        if attendee["emailAddress"]["address"] == upn:
            return attendee["status"]["response"]
    return None


def write_variant(tmp_path: Path, raw: dict[str, Any], change: Callable[[dict], None]) -> Path:
    data = yaml.safe_load(yaml.safe_dump(raw, allow_unicode=True))  # a deep copy
    change(data)
    path = tmp_path / "variant.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# -- it loads, and relative dates land in the right week -----------------------------------------


def test_demo_loads_with_the_newest_mail_received_today(seed: Seed, today: date) -> None:
    received = [m["message"]["receivedDateTime"] for m in seed.messages]
    newest = max(datetime.fromisoformat(r.replace("Z", "+00:00")) for r in received)
    assert newest.astimezone(LOCAL).date() == today
    assert len(upns(seed, "executive")) == 5 and len(upns(seed, "secretary")) == 4


def test_series_start_in_the_past_but_occur_in_the_current_week(seed: Seed) -> None:
    college = next(e["event"] for e in seed.events if e["event"]["subject"] == "Collegevergadering")
    assert college["recurrence"]["range"]["startDate"] < "2026-11-23"
    [(start, end)] = occurrences(college, MONDAY)
    assert (start, end.time()) == (datetime(2026, 11, 24, 9, 30, tzinfo=LOCAL), time(12, 30))


# -- the agenda is rich enough to demo ------------------------------------------------------------

KINDS: dict[str, Callable[[dict[str, Any], str], bool]] = {
    "series": lambda e, upn: e["event"]["recurrence"] is not None,
    "all-day": lambda e, upn: e["event"]["isAllDay"],
    "private": lambda e, upn: e["organizer"] == upn and e["event"]["sensitivity"] == "private",
    "tentative": lambda e, upn: (
        (e["organizer"] == upn and e["event"]["showAs"] == "tentative")
        or response_of(e["event"], upn) == "tentativelyAccepted"
    ),
    "organised by someone else": lambda e, upn: e["organizer"] != upn,
}


def test_every_executive_has_at_least_15_items_in_the_week(seed: Seed) -> None:
    for upn in upns(seed, "executive"):
        assert len(week_items(seed, upn)) >= 15, upn


@pytest.mark.parametrize("kind", KINDS)
def test_every_executive_week_has_each_kind_of_item(seed: Seed, kind: str) -> None:
    for upn in upns(seed, "executive"):
        assert any(KINDS[kind](entry, upn) for entry, _, _ in week_items(seed, upn)), upn


def test_timed_items_fall_on_weekdays_between_8_and_22(seed: Seed) -> None:
    for upn in upns(seed, "executive"):
        for entry, start, end in week_items(seed, upn):
            if not entry["event"]["isAllDay"]:
                subject = entry["event"]["subject"]
                assert start.weekday() < 5 and time(8) <= start.time(), subject
                assert end.date() == start.date() and end.time() <= time(22), subject


def test_all_day_items_run_midnight_to_midnight(seed: Seed) -> None:
    for entry in seed.events:
        event = entry["event"]
        if event["isAllDay"]:
            start, end = parse_graph_datetime(event["start"]), parse_graph_datetime(event["end"])
            assert start.time() == end.time() == time(0)
            assert end.date() - start.date() == timedelta(days=1)


def test_an_external_organizer_has_only_attendee_copies(seed: Seed) -> None:
    external = [e for e in seed.events if not e["organizer"].endswith("@zeeveen.nl")]
    assert external
    for entry in external:
        assert any(involves(entry, upn) for upn in upns(seed, "executive"))


# -- delegates and roster --------------------------------------------------------------------------

TEAM_A = {"ingrid.zwanenburg@zeeveen.nl", "maarten.oosterveld@zeeveen.nl"}
TEAM_B = {
    "joost.brinkhorst@zeeveen.nl",
    "fatima.elamrani@zeeveen.nl",
    "pieterjan.hoekstra@zeeveen.nl",
}
TEAMS = {
    "monique.verschuren@zeeveen.nl": TEAM_A,
    "ellen.dijkhuis@zeeveen.nl": TEAM_A,
    "karin.molenaar@zeeveen.nl": TEAM_B,
    "ruben.stapel@zeeveen.nl": TEAM_B,
}


def test_each_secretary_is_delegate_of_exactly_her_teams_executives(seed: Seed) -> None:
    granted: dict[str, set[str]] = {}
    for d in seed.delegates:
        assert d["rights"] == {"mail": "editor", "calendar": "editor"}
        granted.setdefault(d["delegate"], set()).add(d["owner"])
    assert granted == TEAMS


def test_roster_names_a_front_office_with_rights_for_every_weekday(seed: Seed) -> None:
    assert set(seed.roster) == set(upns(seed, "executive"))
    for executive, week in seed.roster.items():
        assert list(week) == ["mon", "tue", "wed", "thu", "fri"]
        assert all(executive in TEAMS[secretary] for secretary in week.values())


def test_roster_splits_team_a_4_1_and_team_b_3_2(seed: Seed) -> None:
    days = list(seed.roster["ingrid.zwanenburg@zeeveen.nl"].values())
    assert sorted(days.count(s) for s in set(days)) == [1, 4]
    days = list(seed.roster["joost.brinkhorst@zeeveen.nl"].values())
    assert sorted(days.count(s) for s in set(days)) == [2, 3]


def test_app_only_scope_is_the_executives_and_the_secretariat_mailbox(seed: Seed) -> None:
    [app] = seed.apps
    assert set(app["rbac_scope"]) == {*upns(seed, "executive"), "secretariaat@zeeveen.nl"}
    ids = {u["userPrincipalName"]: u["id"] for u in seed.users}
    assert app["rbac_scope_ids"] == [ids[upn] for upn in app["rbac_scope"]]


# -- mail ------------------------------------------------------------------------------------------


def test_executives_have_12_to_20_mails_and_secretaries_2_to_3(seed: Seed) -> None:
    for role, low, high in (("executive", 12, 20), ("secretary", 2, 3)):
        for upn in upns(seed, role):
            assert low <= sum(m["mailbox"] == upn for m in seed.messages) <= high, upn


def test_a_reply_chain_shares_one_conversation_id(seed: Seed) -> None:
    chain = [m for m in seed.messages if "Zorgen over herinrichting" in m["message"]["subject"]]
    assert {m["folder"] for m in chain} == {"inbox", "sentitems", "drafts"}
    assert len({m["message"]["conversationId"] for m in chain}) == 1


def test_attachments_are_real_files_of_their_declared_size(seed: Seed) -> None:
    attachments = [a for m in seed.messages for a in m["message"]["attachments"]]
    assert len(attachments) >= len(seed.messages) // 4
    magic = {"application/pdf": b"%PDF-1.4", "text/plain": b""}
    for a in attachments:
        content = base64.b64decode(a["contentBytes"])
        assert len(content) == a["size"] and a["isInline"] is False
        assert content.startswith(magic.get(a["contentType"], b"PK\x03\x04")), a["name"]


# -- documents -------------------------------------------------------------------------------------


def test_pdf_xref_offsets_point_at_their_objects() -> None:
    data = pdf_bytes("Raadsvoorstel (concept)", "Eerste regel.\nTweede regel met ë en \\.")
    xref_at = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", data).group(1))
    assert data[xref_at:].startswith(b"xref\n0 8\n")
    entries = data[xref_at:].split(b"\n")[2:10]
    assert entries[0] == b"0000000000 65535 f "
    for number, entry in enumerate(entries[1:], start=1):
        assert data[int(entry[:10]) :].startswith(b"%d 0 obj" % number)


def test_pdf_escapes_delimiters_and_writes_winansi() -> None:
    data = pdf_bytes("Café (concept)", "back\\slash ë")
    assert b"(Caf\\351 \\(concept\\)) Tj" in data and b"(back\\\\slash \\353) Tj" in data
    length = int(re.search(rb"/Length (\d+)", data).group(1))
    stream = data.split(b"stream\n", 1)[1].split(b"\nendstream", 1)[0]
    assert len(stream) == length


def test_docx_is_a_package_with_the_text_as_paragraphs() -> None:
    with zipfile.ZipFile(io.BytesIO(docx_bytes("Titel & co", "Alinea één\nAlinea twee"))) as z:
        assert {"[Content_Types].xml", "_rels/.rels", "word/document.xml"} <= set(z.namelist())
        root = ElementTree.fromstring(z.read("word/document.xml"))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    texts = ["".join(t.text or "" for t in p.iter(f"{w}t")) for p in root.iter(f"{w}p")]
    assert texts == ["Titel & co", "Alinea één", "Alinea twee"]


def test_documents_are_byte_for_byte_deterministic() -> None:
    assert docx_bytes("A", "b") == docx_bytes("A", "b")
    assert pdf_bytes("A", "b") == pdf_bytes("A", "b")


# -- validation ------------------------------------------------------------------------------------


def test_an_unknown_field_is_named_with_its_entry(tmp_path: Path, raw: dict[str, Any]) -> None:
    path = write_variant(tmp_path, raw, lambda d: d["users"][0].update(nickname="Ingrid"))
    expected = r"users\[0\] 'Ingrid Zwanenburg'.*unknown field 'nickname'"
    with pytest.raises(SeedError, match=expected):
        load_seed(path, today=MONDAY)


def test_an_unknown_delegate_executive_is_named(tmp_path: Path, raw: dict[str, Any]) -> None:
    def change(d: dict) -> None:
        d["delegates"][0]["executives"].append("niemand@zeeveen.nl")

    path = write_variant(tmp_path, raw, change)
    with pytest.raises(SeedError, match=r"delegates\[0\].executives\[2\]: unknown user 'niemand@"):
        load_seed(path, today=MONDAY)


def test_an_unknown_attendee_is_named(tmp_path: Path, raw: dict[str, Any]) -> None:
    def change(d: dict) -> None:
        d["events"][0]["attendees"].append({"address": "niemand@zeeveen.nl"})

    path = write_variant(tmp_path, raw, change)
    expected = r"events\[0\] 'Collegevergadering'.attendees\[5\]: unknown user 'niemand@"
    with pytest.raises(SeedError, match=expected):
        load_seed(path, today=MONDAY)


def test_an_unknown_internal_organizer_is_named(tmp_path: Path, raw: dict[str, Any]) -> None:
    path = write_variant(
        tmp_path, raw, lambda d: d["events"][1].update(organizer="niemand@zeeveen.nl")
    )
    with pytest.raises(SeedError, match=r"events\[1\] .*\.organizer: unknown user 'niemand@"):
        load_seed(path, today=MONDAY)


def test_a_series_that_misses_its_day_is_reported(tmp_path: Path, raw: dict[str, Any]) -> None:
    path = write_variant(tmp_path, raw, lambda d: d["events"][0].update(day="wed"))
    with pytest.raises(SeedError, match=r"'Collegevergadering': the series does not occur on wed"):
        load_seed(path, today=MONDAY)


SECRET_KEY = re.compile(
    r"(^|[_-])(client[_-]?)?secrets?$|password|passwd|token$|api[_-]?key|private[_-]?key|thumbprint",
    re.I,
)
SECRET_VALUE = [
    re.compile(r"-----BEGIN [A-Z ]+-----"),  # PEM keys and certificates
    re.compile(r"eyJ[\w-]{8,}\.[\w-]{8,}\."),  # JWTs
    re.compile(r"[\w~.-]{3}\dQ~[\w~.-]{30,}"),  # Entra ID client secrets
    re.compile(r"(?<![\w-])(?=[\w+/=~-]*\d)(?=[\w+/=~-]*[A-Za-z])[\w+/=~-]{32,}"),  # long tokens
]
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def strings(node: Any, key: str = "") -> list[tuple[str, str]]:
    """(key, value) for every string in the YAML tree; keys count as values too."""
    if isinstance(node, dict):
        pairs = [(str(k), str(k)) for k in node]
        return pairs + [pair for k, v in node.items() for pair in strings(v, str(k))]
    if isinstance(node, list):
        return [pair for item in node for pair in strings(item, key)]
    return [(key, node)] if isinstance(node, str) else []


def looks_secret(value: str) -> bool:
    return any(p.search(GUID.sub("", value)) for p in SECRET_VALUE)


def test_the_secret_detector_catches_typical_secrets() -> None:
    fake_entra = "Abc" + "8Q~" + "k" * 20 + "0123456789abcd"
    fake_jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl"
    assert looks_secret(fake_entra) and looks_secret(fake_jwt)
    assert looks_secret("-----BEGIN PRIVATE KEY-----") and SECRET_KEY.search("client_secret")
    assert not looks_secret("dc0d7dc3-8ac6-4fd4-a978-7b56b7ae281d")
    assert not SECRET_KEY.search("secretary")


def test_nothing_in_the_yaml_looks_like_a_secret(raw: dict[str, Any]) -> None:
    for key, value in strings(raw):
        assert not SECRET_KEY.search(key), key
        assert not looks_secret(value), value[:80]
