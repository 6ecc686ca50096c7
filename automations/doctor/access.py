"""Toegang controleren: can a secretary, with her own delegated rights, do her work in the
mailboxes of the executives the roster says she serves? Per executive: read the Inbox, write a
draft (in Drafts, removed again at once) and see the calendar. Each is ``ok``, ``refused``,
``not_found`` or ``other``; when not ok it comes with what to ask IT: the Exchange Online
setting for her and that executive ("ICT" in the Dutch texts).

``gather`` asks Graph (her session, on-behalf-of her); ``capability_status``, ``draft_status``,
``ask_it`` and ``judge`` are pure verdicts on what it answered; the flows keep her last result
in the store. The pane runs ``recent_access`` when she signs in (a result younger than a day
is shown as it is) and ``check_access`` when she asks; ``/api/v1/me/access`` does the same.

Graph per executive: a first round (one ``$batch`` for all of them) reads one Inbox id, one
calendarView id for the next hour, and creates a draft tagged with our extended property; a
second removes that draft with ``permanentDelete`` (to the dumpster's Purges folder, which no
client shows: nothing passes through Deleted Items). A creation without a clear answer, or a
draft an earlier check could not remove, is found again by its tag and removed the same way.
Every request goes through the gateway, which keeps at most four in flight per mailbox; a
round holds at most four requests for one mailbox.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ValidationError, computed_field
from sqlalchemy.exc import IntegrityError

from automations.audit import AuditEntry, record
from automations.context import Actor, Deps
from automations.errors import AppError, AuthenticationFailed
from automations.graph import BatchRequest, BatchResponse, GraphSession, calendar, mail
from automations.mailboxes.tagged import TAG_PROPERTY, tagged_filter
from automations.metrics import pseudonym
from automations.roster.policy import Action, authorize, served_by
from automations.store.models import AccessCheckRow

__all__ = [
    "CAPABILITIES",
    "MAX_AGE",
    "NOT_ASKED",
    "SUBJECT",
    "AccessReport",
    "Answer",
    "CapabilityResult",
    "ExecutiveAccess",
    "Probes",
    "ask_it",
    "capability_status",
    "check_access",
    "draft_status",
    "gather",
    "judge",
    "last_access",
    "recent_access",
    "tag_for",
]

log = logging.getLogger(__name__)

Capability = Literal["inbox", "drafts", "calendar"]
Status = Literal["ok", "refused", "not_found", "other"]
CAPABILITIES: dict[Capability, str] = {
    "inbox": "Postvak IN lezen",
    "drafts": "Concept schrijven",
    "calendar": "Agenda zien",
}
VERDICTS: dict[Status, str] = {
    "ok": "in orde",
    "refused": "geweigerd",
    "not_found": "niet gevonden",
    "other": "niet vast te stellen",
}
# The folder as Exchange Online PowerShell names it: in a Dutch mailbox, and in an English one.
FOLDERS: dict[Capability, tuple[str, str]] = {
    "inbox": ("Postvak IN", "Inbox"),
    "drafts": ("Concepten", "Drafts"),
    "calendar": ("Agenda", "Calendar"),
}
MAX_AGE = dt.timedelta(days=1)  # a result younger than this is not checked again at sign-in
WINDOW = dt.timedelta(hours=1)  # the calendarView read: the next hour
SUBJECT = "Toegangscontrole Secretariaat (wordt direct verwijderd)"
DENIED_CODES = frozenset({"erroraccessdenied", "accessdenied", "authorization_requestdenied"})


# -- what Graph answered ----------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """Graph's answer to one request: its status (0: none came) and error code."""

    status: int
    code: str | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def unknown(self) -> bool:
        """No clear answer: a request that changes something may have been carried out."""
        return self.status == 0 or self.status >= 500


NOT_ASKED = Answer(0, "not_asked")


@dataclass(frozen=True)
class Probes:
    """What Graph answered for one executive's mailbox."""

    executive: str
    inbox: Answer
    calendar: Answer
    draft: Answer  # creating the test draft
    removed: Answer = NOT_ASKED  # removing it again
    leftover: bool = False  # a test draft of ours may still be in her Drafts


# -- the verdicts -------------------------------------------------------------------------------


class CapabilityResult(BaseModel):
    capability: Capability
    status: Status
    message: str  # Dutch
    ask_it: str | None = None  # Dutch: what to ask IT, when not ok
    code: str | None = None  # Graph's error code (or status), for IT

    @computed_field  # type: ignore[prop-decorator]
    @property
    def label(self) -> str:
        return CAPABILITIES[self.capability]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def verdict(self) -> str:
        return VERDICTS[self.status]


class ExecutiveAccess(BaseModel):
    executive: str
    name: str
    results: list[CapabilityResult]
    leftover: bool = False  # the next check looks for a test draft left in her Drafts

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        return all(r.status == "ok" for r in self.results)


class AccessReport(BaseModel):
    """One check of one secretary's access, as kept in the store and shown in the pane."""

    user: str
    checked_at: dt.datetime
    executives: list[ExecutiveAccess]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        return all(e.ok for e in self.executives)


def capability_status(answer: Answer) -> Status:
    if answer.ok:
        return "ok"
    if answer.status == 403 or (answer.code or "").lower() in DENIED_CODES:
        return "refused"
    if answer.status == 404:
        return "not_found"
    return "other"


def draft_status(created: Answer, removed: Answer) -> tuple[Status, Answer]:
    """Writing a draft counts when it was made and removed again (already gone counts as
    removed); the answer that decided it comes along."""
    status = capability_status(created)
    if status != "ok":
        return status, created
    if removed.ok or removed.status == 404:
        return "ok", created
    return capability_status(removed), removed


def ask_it(
    capability: Capability, status: Status, *, secretary: str, executive: str, code: str | None
) -> str | None:
    """What she asks IT for, naming the Exchange Online setting for her and the executive."""
    if status == "ok":
        return None
    if status == "not_found":
        return (
            f"Vraag ICT na te gaan of {executive} een postvak in Exchange Online heeft"
            f" (Get-Mailbox -Identity {executive}) en of dit adres in het rooster klopt."
        )
    if status == "other":
        return (
            "Probeer het over een paar minuten opnieuw. Blijft dit zo, geef ICT dan de code"
            f" {code or 'onbekend'} door."
        )
    dutch, english = FOLDERS[capability]
    rights = "Editor -SharingPermissionFlags Delegate" if capability == "calendar" else "Editor"
    text = (
        f"Vraag ICT om bewerkrechten op de map {dutch} van {executive}, in Exchange Online"
        f' PowerShell: Add-MailboxFolderPermission -Identity "{executive}:\\{dutch}" -User'
        f" {secretary} -AccessRights {rights} (in een Engelstalig postvak heet de map"
        f" {english}; staat u er al met minder rechten in, dan Set-MailboxFolderPermission met"
        " dezelfde opties)."
    )
    if capability == "calendar":
        return text + " Of de bestuurder zelf in Outlook: Agenda → Delen → u als gemachtigde."
    return text + (
        " Of toegang tot het hele postvak: Add-MailboxPermission -Identity"
        f" {executive} -User {secretary} -AccessRights FullAccess."
    )


def _message(capability: Capability, status: Status, name: str, code: str | None) -> str:
    if status == "not_found":
        return f"Microsoft 365 vindt het postvak of de map van {name} niet."
    if status == "other":
        return f"Microsoft 365 gaf geen bruikbaar antwoord ({code or 'geen antwoord'})."
    texts = {
        ("inbox", "ok"): f"U kunt het Postvak IN van {name} lezen.",
        ("drafts", "ok"): f"U kunt een concept maken in Concepten van {name}.",
        ("calendar", "ok"): f"U kunt de agenda van {name} zien.",
        ("inbox", "refused"): f"U mag het Postvak IN van {name} niet lezen.",
        ("drafts", "refused"): f"U mag geen concept maken in Concepten van {name}.",
        ("calendar", "refused"): f"U mag de agenda van {name} niet zien.",
    }
    return texts[(capability, status)]


def _result(
    capability: Capability, answer: Answer, status: Status, *, secretary: str, executive: str,
    name: str,
) -> CapabilityResult:  # fmt: skip
    code = None if status == "ok" else (answer.code or str(answer.status or "geen antwoord"))
    return CapabilityResult(
        capability=capability, status=status, message=_message(capability, status, name, code),
        ask_it=ask_it(capability, status, secretary=secretary, executive=executive, code=code),
        code=code,
    )  # fmt: skip


def judge(
    probes: Sequence[Probes], *, secretary: str, names: Mapping[str, str], checked_at: dt.datetime
) -> AccessReport:
    """The verdicts on what Graph answered, per executive in the order asked."""
    out = []
    for p in probes:
        name = names.get(p.executive, p.executive)
        who = {"secretary": secretary, "executive": p.executive, "name": name}
        drafts, deciding = draft_status(p.draft, p.removed)
        draft = _result("drafts", deciding, drafts, **who)
        if p.draft.ok and drafts == "refused":  # made, but she may not remove it again
            text = f"U kunt een concept maken in Concepten van {name}, maar het niet verwijderen."
            draft = draft.model_copy(update={"message": text})
        if p.leftover:
            note = f" Er kan een concept ‘{SUBJECT}’ in Concepten zijn achtergebleven; de"
            draft = draft.model_copy(
                update={"message": draft.message + note + " volgende controle ruimt het op."}
            )
        results = [
            _result("inbox", p.inbox, capability_status(p.inbox), **who),
            draft,
            _result("calendar", p.calendar, capability_status(p.calendar), **who),
        ]
        out.append(
            ExecutiveAccess(executive=p.executive, name=name, results=results, leftover=p.leftover)
        )
    return AccessReport(user=secretary, checked_at=checked_at, executives=out)


# -- gathering: Graph with her own delegated identity -----------------------------------------


def tag_for(secretary: str) -> str:
    """The test draft's tag: the same for every check of hers, so a later check finds what
    an earlier one left (no address in it: it goes into a query string)."""
    return "toegangscontrole-" + hashlib.sha256(secretary.lower().encode()).hexdigest()[:16]


def _answer(response: BatchResponse | None, failed: Answer | None = None) -> Answer:
    if response is None:
        return failed or Answer(0, "no_answer")
    error = response.body.get("error") if isinstance(response.body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return Answer(response.status, code if isinstance(code, str) else None)


async def _round(
    graph: GraphSession, requests: Sequence[BatchRequest]
) -> tuple[list[BatchResponse | None], Answer | None]:
    """One ``$batch`` round; a round Graph did not answer at all is ``None`` each, with why."""
    if not requests:
        return [], None
    try:
        return list(await graph.batch(requests)), None
    except AuthenticationFailed:
        raise  # no token for her at all: the pane's own sign-in problem, not a verdict
    except AppError as exc:
        log.warning("access check: a round went unanswered: %s", exc.code)
        return [None] * len(requests), Answer(0, exc.graph_code or exc.code)


def _ids(response: BatchResponse | None) -> list[str]:
    """The ids in a list answer (our tagged drafts)."""
    body = response.body if response is not None and response.ok else None
    values = body.get("value") if isinstance(body, dict) else None
    return [m["id"] for m in values or [] if isinstance(m, dict) and isinstance(m.get("id"), str)]


def _made(response: BatchResponse | None) -> str | None:
    """The id of the draft a creation answered with."""
    body = response.body if response is not None and response.ok else None
    made = body.get("id") if isinstance(body, dict) else None
    return made if isinstance(made, str) else None


def _draft(tag: str) -> dict[str, Any]:
    return {
        "subject": SUBJECT,
        "body": {"contentType": "text", "content": "Controle van uw toegang; wordt verwijderd."},
        "singleValueExtendedProperties": [{"id": TAG_PROPERTY, "value": tag}],
    }


def _tagged(mailbox: str, tag: str) -> BatchRequest:
    """Our test drafts in a mailbox's Drafts, found by their tag."""
    return mail.folder_messages_request(
        mailbox, "drafts", select=["id"], top=20, filter=tagged_filter(tag)
    )


async def gather(
    *, graph: GraphSession, secretary: str, executives: Sequence[str], now: dt.datetime,
    sweep: Iterable[str] = (),
) -> list[Probes]:  # fmt: skip
    """Ask Graph, as her, what each executive's mailbox lets her do; ``sweep``: executives in
    whose Drafts an earlier check may have left its test draft."""
    tag = tag_for(secretary)
    swept = [e for e in dict.fromkeys(s.lower() for s in sweep) if e in executives]
    first: list[BatchRequest] = []
    for e in executives:
        first += [
            mail.folder_messages_request(e, "inbox", select=["id"], top=1),
            calendar.calendar_view_request(e, now, now + WINDOW, select=["id"], top=1),
            mail.create_message_request(e, "drafts", _draft(tag)),
        ]
    first += [_tagged(e, tag) for e in swept]
    answers, failed = await _round(graph, first)
    at = {e: 3 * n for n, e in enumerate(executives)}
    created = {e: _answer(answers[at[e] + 2], failed) for e in executives}
    made = {e: _made(answers[at[e] + 2]) for e in executives}
    found: dict[str, list[str]] = {e: [] for e in executives}
    looked: set[str] = set()  # executives whose Drafts were searched for our tag
    for n, e in enumerate(swept):
        response = answers[3 * len(executives) + n]
        if response is not None and response.ok:
            found[e] += _ids(response)
            looked.add(e)
    # A creation without a clear answer (or without an id) may have made a draft: look again,
    # now that it is done (a search in the same round may have run before it).
    lost = [e for e in executives if created[e].unknown or (created[e].ok and made[e] is None)]
    again, _ = await _round(graph, [_tagged(e, tag) for e in lost])
    for e, response in zip(lost, again, strict=True):
        found[e] += _ids(response)
        (looked.add if response is not None and response.ok else looked.discard)(e)
    left = {e for e in [*swept, *lost] if e not in looked}  # not searched: may still be there
    removals = [
        (e, i) for e in executives for i in dict.fromkeys([*filter(None, [made[e]]), *found[e]])
    ]
    gone, why = await _round(graph, [mail.permanent_delete_request(e, i) for e, i in removals])
    removed: dict[str, Answer] = {}
    for (e, i), response in zip(removals, gone, strict=True):
        answer = _answer(response, why)
        if i == made[e]:
            removed[e] = answer
        if not (answer.ok or answer.status == 404):  # 404: gone already (a check beside it)
            left.add(e)
    return [
        Probes(
            executive=e, inbox=_answer(answers[at[e]], failed),
            calendar=_answer(answers[at[e] + 1], failed), draft=created[e],
            removed=removed.get(e, NOT_ASKED), leftover=e in left,
        )
        for e in executives
    ]  # fmt: skip


# -- the flows: every way in calls these --------------------------------------------------------


def _executives(actor: Actor) -> list[str]:
    """The executives she serves (none for an executive or an admin); only for those on the
    roster."""
    authorize(actor.roster, actor.upn, Action.ACT_ON_MAILBOX, actor.upn)
    return served_by(actor.roster, actor.upn)


async def last_access(deps: Deps, actor: Actor) -> AccessReport | None:
    """Her last check, as it was kept; None when there is none (or none this version reads)."""
    async with deps.sessions() as session:
        row = await session.get(AccessCheckRow, actor.upn)
        kept = dict(row.report) if row is not None else None
    if kept is None:
        return None
    try:
        return AccessReport.model_validate(kept)
    except ValidationError:
        return None


async def _keep(deps: Deps, report: AccessReport) -> None:
    data: dict[str, Any] = report.model_dump(mode="json")
    for attempt in range(2):
        async with deps.sessions() as session:
            row = await session.get(AccessCheckRow, report.user)
            if row is None:
                session.add(AccessCheckRow(user_upn=report.user, checked_at=report.checked_at,
                                           report=data))  # fmt: skip
            else:
                row.checked_at, row.report = report.checked_at, data
            for access in report.executives:  # a test draft was written (and purged) in hers
                await record(session, AuditEntry(
                    actor=report.user, on_behalf_of=access.executive, mailbox=access.executive,
                    action="access.check", outcome="success",
                    details={r.capability: r.status for r in access.results},
                ))  # fmt: skip
            try:
                await session.commit()
                return
            except IntegrityError:  # a check in another pane of hers kept one meanwhile
                if attempt:
                    raise


async def check_access(deps: Deps, graph: GraphSession, actor: Actor) -> AccessReport:
    """Check now, with her own rights (``graph`` is her session), and keep it as her last."""
    return await _check(deps, graph, actor, await last_access(deps, actor))


async def _check(
    deps: Deps, graph: GraphSession, actor: Actor, before: AccessReport | None
) -> AccessReport:
    """The check, given her last kept report (whose leftover drafts it sweeps)."""
    executives = _executives(actor)
    sweep = [e.executive for e in before.executives if e.leftover] if before else []
    probes = await gather(
        graph=graph, secretary=actor.upn, executives=executives, now=deps.now(), sweep=sweep
    )
    report = judge(probes, secretary=actor.upn, names=actor.roster.names, checked_at=deps.now())
    await _keep(deps, report)
    problems = sum(1 for e in report.executives for r in e.results if r.status != "ok")
    log.info("access check for %s: %d of %d not ok", pseudonym(actor.upn), problems,
             3 * len(report.executives))  # fmt: skip
    return report


async def recent_access(
    deps: Deps, graph: GraphSession, actor: Actor, *, max_age: dt.timedelta = MAX_AGE
) -> AccessReport:
    """Her last check if it is younger than ``max_age`` and about the executives she serves
    now; else a new one (when she signs in)."""
    executives = _executives(actor)
    kept = await last_access(deps, actor)
    if (
        kept is not None
        and deps.now() - kept.checked_at < max_age
        and [e.executive for e in kept.executives] == executives
    ):
        return kept
    return await _check(deps, graph, actor, kept)
