"""``secretariaat plan``: plan a meeting weeks ahead from a script — a request, its candidates,
options held, who can when, booking, withdrawing.

Each command calls the same flow as a click (``automations.planning.flows``), with the app's
Graph identity, checked as ``--actor`` exactly as her click would be.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.common import ActorOption, JsonOption, echo_json, fail, run_flow

if TYPE_CHECKING:
    from automations.planning.models import PlanningRequest
    from server.operator import Operator

app = typer.Typer(
    help="Plan a meeting weeks ahead: candidates, options, guests, booking.", no_args_is_help=True
)
DAYS = {"ma": 0, "di": 1, "wo": 2, "do": 3, "vr": 4, "za": 5, "zo": 6}
IdArgument = Annotated[str, typer.Argument(help="The planning request's id.")]
OperationOption = Annotated[
    str | None, typer.Option(help="Repeat an earlier command by its id (resumes, never doubles).")
]


def _json(r: PlanningRequest) -> dict[str, Any]:
    from server.routes.planning import request_json

    return request_json(r)


def _line(r: PlanningRequest) -> str:
    from automations.planning.models import STATUS_LABELS

    by = f", beslissen vóór {r.decide_by:%d-%m-%Y}" if r.decide_by else ""
    return (
        f"{r.id}  {STATUS_LABELS[r.status]:18s} {r.title}  ({len(r.participants)} deelnemers{by})"
    )


def _date(text: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"{what} is geen datum (JJJJ-MM-DD): {text}")


@app.command("new")
def plan_new(
    actor: ActorOption,
    title: Annotated[str, typer.Option(help="What the meeting is about.")],
    executive: Annotated[list[str], typer.Option(help="An executive it is for (repeat).")],
    duration: Annotated[int, typer.Option(help="Minutes (a multiple of 15).")],
    start: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--to", help="Last day (YYYY-MM-DD).")],
    organiser: Annotated[str | None, typer.Option(help="Whose calendar invites.")] = None,
    internal: Annotated[
        list[str] | None,
        typer.Option(help="A colleague's address; add ':optioneel' when not required (repeat)."),
    ] = None,
    external: Annotated[
        list[str] | None,
        typer.Option(help="A guest from outside: 'address' or 'address,name' (repeat)."),
    ] = None,
    not_on: Annotated[list[str] | None, typer.Option(help="Not on this weekday: ma … zo.")] = None,
    mornings: Annotated[bool, typer.Option("--mornings", help="Mornings only.")] = False,
    travel: Annotated[int, typer.Option(help="Minutes of travel before and after.")] = 0,
    online: Annotated[bool, typer.Option("--online", help="Online (Teams).")] = False,
    location: Annotated[str, typer.Option(help="Where, when elsewhere.")] = "",
    decide_by: Annotated[
        str | None, typer.Option(help="Options expire after (YYYY-MM-DD).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """A new planning request, as ACTOR; no room, location or --online means a room."""
    from automations.planning import flows

    bad = [d for d in not_on or [] if d.lower() not in DAYS]
    if bad:
        fail(f"onbekende dag: {', '.join(bad)} (gebruik ma, di, wo, do, vr, za, zo)")
    conditions = flows.Conditions(
        not_on=frozenset(DAYS[d.lower()] for d in not_on or []),
        mornings_only=mornings,
        travel=dt.timedelta(minutes=travel),
    )
    first, last = _date(start, "--from"), _date(end, "--to")
    decide = _date(decide_by, "--decide-by") if decide_by else None
    inside = [(a.split(":")[0], not a.lower().endswith(":optioneel")) for a in internal or []]
    outside = [(a.split(",")[0].strip(), a.partition(",")[2].strip()) for a in external or []]

    async def work(op: Operator) -> PlanningRequest:
        return await flows.create_request(
            op.deps,
            op.graph,
            op.actor(actor),
            title=title,
            executives=executive,
            organiser=organiser,
            internal=inside,
            external=outside,
            duration_minutes=duration,
            window_start=first,
            window_end=last,
            conditions=conditions,
            online=online,
            location=location,
            decide_by=decide,
        )

    made = run_flow(work)
    if as_json:
        echo_json(_json(made))
    else:
        typer.echo(_line(made))


@app.command("list")
def plan_list(actor: ActorOption, as_json: JsonOption = False) -> None:
    """The open requests for executives ACTOR works for, decision date first."""
    from automations.planning import flows

    async def work(op: Operator) -> list[PlanningRequest]:
        return await flows.list_requests(op.deps, op.actor(actor))

    found = run_flow(work)
    if as_json:
        echo_json({"requests": [_json(r) for r in found]})
        return
    if not found:
        typer.echo("Geen open planningsverzoeken.")
    for r in found:
        typer.echo(_line(r))


@app.command("candidates")
def plan_candidates(
    request: IdArgument,
    actor: ActorOption,
    count: Annotated[int, typer.Option(min=1, max=20)] = 5,
    as_json: JsonOption = False,
) -> None:
    """The best times from everyone's free/busy, each explained."""
    from automations.dates import AMSTERDAM
    from automations.planning import flows

    async def work(op: Operator) -> flows.Proposal:
        return await flows.propose(
            op.deps, op.graph, op.actor(actor), request_id=request, count=count
        )

    found = run_flow(work)
    if as_json:
        echo_json(
            {
                "candidates": [
                    {
                        "start": c.start.isoformat(),
                        "end": c.end.isoformat(),
                        "room": c.room,
                        "explanation": c.explanation,
                    }
                    for c in found.candidates
                ]
            }
        )
        return
    for c in found.candidates:
        local = c.start.astimezone(AMSTERDAM)
        typer.echo(f"{local.isoformat(timespec='minutes')}  {c.explanation}")


@app.command("hold")
def plan_hold(
    request: IdArgument,
    actor: ActorOption,
    start: Annotated[
        list[str], typer.Option(help="A candidate's start, ISO with offset (repeat).")
    ],
    operation_id: OperationOption = None,
    as_json: JsonOption = False,
) -> None:
    """Hold the times as options in every executive's calendar and mail the guests."""
    import uuid

    from automations.planning import flows

    try:
        starts = [dt.datetime.fromisoformat(s) for s in start]
    except ValueError:
        fail("--start is een tijdstip als 2027-01-12T10:00+01:00")

    async def work(op: Operator) -> PlanningRequest:
        return await flows.hold_options(
            op.deps,
            op.graph,
            op.actor(actor),
            request_id=request,
            starts=starts,
            operation_id=operation_id or str(uuid.uuid4()),
        )

    held = run_flow(work)
    if as_json:
        echo_json(_json(held))
    else:
        typer.echo(_line(held))
        for o in held.options:
            typer.echo(f"  optie {o.id}  {o.start.isoformat(timespec='minutes')}")


@app.command("show")
def plan_show(request: IdArgument, actor: ActorOption, as_json: JsonOption = False) -> None:
    """Who can when: per option, each participant (calendars re-read, guests' answers)."""
    from automations.planning import flows

    async def work(op: Operator) -> flows.Matrix:
        return await flows.matrix(op.deps, op.graph, op.actor(actor), request_id=request)

    grid = run_flow(work)
    if as_json:
        echo_json(
            {
                "request": _json(grid.request),
                "fits": grid.fits,
                "cells": [
                    {"address": c.address, "option": c.option_id, "state": c.state}
                    for c in grid.cells.values()
                ],
            }
        )
        return
    typer.echo(_line(grid.request))
    for o in grid.request.options:
        states = ", ".join(
            f"{p.name}: {grid.cells[(p.address, o.id)].state}" for p in grid.request.participants
        )
        typer.echo(
            f"  optie {o.id}  {o.start.isoformat(timespec='minutes')}  "
            f"{grid.fits[o.id]} kunnen — {states}"
        )


@app.command("book")
def plan_book(
    request: IdArgument,
    actor: ActorOption,
    option: Annotated[str, typer.Option(help="The option's id (see 'plan show').")],
    operation_id: OperationOption = None,
    despite: Annotated[
        bool, typer.Option("--despite-conflicts", help="Book even if someone required is busy now.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """One invitation to everyone at that option; every option released. Once."""
    import uuid

    from automations.planning import flows

    async def work(op: Operator) -> PlanningRequest:
        return await flows.book(
            op.deps,
            op.graph,
            op.actor(actor),
            request_id=request,
            option_id=option,
            operation_id=operation_id or str(uuid.uuid4()),
            despite_conflicts=despite,
        )

    done = run_flow(work)
    if as_json:
        echo_json(_json(done))
    else:
        typer.echo(_line(done))


@app.command("cancel")
def plan_cancel(
    request: IdArgument,
    actor: ActorOption,
    operation_id: OperationOption = None,
    as_json: JsonOption = False,
) -> None:
    """Withdraw: every option released, the guests' links dead."""
    import uuid

    from automations.planning import flows

    async def work(op: Operator) -> PlanningRequest:
        return await flows.cancel(
            op.deps,
            op.graph,
            op.actor(actor),
            request_id=request,
            operation_id=operation_id or str(uuid.uuid4()),
        )

    done = run_flow(work)
    if as_json:
        echo_json(_json(done))
    else:
        typer.echo(_line(done))
