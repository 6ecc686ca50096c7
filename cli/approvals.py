"""``secretariaat approvals``: approvals of reply drafts: list, request, approve, reject."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import ActorOption, JsonOption, echo_json, fail, run_as_app

app = typer.Typer(help="Approvals of reply drafts: list, approve, reject.", no_args_is_help=True)


def _print_approvals(views: list, as_json: bool) -> None:  # noqa: ANN001
    from dataclasses import asdict

    if as_json:
        echo_json({"approvals": [asdict(v) for v in views]})
        return
    for v in views:
        typer.echo(f"{v.id}  {v.status_label:28s} {v.mailbox:32s} {v.subject}")


@app.command("list")
def approvals_list(
    actor: ActorOption,
    mailbox: Annotated[str | None, typer.Option(help="Only this executive's mailbox.")] = None,
    status: Annotated[
        str | None, typer.Option(help="open, waiting, sent, rejected, deleted, sent_elsewhere.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The approvals in the mailboxes ACTOR works in (the roster decides)."""
    from automations.replies.approvals import STATUS_LABELS, list_approvals
    from automations.roster.policy import Action, authorize, may

    if status is not None and status != "open" and status not in STATUS_LABELS:
        fail(f"onbekende status {status!r}")

    async def work(sessions, roster, graph, settings):  # noqa: ANN001, ANN202
        if mailbox:
            authorize(roster, actor, Action.ACT_ON_MAILBOX, mailbox)
            boxes = [mailbox]
        else:
            boxes = [m for m in roster.roles if may(roster, actor, Action.ACT_ON_MAILBOX, m)]
        async with sessions() as session:
            return await list_approvals(session, mailboxes=boxes, status=status)

    _print_approvals(run_as_app(work), as_json)


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
    """Ask the executive to approve a draft (category "Ter goedkeuring", her queue)."""
    import uuid

    from automations.replies.approvals import request_approval

    async def work(sessions, roster, graph, settings):  # noqa: ANN001, ANN202
        return await request_approval(
            graph,
            sessions,
            roster=roster,
            mailbox=mailbox,
            draft_id=draft,
            message_id=message,
            actor=actor,
            note=note,
            template=None,
            operation_id=operation_id or str(uuid.uuid4()),
            link_base=settings.base_url,
        )

    _print_approvals([run_as_app(work)], as_json)


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
    import uuid

    from automations.journal import Journal
    from automations.replies.approvals import approve

    async def work(sessions, roster, graph, settings):  # noqa: ANN001, ANN202
        return await approve(
            graph,
            sessions,
            Journal(sessions),
            roster=roster,
            approval_id=approval,
            actor=actor,
            seen_change_key=change_key,
            operation_id=operation_id or str(uuid.uuid4()),
        )

    _print_approvals([run_as_app(work)], as_json)


@app.command("reject")
def approvals_reject(
    approval: Annotated[str, typer.Argument(help="The approval's id.")],
    actor: ActorOption,
    comment: Annotated[str, typer.Option(help="Why, for the secretariat.")],
    as_json: JsonOption = False,
) -> None:
    """Reject a draft as the executive ACTOR, with a comment for the secretariat."""
    from automations.clock import local_today
    from automations.replies.approvals import reject
    from automations.store import clock_of

    async def work(sessions, roster, graph, settings):  # noqa: ANN001, ANN202
        return await reject(
            graph,
            sessions,
            roster=roster,
            approval_id=approval,
            actor=actor,
            comment=comment,
            today=local_today(clock_of(sessions)),
            link_base=settings.base_url,
        )

    _print_approvals([run_as_app(work)], as_json)
