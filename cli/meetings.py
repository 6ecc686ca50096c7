"""``secretariaat meetings``: meeting folders: list meetings, push attachments, export a ZIP."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import ActorOption, JsonOption, echo_json, run_as_app

app = typer.Typer(help="Meeting folders: list, push, export.", no_args_is_help=True)


def _meeting_line(m) -> str:  # noqa: ANN001
    docs = sum(len(i.documents) for i in m.items)
    return f"{m.id}  {m.date}  {m.type_name:18s} {m.title}  ({len(m.items)} punten, {docs} stukken)"


@app.command("list")
def meetings_list(
    actor: ActorOption,
    type_key: Annotated[str | None, typer.Option("--type", help="Only this meeting type.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Meetings from today on, with their agenda items and documents."""
    from dataclasses import asdict

    from automations.clock import local_today
    from automations.meetings import service
    from automations.store import clock_of
    from server.routes.meetings import _staff, meeting_types

    async def work(sessions, roster, graph, settings):  # noqa: ANN001, ANN202
        _staff(roster, actor.lower())
        async with sessions() as session:
            return await service.list_meetings(
                session,
                meeting_types(settings),
                since=local_today(clock_of(sessions)),
                type_key=type_key,
            )

    found = run_as_app(work)
    if as_json:
        echo_json({"meetings": [asdict(m) for m in found]})
        return
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

    from automations.journal import Journal
    from automations.meetings import service
    from server.routes.meetings import TargetFactory, _staff, meeting_types

    async def work(sessions, roster, graph, settings):  # noqa: ANN001, ANN202
        _staff(roster, actor.lower())
        kinds = meeting_types(settings)
        factory = TargetFactory(settings, kinds, graph)
        await factory.prepare(await service.agenda_place(sessions, kinds, agenda_item))
        return await service.push(
            graph, sessions, Journal(sessions), roster=roster, types=kinds, target_for=factory,
            actor=actor, mailbox=mailbox, message_id=message, agenda_item_id=agenda_item,
            attachment_ids=attachment or None, include_mail=include_mail, confidential=False,
            operation_id=operation_id or str(uuid.uuid4()),
        )  # fmt: skip

    results = run_as_app(work)
    if as_json:
        echo_json({"documents": [asdict(r) for r in results]})
        return
    labels = {"stored": "opgeslagen", "new_version": "nieuwe versie", "duplicate": "al aanwezig"}
    for r in results:
        typer.echo(f"{labels[r.status]:14s} {r.file_name}  ({r.size} bytes, versie {r.version})")


@app.command("export")
def meetings_export(
    meeting: Annotated[str, typer.Argument(help="The meeting's id.")],
    actor: ActorOption,
    out: Annotated[Path, typer.Option(help="Where to write the ZIP.")],
) -> None:
    """One ZIP of a meeting: its folders (newest version of each file), index.csv and .json."""
    from automations.meetings import service
    from automations.meetings.export import write_zip
    from server.routes.meetings import TargetFactory, _staff, meeting_types

    async def work(sessions, roster, graph, settings):  # noqa: ANN001, ANN202
        _staff(roster, actor.lower())
        kinds = meeting_types(settings)
        async with sessions() as session:
            found = await service.get_meeting(session, kinds, meeting)
        kind = kinds.get(found.type_key)
        factory = TargetFactory(settings, kinds, graph)
        await factory.prepare(kind)
        with out.open("wb") as sink:
            await write_zip(found, kind, factory(kind), sink)
        return found

    found = run_as_app(work)
    typer.echo(f"{out}: {sum(len(i.documents) for i in found.items)} stukken, {found.title}")
