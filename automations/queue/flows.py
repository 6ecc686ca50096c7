"""The work queue's use cases, one function each, for every adapter (API, pane, CLI, jobs).

Each flow authorises through ``roster.policy``, writes and audits in the store, and announces
what changed through ``deps.publish`` so open panes of every instance redraw. Routes only
parse and render.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from automations.context import Actor, Deps
from automations.errors import BadRequest, Unprocessable
from automations.graph import GraphSession
from automations.processing import flows as processing
from automations.queue import claims, closing, handover
from automations.queue.claims import Claim
from automations.queue.models import ClaimHeld, message_key
from automations.queue.service import QueueItem, TeamRow, build_queue, counts_of, narrow, team_of
from automations.roster.models import Roster
from automations.roster.policy import Action, acting_for, authorize
from automations.roster.service import snapshot, take_over
from automations.store.models import JobFindingRow

__all__ = [
    "RECHECK_S",
    "Audience",
    "QueueView",
    "MAX_CLAIMED",
    "ClaimedMails",
    "claim_messages",
    "claim_work",
    "complete_flag",
    "dismiss_finding",
    "ensure_unclaimed",
    "handover_for",
    "holder_of_message",
    "mail_handover",
    "read_queue",
    "release_work",
    "take_over_front_office",
    "working_in",
]


def working_in(actor: Actor, executive: str | None = None) -> list[str]:
    """One executive (checked), or every executive whose mailbox I work in."""
    if executive:
        authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, executive)
        return [executive.lower()]
    return acting_for(actor.roster, actor.upn)


@dataclass(frozen=True)
class QueueView:
    items: list[QueueItem]  # narrowed and ordered
    counts: dict[str, int]  # of the items shown
    all_counts: dict[str, int]  # before narrowing (the pane's filter buttons)
    held: dict[str, Claim]  # live claims by claim key
    team: list[TeamRow]
    mailboxes: list[str]

    def claim_of(self, item: QueueItem) -> Claim | None:
        return self.held.get(item.claim_key)


async def read_queue(
    deps: Deps, actor: Actor, *, executive: str | None = None, mine: bool = False,
    office: str | None = None, overdue: bool = False, kind: str | None = None,
    order: str = "urgentie", narrow_to: str | None = None,
) -> QueueView:  # fmt: skip
    """Open work of the executives I work for (or one of them, ``executive``, checked);
    ``narrow_to`` only filters what is shown (the pane keeps its counts of everything)."""
    boxes = working_in(actor, executive)
    today, now = deps.today(), deps.now()
    async with deps.sessions() as session:
        items = await build_queue(session, roster=actor.roster, mailboxes=boxes, today=today,
                                  now=now)  # fmt: skip
        held = await claims.current_claims(session, mailboxes=boxes, now=now)
    shown = narrow(items, user=actor.upn, claimed_by={k: c.claimed_by for k, c in held.items()},
                   mine=mine, overdue=overdue, office=office, kind=kind, executive=narrow_to,
                   order=order)  # fmt: skip
    team = team_of(actor.roster, boxes, today)
    return QueueView(items=shown, counts=counts_of(shown), all_counts=counts_of(items),
                     held=held, team=team, mailboxes=boxes)  # fmt: skip


async def claim_work(
    deps: Deps, actor: Actor, *, key: str, mailbox: str, take_over: bool = False
) -> Claim:
    """ "Ik pak dit op" on a queue item or a mail: one claim per piece of work. A colleague's
    live claim is ``ClaimHeld`` (409: who and since when) unless she chose to take it over."""
    authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, mailbox)
    held = await claims.claim(
        deps.sessions, key=key, mailbox=mailbox.lower(), actor=actor.upn, now=deps.now(),
        names=actor.roster.names, ttl=deps.claim_ttl, take_over=take_over,
    )  # fmt: skip
    deps.publish("claim", held.mailbox, key=held.key, by=held.claimed_by)
    return held


MAX_CLAIMED = 100  # as many as a selection holds


@dataclass(frozen=True)
class ClaimedMails:
    """ "Ik pak dit op" on several mails: the ones now hers, and those a colleague works on
    (message id → her claim), left to her unless she chose to take them over."""

    mine: list[str]
    held: dict[str, Claim]


async def claim_messages(
    deps: Deps, actor: Actor, *, mailbox: str, message_ids: Sequence[str], take_over: bool = False
) -> ClaimedMails:
    """ "Ik pak dit op" on a selection: one claim per mail, as on one mail; a colleague's
    live claim is reported, not an error, so the rest is still picked up."""
    authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, mailbox)
    ids = list(dict.fromkeys(m for m in message_ids if m))
    if not ids:
        raise BadRequest("Kies minstens één bericht.")
    if len(ids) > MAX_CLAIMED:
        raise BadRequest(f"Hooguit {MAX_CLAIMED} berichten tegelijk.")
    mine: list[str] = []
    held: dict[str, Claim] = {}
    for message_id in ids:
        try:
            await claims.claim(
                deps.sessions, key=message_key(message_id), mailbox=mailbox.lower(),
                actor=actor.upn, now=deps.now(), names=actor.roster.names, ttl=deps.claim_ttl,
                take_over=take_over,
            )  # fmt: skip
            mine.append(message_id)
        except ClaimHeld as busy:
            held[message_id] = busy.held
    if mine:
        deps.publish("claim", mailbox.lower(), key=message_key(mine[0]), by=actor.upn)
    return ClaimedMails(mine, held)


async def release_work(deps: Deps, actor: Actor, *, key: str) -> str:
    """Let go of a claim (mine, or a colleague's I free for the team); returns its mailbox."""
    mailbox = await claims.release(deps.sessions, actor.roster, key=key, actor=actor.upn)
    deps.publish("release", mailbox, key=key)
    return mailbox


async def holder_of_message(
    deps: Deps, actor: Actor, *, mailbox: str, message_id: str
) -> Claim | None:
    """Who works on this mail now (the claim on the mail or on what was made from it)."""
    authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, mailbox)
    async with deps.sessions() as session:
        return await claims.held_on_message(
            session, mailbox=mailbox, message_id=message_id, now=deps.now()
        )


async def ensure_unclaimed(
    deps: Deps, actor: Actor, *, mailbox: str, message_ids: Sequence[str], despite: bool
) -> None:
    """Before acting on mail: a colleague working on it is ``ClaimHeld`` (asked first), unless
    ``despite`` — then going ahead is audited so she can see who did. Membership first, here
    too: someone outside the team learns nothing of its claims, and leaves no audit row."""
    authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, mailbox)
    await claims.ensure_free(
        deps.sessions, mailbox=mailbox.lower(), message_ids=list(message_ids), actor=actor.upn,
        now=deps.now(), names=actor.roster.names, despite=despite,
    )  # fmt: skip


async def take_over_front_office(
    deps: Deps, actor: Actor, *, executive: str, note: str | None = None
) -> tuple[str | None, Roster]:
    """ "Neem over": I am her front office today (a dated roster exception, audited); returns
    who was front office before and the roster as it is now."""
    async with deps.sessions() as session, session.begin():
        before = await take_over(session, actor.roster, executive=executive, secretary=actor.upn,
                                 day=deps.today(), note=note)  # fmt: skip
        fresh = await snapshot(session)
    deps.publish("team", executive, front=actor.upn)
    return before, fresh


async def dismiss_finding(
    deps: Deps, actor: Actor, *, finding_id: str, reason: str = ""
) -> JobFindingRow:
    """A conflict she accepts as it is ("afvinken"): closed, and the jobs leave it closed."""
    row = await closing.dismiss_finding(deps.sessions, actor.roster, finding_id=finding_id,
                                        actor=actor.upn, now=deps.now(), reason=reason)  # fmt: skip
    deps.publish("closed", row.mailbox, key=f"conflict:{row.id}")
    return row


async def complete_flag(
    deps: Deps, graph: GraphSession, actor: Actor, *, finding_id: str
) -> JobFindingRow:
    """Flagged mail dealt with: its flag in her mailbox is marked complete."""
    row = await closing.complete_flag(graph, deps.sessions, actor.roster, finding_id=finding_id,
                                      actor=actor.upn, now=deps.now())  # fmt: skip
    deps.publish("closed", row.mailbox, key=message_key(row.details["message"]))
    return row


async def handover_for(
    deps: Deps, actor: Actor, *, executive: str | None = None, mailboxes: Sequence[str] = (),
    graph: GraphSession | None = None,
) -> handover.Handover:  # fmt: skip
    """Per executive I work for: open work, today's changes, what is due next working day;
    with ``graph``, also the mail nobody has handled yet ("nog niet verwerkt")."""
    boxes = list(mailboxes) or working_in(actor, executive)
    async with deps.sessions() as session:
        found = await handover.build_handover(session, roster=actor.roster, mailboxes=boxes,
                                              today=deps.today(), now=deps.now())  # fmt: skip
    if graph is None:
        return found
    subjects = await processing.unprocessed_subjects(deps, graph, actor, mailboxes=boxes)
    return handover.with_unprocessed(found, subjects)


async def mail_handover(
    deps: Deps, graph: GraphSession, actor: Actor, *, to: str, operation_id: str
) -> handover.Handover:
    """The handover of the executives we share, mailed from my own mailbox (once per click)."""
    to = to.lower()
    roster = actor.roster
    shared = [m for m in acting_for(roster, actor.upn) if m in roster.serves.get(to, frozenset())]
    if not shared:
        raise Unprocessable(
            f"{actor.name(to)} werkt niet voor uw bestuurders; kies een collega uit het team."
        )
    found = await handover_for(deps, actor, mailboxes=shared, graph=graph)
    await handover.mail_handover(graph, found, sender=actor.upn, to=to, names=roster.names,
                                 base_url=deps.base_url,
                                 tag=f"handover/{operation_id}/{to}")  # fmt: skip
    return found


RECHECK_S = 60.0  # a roster change nobody announced (another process) reaches a stream this late


class Audience:
    """Which queue events reach one open pane: those of the mailboxes she works in *now*.

    The roster is read again when a change of it is announced (a ``team`` event) and at least
    every ``RECHECK_S`` seconds, so someone taken off a team stops hearing its claims. The
    next ``team`` event of a mailbox she was taken off still reaches her, bare, so her pane
    redraws without that team.
    """

    def __init__(
        self, deps: Deps, upn: str, roster: Roster, *, recheck: float = RECHECK_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:  # fmt: skip
        self._deps, self._upn = deps, upn.lower()
        self._recheck, self._monotonic = recheck, monotonic
        self.mailboxes = frozenset(acting_for(roster, self._upn))
        self._left: set[str] = set()  # taken off these; not yet told
        self._read_at = monotonic()

    async def _reread(self) -> None:
        async with self._deps.sessions() as session:
            roster = await snapshot(session)
        before, self.mailboxes = self.mailboxes, frozenset(acting_for(roster, self._upn))
        self._left = (self._left | (before - self.mailboxes)) - self.mailboxes
        self._read_at = self._monotonic()

    async def admit(self, event: dict[str, Any]) -> dict[str, Any] | None:
        """``event`` as she may see it, or None when it is not hers to see."""
        mailbox, kind = event.get("mailbox"), event.get("type")
        if kind == "team" or self._monotonic() - self._read_at >= self._recheck:
            await self._reread()
        if mailbox in self.mailboxes:
            return event
        if kind == "team" and mailbox in self._left:
            self._left.discard(mailbox)
            return {"type": kind, "mailbox": mailbox}
        return None
