"""Preview and apply a quick step to one or more messages in an executive's mailbox.

Shape of an apply (DESIGN principles 3 and 4):

1. The roster decides (the mailbox, and the step's ``allowed``), before Graph is asked.
2. Folders, categories and To Do lists the step needs are found or made; that is idempotent
   and happens before the journal, so their ids can be part of the plan.
3. The journal plans one step per group of messages; each group is one ``$batch`` with a
   ``dependsOn`` chain per message (order kept, a failure stops that message's rest), then
   one more ``$batch`` that sends the forwards it drafted. Groups hold as many messages as fit
   in 20 sub-requests, at most four (Exchange runs four at a time per mailbox anyway).
4. A retried group first looks up what it already created (by tag) and does not make it again;
   the other actions are idempotent. A resubmit with the same operation id returns the result.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.audit import AuditEntry, record
from automations.errors import AccessDenied, BadRequest, Throttled, Unavailable
from automations.graph import BatchRequest, BatchResponse, GraphSession, translate
from automations.journal import Journal, Operation, StepContext, StepPlan
from automations.quicksteps import effects
from automations.quicksteps.effects import MessageFacts, Prepared
from automations.quicksteps.models import QuickStep
from automations.quicksteps.service import ActiveSet
from automations.roster.models import Roster
from automations.roster.policy import Action, authorize

__all__ = ["ActionResult", "MessageResult", "Preview", "apply", "may_use", "preview"]

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
    "body,toRecipients,ccRecipients"
)
TRANSIENT = frozenset({429, 503, 504})
RESUMES = 3  # in-process resumes of an operation that met transient faults


@dataclass(frozen=True)
class Preview:
    step: str
    version: int
    messages: list[dict[str, Any]]  # {id, subject, sender, changes: [str]}
    new_folders: list[str]
    new_categories: list[str]


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
    graph: GraphSession, mailbox: str, actor: str, step: QuickStep, *, create: bool
) -> tuple[Prepared, list[str], list[str]]:
    folders: dict[str, str] = {}
    new_folders: list[str] = []
    for path in dict.fromkeys(a.folder for a in step.actions if a.action in ("move", "copy")):
        folder_id, made = await _find_folder(graph, mailbox, path, create=create)
        if folder_id:
            folders[path] = folder_id
        if made:
            new_folders.append(path)
    new_categories: list[str] = []
    wanted = {c: a.colors.get(c, "none") for a in step.actions if a.action == "categorize"
              for c in a.categories}  # fmt: skip
    if wanted:
        master = await _get(graph, f"/users/{mailbox}/outlook/masterCategories")
        known = {c["displayName"].lower() for c in master["value"]}
        missing = [c for c in wanted if c.lower() not in known]
        new_categories = missing
        if create and missing:
            url = f"/users/{mailbox}/outlook/masterCategories"
            answers = await graph.batch(
                [BatchRequest("POST", url, {"displayName": c, "color": wanted[c]}) for c in missing]
            )
            for answer in answers:
                if answer.status != 409:  # 409: made meanwhile; fine
                    answer.raise_for_status()
    todo_lists: dict[str, str] = {}
    names = {a.task_list for a in step.actions if a.action == "todo_task"}
    if names:
        lists = await _get(graph, f"/users/{actor}/todo/lists")
        by_name = {lst["displayName"].lower(): lst["id"] for lst in lists["value"]}
        for name in names:
            if name.lower() in by_name:
                todo_lists[name] = by_name[name.lower()]
            elif create:
                url = f"/users/{actor}/todo/lists"
                made_list = await graph.batch([BatchRequest("POST", url, {"displayName": name})])
                made_list[0].raise_for_status()
                todo_lists[name] = made_list[0].body["id"]
    return Prepared(folders=folders, todo_lists=todo_lists), new_folders, new_categories


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
) -> Preview:
    """Exactly what applying would change, per message; changes nothing."""
    step = _step(steps, name)
    mailbox = mailbox.lower()
    _authorize(step, roster, actor, mailbox)
    ids = _check_selection(message_ids)
    _, new_folders, new_categories = await _prepare(graph, mailbox, actor, step, create=False)
    facts = await _facts(graph, mailbox, ids)
    messages = []
    for i in ids:
        found = facts[i]
        if not isinstance(found, MessageFacts):
            messages.append({"id": i, "subject": "", "sender": "", "error": _why(found)})
            continue
        changes = [
            effects.describe(a, today, set(new_folders), set(new_categories)) for a in step.actions
        ]
        sender = found.sender_name or found.sender_address
        messages.append({"id": i, "subject": found.subject, "sender": sender, "changes": changes})
    return Preview(step.name, steps.info.version, messages, new_folders, new_categories)


def _step(steps: ActiveSet, name: str) -> QuickStep:
    step = steps.steps.step(name)
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
def _groups(ids: list[str], per_message: int) -> list[list[int]]:
    size = max(1, min(4, MAX_SUBREQUESTS // max(1, per_message)))
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
) -> list[MessageResult]:
    """Apply step ``name`` to the messages, exactly once per ``operation_id``."""
    step = _step(steps, name)
    mailbox, actor = mailbox.lower(), actor.lower()
    _authorize(step, roster, actor, mailbox)
    ids = _check_selection(message_ids)
    prepared, _, _ = await _prepare(graph, mailbox, actor, step, create=True)
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
                "today": today.isoformat(),
            },
        )
        for group in _groups(ids, len(step.actions))
    ]
    names = {"mailbox": roster.names.get(mailbox, mailbox), "actor": roster.names.get(actor, actor)}

    async def run_group(ctx: StepContext) -> dict[str, Any]:
        results = await _run_group(graph, ctx, step, names)
        await _audit(sessions, ctx, results)
        return {"messages": [_as_json(r) for r in results]}

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
            if attempt == RESUMES:
                raise
            delay = getattr(exc, "retry_after", None) or 0.2 * (attempt + 1)
            log.info("operation %s meets %s; resuming in %.1fs", operation_id, exc.code, delay)
            await asyncio.sleep(min(delay, 10))
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
) -> list[MessageResult]:
    params = ctx.params
    mailbox, actor = ctx.mailbox, ctx.actor
    today = dt.date.fromisoformat(params["today"])
    prepared = Prepared(folders=params["folders"], todo_lists=params["todo_lists"])
    ids: list[str] = list(params["messages"])
    facts = await _facts(graph, mailbox, ids)
    made = await _already_made(graph, ctx, step, ids, facts) if ctx.attempt > 1 else {}

    requests: list[BatchRequest] = []
    slots: dict[tuple[int, int], int] = {}  # (message, action) -> request index
    for n, message_id in enumerate(ids):
        found = facts[message_id]
        if not isinstance(found, MessageFacts):
            continue
        values = effects.template_values(found, names["mailbox"], names["actor"])
        categories = found.categories
        previous: int | None = None
        for a, action in enumerate(step.actions):
            tag = effects.tag_of(ctx.operation_id, params["first"] + n, a)
            if tag in made:
                continue  # the first attempt made it; do not make it twice
            for request in effects.requests_for(
                action,
                mailbox=mailbox,
                actor=actor,
                facts=found,
                categories=categories,
                prepared=prepared,
                values=values,
                tag=tag,
                today=today,
            ):
                depends = (previous,) if previous is not None else ()
                requests.append(
                    BatchRequest(request.method, request.url, request.body, depends_on=depends)
                )
                previous = len(requests) - 1
                slots[(n, a)] = previous
            if action.action == "categorize":
                categories = tuple(dict.fromkeys([*categories, *action.categories]))
    answers = await graph.batch(requests) if requests else []
    _raise_if_transient(answers)

    # Forwards and messages to send were made as tagged drafts; now send them.
    to_send: dict[tuple[int, int], str] = {}
    for (n, a), index in slots.items():
        action = step.actions[a]
        if _sends(action) and answers[index].ok:
            to_send[(n, a)] = answers[index].body["id"]
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
            label = effects.describe(action, today, set(), set())
            tag = effects.tag_of(ctx.operation_id, params["first"] + n, a)
            answer = answers[slots[(n, a)]] if (n, a) in slots else None
            status, detail = "done", ""
            if answer is not None and answer.status == 424:
                status, detail = "not_run", "Niet uitgevoerd: een eerdere actie mislukte."
            elif answer is not None and not answer.ok:
                status, detail = "failed", _graph_message(answer)
            elif (n, a) in send_answer and not send_answer[(n, a)].ok:
                status, detail = (
                    "failed",
                    "Opgesteld maar niet verzonden: " + _graph_message(send_answer[(n, a)]),
                )
            elif answer is None and tag not in made:
                status = "not_run"
            actions.append(ActionResult(action.action, label, status, detail))
        results.append(MessageResult(message_id, found.subject, actions))
    return results


def _raise_if_transient(answers: Sequence[BatchResponse]) -> None:
    """Graph's limits or faults outlasted the batch's own retries: let the journal retry the
    step (what was already made is found by its tag, the rest is safe to repeat)."""
    for answer in answers:
        if answer.status in TRANSIENT:
            raise translate(answer)


def _sends(action: Any) -> bool:
    return action.action in ("forward", "forward_as_attachment") or (
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


async def _audit(
    sessions: async_sessionmaker[AsyncSession], ctx: StepContext, results: list[MessageResult]
) -> None:
    async with sessions() as session, session.begin():
        for message in results:
            for action in message.actions:
                if action.status == "not_run":
                    continue
                await record(
                    session,
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
                    ),
                )
