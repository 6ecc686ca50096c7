"""Executing a clear: one journaled operation — the kept items, then chunks of twenty to
cancel, decline or remove — exactly once however often it is run or resumed.

- Chunks go out as requests side by side while the gateway keeps four in flight per mailbox.
- A chunk run again sends its items again: what was handled is gone from her calendar, Graph
  answers 404, and nobody receives a second cancellation or decline.
- Every handled item becomes a backlog entry with what it takes to plan it again; it, its
  audit line and its outcome are committed as soon as that item is done (``record``), so a
  killed worker leaves in the journal exactly what it did, and a resumed chunk sends only the
  items not yet recorded as handled.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.audit import AuditEntry
from automations.calamity.classify import ClearSettings, Decision
from automations.calamity.models import (
    CANCEL_MESSAGE,
    DECLINE_MESSAGE,
    ClearReport,
    checked_window,
)
from automations.calamity.preview import (
    decide,
    item_of,
    previewed,
    read_window,
    snapshot,
)
from automations.calamity.report import report_of
from automations.errors import AppError, BadRequest, NotFound, Unavailable
from automations.graph import (
    GraphSession,
    cancel_event,
    decline_event,
    delete_event,
    is_transient,
    retry_delay,
)
from automations.journal import (
    IncompleteStep,
    Journal,
    Once,
    Operation,
    OperationNotFound,
    StepContext,
    StepOutcome,
    StepPlan,
)
from automations.roster.models import Roster
from automations.roster.policy import Action, authorize
from automations.store.models import RescheduleRow

__all__ = ["execute", "resume"]

CHUNK = 20  # items per journaled step (five rounds of four requests); each item is recorded
# A dead worker's clear can be finished by another after this long (a live one renews it by
# heartbeat). Short, because taking over is harmless here: what the first worker did is
# recorded or gone from her calendar (404 = done).
LEASE = dt.timedelta(seconds=15)
ATTEMPTS = 4  # a failed chunk is resumed this often before the clear reports what is left


@dataclass(frozen=True)
class _Answer:
    """One item's answer when it went as a request of its own (shaped like a sub-response)."""

    status: int
    body: Any = None
    retry_after: float | None = None  # Graph's Retry-After, when it throttled

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


async def _one(
    graph: GraphSession, mailbox: str, item: Mapping[str, Any], messages: Mapping[str, str]
) -> _Answer:
    try:
        if item["action"] == "cancel":
            await cancel_event(graph, mailbox, item["id"], messages["cancel"])
        elif item["action"] == "decline":
            await decline_event(graph, mailbox, item["id"], messages["decline"])
        else:
            await delete_event(graph, mailbox, item["id"])
    except AppError as exc:
        wait = getattr(exc, "retry_after", None)
        return _Answer(exc.status, {"error": {"message": exc.message}}, wait)
    return _Answer(202)


def _why(answer: _Answer) -> str:
    error = (answer.body or {}).get("error") if isinstance(answer.body, dict) else None
    return (error or {}).get("message") or f"Graph antwoordde {answer.status}"


def _handled(ctx: StepContext, done: Sequence[Mapping[str, Any]]) -> list[Once]:
    """Per handled item its backlog entry and audit line, committed with the step (or with
    its failure, when Graph stopped answering halfway); a resumed step skips what is there."""
    return [
        e for item in done for e in (Once(_backlog_row(ctx, item)), Once(_audit_entry(ctx, item)))
    ]


def _audit_entry(ctx: StepContext, item: Mapping[str, Any]) -> AuditEntry:
    """Each change in the audit log: who cleared which item of whose agenda, and how."""
    return AuditEntry(
        actor=ctx.actor,
        mailbox=ctx.mailbox,
        action=f"calamity.{item['action']}",
        outcome="success",
        item_id=item["id"],
        operation_id=ctx.operation_id,
        details={"subject": item["subject"][:200], "start": item["start"]},
    )


def _backlog_row(ctx: StepContext, item: Mapping[str, Any]) -> RescheduleRow:
    snap = item["snapshot"]
    return RescheduleRow(
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{ctx.operation_id}/{item['id']}")),
        operation_id=ctx.operation_id,
        calamity=ctx.params.get("calamity", "")[:400],
        mailbox=ctx.mailbox,
        event_id=item["id"],
        action=item["action"],
        subject=item["subject"][:400],
        organizer=snap["organizer"],
        organizer_name=snap["organizer_name"][:200],
        attendees=snap["attendees"],
        start=dt.datetime.fromisoformat(item["start"]).astimezone(dt.UTC),
        end=dt.datetime.fromisoformat(item["end"]).astimezone(dt.UTC),
        location=snap["location"],
        is_online=snap["is_online"],
        body=snap["body"],
        status="open",
    )


def _verdict(answer: _Answer, repeat: bool) -> dict[str, str] | None:
    """An item's outcome from its answer; None while Graph should be asked again."""
    if answer.ok or (answer.status == 404 and repeat):
        return {"status": "done", "detail": ""}
    if answer.status == 404:
        return {"status": "gone", "detail": "was al uit de agenda"}
    if is_transient(answer.status):
        return None
    return {"status": "failed", "detail": _why(answer)}


_SETTLED = ("done", "gone")  # recorded by an earlier attempt: not sent again


def _executor(graph: GraphSession) -> Any:
    async def execute(ctx: StepContext) -> dict[str, Any] | StepOutcome:
        if ctx.name == "keep":
            return {"items": {i["id"]: {"status": "kept"} for i in ctx.params["items"]}}
        items: list[Mapping[str, Any]] = list(ctx.params["items"])
        messages = ctx.params["messages"]
        earlier = (ctx.progress or {}).get("items", {})
        outcome: dict[str, dict[str, str]] = {
            k: v for k, v in earlier.items() if v.get("status") in _SETTLED
        }

        settling = asyncio.Lock()  # the result recorded holds no item before its effects

        async def handle(item: Mapping[str, Any], repeat: bool) -> _Answer:
            answer = await _one(graph, ctx.mailbox, item, messages)
            verdict = _verdict(answer, repeat)
            if verdict is None:
                return answer
            async with settling:
                outcome[item["id"]] = verdict
                if ctx.record is not None:  # this item's outcome and effects, committed now
                    done = [item] if verdict["status"] == "done" else []
                    await ctx.record({"items": outcome}, _handled(ctx, done))
            return answer

        todo = [i for i in items if i["id"] not in outcome]
        round_ = 0
        while todo:
            # Sending again is safe: a cancelled, declined or deleted item is gone, so a
            # repeat answers 404 (counted as done) and nobody is told twice. The gateway
            # does not repeat a POST whose answer was lost (it cannot know that); this does,
            # waiting and giving up by the gateway's rule (``retry_delay``). Requests side by
            # side, not one ``$batch``: Exchange runs four per mailbox at a time either way (the
            # gateway keeps four in flight), and a batch adds a round trip and holds the four
            # slots while it runs: 1.2x slower (``benchmarks/calamity_clear.py``).
            repeat = ctx.attempt > 1 or round_ > 0
            # A TaskGroup, not gather: when one item finds the lease lost (``record`` raises),
            # the others stop too instead of sending on for a run that is no longer ours.
            try:
                async with asyncio.TaskGroup() as group:
                    running = [group.create_task(handle(i, repeat)) for i in todo]
            except BaseExceptionGroup as failed:  # the first failure, as gather raised it
                raise failed.exceptions[0] from None
            answers = [task.result() for task in running]
            again = [i for i in todo if i["id"] not in outcome]
            waits = [a.retry_after for a in answers if a.retry_after is not None]
            todo = again
            if not todo:
                break
            delay = retry_delay(graph.config, round_, max(waits) if waits else None)
            if delay is None:
                break
            await graph.config.sleep(delay)
            round_ += 1
        done = [i for i in items if outcome.get(i["id"], {}).get("status") == "done"]
        # Recorded item by item already; without a recorder they go with the step.
        effects = () if ctx.record is not None else tuple(_handled(ctx, done))
        if todo:  # still no answer: the step fails and a resumed run sends these again
            raise IncompleteStep("Microsoft 365 antwoordde niet; het leegmaken gaat verder.",
                                 effects=effects)  # fmt: skip
        return StepOutcome({"items": outcome}, effects=effects)

    return execute


def _plan(
    events: Sequence[Mapping[str, Any]],
    decisions: Mapping[str, tuple[Decision, bool]],
    messages: Mapping[str, str],
    calamity: str,
) -> list[StepPlan]:
    kept, act = [], []
    for e in events:
        decision, toggled = decisions[e["id"]]
        item = item_of(e, decision, toggled)
        entry = {
            "id": item.id,
            "subject": item.subject,
            "start": item.start,
            "end": item.end,
            "action": item.action,
            "reason": item.reason,
            "organizer": item.organizer,
            "series": item.series,
            "toggled": toggled,
            "all_day": item.all_day,
        }
        if decision.action == "keep":
            kept.append(entry)
        else:
            act.append({**entry, "snapshot": snapshot(e)})
    steps = [StepPlan("keep", {"items": kept})]
    for i in range(0, len(act), CHUNK):
        chunk = act[i : i + CHUNK]
        steps.append(
            StepPlan("clear", {"items": chunk, "messages": dict(messages), "calamity": calamity})
        )
    return steps


async def execute(
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    journal: Journal,
    *,
    roster: Roster,
    actor: str,
    mailbox: str,
    start: dt.datetime,
    end: dt.datetime,
    settings: ClearSettings,
    operation_id: str,
    toggled: Sequence[str] = (),
    cancel_message: str = CANCEL_MESSAGE,
    decline_message: str = DECLINE_MESSAGE,
    calamity: str = "",
    group: Sequence[str] = (),
    run: bool = True,
) -> ClearReport:
    """Clear the window as previewed; run again under the same id, it finishes what is missing.

    ``group`` names the other clears planned with this one (a secretary's executives at once),
    kept with the plan so finishing one finishes the others; ``run=False`` only plans it."""
    authorize(roster, actor, Action.CLEAR_AGENDA, mailbox)
    mailbox = mailbox.lower()
    try:
        op = await journal.get(operation_id)
    except OperationNotFound:
        op = None
    if op is None:
        start, end = checked_window(start, end)
        events = await previewed(journal, operation_id, mailbox, start, end)
        if events is None:
            events = await read_window(graph, mailbox, start, end)
        chosen = set(toggled)
        decisions = {
            e["id"]: (decide(e, mailbox, settings, e["id"] in chosen), e["id"] in chosen)
            for e in events
        }
        messages = {"cancel": cancel_message.strip(), "decline": decline_message.strip()}
        steps = _plan(events, decisions, messages, calamity)
        window: dict[str, Any] = {"start": start.isoformat(), "end": end.isoformat()}
        if group:
            window["group"] = sorted(group)
        steps[0] = StepPlan("keep", {**steps[0].params, **window})
        planned = _stage(actor, mailbox, operation_id, "planned", _planned_counts(steps))
        op = await journal.plan(
            kind="calamity.clear", actor=actor, mailbox=mailbox, steps=steps,
            operation_id=operation_id, effects=[planned],
        )  # fmt: skip
    elif op.mailbox != mailbox:
        raise BadRequest("Deze operatie hoort bij een andere agenda.")
    if not run:
        return report_of(op, now=journal.clock.now())
    return await _run(graph, journal, actor=actor, mailbox=mailbox, operation_id=operation_id)


async def resume(
    graph: GraphSession, journal: Journal, *, roster: Roster, actor: str, operation_id: str
) -> ClearReport:
    """Finish a clear that was interrupted (its worker died): what is missing, nothing twice.
    Anyone who may clear her agenda may finish it; the plan is the one stored."""
    try:
        op = await journal.get(operation_id)
    except OperationNotFound:
        op = None
    if op is None or op.kind != "calamity.clear":
        raise NotFound("Deze operatie bestaat niet.")
    authorize(roster, actor, Action.CLEAR_AGENDA, op.mailbox)
    return await _run(graph, journal, actor=actor, mailbox=op.mailbox, operation_id=op.id)


async def _run(
    graph: GraphSession, journal: Journal, *, actor: str, mailbox: str, operation_id: str
) -> ClearReport:
    """Run (or resume) the planned clear; a failed chunk is resumed a few times in a row."""
    execute_step = _executor(graph)
    runner = journal.with_lease(LEASE)

    def finished(done: Operation) -> list[AuditEntry]:
        return [_stage(actor, mailbox, operation_id, "done", report_of(done).counts)]

    for attempt in range(ATTEMPTS):
        try:
            await runner.run(operation_id, execute_step, on_done=finished)
            break
        except Unavailable:
            if attempt == ATTEMPTS - 1:
                break
        except AppError:
            break
    return report_of(await journal.get(operation_id), now=journal.clock.now())


def _stage(
    actor: str, mailbox: str, operation_id: str, stage: str, counts: Mapping[str, int]
) -> AuditEntry:
    """The clear as a whole in the audit log: planned (with the plan) and done (with the
    operation's completion), each written once however often the clear is run again."""
    return AuditEntry(
        actor=actor,
        mailbox=mailbox,
        action="calamity.clear",
        outcome="success",
        operation_id=operation_id,
        details={"stage": stage, "counts": dict(counts)},
    )


def _planned_counts(steps: Sequence[StepPlan]) -> dict[str, int]:
    out: dict[str, int] = {}
    for step in steps:
        status = "status_kept" if step.name == "keep" else "status_planned"
        for entry in step.params.get("items", []):
            out[entry["action"]] = out.get(entry["action"], 0) + 1
            out[status] = out.get(status, 0) + 1
    return out
