"""``secretariaat``: one entry point for the sandbox, the backend and operator tasks.

Every command exits non-zero with one readable line on bad input.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

app = typer.Typer(
    help="Secretariaat: Outlook-add-in en backend voor het bestuurssecretariaat.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

DEFAULT_SANDBOX_STATE = Path("var/sandbox")


def fail(message: str, code: int = 2) -> None:
    typer.echo(f"fout: {message}", err=True)
    raise typer.Exit(code)


@app.command()
def sandbox(
    port: Annotated[int, typer.Option(help="HTTPS port on 127.0.0.1.", min=1, max=65535)] = 9443,
    state: Annotated[
        Path, typer.Option(help="State directory (SQLite, keys, certificates).")
    ] = DEFAULT_SANDBOX_STATE,
    latency_ms: Annotated[
        float, typer.Option("--latency-ms", help="Latency added to every Graph request.", min=0)
    ] = 0,
    fault_rate: Annotated[
        float,
        typer.Option(
            "--fault-rate",
            help="Share of Graph requests that fail (429/503/504/drop).",
            min=0,
            max=1,
        ),
    ] = 0,
    seed: Annotated[int, typer.Option(help="Seed for fault injection.")] = 0,
    reset: Annotated[
        bool, typer.Option("--reset", help="Wipe and re-seed the demo municipality.")
    ] = False,
    admin: Annotated[
        bool, typer.Option("--admin", help="Enable the /_admin control plane.")
    ] = False,
    today: Annotated[
        str | None, typer.Option(help="Build the demo week around this date (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Start the sandbox tenant (Graph + Entra ID) over HTTPS."""
    from sandbox.app import SandboxConfig
    from sandbox.limits import LimitSettings
    from sandbox.server import serve

    day = None
    if today:
        try:
            day = dt.date.fromisoformat(today)
        except ValueError:
            fail(f"--today verwacht een datum als 2026-11-24, niet {today!r}")
    config = SandboxConfig(
        state_dir=state,
        limits=LimitSettings(latency_ms=latency_ms, fault_rate=fault_rate, seed=seed),
        admin=admin,
        reset=reset,
        today=day,
    )
    try:
        serve(config, port)
    except OSError as exc:
        fail(f"kan niet luisteren op 127.0.0.1:{port}: {exc.strerror or exc}")


def _backend_settings(state: Path | None = None):  # noqa: ANN202 - lazily imported type
    from pydantic import ValidationError

    from server.settings import Settings

    try:
        return Settings(sandbox_state=state) if state else Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        fail(f"configuratie ongeldig: {first.get('msg')}")


def _prepare_store(settings) -> None:  # noqa: ANN001
    import asyncio

    from automations.errors import AppError
    from server.startup import prepare_store

    try:
        asyncio.run(prepare_store(settings))
    except AppError as exc:
        fail(exc.message)
    except OSError as exc:
        fail(f"database niet bereikbaar ({settings.database_url}): {exc}")


def _serve_backend(settings, port: int, tls: tuple[str, str] | None) -> None:  # noqa: ANN001
    import uvicorn

    from server.app import create_app
    from server.logs import configure_logging
    from server.settings import SettingsError

    configure_logging()
    _prepare_store(settings)
    try:
        app_ = create_app(settings)
    except SettingsError as exc:
        fail(str(exc))
    kwargs = {"ssl_certfile": tls[0], "ssl_keyfile": tls[1]} if tls else {}
    uvicorn.run(
        app_,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=5,
        **kwargs,
    )


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.", min=1, max=65535)] = 8443,
    certfile: Annotated[Path | None, typer.Option(help="TLS certificate (PEM).")] = None,
    keyfile: Annotated[Path | None, typer.Option(help="TLS key (PEM).")] = None,
) -> None:
    """Start the backend (reads SECRETARIAAT_* settings)."""
    settings = _backend_settings()
    tls = None
    if certfile and keyfile:
        tls = (str(certfile), str(keyfile))
    elif settings.mode == "sandbox":
        tls = (
            str(settings.sandbox_state / "server.pem"),
            str(settings.sandbox_state / "server-key.pem"),
        )
    typer.echo(f"Backend luistert op https://127.0.0.1:{port}")
    _serve_backend(settings, port, tls)


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Backend port.", min=1, max=65535)] = 8443,
    sandbox_port: Annotated[int, typer.Option(help="Sandbox port.", min=1, max=65535)] = 9443,
    state: Annotated[Path, typer.Option(help="Sandbox state directory.")] = DEFAULT_SANDBOX_STATE,
    reset: Annotated[
        bool, typer.Option("--reset", help="Seed the demo municipality anew.")
    ] = False,
) -> None:
    """Start the sandbox tenant and the backend together, on the demo municipality."""
    from sandbox.app import SandboxConfig
    from sandbox.server import start_in_thread

    try:
        running = start_in_thread(SandboxConfig(state_dir=state, reset=reset), port=sandbox_port)
    except OSError as exc:
        fail(f"sandbox kan niet starten op poort {sandbox_port}: {exc.strerror or exc}")
    settings = _backend_settings(state)
    if "SECRETARIAAT_BASE_URL" not in os.environ:  # the pane's links must point at this port
        settings = settings.model_copy(update={"base_url": f"https://127.0.0.1:{port}"})
    typer.echo(f"Outlook (test): https://127.0.0.1:{port}/dev/outlook")
    typer.echo(f"Sandbox-tenant: {running.info['graph_url']}")
    typer.echo(f"Backend-API:    https://127.0.0.1:{port}/api/docs")
    typer.echo(f"Manifest:       https://127.0.0.1:{port}/addin/manifest.xml")
    typer.echo(
        f"CA-certificaat: {running.info['ca_cert']} (vertrouwen, of waarschuwing accepteren)"
    )
    try:
        _serve_backend(settings, port, (str(state / "server.pem"), str(state / "server-key.pem")))
    finally:
        running.stop()


db = typer.Typer(help="The store: migrations.", no_args_is_help=True)
app.add_typer(db, name="db")


@db.command("upgrade")
def db_upgrade(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Migrate the database (SECRETARIAAT_DATABASE_URL) to the newest schema."""
    import asyncio

    from automations.store.migrate import current_revision, upgrade

    settings = _backend_settings()
    Path("var").mkdir(exist_ok=True)
    try:
        upgrade(settings.database_url)
        revision = asyncio.run(current_revision(settings.database_url))
    except Exception as exc:  # noqa: BLE001 - one readable line for the operator
        fail(f"migratie mislukt ({type(exc).__name__}): {exc}".splitlines()[0])
    if as_json:
        typer.echo(json.dumps({"database": _safe_url(settings.database_url), "revision": revision}))
    else:
        typer.echo(f"Database bijgewerkt tot revisie {revision}")


def _safe_url(url: str) -> str:
    """The database URL without its password, for output."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command()
def mailboxes(
    actor: Annotated[
        str, typer.Option("--actor", help="UPN of the person on whose behalf you act.")
    ],
    mailbox: Annotated[str | None, typer.Option(help="Only this executive's mailbox.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Inbox counts of the mailboxes ACTOR works in (app identity, roster-checked, audited)."""
    import asyncio
    from dataclasses import asdict

    from automations.errors import AppError
    from server.operator import run_as_operator

    settings = _backend_settings()
    try:
        found = asyncio.run(run_as_operator(settings, actor=actor, mailbox=mailbox))
    except AppError as exc:
        fail(exc.message, code=3 if exc.status == 403 else 2)
    if as_json:
        typer.echo(json.dumps([asdict(m) for m in found], indent=2))
        return
    for m in found:
        typer.echo(f"{m.display_name:24s} {m.upn:36s} ongelezen {m.unread:4d} / {m.total:4d}")


@app.command("sandbox-info")
def sandbox_info(
    state: Annotated[
        Path, typer.Option(help="State directory of the sandbox.")
    ] = DEFAULT_SANDBOX_STATE,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show where a started sandbox listens (reads connection.json)."""
    path = state / "connection.json"
    if not path.exists():
        fail(f"geen sandbox gevonden: {path} bestaat niet (start eerst 'secretariaat sandbox')")
    info = json.loads(path.read_text())
    public = {k: v for k, v in info.items() if k != "client_secret"}
    if as_json:
        typer.echo(json.dumps(public, indent=2))
    else:
        for key, value in public.items():
            typer.echo(f"{key}: {value}")


addin = typer.Typer(help="The Outlook add-in: manifest.", no_args_is_help=True)
app.add_typer(addin, name="addin")


@addin.command("manifest")
def addin_manifest(
    base_url: Annotated[
        str,
        typer.Option("--base-url", help="HTTPS address of the backend, e.g. https://host:8443."),
    ],
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to this file instead of stdout.")
    ] = None,
    client_id: Annotated[
        str | None,
        typer.Option("--client-id", help="App registration's client id (default: settings)."),
    ] = None,
    api_audience: Annotated[
        str | None,
        typer.Option("--api-audience", help="Backend API audience (default: settings)."),
    ] = None,
) -> None:
    """Render addin/manifest.xml for BASE_URL, ready to sideload into Outlook."""
    from importlib.metadata import PackageNotFoundError, version

    from server.addin.manifest import ManifestError, check_base_url, render_manifest
    from server.settings import SettingsError

    try:
        check_base_url(base_url)  # before the settings: a bad URL is the likelier mistake
    except ManifestError as exc:
        fail(str(exc))
    if client_id is None or api_audience is None:
        settings = _backend_settings()
        try:
            identity = settings.identity()
        except SettingsError as exc:
            fail(f"{exc} (of geef --client-id en --api-audience op)")
        client_id = client_id or identity.client_id
        api_audience = api_audience or identity.api_audience
    try:
        app_version = version("secretariaat")
    except PackageNotFoundError:
        app_version = "0.0.0"
    try:
        text = render_manifest(
            base_url=base_url, client_id=client_id, api_audience=api_audience, version=app_version
        )
    except ManifestError as exc:
        fail(str(exc))
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"kan {out} niet schrijven: {exc.strerror or exc}")
    typer.echo(f"Manifest geschreven naar {out}", err=True)


quicksteps = typer.Typer(help="Shared quick steps: validate, list, apply.", no_args_is_help=True)
app.add_typer(quicksteps, name="quicksteps")


@quicksteps.command("validate")
def quicksteps_validate(
    file: Annotated[Path, typer.Argument(help="A quick-step YAML file.")],
) -> None:
    """Check a quick-step file; prints every problem with its line (exit 1 when there are any)."""
    from automations.quicksteps.definitions import DefinitionError, parse

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"kan {file} niet lezen: {getattr(exc, 'strerror', None) or exc}")
    try:
        found = parse(text)
    except DefinitionError as exc:
        for problem in exc.problems:
            typer.echo(f"{file}: {problem}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{file}: in orde, {len(found.steps)} snelle stappen")


@quicksteps.command("list")
def quicksteps_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The active set in the store, with what each step does."""
    import asyncio
    import datetime as dt

    from automations.quicksteps.effects import describe
    from automations.quicksteps.service import active
    from automations.store import create_engine, session_factory
    from server.startup import prepare_store

    settings = _backend_settings()

    async def read():  # noqa: ANN202
        await prepare_store(settings)
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine)() as session:
                return await active(session)
        finally:
            await engine.dispose()

    steps = asyncio.run(read())
    if steps is None:
        fail("er zijn nog geen snelle stappen ingesteld", code=1)
    today = dt.date.today()
    rows = [
        {
            "name": s.name,
            "shortcut": s.shortcut,
            "actions": [describe(a, today, set(), set()) for a in s.actions],
        }
        for s in steps.parsed.steps
    ]
    if as_json:
        typer.echo(json.dumps({"version": steps.info.version, "steps": rows}, indent=2))
        return
    typer.echo(f"Versie {steps.info.version} ({steps.info.author})")
    for row in rows:
        typer.echo(f"{row['name']:32s} {row['shortcut'] or '':14s} {'; '.join(row['actions'])}")


@quicksteps.command("apply")
def quicksteps_apply(
    mailbox: Annotated[str, typer.Option(help="The executive's mailbox (UPN).")],
    message: Annotated[list[str], typer.Option(help="Message id (repeat for more).")],
    actor: Annotated[str, typer.Option(help="UPN of the person on whose behalf you act.")],
    step: Annotated[str, typer.Option(help="The quick step's name.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only show what would change.")
    ] = False,
    operation_id: Annotated[
        str | None, typer.Option(help="Repeat a run by its id (resumes, never doubles).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Apply (or preview) a quick step with the app's identity, roster-checked as ACTOR."""
    import asyncio
    import uuid
    from dataclasses import asdict

    from automations.errors import AppError
    from server.operator import quickstep_as_operator

    settings = _backend_settings()
    operation = operation_id or str(uuid.uuid4())
    try:
        found = asyncio.run(
            quickstep_as_operator(
                settings,
                actor=actor,
                mailbox=mailbox,
                step=step,
                message_ids=message,
                dry_run=dry_run,
                operation_id=operation,
            )
        )
    except AppError as exc:
        fail(exc.message, code=3 if exc.status == 403 else 2)
    if dry_run:
        if as_json:
            typer.echo(json.dumps(asdict(found), indent=2, default=str))
            return
        for m in found.messages:
            typer.echo(f"{m['subject'] or m['id']}: " + "; ".join(m.get("changes") or [m["error"]]))
        return
    if as_json:
        typer.echo(
            json.dumps(
                {"operation_id": operation, "messages": [asdict(r) for r in found]}, indent=2
            )
        )
        return
    failed = False
    for result in found:
        typer.echo(result.subject or result.id)
        for a in result.actions:
            failed |= a.status != "done"
            typer.echo(f"  {a.status:8s} {a.label}{': ' + a.detail if a.detail else ''}")
    typer.echo(f"operatie {operation}")
    if failed:
        raise typer.Exit(4)


templates = typer.Typer(help="Reply templates: validate.", no_args_is_help=True)
app.add_typer(templates, name="templates")


@templates.command("validate")
def templates_validate(
    file: Annotated[Path, typer.Argument(help="A reply-template YAML file.")],
) -> None:
    """Check a template file; prints every problem with its line (exit 1 when there are any)."""
    from automations.replies.templates import TemplateError, parse

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"kan {file} niet lezen: {getattr(exc, 'strerror', None) or exc}")
    try:
        found = parse(text)
    except TemplateError as exc:
        for problem in exc.problems:
            typer.echo(f"{file}: {problem}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{file}: in orde, {len(found.templates)} sjablonen")


approvals = typer.Typer(
    help="Approvals of reply drafts: list, approve, reject.", no_args_is_help=True
)
app.add_typer(approvals, name="approvals")
ActorOption = Annotated[str, typer.Option(help="UPN of the person on whose behalf you act.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _print_approvals(views: list, as_json: bool) -> None:  # noqa: ANN001
    from dataclasses import asdict

    if as_json:
        typer.echo(json.dumps({"approvals": [asdict(v) for v in views]}, indent=2, default=str))
        return
    for v in views:
        typer.echo(f"{v.id}  {v.status_label:28s} {v.mailbox:32s} {v.subject}")


def _run_as_app(work) -> Any:  # noqa: ANN001
    """Run ``work(sessions, roster, graph)`` with the app's identity; errors as one line."""
    import asyncio

    from automations.errors import AppError
    from server.operator import operator_graph

    settings = _backend_settings()

    async def run():  # noqa: ANN202
        async with operator_graph(settings) as (sessions, roster, graph):
            return await work(sessions, roster, graph, settings)

    try:
        return asyncio.run(run())
    except AppError as exc:
        fail(exc.message, code=3 if exc.status == 403 else (4 if exc.status == 409 else 2))


@approvals.command("list")
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

    _print_approvals(_run_as_app(work), as_json)


@approvals.command("request")
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

    _print_approvals([_run_as_app(work)], as_json)


@approvals.command("approve")
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

    _print_approvals([_run_as_app(work)], as_json)


@approvals.command("reject")
def approvals_reject(
    approval: Annotated[str, typer.Argument(help="The approval's id.")],
    actor: ActorOption,
    comment: Annotated[str, typer.Option(help="Why, for the secretariat.")],
    as_json: JsonOption = False,
) -> None:
    """Reject a draft as the executive ACTOR, with a comment for the secretariat."""
    from automations.replies.approvals import reject
    from server.deps import today

    async def work(sessions, roster, graph, settings):  # noqa: ANN001, ANN202
        return await reject(
            graph,
            sessions,
            roster=roster,
            approval_id=approval,
            actor=actor,
            comment=comment,
            today=today(),
            link_base=settings.base_url,
        )

    _print_approvals([_run_as_app(work)], as_json)


agenda = typer.Typer(help="An executive's agenda: calamity clear.", no_args_is_help=True)
app.add_typer(agenda, name="agenda")


def _moment(value: str, what: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        fail(f"{what}: geen geldig tijdstip {value!r} (bijvoorbeeld 2026-11-24T14:00+01:00)")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("Europe/Amsterdam"))
    return moment


@agenda.command("clear")
def agenda_clear(
    mailbox: Annotated[str, typer.Option(help="The executive's mailbox (UPN).")],
    start: Annotated[str, typer.Option(help="Start of the window (ISO; local time if no zone).")],
    end: Annotated[str, typer.Option(help="End of the window.")],
    actor: ActorOption,
    comment: Annotated[
        str | None, typer.Option(help="The message to attendees (default: the Dutch template).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only show what would happen.")
    ] = False,
    operation_id: Annotated[
        str | None, typer.Option(help="Run (or finish) the clear under this id.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Cancel, decline and remove what is in the window, as ACTOR (her front or back office)."""
    from dataclasses import asdict

    from automations.calamity.clear import CANCEL_MESSAGE, DECLINE_MESSAGE, execute, preview
    from automations.journal import Journal
    from server.routes.calamity import clear_settings

    window = (_moment(start, "--start"), _moment(end, "--end"))

    async def work(sessions, roster, graph, settings):  # noqa: ANN001, ANN202
        journal = Journal(sessions)
        common = {
            "roster": roster,
            "actor": actor.lower(),
            "mailbox": mailbox,
            "start": window[0],
            "end": window[1],
            "settings": clear_settings(settings),
        }
        if dry_run:
            return await preview(graph, **common)
        operation = operation_id
        if operation is None:
            operation = (await preview(graph, journal=journal, **common)).operation_id
        return await execute(
            graph, sessions, journal, operation_id=operation,
            cancel_message=comment or CANCEL_MESSAGE, decline_message=comment or DECLINE_MESSAGE,
            **common,
        )  # fmt: skip

    report = _run_as_app(work)
    if as_json:
        typer.echo(json.dumps(asdict(report), indent=2, default=str))
    else:
        for item in report.items:
            status = "" if dry_run else f"  [{item.status}]"
            line = f"{item.start[:16]}  {item.action:8s} {item.subject}  ({item.reason})"
            typer.echo(line + status)
        typer.echo(f"operatie {report.operation_id}: {report.status}")
    if report.status not in ("preview", "done"):
        raise typer.Exit(4)


meetings = typer.Typer(help="Meeting folders: list, push, export.", no_args_is_help=True)
app.add_typer(meetings, name="meetings")


def _meeting_line(m) -> str:  # noqa: ANN001
    docs = sum(len(i.documents) for i in m.items)
    return f"{m.id}  {m.date}  {m.type_name:18s} {m.title}  ({len(m.items)} punten, {docs} stukken)"


@meetings.command("list")
def meetings_list(
    actor: ActorOption,
    type_key: Annotated[str | None, typer.Option("--type", help="Only this meeting type.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Meetings from today on, with their agenda items and documents."""
    from dataclasses import asdict

    from automations.meetings import service
    from server.deps import today
    from server.routes.meetings import _staff, meeting_types

    async def work(sessions, roster, graph, settings):  # noqa: ANN001, ANN202
        _staff(roster, actor.lower())
        async with sessions() as session:
            return await service.list_meetings(
                session, meeting_types(settings), since=today(), type_key=type_key
            )

    found = _run_as_app(work)
    if as_json:
        typer.echo(json.dumps({"meetings": [asdict(m) for m in found]}, indent=2, default=str))
        return
    for m in found:
        typer.echo(_meeting_line(m))


@meetings.command("push")
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

    results = _run_as_app(work)
    if as_json:
        typer.echo(json.dumps({"documents": [asdict(r) for r in results]}, indent=2))
        return
    labels = {"stored": "opgeslagen", "new_version": "nieuwe versie", "duplicate": "al aanwezig"}
    for r in results:
        typer.echo(f"{labels[r.status]:14s} {r.file_name}  ({r.size} bytes, versie {r.version})")


@meetings.command("export")
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

    found = _run_as_app(work)
    typer.echo(f"{out}: {sum(len(i.documents) for i in found.items)} stukken, {found.title}")


jobs = typer.Typer(help="Scheduled jobs: list, run one now.", no_args_is_help=True)
app.add_typer(jobs, name="jobs")


@jobs.command("list")
def jobs_list(as_json: JsonOption = False) -> None:
    """The jobs, their schedules and what each does."""
    from automations.jobs.catalog import JOBS

    rows = [{"name": j.name, "cron": j.cron, "description": j.description} for j in JOBS.values()]
    if as_json:
        typer.echo(json.dumps({"jobs": rows}, indent=2))
        return
    for r in rows:
        typer.echo(f"{r['name']:22s} {r['cron']:20s} {r['description']}")


@jobs.command("run")
def jobs_run(
    name: Annotated[str, typer.Argument(help="The job's name (see 'jobs list').")],
    mailbox: Annotated[str | None, typer.Option(help="Only this executive's mailbox.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only show what it would do.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Run a job once now with the app's identity (for system cron or a Kubernetes CronJob)."""
    import asyncio
    from dataclasses import asdict

    from automations.errors import AppError
    from server.operator import run_job_as_app

    settings = _backend_settings()
    try:
        report = asyncio.run(run_job_as_app(settings, name, mailbox=mailbox, dry_run=dry_run))
    except AppError as exc:
        fail(exc.message)
    assert report is not None
    if as_json:
        typer.echo(json.dumps(asdict(report), indent=2, default=str))
    else:
        for m in report.mailboxes:
            line = f"{m['mailbox']:36s} {m['status']:12s} {m['counts']}"
            typer.echo(line + (f"  {m['error']}" if m["error"] else ""))
            for action in m["actions"]:
                typer.echo(f"    {action}")
        typer.echo(f"{report.job}: {report.status} in {report.duration_s:.1f} s")
    if report.status != "done":
        raise typer.Exit(4)


def main() -> None:
    """The console entry point: usage errors become one line, as for every other failure."""
    import sys

    from typer.exceptions import TyperException

    # A command's outcome is its one line on stderr; library warnings (a journal step refused,
    # a retry) are for the server's log, which ``serve`` and ``demo`` configure.
    logging.getLogger().addHandler(logging.NullHandler())
    try:
        code = app(standalone_mode=False)
    except TyperException as exc:  # usage errors and bad parameters (typer's own click)
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        if message:  # empty when a group was called without a command: its help was shown
            typer.echo(f"fout: {message}", err=True)
        sys.exit(getattr(exc, "exit_code", 2) or 2)
    except typer.Abort:
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
