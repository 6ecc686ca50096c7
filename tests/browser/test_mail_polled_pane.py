"""Mail as it arrives with notifications off (a closed network, the demo): the backend reads
the Inbox delta on a timer, and the open panes show the new mail after the next read; the
story of ``test_mail_arrives_pane``, polled."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.server import RunningSandbox, free_port
from server.settings import Settings
from tests.browser.outlook import Outlook
from tests.browser.test_mail_arrives_pane import mail_shows_up_by_itself
from tests.sandbox.graphclients import Tenant


@pytest.fixture(scope="module")
def backend_settings(running: RunningSandbox, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    store = tmp_path_factory.mktemp("store") / "store.sqlite3"
    return Settings(
        sandbox_state=Path(running.info["ca_cert"]).parent,
        database_url=f"sqlite+aiosqlite:///{store}",
        base_url=f"https://127.0.0.1:{free_port()}",
        meetings_root=tmp_path_factory.mktemp("vergadermappen"),
        mail_notifications="poll",
        mail_poll_s=2,
    )


def test_a_new_mail_reaches_the_open_panes_on_the_next_poll(
    outlook: Outlook, colleague: Outlook, tenant: Tenant
) -> None:
    mail_shows_up_by_itself(outlook, colleague, tenant)
