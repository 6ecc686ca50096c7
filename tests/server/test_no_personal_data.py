"""No personal data or mail content in the logs or in /metrics (docs/observability.md).

A morning's work goes through the API against the sandbox with every log line captured at
DEBUG, in the JSON format an operator turns on: a calamity clear previewed and carried out
(waited for), a quick step, a reply draft and a scheduled job run from Beheer; then /metrics
is scraped. Neither the lines nor the scrape may hold an address, a local part, a subject or
a body used in the scenario, or a token. The sandbox itself (its thread, its loggers) is the
tenant, not the product, and is left out.
"""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from fastapi import FastAPI

from sandbox.server import RunningSandbox
from server.logs import QUIET_LOGGERS, configure_logging, log_handler
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import (
    ADMIN,
    BURGEMEESTER,
    GEMEENTESECRETARIS,
    SECRETARY_A,
    SECRETARY_A_FRIDAY,
    SECRETARY_B,
    SECRETARY_B_THU_FRI,
    STAFF,
    WETHOUDERS,
)
from tests.server.test_calamity_api import WEDNESDAY, clear
from tests.server.test_quicksteps_api import SENDER, apply, new_message
from tests.server.test_reply_drafts import CORRESPONDENT, mail_as

PEOPLE = (
    BURGEMEESTER, GEMEENTESECRETARIS, *WETHOUDERS, SECRETARY_A, SECRETARY_A_FRIDAY, SECRETARY_B,
    SECRETARY_B_THU_FRI, STAFF, ADMIN, SENDER, CORRESPONDENT,
)  # fmt: skip
# The bodies the scenario's mail carries (the helpers' own texts) and the sender it shows.
BODIES = ("Graag uw reactie.", "Graag een reactie op ons verzoek.", "Ronald Kempers")


@dataclass
class Captured:
    """Every product log line as it goes out: in JSON, and in the text format beside it."""

    stream: io.StringIO = field(default_factory=io.StringIO)
    text_stream: io.StringIO = field(default_factory=io.StringIO)

    def lines(self) -> list[dict[str, str]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]

    def text(self) -> str:
        """The JSON lines decoded (an escaped character hides nothing), then the text lines."""
        decoded = [" ".join(line.values()) for line in self.lines()]
        return "\n".join([*decoded, self.text_stream.getvalue()])


def _product(record: logging.LogRecord) -> bool:
    """Not the sandbox tenant's own lines (its server thread, its modules)."""
    return record.threadName != "sandbox" and not record.name.startswith("sandbox")


@pytest.fixture
def captured() -> Iterator[Captured]:
    """The server's logging as ``secretariaat serve`` sets it up with
    ``SECRETARIAAT_LOG_FORMAT=json``, at DEBUG; put back as it was afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    quiet = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    got = Captured()
    handler = configure_logging(logging.DEBUG, fmt="json", stream=got.stream)
    handler.addFilter(_product)
    text = log_handler("text", got.text_stream)
    text.addFilter(_product)
    root.addHandler(text)
    try:
        yield got
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, was in quiet.items():
            logging.getLogger(name).setLevel(was)


def _forbidden(subjects: list[str], tokens: list[str]) -> list[str]:
    words = [*PEOPLE, *(p.split("@")[0] for p in PEOPLE), *subjects, *BODIES, *tokens, "eyJ"]
    return [w for w in words if w]


async def test_a_mornings_work_leaves_no_person_or_mail_in_logs_or_metrics(
    backend: FastAPI,
    api: httpx.AsyncClient,
    login,  # noqa: ANN001
    tenant: Tenant,
    running: RunningSandbox,
    captured: Captured,
) -> None:
    run = uuid.uuid4().hex[:6]
    complaint = f"Klacht gladheid {run}"
    meeting = f"Verzoek om overleg {run}"
    complaint_id = await new_message(tenant, complaint)
    meeting_id = await mail_as(tenant, "Ronald Kempers (Veiligheidsregio Kustland)", meeting)

    cleared = await clear(api, login, WEDNESDAY)
    step = await apply(api, login, "Ter afhandeling backoffice", [complaint_id])
    assert step.status_code == 200, step.text
    draft = await api.post(
        "/api/v1/drafts",
        json={"mailbox": BURGEMEESTER, "message": meeting_id, "template": "Ontvangstbevestiging",
              "operation_id": str(uuid.uuid4())},
        headers=login(SECRETARY_A),
    )  # fmt: skip
    assert draft.status_code == 201, draft.text
    job = await api.post(
        "/pane/beheer/taken/conflicts", json={"dry_run": True}, headers=login(ADMIN)
    )
    assert job.status_code == 200, job.text
    scrape = await api.get("/metrics")
    assert scrape.status_code == 200, scrape.text

    subjects = [complaint, meeting, *{i["subject"] for i in cleared["preview"]["items"]}]
    bearers = [login(who)["Authorization"].split(" ", 1)[1] for who in (SECRETARY_A, ADMIN)]
    tokens = [*bearers, running.info["client_secret"]]
    lines = captured.lines()
    assert lines and all(
        {"time", "level", "logger", "message", "request_id"} <= line.keys() for line in lines
    )
    # The work did log (operations planned and done, with their request ids), by pseudonym.
    assert any(line["request_id"] == step.headers["x-request-id"] for line in lines)
    assert any("planned" in line["message"] and " mb-" in line["message"] for line in lines)
    words = _forbidden(subjects, tokens)
    leaks = _found(words, captured.text())
    assert not leaks, "in the logs:\n" + "\n".join(f"{w!r}: {line}" for w, line in leaks)
    leaks = _found(words, scrape.text)
    assert not leaks, "in /metrics:\n" + "\n".join(f"{w!r}: {line}" for w, line in leaks)


def _found(words: list[str], text: str) -> list[tuple[str, str]]:
    """Each forbidden word with the line it was found in."""
    return [
        (word, line[:300])
        for line in text.splitlines()
        for word in words
        if word.lower() in line.lower()
    ]
