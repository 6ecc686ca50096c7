"""The product under Exchange Online's sending limits (30 messages a minute per mailbox,
10,000 recipients a day, 500 a message), which the sandbox applies as documented
(tests/sandbox/test_sending_limits.py cites the pages): a sixty-item calamity clear and a
quick step forwarding twenty messages complete, every notice reaches its attendee once, and
the user is told when notices take minutes. Read back from the sandbox's mailboxes.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from urllib.parse import quote

import httpx

from automations.clock import SetClock
from automations.graph.sending import last_notice_at, notice_note
from sandbox import clock as sandbox_clocks
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A
from tests.server.test_calamity_api import BAS, LATER_WINDOW, clear, sixty_meetings
from tests.server.test_quicksteps_api import apply, graph_get, new_message

LOTTE = "lotte.vermeulen@zeeveen.nl"  # Communicatie: where the press step forwards to


def an_hour_on(tenant_clock: sandbox_clocks.SetClock, clock: SetClock) -> None:
    """Tenant and product an hour later: what the setup sent from her mailbox has left."""
    tenant_clock.advance(dt.timedelta(hours=1))
    clock.advance(dt.timedelta(hours=1))


def moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


async def received(tenant: Tenant, upn: str, subject: str) -> list[dict]:
    wanted = quote(subject.replace("'", "''"))
    url = (
        f"/users/{upn}/mailFolders/inbox/messages?$filter=startswith(subject,'{wanted}')"
        "&$select=subject,receivedDateTime&$top=200"
    )
    return list((await graph_get(tenant, url, upn=upn))["value"])


async def test_a_sixty_item_clear_sends_every_cancellation_once_thirty_a_minute(
    api: httpx.AsyncClient,
    login,
    tenant: Tenant,
    tenant_clock: sandbox_clocks.SetClock,
    clock: SetClock,
) -> None:
    label = "Limiet"
    await sixty_meetings(tenant, label, BAS)
    an_hour_on(tenant_clock, clock)
    result = await clear(api, login, LATER_WINDOW)
    preview, report = result["preview"], result["report"]
    # told before and after: her sixty (and the week's other) notices take minutes to leave
    acting = [i for i in preview["items"] if i["action"] in ("cancel", "decline")]
    assert preview["notices"] == report["notices"] == len(acting) >= 60
    minutes = math.ceil(len(acting) / 30)
    for told in (preview["notice_note"], report["notice_note"]):
        assert f"komende {minutes} minuten" in told and "30 per minuut" in told
    # the calendar work is done, every item of it
    assert report["status"] == "done", report
    mine = [i for i in report["items"] if i["subject"].startswith(label)]
    assert len(mine) == 60 and {i["status"] for i in mine} == {"done"}
    # every attendee notice arrived, once, and never more than thirty in a minute
    notices = await received(tenant, BAS, f"Canceled: {label} ")
    assert sorted(n["subject"] for n in notices) == [
        f"Canceled: {label} {n:02d}" for n in range(60)
    ]
    per_minute: dict[str, int] = {}
    for n in notices:
        per_minute[n["receivedDateTime"][:16]] = per_minute.get(n["receivedDateTime"][:16], 0) + 1
    assert max(per_minute.values()) <= 30 and len(per_minute) >= 2
    # when the last one left, as the report says (an estimate that is never early)
    last = max(moment(n["receivedDateTime"]) for n in notices)
    assert report["last_notice_at"]
    assert moment(report["last_notice_at"]) >= last - dt.timedelta(seconds=1)


async def test_a_quick_step_forwards_twenty_messages_each_once(
    api: httpx.AsyncClient,
    login,
    tenant: Tenant,
    tenant_clock: sandbox_clocks.SetClock,
    clock: SetClock,
) -> None:
    tag = uuid.uuid4().hex[:6]
    ids = [await new_message(tenant, f"Persvraag {tag} {n:02d}") for n in range(20)]
    an_hour_on(tenant_clock, clock)
    step = "Persvraag naar Communicatie"
    body = {"mailbox": BURGEMEESTER, "step": step, "messages": ids}
    shown = await api.post("/api/v1/quicksteps/preview", json=body, headers=login(SECRETARY_A))
    assert shown.status_code == 200, shown.text
    assert shown.json()["notices"] == 20 and shown.json()["notice_note"] == ""  # within the minute
    done = await apply(api, login, step, ids)
    assert done.status_code == 200, done.text
    statuses = {a["status"] for m in done.json()["messages"] for a in m["actions"]}
    assert statuses == {"done"}
    forwards = await received(tenant, LOTTE, f"FW: Persvraag {tag} ")
    # each forward once ("FW: <subject> [<id>]"), none missing, none twice
    assert sorted(f["subject"].split(" [")[0] for f in forwards) == [
        f"FW: Persvraag {tag} {n:02d}" for n in range(20)
    ]


def test_notices_over_thirty_are_announced_in_minutes() -> None:
    assert notice_note(30) == ""
    assert notice_note(31) == (
        "De 31 meldingen gaan in de komende 2 minuten de deur uit"
        " (Exchange verstuurt er 30 per minuut)."
    )
    assert "komende 7 minuten" in notice_note(200)


def test_the_last_notice_leaves_in_the_minute_after_the_thirtieth() -> None:
    start = dt.datetime(2026, 11, 24, 9, 0, 5, tzinfo=dt.UTC)
    sent = [start + dt.timedelta(milliseconds=10 * n) for n in range(60)]
    assert last_notice_at(sent) == dt.datetime(2026, 11, 24, 9, 1, tzinfo=dt.UTC)
    assert last_notice_at(sent[:30]) == sent[29]
    assert last_notice_at([]) is None
