"""``secretariaat approvals``: approvals of reply drafts: list, request, notify, approve, reject,
resubmit (herzien en opnieuw aanbieden).

Each command calls the same flow a click does (``automations.replies.flows``), as ``--actor``
with the app's Graph identity: the same roster checks, audit and events. The app cannot send
from a secretary's mailbox (its RBAC scope holds the executives' and the secretariat's), so
the notice to the executive comes from ``SECRETARIAAT_NOTICE_MAILBOX``; when it cannot be
sent, the approval stands and the command says so in one line and exits 5. The same for a
rejection whose notice to the secretary could not be sent: the rejection stands, one line,
exit 5, and ``notify`` sends it (from the executive's mailbox, once).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from cli.common import ActorOption, JsonOption, backend_settings, echo_json, fail

if TYPE_CHECKING:  # imported lazily at run time: ``secretariaat --help`` stays fast
    from automations.context import Actor
    from automations.replies.service import ApprovalView
    from server.operator import Operator

T = TypeVar("T")

app = typer.Typer(
    help="Approvals of reply drafts: list, request, notify, approve, reject, resubmit.",
    no_args_is_help=True,
)


NOT_NOTIFIED = 5  # the approval stands, but the executive was not told of it


def _as(actor: str, work: Callable[[Operator, Actor], Awaitable[T]]) -> T:
    """Run ``work(op, who)`` as ACTOR; a refusal is one line (exit 3 for 403, 4 for 409)."""
    import asyncio

    from automations.errors import AppError
    from server.operator import flow_as_operator

    try:
        return asyncio.run(flow_as_operator(backend_settings(), actor, work))
    except AppError as exc:
        fail(exc.message, code=3 if exc.status == 403 else (4 if exc.status == 409 else 2))


def _notice_sender() -> str:
    """SECRETARIAAT_NOTICE_MAILBOX, checked before anything is done (tenant mode needs it)."""
    from server.settings import SettingsError

    try:
        return backend_settings().notice_sender()
    except SettingsError as exc:
        fail(str(exc))


def _told(view: ApprovalView, actor: str, untold: str | None = None) -> None:
    """A notice that did not go out is the one line on stderr, with how to send it again
    (``untold``: what to say instead of ``notice_error``, for a rejection)."""
    if not view.notice_error:
        return
    again = f"opnieuw melden met 'secretariaat approvals notify {view.id} --actor {actor}'"
    if untold and view.status == "rejected":
        fail(f"{untold}; {again}", code=NOT_NOTIFIED)
    fail(f"{view.notice_error}; het verzoek {view.id} staat klaar, {again}", code=NOT_NOTIFIED)


def _print_approvals(views: list[ApprovalView], as_json: bool) -> None:
    from dataclasses import asdict

    if as_json:
        echo_json({"approvals": [asdict(v) for v in views]})
        return
    if not views:
        typer.echo("Geen concepten ter goedkeuring.")
    for v in views:
        untold = "  (niet gemeld)" if v.notice_error else ""
        typer.echo(f"{v.id}  {v.status_label:28s} {v.mailbox:32s} {v.subject}{untold}")


def _operation(given: str | None) -> str:
    import uuid

    return given or str(uuid.uuid4())


@app.command("list")
def approvals_list(
    actor: ActorOption,
    mailbox: Annotated[str | None, typer.Option(help="Only this executive's mailbox.")] = None,
    status: Annotated[
        str | None,
        typer.Option(help="open, waiting, sent, rejected, revised, deleted, sent_elsewhere."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The approvals in the executives' mailboxes ACTOR works in (the roster decides)."""
    from automations.replies import flows

    async def work(op: Operator, who: Actor) -> list[ApprovalView]:
        return await flows.list_approvals(op.deps, who, mailbox=mailbox, status=status)

    _print_approvals(_as(actor, work), as_json)


@app.command("request")
def approvals_request(
    mailbox: Annotated[str, typer.Option(help="The executive's mailbox (UPN).")],
    draft: Annotated[str, typer.Option(help="The draft's id in her Drafts folder.")],
    message: Annotated[str, typer.Option(help="The message the draft answers.")],
    actor: ActorOption,
    note: Annotated[str, typer.Option(help="A note for the executive.")] = "",
    operation_id: Annotated[
        str | None, typer.Option(help="Repeat a request by its id (never doubles).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Ask the executive to approve a draft (category "Ter goedkeuring", her queue); she is
    told by mail from SECRETARIAAT_NOTICE_MAILBOX. Exit 5 when that notice failed (the
    approval stands: "niet gemeld"; send it again with ``notify``)."""
    from automations.replies import flows

    sender = _notice_sender()

    async def work(op: Operator, who: Actor) -> ApprovalView:
        return await flows.request_approval(
            op.deps, op.graph, who, mailbox=mailbox, draft_id=draft, message_id=message,
            operation_id=_operation(operation_id), note=note, notice_from=sender,
        )  # fmt: skip

    view = _as(actor, work)
    _print_approvals([view], as_json)
    _told(view, actor)


@app.command("notify")
def approvals_notify(
    approval: Annotated[str, typer.Argument(help="The approval's id.")],
    actor: ActorOption,
    as_json: JsonOption = False,
) -> None:
    """Tell the executive again of a waiting draft whose notice failed ("niet gemeld"), from
    SECRETARIAAT_NOTICE_MAILBOX; of a rejected one, tell the secretary of the rejection (from
    the executive's mailbox, once). Exit 5 when it fails again."""
    from automations.replies import flows

    sender = _notice_sender()

    async def work(op: Operator, who: Actor) -> tuple[ApprovalView, str | None]:
        view = await flows.notify_again(op.deps, op.graph, who, approval_id=approval,
                                        notice_from=sender)  # fmt: skip
        return view, flows.not_told(view, who.roster.names)

    view, untold = _as(actor, work)
    _print_approvals([view], as_json)
    _told(view, actor, untold)


@app.command("approve")
def approvals_approve(
    approval: Annotated[str, typer.Argument(help="The approval's id.")],
    actor: ActorOption,
    change_key: Annotated[
        str | None, typer.Option(help="The draft version approved (default: as requested).")
    ] = None,
    operation_id: Annotated[
        str | None, typer.Option(help="Repeat a send by its id (resumes, never doubles).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Approve and send a draft as the executive ACTOR (refused when the draft changed)."""
    from automations.replies import flows

    async def work(op: Operator, who: Actor) -> ApprovalView:
        return await flows.approve(op.deps, op.graph, who, approval_id=approval,
                                   operation_id=_operation(operation_id),
                                   change_key=change_key)  # fmt: skip

    _print_approvals([_as(actor, work)], as_json)


@app.command("reject")
def approvals_reject(
    approval: Annotated[str, typer.Argument(help="The approval's id.")],
    actor: ActorOption,
    comment: Annotated[str, typer.Option(help="Why, for the secretariat.")],
    as_json: JsonOption = False,
) -> None:
    """Reject a draft as the executive ACTOR, with a comment for the secretariat. Exit 5 when
    the notice to the secretary failed (the rejection stands: "niet gemeld"; send it again
    with ``notify``)."""
    from automations.replies import flows

    async def work(op: Operator, who: Actor) -> tuple[ApprovalView, str | None]:
        view = await flows.reject(op.deps, op.graph, who, approval_id=approval, comment=comment)
        return view, flows.not_told(view, who.roster.names)

    view, untold = _as(actor, work)
    _print_approvals([view], as_json)
    _told(view, actor, untold)


@app.command("resubmit")
def approvals_resubmit(
    approval: Annotated[str, typer.Argument(help="The rejected approval's id.")],
    actor: ActorOption,
    note: Annotated[
        str, typer.Option(help="A note for the executive (default: the earlier note).")
    ] = "",
    operation_id: Annotated[
        str | None, typer.Option(help="Repeat a resubmit by its id (never doubles).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Offer a rejected draft again, as revised in Outlook (herzien en opnieuw aanbieden): a
    new approval of the new version replaces the rejected one, which stays as history. The
    executive is told by mail from SECRETARIAAT_NOTICE_MAILBOX; exit 5 when that failed."""
    from automations.replies import flows

    sender = _notice_sender()

    async def work(op: Operator, who: Actor) -> ApprovalView:
        return await flows.resubmit(
            op.deps, op.graph, who, approval_id=approval, operation_id=_operation(operation_id),
            note=note, notice_from=sender,
        )  # fmt: skip

    view = _as(actor, work)
    _print_approvals([view], as_json)
    _told(view, actor)
