"""Preview and apply a quick step to one or more messages in an executive's mailbox.

Shape of an apply (DESIGN principles 3 and 4):

1. The roster decides (the mailbox, and the step's ``allowed``), before Graph is asked.
2. Folders, categories and To Do lists the step needs are found or made; that is idempotent
   and happens before the journal, so their ids can be part of the plan.
3. The journal plans one step per group of up to 20 messages. A group runs in waves: one
   ``$batch`` with the first request of every message, then the second of every message whose
   first succeeded, and so on (order kept per message, a failure stops that message's rest;
   Graph's ``$batch`` takes parallel requests or one chain, not parallel chains). Consecutive
   property changes (read, flag, categories, importance) are one PATCH. A last ``$batch``
   sends the forwards the group drafted.
4. A retried group first looks up what it already created (by tag) and does not make it again;
   the other actions are idempotent. A resubmit with the same operation id returns the result.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.audit import AuditEntry
from automations.dispatch.service import NewDispatch, dispatch_row
from automations.errors import AccessDenied, BadRequest, Throttled, Unavailable
from automations.graph import (
    BatchRequest,
    BatchResponse,
    GraphSession,
    is_transient,
    retry_delay,
    translate,
)
from automations.journal import Journal, Operation, StepContext, StepOutcome, StepPlan
from automations.quicksteps import effects
from automations.quicksteps.effects import MessageFacts, Prepared
from automations.quicksteps.models import QuickStep
from automations.quicksteps.service import ActiveSet
from automations.roster.models import Roster
from automations.roster.policy import Action, authorize
from automations.store.models import DispatchRow

__all__ = [
    "ActionResult",
    "MessageResult",
    "Preview",
    "apply",
    "ensure_categories",
    "may_use",
    "preview",
]

log = logging.getLogger(__name__)

MAX_MESSAGES = 50
MAX_SUBREQUESTS = 20
WELL_KNOWN = {
    "inbox": "inbox",
    "postvak in": "inbox",
    "archive": "archive",
    "archief": "archive",
    "drafts": "drafts",
    "sentitems": "sentitems",
    "deleteditems": "deleteditems",
}
_FACTS = (
    "$select=id,subject,from,receivedDateTime,sentDateTime,categories,webLink,internetMessageId,"
    "body,toRecipients,ccRecipients,conversationId,parentFolderId,flag,isRead,importance"
)
DISPATCH_COLOR = "preset1"  # the demo tenant's "Uitgezet" colour
RESUMES = 3  # in-process resumes of an operation that met transient faults


@dataclass(frozen=True)
class Preview:
    step: str
    version: int
    messages: list[dict[str, Any]]  # {id, subject, sender, changes: [str]}
    new_folders: list[str]
    new_categories: list[str]
    departments: list[dict[str, Any]] = field(default_factory=list)  # to choose from
    choices: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ActionResult:
    action: str
    label: str
    status: str  # "done" | "failed" | "not_run"
    detail: str = ""


@dataclass(frozen=True)
class MessageResult:
    id: str
    subject: str
    actions: list[ActionResult]


def may_use(step: QuickStep, roster: Roster, actor: str) -> bool:
    actor = actor.lower()
    return roster.role(actor) in step.allowed.roles or actor in step.allowed.users


def _authorize(step: QuickStep, roster: Roster, actor: str, mailbox: str) -> None:
    authorize(roster, actor, Action.ACT_ON_MAILBOX, mailbox)
    if not may_use(step, roster, actor):
        raise AccessDenied(f"U mag de snelle stap '{step.name}' niet gebruiken.")


def _check_selection(message_ids: Sequence[str]) -> list[str]:
    ids = list(dict.fromkeys(i for i in message_ids if i))
    if not ids:
        raise BadRequest("Kies ten minste één bericht.")
    if len(ids) > MAX_MESSAGES:
        raise BadRequest(f"Kies hoogstens {MAX_MESSAGES} berichten tegelijk.")
    return ids


# --- what the step needs in the mailbox -------------------------------------------------------
async def _find_folder(
    graph: GraphSession, mailbox: str, path: str, *, create: bool
) -> tuple[str | None, bool]:
    """The folder's id for ``Inbox/Backoffice/Wonen``; made when missing if ``create``."""
    parts = path.split("/")
    first = WELL_KNOWN.get(parts[0].lower())
    parent, rest = (first, parts[1:]) if first else ("msgfolderroot", parts)
    made = False
    for name in rest:
        escaped = name.replace("'", "''")
        url = f"/users/{mailbox}/mailFolders/{parent}/childFolders"
        found = await _get(graph, f"{url}?$filter=displayName eq '{escaped}'&$select=id")
        if found["value"]:
            parent = found["value"][0]["id"]
            continue
        if not create:
            return None, True
        [answer] = await graph.batch([BatchRequest("POST", url, {"displayName": name})])
        if answer.status == 409:  # made meanwhile by a colleague's step
            found = await _get(graph, f"{url}?$filter=displayName eq '{escaped}'&$select=id")
            parent = found["value"][0]["id"]
        else:
            answer.raise_for_status()
            parent, made = answer.body["id"], True
    return parent, made


async def _get(graph: GraphSession, url: str) -> Any:
    [answer] = await graph.batch([BatchRequest("GET", url)])
    answer.raise_for_status()
    return answer.body


async def _get_all(graph: GraphSession, url: str) -> list[Any]:
    """Every item of a collection, following ``@odata.nextLink`` (relative to the root)."""
    items: list[Any] = []
    next_url: str | None = url
    while next_url:
        body = await _get(graph, next_url)
        items.extend(body.get("value", []))
        link = body.get("@odata.nextLink")
        next_url = "/" + link.split("/v1.0/", 1)[1] if link else None
    return items


async def _prepare(
    graph: GraphSession,
    mailbox: str,
    actor: str,
    step: QuickStep,
    dispatch: Mapping[str, str],
    *,
    create: bool,
) -> tuple[Prepared, list[str], list[str]]:
    """Folders, categories and To Do lists the step needs, looked up side by side."""
    paths = list(dict.fromkeys(a.folder for a in step.actions if a.action in ("move", "copy")))
    wanted = {c: a.colors.get(c, "none") for a in step.actions if a.action == "categorize"
              for c in a.categories}  # fmt: skip
    if dispatch:
        wanted[effects.dispatch_category(dispatch["name"])] = DISPATCH_COLOR
    names = list(dict.fromkeys(a.task_list for a in step.actions if a.action == "todo_task"))
    found_folders, new_categories, todo_lists = await asyncio.gather(
        asyncio.gather(*(_find_folder(graph, mailbox, path, create=create) for path in paths)),
        ensure_categories(graph, mailbox, wanted, create=create),
        _todo_lists(graph, actor, names, create=create),
    )
    folders = {path: fid for path, (fid, _) in zip(paths, found_folders, strict=True) if fid}
    new_folders = [path for path, (_, made) in zip(paths, found_folders, strict=True) if made]
    prepared = Prepared(folders=folders, todo_lists=todo_lists, dispatch=dict(dispatch))
    return prepared, new_folders, new_categories


async def ensure_categories(
    graph: GraphSession, mailbox: str, wanted: Mapping[str, str], *, create: bool
) -> list[str]:
    """The wanted categories missing from the mailbox's master list (made if ``create``)."""
    if not wanted:
        return []
    url = f"/users/{mailbox}/outlook/masterCategories"
    known = {c["displayName"].lower() for c in (await _get(graph, url))["value"]}
    missing = [c for c in wanted if c.lower() not in known]
    if create and missing:
        answers = await graph.batch(
            [BatchRequest("POST", url, {"displayName": c, "color": wanted[c]}) for c in missing]
        )
        for answer in answers:
            if answer.status != 409:  # 409: made meanwhile; fine
                answer.raise_for_status()
    return missing


async def _todo_lists(
    graph: GraphSession, actor: str, names: Sequence[str], *, create: bool
) -> dict[str, str]:
    """The actor's To Do lists by name (made if missing and ``create``)."""
    if not names:
        return {}
    url = f"/users/{actor}/todo/lists"
    by_name = {lst["displayName"].lower(): lst["id"] for lst in await _get_all(graph, url)}
    out: dict[str, str] = {}
    for name in names:
        if name.lower() in by_name:
            out[name] = by_name[name.lower()]
        elif create:
            [made] = await graph.batch([BatchRequest("POST", url, {"displayName": name})])
            made.raise_for_status()
            out[name] = made.body["id"]
    return out


async def _facts(
    graph: GraphSession, mailbox: str, ids: Sequence[str]
) -> dict[str, MessageFacts | BatchResponse]:
    """Each message's facts, or Graph's answer when it could not be read (gone, refused)."""
    answers = await graph.batch(
        [BatchRequest("GET", f"/users/{mailbox}/messages/{i}?{_FACTS}") for i in ids]
    )
    pairs = zip(ids, answers, strict=True)
    return {i: MessageFacts.from_graph(a.body) if a.ok else a for i, a in pairs}


# --- preview ----------------------------------------------------------------------------------
async def preview(
    *,
    graph: GraphSession,
    roster: Roster,
    actor: str,
    mailbox: str,
    steps: ActiveSet,
    name: str,
    message_ids: Sequence[str],
    today: dt.date,
    choices: Mapping[str, str] | None = None,
) -> Preview:
    """Exactly what applying would change, per message; changes nothing."""
    step = _step(steps, name)
    mailbox = mailbox.lower()
    _authorize(step, roster, actor, mailbox)
    ids = _check_selection(message_ids)
    dispatch = _dispatch_for(steps, step, choices or {}, today, required=False)
    _, new_folders, new_categories = await _prepare(
        graph, mailbox, actor, step, dispatch, create=False
    )
    facts = await _facts(graph, mailbox, ids)
    messages = []
    for i in ids:
        found = facts[i]
        if not isinstance(found, MessageFacts):
            messages.append({"id": i, "subject": "", "sender": "", "error": _why(found)})
            continue
        changes = [
            effects.describe(a, today, set(new_folders), set(new_categories), dispatch)
            for a in step.actions
        ]
        sender = found.sender_name or found.sender_address
        messages.append({"id": i, "subject": found.subject, "sender": sender, "changes": changes})
    return Preview(
        step.name,
        steps.info.version,
        messages,
        new_folders,
        new_categories,
        departments=[d.model_dump() for d in steps.parsed.departments]
        if step.asks_department
        else [],
        choices=dict(choices or {}),
    )


def _dispatch_for(
    steps: ActiveSet,
    step: QuickStep,
    choices: Mapping[str, str],
    today: dt.date,
    *,
    required: bool,
) -> dict[str, str]:
    """The department a dispatch step goes to (its own, or the one chosen) and the deadline."""
    action = next((a for a in step.actions if a.action == "dispatch"), None)
    if action is None:
        return {}
    key = action.department or choices.get("department", "")
    department = steps.parsed.department(key) if key else None
    if department is None:
        if required or key:
            raise BadRequest("Kies de afdeling waar het bericht naartoe gaat.")
        return {}
    deadline = effects.working_days_after(today, action.deadline_days)
    return {
        "key": department.key,
        "name": department.name,
        "address": department.address,
        "deadline": deadline.isoformat(),
    }


def _step(steps: ActiveSet, name: str) -> QuickStep:
    step = steps.parsed.step(name)
    if step is None:
        raise BadRequest(f"Er is geen snelle stap '{name}' (versie {steps.info.version}).")
    return step


def _why(answer: BatchResponse) -> str:
    if answer.status == 404:
        return "Het bericht bestaat niet meer in dit postvak."
    if answer.status == 403:
        return "Microsoft 365 geeft geen toegang tot dit bericht."
    return f"Het bericht kon niet worden gelezen (status {answer.status})."


# --- apply ------------------------------------------------------------------------------------
def _groups(ids: list[str]) -> list[list[int]]:
    """Up to 20 messages per journal step: each wave of the step is then one ``$batch``
    (Exchange runs four at a time per mailbox; the rest queue inside Graph, not with us)."""
    size = MAX_SUBREQUESTS
    return [list(range(i, min(i + size, len(ids)))) for i in range(0, len(ids), size)]


async def apply(
    *,
    graph: GraphSession,
    journal: Journal,
    sessions: async_sessionmaker[AsyncSession],
    roster: Roster,
    actor: str,
    mailbox: str,
    steps: ActiveSet,
    name: str,
    message_ids: Sequence[str],
    operation_id: str,
    today: dt.date,
    choices: Mapping[str, str] | None = None,
) -> list[MessageResult]:
    """Apply step ``name`` to the messages, exactly once per ``operation_id``."""
    step = _step(steps, name)
    mailbox, actor = mailbox.lower(), actor.lower()
    _authorize(step, roster, actor, mailbox)
    ids = _check_selection(message_ids)
    dispatch = _dispatch_for(steps, step, choices or {}, today, required=True)
    prepared, _, _ = await _prepare(graph, mailbox, actor, step, dispatch, create=True)
    plans = [
        StepPlan(
            "messages",
            {
                "quickstep": step.name,
                "version": steps.info.version,
                "messages": [ids[i] for i in group],
                "first": group[0],
                "folders": dict(prepared.folders),
                "todo_lists": dict(prepared.todo_lists),
                "dispatch": dispatch,
                "today": today.isoformat(),
            },
        )
        for group in _groups(ids)
    ]
    names = {"mailbox": roster.names.get(mailbox, mailbox), "actor": roster.names.get(actor, actor)}

    async def run_group(ctx: StepContext) -> StepOutcome:
        results, facts = await _run_group(graph, ctx, step, names)
        messages = [_as_json(r) for r in results]
        if ctx.attempt == 1:  # a retry reads the state its first attempt may have changed
            for message in messages:
                found = facts.get(message["id"])
                if isinstance(found, MessageFacts):
                    message["before"] = dict(found.state)
        # Audit lines and dispatch rows are committed with the step: a resume never repeats them.
        caused = [*_audit_entries(ctx, results), *_dispatch_rows(ctx, step, results, facts)]
        return StepOutcome({"messages": messages}, effects=tuple(caused))

    for attempt in range(RESUMES + 1):
        try:
            op = await journal.submit(
                kind="quickstep",
                actor=actor,
                mailbox=mailbox,
                steps=plans,
                executor=run_group,
                operation_id=operation_id,
            )
            return results_of(op)
        except (Throttled, Unavailable) as exc:  # GraphTimeout is an Unavailable
            # The gateway's rule decides the wait; a Retry-After it would not wait for is
            # handed to the caller at once rather than slept through here.
            wait = getattr(exc, "retry_after", None)
            delay = retry_delay(graph.config, attempt, wait) if attempt < RESUMES else None
            if delay is None:
                raise
            log.info("operation %s meets %s; resuming in %.1fs", operation_id, exc.code, delay)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")


def results_of(op: Operation) -> list[MessageResult]:
    out = []
    for s in op.steps:
        for m in (s.result or {}).get("messages", []):
            actions = [ActionResult(**a) for a in m["actions"]]
            out.append(MessageResult(m["id"], m["subject"], actions))
    return out


def _as_json(result: MessageResult) -> dict[str, Any]:
    return {
        "id": result.id,
        "subject": result.subject,
        "actions": [a.__dict__ for a in result.actions],
    }


async def _run_group(
    graph: GraphSession, ctx: StepContext, step: QuickStep, names: Mapping[str, str]
) -> tuple[list[MessageResult], Mapping[str, MessageFacts | BatchResponse]]:
    params = ctx.params
    mailbox, actor = ctx.mailbox, ctx.actor
    today = dt.date.fromisoformat(params["today"])
    prepared = Prepared(
        folders=params["folders"],
        todo_lists=params["todo_lists"],
        dispatch=params.get("dispatch") or {},
    )
    ids: list[str] = list(params["messages"])
    facts = await _facts(graph, mailbox, ids)
    made = await _already_made(graph, ctx, step, ids, facts) if ctx.attempt > 1 else {}

    requests: list[BatchRequest] = []
    slots: dict[tuple[int, int], list[int]] = {}  # (message, action) -> its request indices
    chains: dict[int, list[int]] = {}  # message -> its requests, in order
    for n, message_id in enumerate(ids):
        found = facts[message_id]
        if not isinstance(found, MessageFacts):
            continue
        values = effects.template_values(found, names["mailbox"], names["actor"])
        categories = found.categories
        previous: int | None = None
        chain = chains.setdefault(n, [])
        for a, action in enumerate(step.actions):
            tag = effects.tag_of(ctx.operation_id, params["first"] + n, a)
            planned = effects.requests_for(
                action,
                mailbox=mailbox,
                actor=actor,
                facts=found,
                categories=categories,
                prepared=prepared,
                values=values,
                tag=tag,
                today=today,
                now=ctx.now,
            )
            if tag in made:
                planned = planned[1:]  # the first attempt made the item; redo only the rest
            for request in planned:
                last = requests[previous] if previous is not None else None
                if _mergeable(last, request):
                    # Consecutive property changes of one message travel as one PATCH; the
                    # later action's value wins, as it would one after the other.
                    assert last is not None and previous is not None
                    requests[previous] = replace(last, body={**last.body, **request.body})
                else:
                    requests.append(request)
                    previous = len(requests) - 1
                    chain.append(previous)
                slots.setdefault((n, a), []).append(previous)
            if action.action == "categorize":
                categories = tuple(dict.fromkeys([*categories, *action.categories]))
            elif action.action == "clear_categories":
                categories = ()
            elif action.action == "dispatch":
                label = effects.dispatch_category(prepared.dispatch["name"])
                categories = tuple(dict.fromkeys([*categories, label]))
    answers = await _in_waves(graph, requests, chains)

    # Forwards and messages to send were made as tagged drafts; now send them.
    to_send: dict[tuple[int, int], str] = {}
    for (n, a), indices in slots.items():
        action = step.actions[a]
        tag = effects.tag_of(ctx.operation_id, params["first"] + n, a)
        first = answers[indices[0]]
        if _sends(action) and tag not in made and first is not None and first.ok:
            to_send[(n, a)] = first.body["id"]
    for tag, (draft_id, is_draft) in made.items():
        n, a = _position(tag, params["first"])
        if is_draft and _sends(step.actions[a]):
            to_send[(n, a)] = draft_id
    send_order = list(to_send)
    sent = await graph.batch(
        [BatchRequest("POST", f"/users/{mailbox}/messages/{to_send[k]}/send") for k in send_order]
    ) if send_order else []  # fmt: skip
    _raise_if_transient(sent)
    send_answer = dict(zip(send_order, sent, strict=True))

    results = []
    for n, message_id in enumerate(ids):
        found = facts[message_id]
        if not isinstance(found, MessageFacts):
            reason = _why(found)
            actions = [
                ActionResult(x.action, effects.describe(x, today, set(), set()), "not_run", reason)
                for x in step.actions
            ]
            results.append(MessageResult(message_id, "", actions))
            continue
        actions = []
        for a, action in enumerate(step.actions):
            label = effects.describe(action, today, set(), set(), prepared.dispatch)
            tag = effects.tag_of(ctx.operation_id, params["first"] + n, a)
            planned = (n, a) in slots
            mine = [answers[i] for i in slots.get((n, a), [])]
            failed = next((x for x in mine if x is not None and not x.ok), None)
            status, detail = "done", ""
            if failed is not None:
                status, detail = "failed", _graph_message(failed)
            elif any(x is None for x in mine):
                status, detail = "not_run", "Niet uitgevoerd: een eerdere actie mislukte."
            elif (n, a) in send_answer and not send_answer[(n, a)].ok:
                status, detail = (
                    "failed",
                    "Opgesteld maar niet verzonden: " + _graph_message(send_answer[(n, a)]),
                )
            elif not planned and tag not in made:
                status = "not_run"
            actions.append(ActionResult(action.action, label, status, detail))
        results.append(MessageResult(message_id, found.subject, actions))
    return results, facts


async def _in_waves(
    graph: GraphSession, requests: list[BatchRequest], chains: Mapping[int, list[int]]
) -> list[BatchResponse | None]:
    """Each message's requests in order, all messages side by side: wave ``d`` holds the
    ``d``-th request of every message whose earlier ones succeeded. Graph's ``$batch`` accepts
    parallel requests or one serial chain, not parallel chains, so this is how many chains
    share round trips; a failure leaves the rest of that message's chain unsent (None)."""
    answers: list[BatchResponse | None] = [None] * len(requests)
    depth = max((len(c) for c in chains.values()), default=0)
    for d in range(depth):
        wave = [
            chain[d]
            for chain in chains.values()
            if len(chain) > d and all((a := answers[i]) is not None and a.ok for i in chain[:d])
        ]
        if not wave:
            break
        got = await graph.batch([requests[i] for i in wave])
        _raise_if_transient(got)
        for i, answer in zip(wave, got, strict=True):
            answers[i] = answer
    return answers


def _mergeable(last: BatchRequest | None, request: BatchRequest) -> bool:
    return (
        last is not None
        and last.method == request.method == "PATCH"
        and last.url == request.url
        and isinstance(last.body, dict)
        and isinstance(request.body, dict)
    )


def _raise_if_transient(answers: Sequence[BatchResponse]) -> None:
    """Graph's limits or faults outlasted the gateway's retries of the batch: let the journal
    retry the step (what was already made is found by its tag, the rest is safe to repeat)."""
    for answer in answers:
        if is_transient(answer.status):
            raise translate(answer)


def _sends(action: Any) -> bool:
    return action.action in ("forward", "forward_as_attachment", "dispatch") or (
        action.action == "new_message" and action.send
    )


def _position(tag: str, first: int) -> tuple[int, int]:
    _, message, action = tag.rsplit("/", 2)
    return int(message) - first, int(action)


def _graph_message(answer: BatchResponse) -> str:
    error = (answer.body or {}).get("error", {}) if isinstance(answer.body, dict) else {}
    return f"{error.get('code', answer.status)}: {error.get('message', '')}".strip()


async def _already_made(
    graph: GraphSession,
    ctx: StepContext,
    step: QuickStep,
    ids: list[str],
    facts: Mapping[str, MessageFacts | BatchResponse],
) -> dict[str, tuple[str, bool]]:
    """Tag -> (id, still a draft) for what an earlier attempt of this step created."""
    first = ctx.params["first"]
    tags = [
        effects.tag_of(ctx.operation_id, first + n, a)
        for n in range(len(ids))
        for a, action in enumerate(step.actions)
        if action.action in effects.CREATES
    ]
    made: dict[str, tuple[str, bool]] = {}
    prop = effects.TAG_PROPERTY
    for chunk in (tags[i : i + 10] for i in range(0, len(tags), 10)):
        wanted = " or ".join(
            f"singleValueExtendedProperties/any(ep: ep/id eq '{prop}' and ep/value eq '{t}')"
            for t in chunk
        )
        url = (
            f"/users/{ctx.mailbox}/messages?$filter={wanted}&$select=id,isDraft"
            f"&$expand=singleValueExtendedProperties($filter=id eq '{prop}')"
        )
        body = await _get(graph, url)
        for m in body["value"]:
            for ep in m.get("singleValueExtendedProperties") or []:
                made[ep["value"]] = (m["id"], bool(m.get("isDraft")))
    for a, action in enumerate(step.actions):
        if action.action != "copy":
            continue
        folder = ctx.params["folders"][action.folder]
        for n, message_id in enumerate(ids):
            found = facts.get(message_id)
            if not isinstance(found, MessageFacts) or not found.internet_message_id:
                continue
            escaped = found.internet_message_id.replace("'", "''")
            url = (
                f"/users/{ctx.mailbox}/mailFolders/{folder}/messages"
                f"?$filter=internetMessageId eq '{escaped}'&$select=id"
            )
            copies = (await _get(graph, url))["value"]
            if copies:  # a copy has the original's internetMessageId
                made[effects.tag_of(ctx.operation_id, first + n, a)] = (copies[0]["id"], False)
    todo = [a for a in step.actions if a.action == "todo_task"]
    if todo:
        for list_id in set(ctx.params["todo_lists"].values()):
            url = f"/users/{ctx.actor}/todo/lists/{list_id}/tasks?$expand=linkedResources"
            for task in await _get_all(graph, url):
                for link in task.get("linkedResources") or []:
                    if str(link.get("externalId", "")).startswith(ctx.operation_id + "/"):
                        made[link["externalId"]] = (task["id"], False)
    return made


def _dispatch_rows(
    ctx: StepContext,
    step: QuickStep,
    results: list[MessageResult],
    facts: Mapping[str, MessageFacts | BatchResponse],
) -> list[DispatchRow]:
    department = ctx.params.get("dispatch") or {}
    rows = []
    for n, result in enumerate(results):
        found = facts.get(result.id)
        if not isinstance(found, MessageFacts):
            continue
        for a, (action, outcome) in enumerate(zip(step.actions, result.actions, strict=True)):
            if action.action != "dispatch" or outcome.status != "done":
                continue
            rows.append(
                dispatch_row(
                    NewDispatch(
                        tag=effects.tag_of(ctx.operation_id, ctx.params["first"] + n, a),
                        mailbox=ctx.mailbox,
                        message_id=result.id,
                        conversation_id=found.conversation_id,
                        subject=found.subject[:400],
                        department_key=department["key"],
                        department_name=department["name"],
                        address=department["address"],
                        deadline=dt.date.fromisoformat(department["deadline"]),
                        note=action.note,
                        dispatched_by=ctx.actor,
                    )
                )
            )
    return rows


def _audit_entries(ctx: StepContext, results: list[MessageResult]) -> list[AuditEntry]:
    return [
        AuditEntry(
            actor=ctx.actor,
            mailbox=ctx.mailbox,
            action=f"quickstep.{action.action}",
            outcome="success" if action.status == "done" else "failure",
            item_id=message.id,
            operation_id=ctx.operation_id,
            details={
                "quickstep": ctx.params["quickstep"],
                "version": ctx.params["version"],
                "label": action.label,
                **({"error": action.detail} if action.detail else {}),
            },
        )
        for message in results
        for action in message.actions
        if action.status != "not_run"
    ]
