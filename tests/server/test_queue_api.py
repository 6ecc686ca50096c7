"""The work queue, built from real work: drafts waiting and rejected, a dispatch, a calamity
clear's backlog, a double booking the jobs found, and a meeting with an empty agenda item."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest
from fastapi import FastAPI

from automations.clock import SetClock
from automations.dates import AMSTERDAM
from automations.roster.models import Roster
from automations.roster.service import load_roster_file
from server.operator import run_job_as_app
from server.startup import DEMO_ROSTER
from tests.conftest import TODAY
from tests.dates import (
    day_window,
    dutch_day,
    first_day,
    next_weekday,
    next_working_day,
    seed_day,
    set_day,
    working_day,
)
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, SECRETARY_B
from tests.server.test_approvals_api import in_folder, mail_from_hans, prepare
from tests.server.test_calamity_api import clear
from tests.server.test_dispatch_api import dispatch
from tests.server.test_jobs import her_event
from tests.server.waiting import waiting

NOON = dt.datetime.combine(TODAY, dt.time(12), AMSTERDAM)
ROSTER = Roster.from_document(load_roster_file(DEMO_ROSTER))


def _monique_at_the_front(day: dt.date) -> bool:
    return ROSTER.front_office_on(BURGEMEESTER, day) == SECRETARY_A


# Days the tests that are about the roster run on (the product's clock, at noon): the first day
# from TODAY on which Monique is Ingrid's front office (Monday to Thursday), and the first on
# which she is that day and the next working day too (Monday to Wednesday).
MONIQUE_DAY = first_day(_monique_at_the_front)
MONIQUE_TWO_DAYS = first_day(
    lambda d: _monique_at_the_front(d) and _monique_at_the_front(next_working_day(d))
)


@pytest.fixture(autouse=True)
def at_noon(clock: SetClock) -> None:
    """The test's backend starts at noon (the tenant's clock stays where it is)."""
    clock.advance(NOON - clock.now())


async def queue(api: httpx.AsyncClient, login, who: str = SECRETARY_A, **params) -> dict:
    resp = await api.get("/api/v1/queue", params=params, headers=login(who))
    assert resp.status_code == 200, resp.text
    return resp.json()


async def test_the_queue_shows_every_kind_of_open_work_with_its_owner(
    api: httpx.AsyncClient,
    login,
    tenant: Tenant,
    backend: FastAPI,
    clock: SetClock,
) -> None:
    day = working_day(TODAY)  # a day with a front office (the Monday, if TODAY is a weekend)
    set_day(clock, day, 12)
    roster = ROSTER
    front = roster.front_office_on(BURGEMEESTER, day)
    assert front is not None
    back = sorted(s for s, ex in roster.serves.items() if BURGEMEESTER in ex and s != front)[0]

    waiting_id, _ = await mail_from_hans(tenant, "Wachtend concept")
    waiting = (await prepare(api, login, waiting_id))["approval"]
    rejected_id, _ = await mail_from_hans(tenant, "Afgekeurd concept")
    rejected = (await prepare(api, login, rejected_id))["approval"]
    await api.post(f"/api/v1/approvals/{rejected['id']}/reject", json={"comment": "Anders."},
                   headers=login(BURGEMEESTER))  # fmt: skip
    dispatched_id, _ = await mail_from_hans(tenant, "Vraag voor RO")
    assert (await dispatch(api, login, dispatched_id, "ruimtelijke-ordening")).status_code == 200
    friday = day_window(seed_day("fri"))  # the seed's Friday: Felicitatiebezoek and more
    assert (await clear(api, login, friday))["report"]["status"] == "done"
    monday = next_weekday("mon", after=day).isoformat()  # within the conflicts' two weeks
    await her_event(tenant, "Dubbel 1", monday, "11:00", "12:00")
    await her_event(tenant, "Dubbel 2", monday, "11:30", "12:30")
    await run_job_as_app(backend.state.settings, "conflicts", mailbox=BURGEMEESTER,
                         clock=clock)  # fmt: skip
    meeting_day = (day + dt.timedelta(days=2)).isoformat()  # within the coming week
    meeting = {"type": "directie", "date": meeting_day, "title": "MT-overleg"}
    made = await api.post("/api/v1/meetings", headers=login(SECRETARY_A), json=meeting)
    await api.post(f"/api/v1/meetings/{made.json()['id']}/items", json={"title": "Begroting"},
                   headers=login(SECRETARY_A))  # fmt: skip

    shown = await queue(api, login)
    by_kind: dict[str, list[dict]] = {}
    for item in shown["items"]:
        by_kind.setdefault(item["kind"], []).append(item)
    [approval] = [i for i in by_kind["approval"] if i["id"] == waiting["id"]]
    assert approval["owner"] == BURGEMEESTER and approval["office"] == "executive"
    [back_to_us] = [i for i in by_kind["rejected"] if i["id"] == rejected["id"]]
    assert back_to_us["owner"] == SECRETARY_A and back_to_us["office"] == "front"
    [out] = [i for i in by_kind["dispatch"] if "Vraag voor RO" in i["title"]]
    assert out["owner"] == SECRETARY_A and out["due"] is not None and out["overdue"] is False
    assert {i["title"] for i in by_kind["backlog"]} >= {
        "Felicitatiebezoek diamanten bruidspaar Meijerink"
    }
    assert all(i["owner"] == back and i["office"] == "back" for i in by_kind["backlog"])
    [double] = [i for i in by_kind["conflict"] if "Dubbel 1" in i["title"]]
    assert double["owner"] == front
    [missing] = by_kind["documents"]
    assert "Begroting" in missing["title"] and missing["due"] == meeting_day
    assert all(i["age_days"] == 0 for i in shown["items"])
    assert shown["counts"]["total"] == len(shown["items"])
    assert shown["team"][0]["front_today"] == front

    clock.advance(dt.timedelta(days=3, hours=1))
    older = await queue(api, login)
    assert {i["age_days"] for i in older["items"] if i["kind"] != "documents"} == {3}

    mine = await queue(api, login, mine="true")
    assert {i["owner"] for i in mine["items"]} == {SECRETARY_A}
    backs = await queue(api, login, office="back")
    assert {i["office"] for i in backs["items"]} == {"back"}
    other_team = await queue(api, login, SECRETARY_B)
    assert all(i["mailbox"] != BURGEMEESTER for i in other_team["items"])
    refused = await api.get(f"/api/v1/queue?executive={BURGEMEESTER}", headers=login(SECRETARY_B))
    assert refused.status_code == 403
    assert uuid.UUID(waiting["id"])


async def test_a_claim_shows_who_and_since_when_and_asks_before_a_second_one(
    api: httpx.AsyncClient,
    login,
    tenant: Tenant,
    backend: FastAPI,
    clock: SetClock,
) -> None:
    message_id, _ = await mail_from_hans(tenant, "Wie pakt dit op")
    key = f"message:{message_id}"
    body = {"key": key, "mailbox": BURGEMEESTER}
    mine = await api.post("/api/v1/queue/claims", json=body, headers=login(SECRETARY_A))
    assert mine.status_code == 201, mine.text
    colleague = "ellen.dijkhuis@zeeveen.nl"  # the burgemeester's other secretary
    second = await api.post("/api/v1/queue/claims", json=body, headers=login(colleague))
    assert second.status_code == 409 and second.json()["error"]["code"] == "claimed"
    assert second.json()["error"]["message"] == "Monique Verschuren is hiermee bezig (sinds 12:00)."
    again = await api.post("/api/v1/queue/claims", json=body, headers=login(SECRETARY_A))
    assert again.status_code == 201  # her own claim: renewed
    taken = await api.post("/api/v1/queue/claims", json={**body, "take_over": True},
                           headers=login(colleague))  # fmt: skip
    assert taken.status_code == 201 and taken.json()["claimed_by"] == colleague
    clock.advance(dt.timedelta(minutes=31))  # expired
    after = await api.post("/api/v1/queue/claims", json=body, headers=login(SECRETARY_A))
    assert after.status_code == 201
    released = await api.delete(f"/api/v1/queue/claims/{key}", headers=login(SECRETARY_A))
    assert released.status_code == 204
    outsider = await api.post("/api/v1/queue/claims", json=body, headers=login(SECRETARY_B))
    assert outsider.status_code == 403
    audit = await api.get(f"/api/v1/audit?mailbox={BURGEMEESTER}", headers=login(colleague))
    assert any(e["action"] == "queue.claim" and e["details"]["take_over"]
               for e in audit.json()["entries"])  # fmt: skip


async def test_neem_over_makes_me_her_front_office_today_and_is_audited(
    api: httpx.AsyncClient, login, clock: SetClock
) -> None:
    set_day(clock, MONIQUE_DAY, 12)
    colleague = "ellen.dijkhuis@zeeveen.nl"
    before = (await queue(api, login, colleague, executive=BURGEMEESTER))["team"][0]
    assert before["front_today"] == SECRETARY_A  # Monique's day at the front
    resp = await api.post("/api/v1/queue/take-over", json={"executive": BURGEMEESTER,
                          "note": "Monique is ziek"}, headers=login(colleague))  # fmt: skip
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"executive": BURGEMEESTER, "front_today": colleague, "was": SECRETARY_A}
    after = (await queue(api, login, colleague, executive=BURGEMEESTER))["team"][0]
    assert after["front_today"] == colleague
    assert after["front_tomorrow"] == before["front_tomorrow"]  # only today
    audit = await api.get(f"/api/v1/audit?mailbox={BURGEMEESTER}", headers=login(colleague))
    assert "roster.take_over" in [e["action"] for e in audit.json()["entries"]]
    outsider = await api.post("/api/v1/queue/take-over", json={"executive": BURGEMEESTER},
                              headers=login(SECRETARY_B))  # fmt: skip
    assert outsider.status_code == 403


async def test_flagged_mail_waiting_too_long_joins_the_queue_and_closes_when_dealt_with(
    api: httpx.AsyncClient,
    login,
    tenant: Tenant,
    backend: FastAPI,
    clock: SetClock,
) -> None:
    """The seeded Inbox has flagged mail of today, yesterday and three days ago (15:30); at
    noon, with the default of three days, none has waited too long; with two days the mail of
    three days ago has."""
    settings = backend.state.settings
    await run_job_as_app(settings, "flagged-mail", mailbox=BURGEMEESTER, clock=clock)  # fmt: skip
    assert [i for i in (await queue(api, login))["items"] if i["kind"] == "flagged"] == []
    two_days = settings.model_copy(update={"flagged_days": 2})
    await run_job_as_app(two_days, "flagged-mail", mailbox=BURGEMEESTER, clock=clock)  # fmt: skip
    flagged = [i for i in (await queue(api, login))["items"] if i["kind"] == "flagged"]
    assert [i["title"] for i in flagged] == [
        "Advies: last onder dwangsom woning Dijkstraat 14 — Hans Verbeek"
    ]  # not the flagged mail filed under Uitgezet: that is a dispatch
    [advice] = flagged
    assert advice["key"] == f"message:{advice['message_id']}"  # the claim Bericht sees
    # The job runs on TODAY (the seed's mail is dated from it): today's front office owns it,
    # and nobody on a weekend, when the roster has no front office.
    assert advice["owner"] == ROSTER.front_office_on(BURGEMEESTER, TODAY)
    assert advice["age_days"] == 2
    assert advice["due"] == str(TODAY + dt.timedelta(days=1)) and advice["overdue"] is False

    refused = await api.post(f"/api/v1/queue/findings/{advice['id']}/complete-flag",
                             headers=login(SECRETARY_B))  # fmt: skip
    assert refused.status_code == 403
    done = await api.post(f"/api/v1/queue/findings/{advice['id']}/complete-flag",
                          headers=login(SECRETARY_A))  # fmt: skip
    assert done.status_code == 200, done.text
    async with tenant.raw(BURGEMEESTER) as graph:
        read = await graph.get(f"/users/{BURGEMEESTER}/messages/{advice['message_id']}",
                               params={"$select": "flag"})  # fmt: skip
    assert read.json()["flag"]["flagStatus"] == "complete"
    again = await api.post(f"/api/v1/queue/findings/{advice['id']}/complete-flag",
                           headers=login(SECRETARY_A))  # fmt: skip
    assert again.status_code == 409
    await run_job_as_app(two_days, "flagged-mail", mailbox=BURGEMEESTER, clock=clock)  # fmt: skip
    assert [i for i in (await queue(api, login))["items"] if i["kind"] == "flagged"] == []


async def test_a_conflict_set_aside_stays_closed_when_the_job_finds_it_again(
    api: httpx.AsyncClient,
    login,
    tenant: Tenant,
    backend: FastAPI,
    clock: SetClock,
) -> None:
    day = (TODAY + dt.timedelta(days=7)).isoformat()  # within the conflicts' two weeks
    await her_event(tenant, "Bewust dubbel A", day, "09:00", "10:00")
    await her_event(tenant, "Bewust dubbel B", day, "09:30", "10:30")
    await run_job_as_app(backend.state.settings, "conflicts", mailbox=BURGEMEESTER,
                         clock=clock)  # fmt: skip
    both = ("Bewust dubbel A", "Bewust dubbel B")
    [double] = [i for i in (await queue(api, login))["items"] if all(b in i["title"] for b in both)]
    assert len(double["event_ids"]) == 2
    resp = await api.post(f"/api/v1/queue/findings/{double['id']}/dismiss",
                          json={"reason": "Zij gaat naar het eerste uur van beide"},
                          headers=login(SECRETARY_A))  # fmt: skip
    assert resp.status_code == 200 and resp.json()["status"] == "dismissed"
    await run_job_as_app(backend.state.settings, "conflicts", mailbox=BURGEMEESTER,
                         clock=clock)  # fmt: skip
    shown = (await queue(api, login))["items"]
    assert not [i for i in shown if all(b in i["title"] for b in both)]
    audit = await api.get(f"/api/v1/audit?mailbox={BURGEMEESTER}", headers=login(SECRETARY_A))
    assert "queue.dismiss" in [e["action"] for e in audit.json()["entries"]]


async def test_a_quick_step_or_draft_on_mail_a_colleague_picked_up_asks_first(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    colleague = "ellen.dijkhuis@zeeveen.nl"
    message_id, _ = await mail_from_hans(tenant, "Al opgepakt")
    claim = {"key": f"message:{message_id}", "mailbox": BURGEMEESTER}
    claimed = await api.post("/api/v1/queue/claims", json=claim, headers=login(SECRETARY_A))
    assert claimed.status_code == 201
    step = {"mailbox": BURGEMEESTER, "step": "Afgehandeld", "messages": [message_id],
            "operation_id": str(uuid.uuid4())}  # fmt: skip
    asked = await api.post("/api/v1/quicksteps/apply", json=step, headers=waiting(login(colleague)))
    assert asked.status_code == 409 and asked.json()["error"]["code"] == "claimed"
    assert asked.json()["error"]["message"].startswith("Monique Verschuren is hiermee bezig")
    draft = {"mailbox": BURGEMEESTER, "message": message_id, "template": "Ontvangstbevestiging",
             "operation_id": str(uuid.uuid4())}  # fmt: skip
    asked = await api.post("/api/v1/drafts", json=draft, headers=login(colleague))
    assert asked.status_code == 409 and asked.json()["error"]["code"] == "claimed"
    async with tenant.raw(BURGEMEESTER) as graph:
        untouched = (await graph.get(f"/users/{BURGEMEESTER}/messages/{message_id}")).json()
    assert "Afgehandeld" not in untouched["categories"]

    mine = await api.post("/api/v1/quicksteps/apply", json={**step, "operation_id":
                          str(uuid.uuid4())}, headers=waiting(login(SECRETARY_A)))  # fmt: skip
    assert mine.status_code == 200, mine.text  # her own claim does not stop her
    anyway = await api.post("/api/v1/drafts", json={**draft, "despite_claim": True},
                            headers=login(colleague))  # fmt: skip
    assert anyway.status_code == 201, anyway.text
    audit = await api.get(f"/api/v1/audit?mailbox={BURGEMEESTER}", headers=login(colleague))
    [despite] = [e for e in audit.json()["entries"] if e["action"] == "queue.despite_claim"]
    assert despite["actor"] == colleague and despite["details"]["held_by"] == SECRETARY_A


async def test_the_handover_says_what_is_open_what_changed_today_and_what_is_due_tomorrow(
    api: httpx.AsyncClient,
    login,
    tenant: Tenant,
    backend: FastAPI,
    clock: SetClock,
) -> None:
    day, tomorrow = MONIQUE_TWO_DAYS, next_working_day(MONIQUE_TWO_DAYS)
    set_day(clock, day, 12)  # Monique is front office today and the next working day
    colleague = "ellen.dijkhuis@zeeveen.nl"
    waiting_id, waiting_subject = await mail_from_hans(tenant, "Overdracht wachtend")
    await prepare(api, login, waiting_id)
    rejected_id, rejected_subject = await mail_from_hans(tenant, "Overdracht afgekeurd")
    rejected = (await prepare(api, login, rejected_id))["approval"]
    await api.post(f"/api/v1/approvals/{rejected['id']}/reject", json={"comment": "Nee."},
                   headers=login(BURGEMEESTER))  # fmt: skip
    meeting = {"type": "directie", "date": tomorrow.isoformat(), "title": "MT morgen"}
    made = await api.post("/api/v1/meetings", headers=login(SECRETARY_A), json=meeting)
    await api.post(f"/api/v1/meetings/{made.json()['id']}/items", json={"title": "Jaarplan"},
                   headers=login(SECRETARY_A))  # fmt: skip

    resp = await api.get("/api/v1/queue/handover", headers=login(SECRETARY_A))
    assert resp.status_code == 200, resp.text
    found = resp.json()
    assert found["day"] == day.isoformat() and found["next_day"] == tomorrow.isoformat()
    ingrid = next(s for s in found["executives"] if s["executive"] == BURGEMEESTER)
    assert ingrid["front_today"] == SECRETARY_A and ingrid["switches"] is False
    assert ingrid["open"]["Concept wacht op besluit"] == 1
    assert ingrid["open"]["Concept afgekeurd"] == 1  # rejected is open work: revise it
    assert ingrid["new_today"] == ingrid["open_total"]
    assert [i["title"] for i in ingrid["due_next"]] == [f"MT morgen {tomorrow:%d-%m}: 01 Jaarplan"]
    assert f"RE: {rejected_subject}: afgekeurd" in ingrid["done_today"]  # open still: revise it
    assert {"what": "concepten ter goedkeuring aangeboden", "count": 2} in ingrid["activity"]
    assert {"what": "concept afgekeurd", "count": 1} in ingrid["activity"]  # not "1 concepten"
    # Postverwerking's "nog niet verwerkt" is read too; mail with a draft is handled.
    assert ingrid["unprocessed"] is not None
    assert not {waiting_subject, rejected_subject} & set(ingrid["unprocessed"])

    # Ellen covers today; tomorrow Monique is back: the 17:00 job mails her the handover.
    await api.post("/api/v1/queue/take-over", json={"executive": BURGEMEESTER},
                   headers=login(colleague))  # fmt: skip
    for _ in range(2):  # a second run sends nothing new
        await run_job_as_app(backend.state.settings, "handover", mailbox=BURGEMEESTER,
                             clock=clock)  # fmt: skip
    [mail] = await in_folder(tenant, SECRETARY_A, "inbox",
                             f"Overdracht {dutch_day(tomorrow)}: Ingrid Zwanenburg")  # fmt: skip
    body = mail["body"]["content"]
    assert waiting_subject in body and "Jaarplan" in body and "Ellen Dijkhuis" in body
    assert "Beste Monique," in body and "1 concept afgekeurd" in body  # first name, one form

    by_hand = {"to": colleague, "operation_id": str(uuid.uuid4())}
    sent = await api.post("/api/v1/queue/handover/mail", json=by_hand, headers=login(SECRETARY_A))
    assert sent.status_code == 200, sent.text
    assert sent.json()["executives"] == [BURGEMEESTER, "maarten.oosterveld@zeeveen.nl"]
    again = await api.post("/api/v1/queue/handover/mail", json=by_hand, headers=login(SECRETARY_A))
    assert again.status_code == 200  # the same click: still one mail
    subject = f"Overdracht {dutch_day(tomorrow)}: Ingrid Zwanenburg, Maarten Oosterveld"
    assert len(await in_folder(tenant, colleague, "inbox", subject)) == 1
    other_team = await api.post("/api/v1/queue/handover/mail", headers=login(SECRETARY_A),
                                json={**by_hand, "to": SECRETARY_B})  # fmt: skip
    assert other_team.status_code == 422
    assert "werkt niet voor uw bestuurders" in other_team.json()["error"]["message"]


async def test_absences_and_swaps_entered_by_the_team_change_who_is_front_office(
    api: httpx.AsyncClient, login, clock: SetClock
) -> None:
    day = MONIQUE_TWO_DAYS  # Monique is front office today and the next working day
    set_day(clock, day, 12)
    later = [(day + dt.timedelta(days=n)).isoformat() for n in range(4)]  # today and 3 more
    colleague = "ellen.dijkhuis@zeeveen.nl"

    async def team(day: str = "front_today") -> str:
        return (await queue(api, login, colleague, executive=BURGEMEESTER))["team"][0][day]

    assert await team() == SECRETARY_A
    ill = {"kind": "absent", "secretary": SECRETARY_A, "from": later[0], "note": "ziek"}
    made = await api.post("/api/v1/roster/exceptions", json=ill, headers=login(colleague))
    assert made.status_code == 201, made.text
    assert await team() == colleague  # the colleague who is in takes over
    holiday = {"kind": "absent", "secretary": SECRETARY_A, "from": later[1],
               "to": later[3], "note": "vakantie"}  # fmt: skip
    assert (await api.post("/api/v1/roster/exceptions", json=holiday,
                           headers=login(SECRETARY_A))).status_code == 201  # fmt: skip
    assert await team("front_tomorrow") == colleague
    listed = await api.get("/api/v1/roster/exceptions", headers=login(colleague))
    mine = [e for e in listed.json()["exceptions"] if e["secretary"] == SECRETARY_A]
    assert [e["day"] for e in mine] == later

    outsider = await api.post("/api/v1/roster/exceptions", json=ill, headers=login(SECRETARY_B))
    assert outsider.status_code == 403
    not_hers = {"kind": "front_office", "secretary": SECRETARY_B, "executive": BURGEMEESTER,
                "from": later[0]}  # fmt: skip
    refused = await api.post("/api/v1/roster/exceptions", json=not_hers, headers=login(colleague))
    assert refused.status_code == 422 and "ondersteunt deze bestuurder niet" in refused.text
    too_long = {**holiday, "to": (day + dt.timedelta(days=97)).isoformat()}
    assert (await api.post("/api/v1/roster/exceptions", json=too_long,
                           headers=login(SECRETARY_A))).status_code == 422  # fmt: skip

    [today_row] = [e for e in mine if e["day"] == later[0]]
    gone = await api.delete(f"/api/v1/roster/exceptions/{today_row['id']}",
                            headers=login(SECRETARY_A))  # fmt: skip
    assert gone.status_code == 204
    assert await team() == SECRETARY_A  # better after all
    audit = await api.get(f"/api/v1/audit?actor={colleague}", headers=login(colleague))
    assert "roster.exception_add" in [e["action"] for e in audit.json()["entries"]]


async def test_taking_over_a_mail_on_bericht_moves_the_claim_on_all_its_work(
    api: httpx.AsyncClient, login, tenant: Tenant
) -> None:
    """A mail and its dispatch are one piece of work: Monique picks up the dispatch in the
    queue, Ellen takes the mail over on Bericht; the queue, Bericht and the handover then all
    name Ellen, and Monique is asked before she picks it up again."""
    ellen = "ellen.dijkhuis@zeeveen.nl"  # the burgemeester's other secretary
    message_id, _ = await mail_from_hans(tenant, "Eén stuk werk")
    assert (await dispatch(api, login, message_id, "ruimtelijke-ordening")).status_code == 200
    [item] = [i for i in (await queue(api, login))["items"]
              if i["kind"] == "dispatch" and i["message_id"] == message_id]  # fmt: skip
    picked = await api.post("/api/v1/queue/claims", headers=login(SECRETARY_A),
                            json={"key": item["key"], "mailbox": BURGEMEESTER})  # fmt: skip
    assert picked.status_code == 201, picked.text

    strip = {"mailbox": BURGEMEESTER, "item": message_id, "type": "message"}
    seen = await api.get("/pane/bericht/bezig", params=strip, headers=login(ellen))
    assert "Monique Verschuren is hiermee bezig" in seen.text
    over = {"mailbox": BURGEMEESTER, "message": message_id, "take_over": True}
    taken = await api.post("/pane/bericht/oppakken", json=over, headers=login(ellen))
    assert taken.status_code == 200 and "U bent hiermee bezig" in taken.text

    [now_held] = [i for i in (await queue(api, login))["items"] if i["key"] == item["key"]]
    assert now_held["claim"]["claimed_by"] == ellen
    bericht = await api.get("/pane/bericht/bezig", params=strip, headers=login(SECRETARY_A))
    assert "Ellen Dijkhuis is hiermee bezig" in bericht.text
    handover = (await api.get("/api/v1/queue/handover", headers=login(SECRETARY_A))).json()
    [section] = [s for s in handover["executives"] if s["executive"] == BURGEMEESTER]
    assert {i["claimed_by"] for i in section["open_items"] if i["key"] == item["key"]} == {ellen}

    again = await api.post("/api/v1/queue/claims", headers=login(SECRETARY_A),
                           json={"key": item["key"], "mailbox": BURGEMEESTER})  # fmt: skip
    assert again.status_code == 409 and again.json()["error"]["code"] == "claimed"
    assert again.json()["error"]["message"].startswith("Ellen Dijkhuis is hiermee bezig")
    on_mail = await api.post("/pane/bericht/oppakken", headers=login(SECRETARY_A),
                             json={"mailbox": BURGEMEESTER, "message": message_id})  # fmt: skip
    assert "Ellen Dijkhuis is hiermee bezig" in on_mail.text and "Toch overnemen" in on_mail.text
