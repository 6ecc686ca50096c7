"""The tenant runs on its own clock: what Graph stamps is the sandbox clock's time, not the
machine's, so the product and the sandbox can run on another day together."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.message import Message
from msgraph.generated.models.recipient import Recipient
from msgraph.generated.models.todo_task import TodoTask
from msgraph.generated.users.item.send_mail.send_mail_post_request_body import (
    SendMailPostRequestBody,
)

from sandbox.app import SandboxConfig
from sandbox.clock import AMSTERDAM, SetClock, ShiftedClock, local_now, local_today
from sandbox.server import RunningSandbox, start_in_thread
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, WETHOUDERS

AT = dt.datetime(2031, 3, 5, 9, 15, tzinfo=dt.UTC)  # far from any machine's today


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    state: Path = tmp_path_factory.mktemp("sandbox-clock")
    run = start_in_thread(SandboxConfig(state_dir=state, clock=SetClock(AT, running=False)))
    yield run
    run.stop()


@pytest.fixture(scope="module")
def tenant(running: RunningSandbox) -> Tenant:
    return Tenant(running.info)


async def test_a_sent_message_is_stamped_by_the_sandbox_clock(tenant: Tenant) -> None:
    colleague = WETHOUDERS[0]
    message = Message(
        subject="Op de klok van de sandbox",
        body=ItemBody(content="Wanneer is dit verstuurd?"),
        to_recipients=[Recipient(email_address=EmailAddress(address=colleague))],
    )
    client = tenant.graph(BURGEMEESTER)
    await client.users.by_user_id(BURGEMEESTER).send_mail.post(
        SendMailPostRequestBody(message=message, save_to_sent_items=True)
    )
    for owner, folder in ((colleague, "inbox"), (BURGEMEESTER, "sentitems")):
        box = tenant.graph(owner).users.by_user_id(owner).mail_folders.by_mail_folder_id(folder)
        [found] = [m for m in (await box.messages.get()).value if m.subject == message.subject]
        assert (found.received_date_time, found.sent_date_time) == (AT, AT)


async def test_a_new_task_is_created_at_the_sandbox_clocks_time(tenant: Tenant) -> None:
    lists = await tenant.graph(SECRETARY_A).users.by_user_id(SECRETARY_A).todo.lists.get()
    default = next(lst for lst in lists.value if lst.display_name == "Tasks")
    tasks = (
        tenant.graph(SECRETARY_A)
        .users.by_user_id(SECRETARY_A)
        .todo.lists.by_todo_task_list_id(default.id)
        .tasks
    )
    task = await tasks.post(TodoTask(title="Klok"))
    assert task.created_date_time == AT == task.last_modified_date_time


async def test_an_error_is_dated_by_the_sandbox_clock(tenant: Tenant) -> None:
    async with tenant.raw(BURGEMEESTER) as http:
        resp = await http.get(f"/users/{BURGEMEESTER}/messages/AAMkAGnothere")
    assert resp.json()["error"]["innerError"]["date"] == "2031-03-05T09:15:00"


@pytest.mark.parametrize("days", [-180, 0, 180])  # one of the two crosses a DST change
def test_today_alone_is_that_day_at_the_real_time_of_day(days: int) -> None:
    day = dt.datetime.now(AMSTERDAM).date() + dt.timedelta(days=days)
    clock = SandboxConfig(today=day).make_clock()
    assert isinstance(clock, ShiftedClock) and local_today(clock) == day
    shown, real = local_now(clock), dt.datetime.now(AMSTERDAM)
    apart = abs((shown.hour * 60 + shown.minute) - (real.hour * 60 + real.minute))
    assert min(apart, 24 * 60 - apart) <= 1


def test_a_clock_and_a_today_that_disagree_are_refused() -> None:
    with pytest.raises(ValueError, match="demo week"):
        SandboxConfig(today=dt.date(2031, 3, 6), clock=SetClock(AT)).make_clock()
