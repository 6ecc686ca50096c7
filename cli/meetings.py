"""``secretariaat meetings``: meeting folders: list meetings, push attachments, export a ZIP.

Each command calls the same flow as a click, with the app's Graph identity, checked as
``--actor`` exactly as her click would be (``automations.meetings.flows``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from cli.common import ActorOption, JsonOption, backend_settings, echo_json, fail

if TYPE_CHECKING:  # imported lazily at run time: ``secretariaat --help`` stays fast
    from automations.context import Actor
    from automations.meetings.models import Meeting
    from automations.meetings.settings import MeetingSettings
    from server.operator import Operator

app = typer.Typer(help="Meeting folders: list, push, export.", no_args_is_help=True)
T = TypeVar("T")
LABELS = {"stored": "opgeslagen", "new_version": "nieuwe versie", "duplicate": "al aanwezig"}


def _as_actor(actor: str, work: Callable[[Operator, Actor, MeetingSettings], Awaitable[T]]) -> T:
    """Run ``work`` with the operator's flows as ``actor``; errors as one line (exit 3 when
    refused, 4 on a conflict, 2 otherwise)."""
    import asyncio

    from automations.errors import AppError
    from automations.meetings.settings import MeetingSettings
    from server.operator import operator

    settings = backend_settings()
    config = MeetingSettings(root=settings.meetings_root, types_file=settings.meetings_file)

    async def run() -> T:
        async with operator(settings) as op:
            return await work(op, op.actor(actor), config)

    try:
        return asyncio.run(run())
    except AppError as exc:
        fail(exc.message, code=3 if exc.status == 403 else (4 if exc.status == 409 else 2))


def _meeting_line(m: Meeting) -> str:
    from automations.plural import counted

    docs = sum(len(i.documents) for i in m.items)
    points, pieces = counted(len(m.items), "punt", "punten"), counted(docs, "stuk", "stukken")
    return f"{m.id}  {m.date}  {m.type_name:18s} {m.title}  ({points}, {pieces})"


@app.command("list")
def meetings_list(
    actor: ActorOption,
    type_key: Annotated[str | None, typer.Option("--type", help="Only this meeting type.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Meetings from today on, with their agenda items and documents."""
    from dataclasses import asdict

    from automations.meetings import flows

    async def work(op: Operator, who: Actor, config: MeetingSettings) -> list[Meeting]:
        return await flows.list_meetings(op.deps, who, config=config, type_key=type_key)

    found = _as_actor(actor, work)
    if as_json:
        echo_json({"meetings": [asdict(m) for m in found]})
        return
    if not found:  # a meeting is made in the pane (Naar vergadermap)
        typer.echo("Geen vergaderingen; maak er een in het taakvenster (Naar vergadermap).")
    for m in found:
        typer.echo(_meeting_line(m))


@app.command("push")
def meetings_push(
    mailbox: Annotated[str, typer.Option(help="The mailbox the message is in (UPN).")],
    message: Annotated[str, typer.Option(help="The message id.")],
    agenda_item: Annotated[str, typer.Option(help="The agenda item's id.")],
    actor: ActorOption,
    attachment: Annotated[
        list[str] | None, typer.Option(help="Only this attachment id (repeat); default: all.")
    ] = None,
    include_mail: Annotated[
        bool, typer.Option("--include-mail", help="The mail itself as .eml too.")
    ] = False,
    operation_id: Annotated[
        str | None, typer.Option(help="Repeat a push by its id (resumes, never doubles).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Put a message's attachments into an agenda item's folder, as ACTOR."""
    import uuid
    from dataclasses import asdict

    from automations.meetings import flows
    from automations.meetings.models import PushResult

    async def work(op: Operator, who: Actor, config: MeetingSettings) -> list[PushResult]:
        return await flows.push_message(
            op.deps, op.graph, who, config=config, mailbox=mailbox, message_ids=[message],
            agenda_item_id=agenda_item, attachment_ids=attachment or None,
            include_mail=include_mail, confidential=False,
            operation_id=operation_id or str(uuid.uuid4()),
        )  # fmt: skip

    results = _as_actor(actor, work)
    if as_json:
        echo_json({"documents": [asdict(r) for r in results]})
        return
    for r in results:
        typer.echo(f"{LABELS[r.status]:14s} {r.file_name}  ({r.size} bytes, versie {r.version})")


@app.command("export")
def meetings_export(
    meeting: Annotated[str, typer.Argument(help="The meeting's id.")],
    actor: ActorOption,
    out: Annotated[Path, typer.Option(help="Where to write the ZIP.")],
) -> None:
    """One ZIP of a meeting: its folders (newest version of each file), index.csv and .json."""
    import shutil
    import tempfile

    from automations.meetings import flows

    archive = tempfile.TemporaryFile()  # OUT is written only once the export is done

    async def work(op: Operator, who: Actor, config: MeetingSettings) -> Meeting:
        done = await flows.export_meeting(op.deps, op.graph, who, config=config,
                                          meeting_id=meeting, sink=archive)  # fmt: skip
        return done.meeting

    with archive:
        found = _as_actor(actor, work)
        partial = out.with_name(f".{out.name}.deel")  # OUT appears whole, or not at all
        try:
            archive.seek(0)
            with partial.open("wb") as sink:
                shutil.copyfileobj(archive, sink, 1024 * 1024)
            partial.replace(out)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            fail(f"kan {out} niet schrijven: {exc.strerror or exc}")
    from automations.plural import counted

    pieces = counted(sum(len(i.documents) for i in found.items), "stuk", "stukken")
    typer.echo(f"{out}: {pieces}, {found.title}")
