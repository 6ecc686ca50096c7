"""Calamity clear: preview what happens to every item in a window, then do it all at once.

- **Preview** reads the window with ``calendarView`` (occurrences of series included) and
  classifies each item (``classify``); the secretary may toggle items and edit the messages.
- **Execute** is one journaled operation: the kept items and then the items to clear in
  chunks of twenty (cancel / decline with response / delete), sent side by side while the
  gateway keeps four in flight per mailbox, so the chunks follow each other without gaps.
- **Exactly once.** A chunk that is run again (a crash, a closed laptop, a double click under
  the same operation id, a fault) sends its items again: what was handled is gone from her
  calendar, Graph answers 404, and nobody receives a second cancellation or decline.
- Every handled item becomes a backlog entry (``backlog``) with what it takes to plan it again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.audit import AuditEntry
from automations.calamity.classify import ClearSettings, Decision, classify
from automations.dates import from_graph
from automations.errors import AppError, BadRequest, Unavailable
from automations.graph import (
    GraphSession,
    calendar_view_json,
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

__all__ = [
    "CANCEL_MESSAGE",
    "DECLINE_MESSAGE",
    "ClearItem",
    "ClearReport",
    "execute",
    "preview",
    "report_of",
]

MAX_WINDOW = dt.timedelta(days=14)
PREVIEW_VALID = dt.timedelta(minutes=30)  # executing an older preview reads the calendar again
CHUNK = 20  # items per journaled step (five rounds of four requests): the progress unit
# A dead worker's clear can be finished by another after this long. Short, because taking
# over is harmless here: what the first worker did is gone from her calendar (404 = done).
LEASE = dt.timedelta(seconds=15)
ATTEMPTS = 4  # a failed chunk is resumed this often before the clear reports what is left
CANCEL_MESSAGE = (
    "Wegens onvoorziene omstandigheden gaat deze afspraak helaas niet door. Wij nemen zo snel"
    " mogelijk contact met u op om een nieuw moment te plannen."
)
DECLINE_MESSAGE = (
    "Wegens onvoorziene omstandigheden kan ik helaas niet aanwezig zijn. Mijn secretariaat"
    " neemt contact met u op als een nieuw moment nodig is."
)
_FIELDS = (
    "id,subject,start,end,isAllDay,isCancelled,isOrganizer,organizer,attendees,showAs,"
    "sensitivity,categories,type,seriesMasterId,responseStatus,location,isOnlineMeeting,"
    "bodyPreview"
).split(",")
STATUS_LABELS = {
    "planned": "wacht",
    "done": "gedaan",
    "gone": "was al weg",
    "failed": "mislukt",
    "kept": "blijft staan",
}


@dataclass(frozen=True)
class ClearItem:
    id: str
    subject: str
    start: str  # local time in the Netherlands, ISO
    end: str
    action: str  # cancel | decline | remove | keep
    reason: str
    status: str = "planned"  # planned | done | gone | failed | kept
    detail: str = ""
    organizer: str = ""
    series: bool = False
    toggled: bool = False


@dataclass(frozen=True)
class ClearReport:
    operation_id: str
    mailbox: str
    start: str
    end: str
    status: str  # preview | running | done | failed
    items: list[ClearItem]
    cancel_message: str = CANCEL_MESSAGE
    decline_message: str = DECLINE_MESSAGE
    counts: dict[str, int] = field(default_factory=dict)


def _counts(items: Sequence[ClearItem]) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        out[item.action] = out.get(item.action, 0) + 1
        out[f"status_{item.status}"] = out.get(f"status_{item.status}", 0) + 1
    return out


def _window(start: dt.datetime, end: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    if start.tzinfo is None or end.tzinfo is None:
        raise BadRequest("Geef begin en einde met tijdzone (bijvoorbeeld 2026-11-24T14:00+01:00).")
    if end <= start or end - start > MAX_WINDOW:
        raise BadRequest("Kies een periode met een einde na het begin, van hoogstens 14 dagen.")
    return start, end


async def _read(
    graph: GraphSession, mailbox: str, start: dt.datetime, end: dt.datetime
) -> list[dict[str, Any]]:
    """Every item in the window, series occurrences included, following the pages."""
    return await calendar_view_json(graph, mailbox, start, end, select=_FIELDS, top=200)


def _decide(
    event: Mapping[str, Any], mailbox: str, settings: ClearSettings, toggled: bool
) -> Decision:
    """The rules' decision, flipped when the secretary toggled the item."""
    decided = classify(event, mailbox, settings)
    if not toggled or event.get("isCancelled"):
        return decided
    if decided.action != "keep":
        return Decision("keep", "op verzoek laten staan")
    loose = ClearSettings(keep_categories=(), remove_appointments=True, include_private=True)
    natural = classify({**event, "isAllDay": False, "showAs": "busy"}, mailbox, loose)
    return Decision(natural.action, f"{natural.reason} (gekozen)")


def _item(event: Mapping[str, Any], decision: Decision, toggled: bool) -> ClearItem:
    who = (event.get("organizer") or {}).get("emailAddress") or {}
    return ClearItem(
        id=event["id"],
        subject=event.get("subject") or "",
        start=from_graph(event.get("start")).isoformat(),
        end=from_graph(event.get("end")).isoformat(),
        action=decision.action,
        reason=decision.reason,
        status="kept" if decision.action == "keep" else "planned",
        organizer=who.get("name") or who.get("address") or "",
        series=bool(event.get("seriesMasterId")),
        toggled=toggled,
    )


def _snapshot(event: Mapping[str, Any]) -> dict[str, Any]:
    """What the backlog needs to plan it again (stored with the plan, before anything runs)."""
    who = (event.get("organizer") or {}).get("emailAddress") or {}
    return {
        "organizer": who.get("address") or "",
        "organizer_name": who.get("name") or "",
        "attendees": [
            {
                "address": (a.get("emailAddress") or {}).get("address") or "",
                "name": (a.get("emailAddress") or {}).get("name") or "",
                "type": a.get("type") or "required",
            }
            for a in event.get("attendees") or []
        ],
        "location": ((event.get("location") or {}).get("displayName") or "")[:400],
        "is_online": bool(event.get("isOnlineMeeting")),
        "body": (event.get("bodyPreview") or "")[:4000],
    }


async def preview(
    graph: GraphSession,
    *,
    roster: Roster,
    actor: str,
    mailbox: str,
    start: dt.datetime,
    end: dt.datetime,
    settings: ClearSettings,
    toggled: Sequence[str] = (),
    journal: Journal | None = None,
    operation_id: str | None = None,
) -> ClearReport:
    """What a clear of this window would do to each item; changes nothing in Graph.

    With ``journal``, the items read are kept with the preview's operation id, so executing
    it does exactly what was shown (plus the toggles), without reading the calendar again.
    """
    authorize(roster, actor, Action.CLEAR_AGENDA, mailbox)
    start, end = _window(start, end)
    chosen = set(toggled)
    events = await _read(graph, mailbox, start, end)
    items = [
        _item(e, _decide(e, mailbox, settings, e["id"] in chosen), e["id"] in chosen)
        for e in events
    ]
    operation_id = operation_id or str(uuid.uuid4())
    if journal is not None:
        window = {"start": start.isoformat(), "end": end.isoformat(), "events": events}
        await journal.plan(
            kind="calamity.preview",
            actor=actor,
            mailbox=mailbox,
            steps=[StepPlan("snapshot", window)],
            operation_id=preview_id(operation_id),
        )
    return ClearReport(
        operation_id=operation_id,
        mailbox=mailbox.lower(),
        start=start.isoformat(),
        end=end.isoformat(),
        status="preview",
        items=items,
        counts=_counts(items),
    )


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


async def _send(
    graph: GraphSession,
    mailbox: str,
    items: Sequence[Mapping[str, Any]],
    messages: Mapping[str, str],
) -> Sequence[_Answer]:
    """The chunk's items as requests side by side; the gateway keeps four in flight.

    Not one ``$batch``: Exchange runs four requests per mailbox at a time either way, and a
    batch adds its own round trip and holds the mailbox's four slots while it runs, so it
    clears 1.2x slower than the limit (measured in ``benchmarks/calamity_clear.py``).
    """
    return await asyncio.gather(*(_one(graph, mailbox, i, messages) for i in items))


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


def _executor(graph: GraphSession) -> Any:
    async def execute(ctx: StepContext) -> dict[str, Any] | StepOutcome:
        if ctx.name == "keep":
            return {"items": {i["id"]: {"status": "kept"} for i in ctx.params["items"]}}
        items: list[Mapping[str, Any]] = list(ctx.params["items"])
        messages = ctx.params["messages"]
        outcome: dict[str, dict[str, str]] = {}
        todo = items
        round_ = 0
        while todo:
            # Sending again is safe: a cancelled, declined or deleted item is gone, so a
            # repeat answers 404 (counted as done) and nobody is told twice. The gateway
            # does not repeat a POST whose answer was lost (it cannot know that); this does,
            # waiting and giving up by the gateway's rule (``retry_delay``).
            repeat = ctx.attempt > 1 or round_ > 0
            answers = await _send(graph, ctx.mailbox, todo, messages)
            again: list[Mapping[str, Any]] = []
            waits: list[float] = []
            for item, answer in zip(todo, answers, strict=True):
                if answer.ok or (answer.status == 404 and repeat):
                    outcome[item["id"]] = {"status": "done", "detail": ""}
                elif answer.status == 404:
                    outcome[item["id"]] = {"status": "gone", "detail": "was al uit de agenda"}
                elif is_transient(answer.status):
                    again.append(item)
                    if answer.retry_after is not None:
                        waits.append(answer.retry_after)
                else:
                    outcome[item["id"]] = {"status": "failed", "detail": _why(answer)}
            todo = again
            if not todo:
                break
            delay = retry_delay(graph.config, round_, max(waits) if waits else None)
            if delay is None:
                break
            await asyncio.sleep(delay)
            round_ += 1
        done = [i for i in items if outcome.get(i["id"], {}).get("status") == "done"]
        if todo:  # still no answer: the step fails and a resumed run sends these again
            raise IncompleteStep("Microsoft 365 antwoordde niet; het leegmaken gaat verder.",
                                 effects=_handled(ctx, done))  # fmt: skip
        return StepOutcome({"items": outcome}, effects=tuple(_handled(ctx, done)))

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
        item = _item(e, decision, toggled)
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
        }
        if decision.action == "keep":
            kept.append(entry)
        else:
            act.append({**entry, "snapshot": _snapshot(e)})
    steps = [StepPlan("keep", {"items": kept})]
    for i in range(0, len(act), CHUNK):
        chunk = act[i : i + CHUNK]
        steps.append(
            StepPlan("clear", {"items": chunk, "messages": dict(messages), "calamity": calamity})
        )
    return steps


def report_of(op: Operation) -> ClearReport:
    """The operation as the pane shows it: every item with its state, in agenda order."""
    items: list[ClearItem] = []
    for step in op.steps:
        results = (step.result or {}).get("items", {}) if step.state == "done" else {}
        for entry in step.params.get("items", []):
            got = results.get(entry["id"], {})
            status = got.get("status") or ("kept" if step.name == "keep" else "planned")
            if step.state == "failed" and status == "planned":
                status, detail = "failed", step.error or ""
            else:
                detail = got.get("detail", "")
            items.append(
                ClearItem(
                    id=entry["id"],
                    subject=entry["subject"],
                    start=entry["start"],
                    end=entry["end"],
                    action=entry["action"],
                    reason=entry["reason"],
                    status=status,
                    detail=detail,
                    organizer=entry.get("organizer", ""),
                    series=entry.get("series", False),
                    toggled=entry.get("toggled", False),
                )
            )
    items.sort(key=lambda i: (i.start, i.subject))
    first = op.steps[1].params if len(op.steps) > 1 else {}
    messages = first.get("messages", {})
    status = {"planned": "running", "running": "running"}.get(op.status, op.status)
    window = op.steps[0].params if op.steps else {}
    return ClearReport(
        operation_id=op.id,
        mailbox=op.mailbox,
        start=window.get("start", ""),
        end=window.get("end", ""),
        status=status,
        items=items,
        cancel_message=messages.get("cancel", CANCEL_MESSAGE),
        decline_message=messages.get("decline", DECLINE_MESSAGE),
        counts=_counts(items),
    )


def preview_id(operation_id: str) -> str:
    """Where the preview shown under ``operation_id`` is kept (what the clear will act on)."""
    return f"{operation_id}-preview"


async def _previewed(
    journal: Journal, operation_id: str, mailbox: str, start: dt.datetime, end: dt.datetime
) -> list[dict[str, Any]] | None:
    """The items the preview under this id showed, if it was recent and for this window."""
    try:
        shown = await journal.get(preview_id(operation_id))
    except OperationNotFound:
        return None
    params = shown.steps[0].params
    fresh = journal.clock.now() - shown.created_at < PREVIEW_VALID
    same = (params["start"], params["end"]) == (start.isoformat(), end.isoformat())
    if shown.kind != "calamity.preview" or shown.mailbox != mailbox or not (fresh and same):
        return None
    return list(params["events"])


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
) -> ClearReport:
    """Clear the window as previewed; run again under the same id, it finishes what is missing."""
    authorize(roster, actor, Action.CLEAR_AGENDA, mailbox)
    mailbox = mailbox.lower()
    try:
        op = await journal.get(operation_id)
    except OperationNotFound:
        op = None
    if op is None:
        start, end = _window(start, end)
        events = await _previewed(journal, operation_id, mailbox, start, end)
        if events is None:
            events = await _read(graph, mailbox, start, end)
        chosen = set(toggled)
        decisions = {
            e["id"]: (_decide(e, mailbox, settings, e["id"] in chosen), e["id"] in chosen)
            for e in events
        }
        messages = {"cancel": cancel_message.strip(), "decline": decline_message.strip()}
        steps = _plan(events, decisions, messages, calamity)
        steps[0] = StepPlan(
            "keep", {**steps[0].params, "start": start.isoformat(), "end": end.isoformat()}
        )
        planned = _stage(actor, mailbox, operation_id, "planned", _planned_counts(steps))
        op = await journal.plan(
            kind="calamity.clear", actor=actor, mailbox=mailbox, steps=steps,
            operation_id=operation_id, effects=[planned],
        )  # fmt: skip
    elif op.mailbox != mailbox:
        raise BadRequest("Deze operatie hoort bij een andere agenda.")
    execute_step = _executor(graph)
    runner = journal.with_lease(LEASE)

    def finished(done: Operation) -> list[AuditEntry]:
        return [_stage(actor, mailbox, operation_id, "done", report_of(done).counts)]

    for attempt in range(ATTEMPTS):
        try:
            op = await runner.run(operation_id, execute_step, on_done=finished)
            break
        except Unavailable:
            if attempt == ATTEMPTS - 1:
                break
        except AppError:
            break
    op = await journal.get(operation_id)
    report = report_of(op)
    return report


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
