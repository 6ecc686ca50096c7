"""Exchange Online's sending limits, as a mailbox meets them through Graph.

Sources, quoted where a test relies on them:

- Exchange Online limits, "Sending limits"
  (https://learn.microsoft.com/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits#sending-limits):
  recipient rate limit 10,000 recipients a day, message rate limit 30 messages a minute,
  recipient limit 500 recipients a message; "Once the recipient rate limit is reached, messages
  can't be sent from the mailbox until the number of recipients that were sent messages in the
  past 24 hours drops below the limit."
- SMTP submission improvements
  (https://learn.microsoft.com/troubleshoot/exchange/send-emails/smtp-submission-improvements):
  "If the mailbox exceeds the per minute limit, then email delivery delays occur. Any excess in
  message submissions is throttled and successively carried over to the following minutes."
- Non-delivery reports in Exchange Online
  (https://learn.microsoft.com/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online):
  5.1.90 "Your message can't be sent because you've reached your daily limit for message
  recipients".
- KB 3024804, too many recipients on a meeting update
  (https://learn.microsoft.com/exchange/troubleshoot/administration/too-many-recipients-update-meeting-distribution-group):
  an NDR "This message wasn't delivered to anyone because there are too many recipients. The
  limit is 500." with "#550 5.5.3 RESOLVER.ADR.RecipLimit; too many recipients ##" — meeting
  messages count like any other message.
- sendMail (https://learn.microsoft.com/graph/api/user-sendmail): "If successful, this method
  returns 202 Accepted response code": Graph accepts; the limits act in transport afterwards.

Each test starts on a fresh day at the start of a minute, so the mailbox's 24 hours and its
minute are its own whatever ran before in this module.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator

import httpx
import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.models.attendee import Attendee
from msgraph.generated.models.attendee_type import AttendeeType
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.event import Event
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.message import Message
from msgraph.generated.models.recipient import Recipient
from msgraph.generated.users.item.events.events_request_builder import EventsRequestBuilder
from msgraph.generated.users.item.events.item.cancel.cancel_post_request_body import (
    CancelPostRequestBody,
)
from msgraph.generated.users.item.events.item.decline.decline_post_request_body import (
    DeclinePostRequestBody,
)
from msgraph.generated.users.item.mail_folders.item.messages.messages_request_builder import (
    MessagesRequestBuilder,
)
from msgraph.generated.users.item.send_mail.send_mail_post_request_body import (
    SendMailPostRequestBody,
)

from sandbox import clock as sandbox_clocks
from tests.dates import seed_day
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, GEMEENTESECRETARIS, SECRETARY_A, STAFF

ZONE = "W. Europe Standard Time"
THURSDAY = seed_day("thu")
_numbers = itertools.count(1)
SENDING_DEFAULTS = {"message_rate": 30, "recipient_rate": 10_000, "recipient_limit": 500}


@pytest.fixture(autouse=True)
def fresh_minute(tenant_clock: sandbox_clocks.SetClock) -> dt.datetime:
    """A day later than anything sent before, at the start of a minute (sending 31 messages
    takes far less than the minute that leaves)."""
    now = tenant_clock.now() + dt.timedelta(days=1, minutes=1)
    start = now.replace(second=0, microsecond=0)
    tenant_clock.advance(start - tenant_clock.now())
    return start


@pytest.fixture
def sending(admin: httpx.Client) -> Iterator[httpx.Client]:
    """The control plane, with the sending limits put back to Exchange's after the test."""
    yield admin
    admin.post("/limits", json=SENDING_DEFAULTS).raise_for_status()


def to(*addresses: str) -> list[Recipient]:
    return [Recipient(email_address=EmailAddress(address=a)) for a in addresses]


def outsiders(n: int) -> list[str]:
    return [f"inwoner{i}@example.org" for i in range(n)]


async def send(tenant: Tenant, sender: str, subject: str, recipients: list[str]) -> None:
    message = Message(
        subject=subject, body=ItemBody(content="Tekst"), to_recipients=to(*recipients)
    )
    body = SendMailPostRequestBody(message=message, save_to_sent_items=True)
    await tenant.graph(sender).users.by_user_id(sender).send_mail.post(body)


async def folder(tenant: Tenant, owner: str, name: str, subject: str) -> list[Message]:
    params = MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(
        filter=f"startswith(subject, '{subject}')", top=200
    )
    box = tenant.graph(owner).users.by_user_id(owner).mail_folders.by_mail_folder_id(name)
    page = await box.messages.get(RequestConfiguration(query_parameters=params))
    return list(page.value or [])


def minutes_after(start: dt.datetime, messages: list[Message], field: str) -> list[int]:
    return sorted(int((getattr(m, field) - start).total_seconds() // 60) for m in messages)


# -- message rate limit: 30 a minute, the rest carried over -----------------------------------
async def test_the_31st_message_in_a_minute_is_accepted_and_leaves_the_next_minute(
    tenant: Tenant, fresh_minute: dt.datetime
) -> None:
    """Graph answers 202 to all 31 (no 429); Exchange holds the 31st in the Outbox and it
    leaves in the following minute: its sentDateTime, and when STAFF receives it."""
    subject = f"Rondschrijven {next(_numbers)}"
    for n in range(31):
        await send(tenant, BURGEMEESTER, f"{subject} nr {n:02d}", [STAFF])
    sent = await folder(tenant, BURGEMEESTER, "sentitems", subject)
    received = await folder(tenant, STAFF, "inbox", subject)
    assert minutes_after(fresh_minute, sent, "sent_date_time") == [0] * 30 + [1]
    assert minutes_after(fresh_minute, received, "received_date_time") == [0] * 30 + [1]
    late = max(received, key=lambda m: m.received_date_time)
    assert late.subject == f"{subject} nr 30"
    assert late.received_date_time == fresh_minute + dt.timedelta(minutes=1)


async def test_each_mailbox_has_its_own_30_a_minute(
    tenant: Tenant, fresh_minute: dt.datetime
) -> None:
    subject = f"Twee postvakken {next(_numbers)}"
    for n in range(30):
        await send(tenant, BURGEMEESTER, f"{subject} b{n:02d}", [STAFF])
    await send(tenant, GEMEENTESECRETARIS, f"{subject} g", [STAFF])
    [other] = await folder(tenant, GEMEENTESECRETARIS, "sentitems", f"{subject} g")
    assert other.sent_date_time - fresh_minute < dt.timedelta(minutes=1)


async def test_a_meeting_cancellation_counts_as_a_message_and_waits_its_turn(
    tenant: Tenant, fresh_minute: dt.datetime
) -> None:
    """Meeting messages are messages from the organizer's mailbox (KB 3024804): after 30 mails
    the cancellation reaches the attendee a minute later, though her item is gone at once."""
    made = await meeting(tenant, [GEMEENTESECRETARIS, STAFF])
    subject = f"Voor de annulering {next(_numbers)}"
    for n in range(30):
        await send(tenant, BURGEMEESTER, f"{subject} {n:02d}", [STAFF])
    events = tenant.graph(SECRETARY_A).users.by_user_id(BURGEMEESTER).events
    await events.by_event_id(made.id).cancel.post(CancelPostRequestBody(comment="Helaas"))
    [notice] = await folder(tenant, STAFF, "inbox", f"Canceled: {made.subject}")
    assert notice.received_date_time == fresh_minute + dt.timedelta(minutes=1)


async def test_a_decline_with_a_response_is_a_message_and_without_one_is_none(
    tenant: Tenant, fresh_minute: dt.datetime
) -> None:
    first = await meeting(tenant, [GEMEENTESECRETARIS])
    second = await meeting(tenant, [GEMEENTESECRETARIS])
    subject = f"Vol postvak {next(_numbers)}"
    for n in range(30):
        await send(tenant, GEMEENTESECRETARIS, f"{subject} {n:02d}", [STAFF])
    events = tenant.graph(GEMEENTESECRETARIS).users.by_user_id(GEMEENTESECRETARIS).events
    silent = await copy_id(tenant, GEMEENTESECRETARIS, second.subject)
    await events.by_event_id(silent).decline.post(DeclinePostRequestBody(send_response=False))
    told = await copy_id(tenant, GEMEENTESECRETARIS, first.subject)
    await events.by_event_id(told).decline.post(
        DeclinePostRequestBody(comment="Ik kan niet", send_response=True)
    )
    [answer] = await folder(tenant, BURGEMEESTER, "inbox", f"Declined: {first.subject}")
    # the silent decline took no place in the minute: the told one is the 31st message
    assert answer.received_date_time == fresh_minute + dt.timedelta(minutes=1)


# -- recipient limit: 500 in one message -------------------------------------------------------
async def test_500_recipients_go_out(tenant: Tenant) -> None:
    subject = f"Vijfhonderd {next(_numbers)}"
    await send(tenant, BURGEMEESTER, subject, [STAFF, *outsiders(499)])
    assert len(await folder(tenant, STAFF, "inbox", subject)) == 1
    assert await folder(tenant, BURGEMEESTER, "inbox", f"Undeliverable: {subject}") == []


async def test_501_recipients_are_accepted_but_reach_nobody_and_the_sender_gets_an_ndr(
    tenant: Tenant,
) -> None:
    subject = f"Vijfhonderdeen {next(_numbers)}"
    await send(tenant, BURGEMEESTER, subject, [STAFF, *outsiders(500)])  # 202, no exception
    assert await folder(tenant, STAFF, "inbox", subject) == []
    [ndr] = await folder(tenant, BURGEMEESTER, "inbox", f"Undeliverable: {subject}")
    assert "The limit is 500. This message has 501 recipients." in ndr.body.content
    assert "550 5.5.3 RESOLVER.ADR.RecipLimit; too many recipients" in ndr.body.content
    assert ndr.from_.email_address.name == "Microsoft Outlook"


async def test_a_meeting_with_too_many_attendees_cannot_be_cancelled_by_message(
    tenant: Tenant,
) -> None:
    """KB 3024804: the organizer's update or cancellation to over 500 recipients is an NDR;
    nobody is told, so the attendees' items stay as they were."""
    made = await meeting(tenant, [STAFF, *outsiders(500)])
    events = tenant.graph(SECRETARY_A).users.by_user_id(BURGEMEESTER).events
    await events.by_event_id(made.id).cancel.post(CancelPostRequestBody(comment="Helaas"))
    [ndr] = await folder(tenant, BURGEMEESTER, "inbox", f"Undeliverable: Canceled: {made.subject}")
    assert "RESOLVER.ADR.RecipLimit" in ndr.body.content
    assert await folder(tenant, STAFF, "inbox", f"Canceled: {made.subject}") == []
    theirs = (
        await tenant.graph(STAFF)
        .users.by_user_id(STAFF)
        .events.by_event_id(await copy_id(tenant, STAFF, made.subject))
        .get()
    )
    assert theirs is not None and not theirs.is_cancelled


# -- recipient rate limit: 10,000 in 24 hours --------------------------------------------------
async def test_the_10001st_recipient_of_the_day_is_refused_with_5_1_90(
    tenant: Tenant, tenant_clock: sandbox_clocks.SetClock
) -> None:
    """With Exchange's own numbers: 20 messages of 500 recipients use the day's 10,000; the
    next message reaches nobody until 24 hours after the first have passed."""
    subject = f"Dagquotum {next(_numbers)}"
    for n in range(20):
        await send(tenant, GEMEENTESECRETARIS, f"{subject} {n:02d}", outsiders(500))
    await send(tenant, GEMEENTESECRETARIS, f"{subject} te veel", [STAFF])
    assert await folder(tenant, STAFF, "inbox", f"{subject} te veel") == []
    [ndr] = await folder(tenant, GEMEENTESECRETARIS, "inbox", f"Undeliverable: {subject}")
    assert "550 5.1.90" in ndr.body.content
    assert "reached your daily limit for message recipients" in ndr.body.content
    tenant_clock.advance(dt.timedelta(hours=24, minutes=1))
    await send(tenant, GEMEENTESECRETARIS, f"{subject} de dag erna", [STAFF])
    assert len(await folder(tenant, STAFF, "inbox", f"{subject} de dag erna")) == 1


async def test_the_limits_are_settings_a_test_may_lower(
    tenant: Tenant, sending: httpx.Client
) -> None:
    sending.post("/limits", json={"recipient_rate": 3}).raise_for_status()
    assert sending.get("/counters").json()["settings"]["recipientRate"] == 3
    subject = f"Laag quotum {next(_numbers)}"
    await send(tenant, STAFF, f"{subject} een", [BURGEMEESTER, GEMEENTESECRETARIS, SECRETARY_A])
    await send(tenant, STAFF, f"{subject} twee", [BURGEMEESTER])
    assert len(await folder(tenant, BURGEMEESTER, "inbox", f"{subject} een")) == 1
    assert await folder(tenant, BURGEMEESTER, "inbox", f"{subject} twee") == []
    bad = sending.post("/limits", json={"message_rate": 0})
    assert bad.status_code == 400


# -- helpers -----------------------------------------------------------------------------------
async def meeting(tenant: Tenant, attendees: list[str]) -> Event:
    """A meeting in the burgemeester's calendar, made by her secretary (its request is a
    message from her mailbox too, sent before the test's own messages)."""
    day = (THURSDAY + dt.timedelta(weeks=5)).isoformat()
    event = Event(
        subject=f"Overleg {next(_numbers)}",
        start=DateTimeTimeZone(date_time=f"{day}T14:00:00", time_zone=ZONE),
        end=DateTimeTimeZone(date_time=f"{day}T15:00:00", time_zone=ZONE),
        attendees=[
            Attendee(email_address=EmailAddress(address=a), type=AttendeeType.Required)
            for a in attendees
        ],
    )
    made = await tenant.graph(SECRETARY_A).users.by_user_id(BURGEMEESTER).events.post(event)
    assert made is not None
    return made


async def copy_id(tenant: Tenant, upn: str, subject: str) -> str:
    events = tenant.graph(upn).users.by_user_id(upn).events
    params = EventsRequestBuilder.EventsRequestBuilderGetQueryParameters(
        filter=f"subject eq '{subject}'"
    )
    page = await events.get(RequestConfiguration(query_parameters=params))
    assert page is not None and page.value
    return str(page.value[0].id)
