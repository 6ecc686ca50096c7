"""``secretariaat meetings list|push|export``: the back office scripts a push and an export."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from pathlib import Path

from automations.clock import SetClock, local_today
from automations.meetings.service import add_agenda_item, create_meeting
from automations.meetings.types import DEMO, load_types
from automations.store import create_engine, session_factory
from tests.cli.commands import secretariaat
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, SECRETARY_B
from tests.server.test_meetings_api import mail, pdf


async def test_push_and_export_from_a_script(
    env: dict[str, str], tenant: Tenant, tmp_path: Path, clock: SetClock
) -> None:
    data = pdf(30 * 1024)
    message = await mail(tenant, [("agenda MT.pdf", data)])
    env = {**env, "SECRETARIAAT_MEETINGS_ROOT": str(tmp_path / "mappen")}
    # A meeting and an agenda item, as the pane or the API would make them.
    none = secretariaat(env, "meetings", "list", "--actor", SECRETARY_A)
    assert none.returncode == 0 and none.stdout.startswith("Geen vergaderingen")
    engine = create_engine(env["SECRETARIAAT_DATABASE_URL"])
    try:
        next_week = local_today(clock) + dt.timedelta(days=7)
        async with session_factory(engine, clock=clock)() as session, session.begin():
            made = await create_meeting(
                session, load_types(DEMO), type_key="directie", date=next_week,
                title="MT-overleg", location="", event_id=None, actor=SECRETARY_A,
            )  # fmt: skip
            added = await add_agenda_item(
                session, meeting_id=made.id, title="Agenda", number=None, confidential=False,
                actor=SECRETARY_A,
            )  # fmt: skip
    finally:
        await engine.dispose()
    meeting, item = made.id, added.id
    args = ["meetings", "push", "--mailbox", BURGEMEESTER, "--message", message,
            "--agenda-item", item]  # fmt: skip
    refused = secretariaat(env, *args, "--actor", SECRETARY_B)
    assert refused.returncode == 3 and refused.stderr.count("\n") == 1
    pushed = secretariaat(env, *args, "--actor", SECRETARY_A, "--json")
    assert pushed.returncode == 0, pushed.stderr
    [doc] = json.loads(pushed.stdout)["documents"]
    assert doc["file_name"] == "01-Agenda-agenda MT.pdf" and doc["status"] == "stored"

    listed = secretariaat(env, "meetings", "list", "--actor", SECRETARY_A, "--json")
    [found] = json.loads(listed.stdout)["meetings"]
    assert found["items"][0]["documents"][0]["sha256"] == hashlib.sha256(data).hexdigest()
    out = tmp_path / "export.zip"
    exported = secretariaat(
        env, "meetings", "export", meeting, "--actor", SECRETARY_A, "--out", str(out)
    )
    assert exported.returncode == 0, exported.stderr
    with zipfile.ZipFile(out) as zf:
        assert zf.read("01 Agenda/01-Agenda-agenda MT.pdf") == data


def test_an_actor_outside_the_secretariat_is_refused_as_her_click_would_be(
    env: dict[str, str],
) -> None:
    for command in (["list"], ["export", "geen-vergadering", "--out", "/nonexistent/x.zip"]):
        refused = secretariaat(env, "meetings", *command, "--actor", BURGEMEESTER)
        assert refused.returncode == 3, refused.stderr
        assert refused.stderr.startswith("fout: Alleen het secretariaat")
