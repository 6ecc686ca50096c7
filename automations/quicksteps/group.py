"""One journal step of an apply: the step's actions on a group of up to 20 messages.

Each message's requests go in order (a failure stops that message's rest), all messages side
by side, each as a plain request: the gateway keeps four in flight per mailbox and hands a
freed slot to the next request waiting, so Exchange's four slots stay busy across messages
(``in_chains``). Not ``$batch`` waves: a wave waits for its slowest request, a batch costs
one more round trip and holds the mailbox's four slots while it runs, and Graph's ``$batch``
takes parallel requests or one chain, not parallel chains. Consecutive property changes
(read, flag, categories, importance) are one PATCH. What the group drafted to send is sent
last. A retried group first finds what its earlier attempt made (``resume``) and does not
make it again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from automations.audit import AuditEntry
from automations.graph import BatchRequest, BatchResponse, GraphSession, is_transient, translate
from automations.journal import Effect, StepContext, StepOutcome
from automations.quicksteps.actions import ActionType, DescribeContext, Done, Made, RequestContext
from automations.quicksteps.effects import MessageFacts, Prepared, tag_of, template_values
from automations.quicksteps.letters import Letter
from automations.quicksteps.reads import graph_message, read_facts, why_unreadable
from automations.quicksteps.results import ActionResult, MessageResult, as_json
from automations.quicksteps.resume import already_made, position

__all__ = ["in_chains", "run_group"]

Slot = tuple[int, int]  # (message within the group, action)
IN_FLIGHT = 4  # Exchange's concurrent requests per app and mailbox


@dataclass(frozen=True)
class _Group:
    """What a run of the group knows once its messages are read."""

    ctx: StepContext
    kinds: Sequence[ActionType[Any]]
    ids: list[str]
    facts: Mapping[str, MessageFacts | BatchResponse]
    prepared: Prepared
    made: Mapping[str, Made]  # what an earlier attempt made, by tag

    @property
    def today(self) -> dt.date:
        return dt.date.fromisoformat(self.ctx.params["today"])

    def tag(self, slot: Slot) -> str:
        n, a = slot
        return tag_of(self.ctx.operation_id, self.ctx.params["first"] + n, a)


@dataclass
class _Plan:
    """The group's requests, each action's request indices, each message's chain of them."""

    requests: list[BatchRequest] = field(default_factory=list)
    slots: dict[Slot, list[int]] = field(default_factory=dict)
    chains: dict[int, list[int]] = field(default_factory=dict)


async def run_group(
    graph: GraphSession,
    ctx: StepContext,
    kinds: Sequence[ActionType[Any]],
    names: Mapping[str, str],
    letter: Letter | None = None,
) -> StepOutcome:
    """Carry out the group; its result, audit lines and store records go to the journal
    together, so a resume never repeats them. ``letter``: the step's salutation and signer,
    when its templates use them."""
    params = ctx.params
    prepared = Prepared(
        folders=params["folders"],
        todo_lists=params["todo_lists"],
        dispatch=params.get("dispatch") or {},
    )
    ids: list[str] = list(params["messages"])
    facts = await read_facts(graph, ctx.mailbox, ids)
    made = await already_made(graph, ctx, kinds, ids, facts, prepared) if ctx.attempt > 1 else {}
    group = _Group(ctx, kinds, ids, facts, prepared, made)
    plan = _plan(group, names, letter)
    answers = await in_chains(graph, plan.requests, plan.chains)
    sent = await _send(graph, group, plan, answers)
    results = _results(group, plan, answers, sent)

    messages = [as_json(r) for r in results]
    if ctx.attempt == 1:  # a retry reads the state its first attempt may have changed
        for message in messages:
            found = facts.get(message["id"])
            if isinstance(found, MessageFacts):
                message["before"] = dict(found.state)
    caused = [*_audit_entries(ctx, results), *_records(group, results)]
    return StepOutcome({"messages": messages}, effects=tuple(caused))


def _plan(group: _Group, names: Mapping[str, str], letter: Letter | None = None) -> _Plan:
    """Every readable message's requests, in the order of the step's actions."""
    ctx, plan = group.ctx, _Plan()
    for n, message_id in enumerate(group.ids):
        found = group.facts[message_id]
        if not isinstance(found, MessageFacts):
            continue
        values = template_values(found, names["mailbox"], names["actor"], letter)
        categories = found.categories
        previous: int | None = None
        chain = plan.chains.setdefault(n, [])
        for a, kind in enumerate(group.kinds):
            tag = group.tag((n, a))
            planned = kind.requests(
                RequestContext(
                    mailbox=ctx.mailbox,
                    actor=ctx.actor,
                    facts=found,
                    categories=categories,
                    prepared=group.prepared,
                    values=values,
                    tag=tag,
                    today=group.today,
                    now=ctx.now,
                )
            )
            if tag in group.made:
                planned = planned[1:]  # the first attempt made the item; redo only the rest
            for request in planned:
                last = plan.requests[previous] if previous is not None else None
                if last is not None and previous is not None and _mergeable(last, request):
                    # Consecutive property changes of one message travel as one PATCH; the
                    # later action's value wins, as it would one after the other.
                    plan.requests[previous] = replace(last, body={**last.body, **request.body})
                else:
                    plan.requests.append(request)
                    previous = len(plan.requests) - 1
                    chain.append(previous)
                plan.slots.setdefault((n, a), []).append(previous)
            categories = kind.categories_after(categories, group.prepared)
    return plan


async def in_chains(
    graph: GraphSession, requests: list[BatchRequest], chains: Mapping[int, list[int]]
) -> list[BatchResponse | None]:
    """Each chain's requests one after the other, all chains at once, each a plain request.

    Four of them are out at a time (Exchange's limit per mailbox, which the gateway's limiter
    keeps for the whole process), and a slot that frees goes first come, first served to the
    next request of any message: no request waits for a wave's slowest. A failed request
    leaves the rest of its chain unsent (None). After an error, or an answer still transient
    after the gateway's retries, no chain starts another request; the few on the wire finish
    (cancelling one would leave its outcome unknown), then the first error is raised for the
    journal to retry the step."""
    answers: list[BatchResponse | None] = [None] * len(requests)
    errors: list[Exception] = []
    slots = asyncio.Semaphore(IN_FLIGHT)  # fair: waiters are served in order

    async def run(chain: list[int]) -> None:
        for i in chain:
            async with slots:
                if errors:
                    return
                try:
                    [answer] = await graph.batch([requests[i]])
                    answers[i] = answer
                    _raise_if_transient(answer)
                except Exception as exc:  # kept, and raised once every chain has stopped
                    errors.append(exc)
                    return
            if not answer.ok:
                return

    await asyncio.gather(*(run(chain) for chain in chains.values()))
    if errors:
        raise errors[0]
    return answers


async def _send(
    graph: GraphSession,
    group: _Group,
    plan: _Plan,
    answers: Sequence[BatchResponse | None],
) -> dict[Slot, BatchResponse]:
    """Send the drafts made to be sent: this attempt's, and an earlier attempt's still unsent."""
    to_send: dict[Slot, str] = {}
    for slot, indices in plan.slots.items():
        answer = answers[indices[0]]
        sends = group.kinds[slot[1]].sends
        if sends and group.tag(slot) not in group.made and answer is not None and answer.ok:
            to_send[slot] = answer.body["id"]
    for tag, (draft_id, is_draft) in group.made.items():
        slot = position(tag, group.ctx.params["first"])
        if is_draft and group.kinds[slot[1]].sends:
            to_send[slot] = draft_id
    order = list(to_send)
    if not order:
        return {}
    mailbox = group.ctx.mailbox
    posts = [BatchRequest("POST", f"/users/{mailbox}/messages/{to_send[s]}/send") for s in order]
    sent = await in_chains(graph, posts, {k: [k] for k in range(len(posts))})
    return {s: answer for s, answer in zip(order, sent, strict=True) if answer is not None}


def _results(
    group: _Group,
    plan: _Plan,
    answers: Sequence[BatchResponse | None],
    sent: Mapping[Slot, BatchResponse],
) -> list[MessageResult]:
    """Per message and action: done, failed (Graph's reason) or not run (and why)."""
    unread = DescribeContext(group.today)
    told = DescribeContext(group.today, dispatch=group.prepared.dispatch)
    results = []
    for n, message_id in enumerate(group.ids):
        found = group.facts[message_id]
        if not isinstance(found, MessageFacts):
            reason = why_unreadable(found)
            actions = [
                ActionResult(k.name, k.describe(unread), "not_run", reason) for k in group.kinds
            ]
            results.append(MessageResult(message_id, "", actions))
            continue
        actions = []
        for a, kind in enumerate(group.kinds):
            slot = (n, a)
            mine = [answers[i] for i in plan.slots.get(slot, [])]
            failed = next((x for x in mine if x is not None and not x.ok), None)
            status, detail = "done", ""
            if failed is not None:
                status, detail = "failed", graph_message(failed)
            elif any(x is None for x in mine):
                status, detail = "not_run", "Niet uitgevoerd: een eerdere actie mislukte."
            elif slot in sent and not sent[slot].ok:
                status = "failed"
                detail = "Opgesteld maar niet verzonden: " + graph_message(sent[slot])
            elif slot not in plan.slots and group.tag(slot) not in group.made:
                status = "not_run"
            actions.append(ActionResult(kind.name, kind.describe(told), status, detail))
        results.append(MessageResult(message_id, found.subject, actions))
    return results


def _mergeable(last: BatchRequest, request: BatchRequest) -> bool:
    return (
        last.method == request.method == "PATCH"
        and last.url == request.url
        and isinstance(last.body, dict)
        and isinstance(request.body, dict)
    )


def _raise_if_transient(answer: BatchResponse) -> None:
    """Graph's limits or faults outlasted the gateway's retries: let the journal retry the
    step (what was already made is found by its tag, the rest is safe to repeat)."""
    if is_transient(answer.status):
        raise translate(answer)


def _records(group: _Group, results: Sequence[MessageResult]) -> list[Effect]:
    """What the done actions leave in the store (a dispatch's tracking row)."""
    ctx = group.ctx
    rows: list[Effect] = []
    for n, result in enumerate(results):
        found = group.facts.get(result.id)
        if not isinstance(found, MessageFacts):
            continue
        for a, (kind, outcome) in enumerate(zip(group.kinds, result.actions, strict=True)):
            if outcome.status == "done":
                tag = group.tag((n, a))
                done = Done(tag, ctx.mailbox, ctx.actor, result.id, found, group.prepared)
                rows.extend(kind.records(done))
    return rows


def _audit_entries(ctx: StepContext, results: Sequence[MessageResult]) -> list[AuditEntry]:
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
