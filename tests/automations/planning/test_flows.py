"""Karin (team B's secretary) plans a bestuurlijk overleg for the three wethouders with two
colleagues of the gemeente and two guests from outside, weeks 3 to 6 from now: candidates that
agree with everyone's calendar, options held in each wethouder's calendar, the guests choose
through their personal links, and one click books it — once."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import uuid
from typing import Any

import pytest

from automations.dates import AMSTERDAM, from_graph
from automations.errors import AccessDenied, BadRequest, NotFound
from automations.journal import StepPlan
from automations.planning import flows
from automations.planning.guests import LinkExpired
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import SECRETARY_A, SECRETARY_B, SECRETARY_B_THU_FRI, WETHOUDERS

KARIN = SECRETARY_B
JOOST, FATIMA, PIETERJAN = WETHOUDERS
BAS, ANOUK = "bas.kuipers@zeeveen.nl", "anouk.smits@zeeveen.nl"
GUESTS = [("gs@kustland.example", "Gedeputeerde Staten Kustland"),
          ("burgemeester@buurdorp.example", "Gemeente Buurdorp")]  # fmt: skip


def op() -> str:
    return str(uuid.uuid4())


async def new_request(deps, as_user, actor, who: str = KARIN, **extra: Any):
    today = deps.today()
    fields: dict[str, Any] = {
        "title": f"Bestuurlijk overleg havenontwikkeling {uuid.uuid4().hex[:4]}",
        "executives": [JOOST, FATIMA, PIETERJAN], "organiser": JOOST,
        "internal": [(BAS, True), (ANOUK, False)], "external": GUESTS,
        "duration_minutes": 90, "window_start": today + dt.timedelta(days=14),
        "window_end": today + dt.timedelta(days=41),
        "conditions": flows.Conditions(not_on=frozenset({1})),  # the college meets on Tuesday
        "online": True, **extra,
    }  # fmt: skip
    async with as_user(who) as graph:
        return await flows.create_request(deps, graph, actor(who), **fields)


async def busy_in_graph(tenant: Tenant, who: list[str], start: dt.datetime, end: dt.datetime):
    """getSchedule as the test reads it itself: each address's busy periods."""
    async with tenant.raw(KARIN) as graph:
        answer = await graph.post(f"/users/{JOOST}/calendar/getSchedule", json={
            "schedules": who, "availabilityViewInterval": 30,
            "startTime": {"dateTime": start.astimezone(dt.UTC).isoformat(), "timeZone": "UTC"},
            "endTime": {"dateTime": end.astimezone(dt.UTC).isoformat(), "timeZone": "UTC"},
        })  # fmt: skip
    answer.raise_for_status()
    return {
        v["scheduleId"].lower(): [(from_graph(i["start"]), from_graph(i["end"]), i["status"])
                                  for i in v.get("scheduleItems", [])]
        for v in answer.json()["value"]
    }  # fmt: skip


async def holds_of(tenant: Tenant, mailbox: str, title: str) -> list[dict]:
    async with tenant.raw(mailbox) as graph:
        answer = await graph.get(f"/users/{mailbox}/events", params={
            "$filter": "startswith(subject,'Optie')", "$top": "100",
            "$select": "subject,showAs,start,end"})  # fmt: skip
    answer.raise_for_status()
    return [e for e in answer.json()["value"] if title in e["subject"]]


async def events_called(tenant: Tenant, mailbox: str, title: str) -> list[dict]:
    async with tenant.raw(mailbox) as graph:
        answer = await graph.get(f"/users/{mailbox}/events", params={"$top": "200",
                                 "$select": "subject,start,end,isOrganizer"})  # fmt: skip
    answer.raise_for_status()
    return [e for e in answer.json()["value"] if e["subject"] == title]


async def links_sent(tenant: Tenant, title: str) -> dict[str, str]:
    """The guests' personal links, from the invitations in the organiser's Sent Items."""
    async with tenant.raw(JOOST) as graph:
        answer = await graph.get(f"/users/{JOOST}/mailFolders/sentitems/messages", params={
            "$top": "50", "$select": "subject,body,toRecipients"})  # fmt: skip
    answer.raise_for_status()
    out = {}
    for m in answer.json()["value"]:
        if m["subject"] == f"Uitnodiging om te plannen: {title}":
            to = m["toRecipients"][0]["emailAddress"]["address"].lower()
            out[to] = re.search(r"/gast/([A-Za-z0-9_\-]+)", m["body"]["content"]).group(1)
    return out


async def test_candidates_agree_with_everyones_calendar_and_the_conditions(
    deps, as_user, actor, tenant
) -> None:
    request = await new_request(deps, as_user, actor)
    async with as_user(KARIN) as graph:
        proposal = await flows.propose(deps, graph, actor(KARIN), request_id=request.id)
    assert len(proposal.candidates) == 5
    start = dt.datetime.combine(request.window_start, dt.time(), AMSTERDAM)
    end = dt.datetime.combine(request.window_end, dt.time(23), AMSTERDAM)
    required = [JOOST, FATIMA, PIETERJAN, BAS]
    calendars = await busy_in_graph(tenant, [*required, ANOUK], start, end)
    for c in proposal.candidates:
        local = c.start.astimezone(AMSTERDAM)
        assert request.window_start <= local.date() <= request.window_end
        assert local.weekday() not in (1, 5, 6) and dt.time(9) <= local.time()
        assert c.end - c.start == dt.timedelta(minutes=90)
        assert c.end.astimezone(AMSTERDAM).time() <= dt.time(17)
        for who in required:
            clash = [b for b in calendars[who] if b[0] < c.end and c.start < b[1]
                     and b[2] in ("busy", "oof")]  # fmt: skip
            assert clash == [], (who, c.start, clash)
        assert c.availability["gs@kustland.example"] == "unknown"
        assert c.explanation


async def test_options_guests_and_one_booking(deps, as_user, actor, tenant) -> None:
    request = await new_request(deps, as_user, actor)
    async with as_user(KARIN) as graph:
        proposal = await flows.propose(deps, graph, actor(KARIN), request_id=request.id)
        chosen = [c.start for c in proposal.candidates[:3]]
        held = await flows.hold_options(deps, graph, actor(KARIN), request_id=request.id,
                                        starts=chosen, operation_id=op())  # fmt: skip
    assert held.status == "holding" and len(held.options) == 3
    for wethouder in (JOOST, FATIMA, PIETERJAN):
        holds = await holds_of(tenant, wethouder, request.title)
        assert len(holds) == 3 and {h["showAs"] for h in holds} == {"tentative"}
        assert all(h["subject"].startswith("Optie: ") and "(tot " in h["subject"] for h in holds)
        assert all(len(o.holds) == 3 for o in held.options)

    links = await links_sent(tenant, request.title)
    assert set(links) == {a for a, _ in GUESTS}
    first, second = held.options[0].id, held.options[1].id
    seen = await flows.guest_view(deps, token=links["gs@kustland.example"])
    assert seen.title == request.title and len(seen.options) == 3 and not seen.answered
    await flows.answer_as_guest(deps, token=links["gs@kustland.example"], suits=[first, second])
    await flows.answer_as_guest(deps, token=links["burgemeester@buurdorp.example"],
                                suits=[second])  # fmt: skip
    with pytest.raises(NotFound):
        await flows.guest_view(deps, token=links["gs@kustland.example"][:-2] + "xx")
    with pytest.raises(BadRequest):
        await flows.answer_as_guest(deps, token=links["gs@kustland.example"], suits=["elders"])

    async with as_user(KARIN) as graph:
        grid = await flows.matrix(deps, graph, actor(KARIN), request_id=request.id)
        assert grid.cells[("burgemeester@buurdorp.example", first)].state == "past niet"
        assert grid.cells[("gs@kustland.example", second)].state == "past"
        assert grid.cells[(BAS, second)].state == "free"  # her own holds are no obstacle
        assert grid.fits[second] == max(grid.fits.values())

        booking = op()
        booked = await flows.book(deps, graph, actor(KARIN), request_id=request.id,
                                  option_id=second, operation_id=booking)  # fmt: skip
        again = await flows.book(deps, graph, actor(KARIN), request_id=request.id,
                                 option_id=second, operation_id=op())  # fmt: skip
    assert booked.status == again.status == "booked"
    for who in (JOOST, FATIMA, PIETERJAN, BAS, ANOUK):
        assert await holds_of(tenant, who, request.title) == []
        [meeting] = await events_called(tenant, who, request.title)
        assert from_graph(meeting["start"]) == held.options[1].start
    with pytest.raises(LinkExpired):  # booked: the links are done
        await flows.guest_view(deps, token=links["gs@kustland.example"])


async def test_withdrawing_releases_every_option(deps, as_user, actor, tenant) -> None:
    request = await new_request(deps, as_user, actor, external=[])
    async with as_user(KARIN) as graph:
        proposal = await flows.propose(deps, graph, actor(KARIN), request_id=request.id)
        first = [proposal.candidates[0].start]
        await flows.hold_options(deps, graph, actor(KARIN), request_id=request.id,
                                 starts=first, operation_id=op())  # fmt: skip
        assert len(await holds_of(tenant, FATIMA, request.title)) == 1
        done = await flows.cancel(deps, graph, actor(KARIN), request_id=request.id,
                                  operation_id=op())  # fmt: skip
    assert done.status == "cancelled"
    for who in (JOOST, FATIMA, PIETERJAN):
        assert await holds_of(tenant, who, request.title) == []


async def test_only_the_secretariat_of_those_executives_plans(deps, as_user, actor) -> None:
    with pytest.raises(AccessDenied):  # Monique works for the burgemeester, not the wethouders
        await new_request(deps, as_user, actor, who=SECRETARY_A)
    request = await new_request(deps, as_user, actor)
    with pytest.raises(AccessDenied):
        await flows.get_request(deps, actor(SECRETARY_A), request_id=request.id)


async def test_an_address_outside_the_directory_is_refused_as_internal(
    deps, as_user, actor
) -> None:
    with pytest.raises(BadRequest) as refused:
        await new_request(deps, as_user, actor, internal=[("niemand@zeeveen.nl", True)])
    assert "staat niet in de adreslijst" in refused.value.message


async def test_a_cleared_meeting_is_planned_again_through_the_planner(
    deps, as_user, actor, tenant
) -> None:
    """The calamity backlog's entry becomes a planning request with the same people; booked,
    it is a new invitation to them and the entry is planned."""
    from automations.store.models import RescheduleRow

    entry_id, now = str(uuid.uuid4()), deps.now()
    async with deps.sessions() as session, session.begin():
        session.add(RescheduleRow(
            id=entry_id, operation_id=op(), mailbox=JOOST, event_id=f"gewist-{entry_id}",
            action="cancel", subject=f"Overleg dijkversterking {entry_id[:4]}", organizer=JOOST,
            organizer_name="Joost Brinkhorst", start=now - dt.timedelta(hours=2),
            end=now - dt.timedelta(hours=1), location="", is_online=True,
            attendees=[{"address": BAS, "name": "Bas Kuipers", "type": "required"},
                       {"address": "gs@kustland.example", "name": "GS Kustland",
                        "type": "required"}],
        ))  # fmt: skip
    async with as_user(KARIN) as graph:
        request = await flows.from_backlog(deps, graph, actor(KARIN), entry_id=entry_id)
        assert [(p.address, p.kind) for p in request.participants] == [
            (JOOST, "executive"),
            (BAS, "internal"),
            ("gs@kustland.example", "external"),
        ]
        assert request.duration == dt.timedelta(hours=1)
        proposal = await flows.propose(deps, graph, actor(KARIN), request_id=request.id)
        held = await flows.hold_options(
            deps,
            graph,
            actor(KARIN),
            request_id=request.id,
            starts=[proposal.candidates[0].start],
            operation_id=op(),
        )
        await flows.book(
            deps,
            graph,
            actor(KARIN),
            request_id=request.id,
            option_id=held.options[0].id,
            operation_id=op(),
        )
    [meeting] = await events_called(tenant, BAS, request.title)
    assert from_graph(meeting["start"]) == held.options[0].start
    async with deps.sessions() as session:
        row = await session.get(RescheduleRow, entry_id)
        assert row is not None and row.status == "planned"
        assert row.planned_start == held.options[0].start


class Stopped(Exception):
    """The server stopped here."""


async def options_held(deps, as_user, actor, n: int = 2, **extra: Any):
    request = await new_request(deps, as_user, actor, **extra)
    async with as_user(KARIN) as graph:
        proposal = await flows.propose(deps, graph, actor(KARIN), request_id=request.id)
        return await flows.hold_options(
            deps, graph, actor(KARIN), request_id=request.id,
            starts=[c.start for c in proposal.candidates[:n]], operation_id=op(),
        )  # fmt: skip


async def test_a_booking_cut_off_after_the_invitation_is_finished_by_a_colleague(
    deps, as_user, actor, tenant
) -> None:
    """Karin's booking sent the invitation and stopped before releasing the options: the
    organiser is now busy with the meeting itself, and yet Ruben's click finishes it; a
    withdrawal or another option is refused meanwhile."""
    from automations.errors import Conflict
    from automations.planning import booking

    held = await options_held(deps, as_user, actor, external=[])
    first, second = held.options
    karins = op()
    await deps.journal.plan(kind="planning.book", actor=KARIN, mailbox=JOOST,
                            steps=[StepPlan("invite", {"option": second.id}),
                                   *booking._releases(held)],
                            operation_id=karins)  # fmt: skip
    await booking._claim(deps, held.id, karins)
    async with as_user(KARIN) as graph:
        invite, _ = booking._invite_executors(graph, held, second, None)

        async def until_the_invitation(ctx):
            if ctx.name == "invite":
                return await invite(ctx)
            raise Stopped()

        with pytest.raises(Stopped):
            await deps.journal.run(karins, until_the_invitation)
        assert len(await events_called(tenant, FATIMA, held.title)) == 1
        with pytest.raises(Conflict):
            await flows.cancel(deps, graph, actor(KARIN), request_id=held.id, operation_id=op())
        with pytest.raises(Conflict):
            await flows.book(deps, graph, actor(KARIN), request_id=held.id, option_id=first.id,
                             operation_id=op())  # fmt: skip
    async with as_user(SECRETARY_B_THU_FRI) as graph:
        done = await flows.book(deps, graph, actor(SECRETARY_B_THU_FRI), request_id=held.id,
                                option_id=second.id, operation_id=op())  # fmt: skip
    assert done.status == "booked" and done.booked_start == second.start
    for who in (JOOST, FATIMA, PIETERJAN):
        assert await holds_of(tenant, who, held.title) == []
        assert len(await events_called(tenant, who, held.title)) == 1


async def test_two_colleagues_placing_options_at_once_place_one_set(
    deps, as_user, actor, tenant
) -> None:
    request = await new_request(deps, as_user, actor, external=GUESTS[:1])
    async with as_user(KARIN) as graph:
        proposal = await flows.propose(deps, graph, actor(KARIN), request_id=request.id)
    starts = [c.start for c in proposal.candidates]

    async def place(who: str, chosen: list[dt.datetime]):
        async with as_user(who) as graph:
            return await flows.hold_options(deps, graph, actor(who), request_id=request.id,
                                            starts=chosen, operation_id=op())  # fmt: skip

    karin, ruben = await asyncio.gather(
        place(KARIN, starts[:2]), place(SECRETARY_B_THU_FRI, starts[2:5]),
        return_exceptions=True,
    )  # fmt: skip
    results = [r for r in (karin, ruben) if not isinstance(r, BaseException)]
    assert results, (karin, ruben)
    placed = len(results[0].options)
    assert placed in (2, 3) and all(len(r.options) == placed for r in results)
    for who in (JOOST, FATIMA, PIETERJAN):
        assert len(await holds_of(tenant, who, request.title)) == placed
    assert len(await links_sent(tenant, request.title)) == 1  # one invitation, one link


async def test_options_and_links_last_until_the_decision_date_and_no_longer(
    deps, as_user, actor, tenant, clock
) -> None:
    decide = deps.today() + dt.timedelta(days=10)
    held = await options_held(deps, as_user, actor, external=GUESTS[:1], decide_by=decide)
    assert held.decide_by == decide
    [hold, *_] = await holds_of(tenant, FATIMA, held.title)
    assert f"(tot {decide:%d-%m-%Y})" in hold["subject"]
    token = (await links_sent(tenant, held.title))["gs@kustland.example"]
    last_evening = dt.datetime.combine(decide, dt.time(23, 30), AMSTERDAM)
    clock.advance(last_evening - clock.now())
    assert (await flows.guest_view(deps, token=token)).title == held.title
    clock.advance(dt.timedelta(hours=1))  # the next day
    with pytest.raises(LinkExpired):
        await flows.guest_view(deps, token=token)


async def test_in_the_town_hall_the_smallest_free_room_is_booked_with_it(
    deps, as_user, actor, tenant
) -> None:
    """Seven people in the town hall: the candidates name a room that seats them (the
    smallest free one), and the booking invites it — the room accepts, so its calendar holds
    the meeting."""
    held = await options_held(deps, as_user, actor, n=1, online=False)
    [option] = held.options
    assert option.room is not None
    async with tenant.raw(KARIN) as graph:
        rooms = (await graph.get("/places/microsoft.graph.room")).json()["value"]
    seats = {r["emailAddress"].lower(): r["capacity"] for r in rooms}
    fitting = sorted(c for c in seats.values() if c and c >= len(held.participants))
    assert seats[option.room] == fitting[0]
    async with as_user(KARIN) as graph:
        done = await flows.book(deps, graph, actor(KARIN), request_id=held.id,
                                option_id=option.id, operation_id=op())  # fmt: skip
    assert done.status == "booked"
    async with tenant.raw(JOOST) as graph:
        event = (await graph.get(f"/users/{JOOST}/events/{done.booked_event_id}",
                                 params={"$select": "attendees,location"})).json()  # fmt: skip
    [room] = [a for a in event["attendees"] if a["type"] == "resource"]
    assert room["emailAddress"]["address"].lower() == option.room
    assert room["status"]["response"] == "accepted"
    assert event["location"]["locationEmailAddress"].lower() == option.room
    taken = await busy_in_graph(tenant, [option.room], option.start, option.end)
    assert taken[option.room], "the room's calendar holds the meeting"
