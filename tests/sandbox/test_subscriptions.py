"""Change notifications for mail as Graph sends them: subscriptions and their validation,
lifetimes, notifications on created/updated/deleted/moved messages, lifecycle events, delivery
faults, and who may subscribe to whose mailbox.

The tenant's clock drives every timer (retries, lateness, expiry, reauthorization): tests
advance it and wait for what the webhook receiver records, never for the machine's time.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.subscription import Subscription

from sandbox import clock as sandbox_clocks
from sandbox.server import RunningSandbox
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A
from tests.sandbox.webhooks import Receiver, eventually, serve, until

EXEC = BURGEMEESTER
INBOX = f"/users/{EXEC}/mailFolders/inbox/messages"
EXEC_INBOX = f"users/{EXEC}/mailFolders('Inbox')/messages"
STATE = "geheim-" + "x" * 20
NOTIFICATION_KEYS = {
    "subscriptionId", "subscriptionExpirationDateTime", "changeType", "resource",
    "resourceData", "clientState", "tenantId",
}  # fmt: skip
LIFECYCLE_KEYS = {
    "subscriptionId", "subscriptionExpirationDateTime", "tenantId", "clientState",
    "lifecycleEvent",
}  # fmt: skip


@pytest.fixture(scope="module")
def receiver(running: RunningSandbox) -> Iterator[Receiver]:
    """HTTPS with the sandbox's server certificate, as the backend serves in development."""
    with serve(Receiver(), Path(running.info["ca_cert"]).parent) as r:
        yield r


@pytest.fixture(scope="module")
def plain_receiver() -> Iterator[Receiver]:
    with serve(Receiver(), None) as r:
        yield r


@pytest.fixture
def control(admin: httpx.Client) -> Iterator[httpx.Client]:
    """The control plane; notification settings and faults are reset after each test."""
    yield admin
    admin.post("/notifications/reset").raise_for_status()


@pytest.fixture
def ep(request: pytest.FixtureRequest) -> str:
    """An endpoint name of this test's own (the receiver is shared by the module)."""
    return re.sub(r"\W", "-", request.node.name)[:40] + "-" + uuid.uuid4().hex[:6]


@pytest.fixture
async def graph(tenant: Tenant) -> AsyncIterator[httpx.AsyncClient]:
    """The app, app-only (immutable ids); its subscriptions are deleted afterwards."""
    async with tenant.raw() as g:
        yield g
        for sub in (await g.get("/subscriptions")).json()["value"]:
            await g.delete(f"/subscriptions/{sub['id']}")


def at(clock: sandbox_clocks.SetClock, minutes: float) -> str:
    return (clock.now() + dt.timedelta(minutes=minutes)).isoformat()


def payload(
    receiver: Receiver, ep: str, clock: sandbox_clocks.SetClock, **changes: Any
) -> dict[str, Any]:
    body = {
        "changeType": "created,updated,deleted",
        "notificationUrl": receiver.url(ep),
        "resource": EXEC_INBOX,
        "expirationDateTime": at(clock, 3 * 24 * 60),
        "clientState": STATE,
    }
    body.update(changes)
    return body


def lc(receiver: Receiver, ep: str) -> dict[str, str]:
    """A lifecycle URL beside the notification URL: ``{ep}-lc``."""
    return {"lifecycleNotificationUrl": receiver.url(ep + "-lc")}


async def subscribe(
    graph: httpx.AsyncClient, receiver: Receiver, ep: str, clock: sandbox_clocks.SetClock,
    **changes: Any,
) -> dict[str, Any]:  # fmt: skip
    resp = await graph.post("/subscriptions", json=payload(receiver, ep, clock, **changes))
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


async def refused(graph: httpx.AsyncClient, body: dict[str, Any]) -> tuple[int, str, str]:
    resp = await graph.post("/subscriptions", json=body)
    error = resp.json()["error"]
    return resp.status_code, error["code"], error["message"]


async def new_message(graph: httpx.AsyncClient, subject: str) -> dict[str, Any]:
    resp = await graph.post(INBOX, json={"subject": subject})
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


async def exec_id(graph: httpx.AsyncClient) -> str:
    return str((await graph.get(f"/users/{EXEC}")).json()["id"])


# -- creating, validation, lifetimes -------------------------------------------------------
async def test_create_validates_the_endpoint_and_answers_graphs_subscription(
    graph: httpx.AsyncClient, receiver: Receiver, ep: str,
    tenant_clock: sandbox_clocks.SetClock, running: RunningSandbox,
) -> None:  # fmt: skip
    sub = await subscribe(graph, receiver, ep, tenant_clock, **lc(receiver, ep))
    [check] = receiver.validations(ep)
    assert check.query["validationToken"].startswith("Validation: Testing client application")
    assert check.content_type.startswith("text/plain")
    assert len(receiver.validations(ep + "-lc")) == 1  # the lifecycle URL is validated too
    assert sub["@odata.context"].endswith("/$metadata#subscriptions/$entity")
    assert sub["resource"] == EXEC_INBOX and sub["changeType"] == "created,updated,deleted"
    assert sub["clientState"] == STATE and sub["latestSupportedTlsVersion"] == "v1_2"
    assert sub["applicationId"] == running.info["client_id"]
    assert {"notificationQueryOptions", "encryptionCertificate", "includeResourceData"} <= set(sub)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z", sub["expirationDateTime"])
    assert (await graph.get(f"/subscriptions/{sub['id']}")).json()["id"] == sub["id"]
    listed = (await graph.get("/subscriptions")).json()["value"]
    assert [s["id"] for s in listed] == [sub["id"]]


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("wrong", "Response must exactly match validationToken query parameter."),
        ("json", "Response must exactly match validationToken query parameter."),
        ("404", "Notification endpoint must respond with 200 OK to validation request."),
    ],
)
async def test_create_fails_when_the_endpoint_does_not_echo_the_token(
    graph: httpx.AsyncClient, receiver: Receiver, ep: str,
    tenant_clock: sandbox_clocks.SetClock, mode: str, message: str,
) -> None:  # fmt: skip
    receiver.validation[ep] = mode
    status, code, text = await refused(graph, payload(receiver, ep, tenant_clock))
    assert (status, code) == (400, "ValidationError")
    assert text == "Subscription validation request failed. " + message
    assert (await graph.get("/subscriptions")).json()["value"] == []


async def test_a_lifecycle_url_that_fails_validation_fails_the_create(
    graph: httpx.AsyncClient, receiver: Receiver, ep: str, tenant_clock: sandbox_clocks.SetClock
) -> None:
    receiver.validation[ep + "-lc"] = "500"
    body = payload(receiver, ep, tenant_clock, **lc(receiver, ep))
    assert (await refused(graph, body))[:2] == (400, "ValidationError")


async def test_the_expiration_must_be_in_the_future_and_within_outlooks_maximum(
    graph: httpx.AsyncClient, receiver: Receiver, ep: str,
    tenant_clock: sandbox_clocks.SetClock, control: httpx.Client,
) -> None:  # fmt: skip
    past = payload(receiver, ep, tenant_clock, expirationDateTime=at(tenant_clock, -1))
    assert await refused(graph, past) == (
        400, "ExtensionError", "Subscription expiration must be in the future."
    )  # fmt: skip
    far = payload(receiver, ep, tenant_clock, expirationDateTime=at(tenant_clock, 10_081))
    assert await refused(graph, far) == (
        400, "ExtensionError", "Subscription expiration can only be 10080 minutes in the future."
    )  # fmt: skip
    missing = payload(receiver, ep, tenant_clock, expirationDateTime=None)
    assert (await refused(graph, missing))[:2] == (400, "InvalidRequest")
    await subscribe(graph, receiver, ep, tenant_clock, expirationDateTime=at(tenant_clock, 10_079))
    control.post("/notifications", json={"max_lifetime_minutes": 4230}).raise_for_status()
    older = payload(receiver, ep, tenant_clock, expirationDateTime=at(tenant_clock, 4231))
    assert "4230 minutes" in (await refused(graph, older))[2]


async def test_the_notification_url_must_be_https_unless_the_test_mode_allows_http(
    graph: httpx.AsyncClient, plain_receiver: Receiver, ep: str,
    tenant_clock: sandbox_clocks.SetClock, control: httpx.Client,
) -> None:  # fmt: skip
    body = payload(plain_receiver, ep, tenant_clock)
    assert await refused(graph, body) == (
        400, "InvalidRequest", "NotificationUrl scheme='http' is not supported."
    )  # fmt: skip
    control.post("/notifications", json={"allow_http": True}).raise_for_status()
    sub = await subscribe(graph, plain_receiver, ep, tenant_clock)
    await new_message(graph, "over http")
    assert plain_receiver.wait(ep)[0]["subscriptionId"] == sub["id"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("clientState", "x" * 129), ("changeType", "created,moved"), ("resource", "me/events"),
     ("resource", f"users/{EXEC}/messages?$filter=isRead eq false"),
     ("latestSupportedTlsVersion", "v2_0"), ("notificationUrl", "https:///nohost")],
)  # fmt: skip
async def test_malformed_requests_are_invalid(
    graph: httpx.AsyncClient, receiver: Receiver, ep: str,
    tenant_clock: sandbox_clocks.SetClock, field: str, value: str,
) -> None:  # fmt: skip
    body = payload(receiver, ep, tenant_clock, **{field: value})
    assert (await refused(graph, body))[:2] == (400, "InvalidRequest")
    assert receiver.validations(ep) == []


@pytest.mark.parametrize(
    "resource",
    [f"/users/{EXEC}/mailfolders('inbox')/messages", f"users('{EXEC}')/messages",
     f"users/{EXEC}/mailFolders/inbox/messages", f"users/{EXEC}/messages"],
)  # fmt: skip
async def test_the_resource_forms_graph_accepts(
    graph: httpx.AsyncClient, receiver: Receiver, ep: str,
    tenant_clock: sandbox_clocks.SetClock, resource: str,
) -> None:  # fmt: skip
    sub = await subscribe(graph, receiver, ep, tenant_clock, resource=resource)
    assert sub["resource"] == resource  # echoed as given


async def test_a_folder_by_id_and_an_unknown_folder(
    graph: httpx.AsyncClient, receiver: Receiver, ep: str, tenant_clock: sandbox_clocks.SetClock
) -> None:
    inbox = (await graph.get(f"/users/{EXEC}/mailFolders/inbox")).json()["id"]
    resource = f"users/{await exec_id(graph)}/mailFolders/{inbox}/messages"
    await subscribe(graph, receiver, ep, tenant_clock, resource=resource)
    missing = payload(
        receiver,
        ep,
        tenant_clock,
        resource=f"users/{EXEC}/mailFolders/AAMkNope123456789012345/messages",
    )  # noqa: E501
    assert (await refused(graph, missing))[:2] == (404, "ExtensionError")


async def test_renew_move_delivery_and_delete_through_the_sdk(
    tenant: Tenant, receiver: Receiver, ep: str, tenant_clock: sandbox_clocks.SetClock
) -> None:
    graph = tenant.graph()
    later = tenant_clock.now() + dt.timedelta(days=2)
    created = await graph.subscriptions.post(Subscription(
        change_type="created", notification_url=receiver.url(ep), resource=EXEC_INBOX,
        expiration_date_time=tenant_clock.now() + dt.timedelta(days=1), client_state=STATE,
    ))  # fmt: skip
    assert created is not None and created.id and created.client_state == STATE
    one = graph.subscriptions.by_subscription_id(created.id)
    renewed = await one.patch(Subscription(expiration_date_time=later))
    assert renewed is not None and renewed.expiration_date_time == later
    moved = await one.patch(Subscription(notification_url=receiver.url(ep + "-new")))
    assert moved is not None and moved.notification_url == receiver.url(ep + "-new")
    assert len(receiver.validations(ep + "-new")) == 1  # a new URL is validated again
    receiver.validation[ep + "-bad"] = "wrong"
    with pytest.raises(ODataError) as bad:
        await one.patch(Subscription(notification_url=receiver.url(ep + "-bad")))
    assert bad.value.error is not None and bad.value.error.code == "ValidationError"
    await one.delete()
    with pytest.raises(ODataError) as gone:
        await one.get()
    assert gone.value.response_status_code == 404


async def test_a_renewal_needs_a_property_and_keeps_to_the_limits(
    graph: httpx.AsyncClient, receiver: Receiver, ep: str, tenant_clock: sandbox_clocks.SetClock
) -> None:
    sub = await subscribe(graph, receiver, ep, tenant_clock)
    empty = await graph.patch(f"/subscriptions/{sub['id']}", json={})
    assert empty.status_code == 400 and "either the 'expirationDateTime'" in empty.text
    far = {"expirationDateTime": at(tenant_clock, 10_081)}
    resp = await graph.patch(f"/subscriptions/{sub['id']}", json=far)
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "ExtensionError"


# -- notifications -------------------------------------------------------------------------
async def test_created_updated_and_deleted_in_the_inbox_carry_graphs_shape(
    graph: httpx.AsyncClient, receiver: Receiver, ep: str,
    tenant_clock: sandbox_clocks.SetClock, running: RunningSandbox,
) -> None:  # fmt: skip
    sub = await subscribe(graph, receiver, ep, tenant_clock)
    owner = await exec_id(graph)
    msg = await new_message(graph, "Nieuw verzoek")
    [created] = receiver.wait(ep)
    assert set(created) == NOTIFICATION_KEYS
    path = f"Users/{owner}/Messages/{msg['id']}"
    assert created == {
        "subscriptionId": sub["id"], "subscriptionExpirationDateTime": sub["expirationDateTime"],
        "changeType": "created", "resource": path, "clientState": STATE,
        "tenantId": running.info["tenant_id"],
        "resourceData": {"@odata.type": "#Microsoft.Graph.Message", "@odata.id": path,
                         "@odata.etag": msg["@odata.etag"], "id": msg["id"]},
    }  # fmt: skip
    read = (await graph.patch(f"{INBOX}/{msg['id']}", json={"isRead": True})).json()
    updated = receiver.wait(ep, 2)[1]
    assert updated["changeType"] == "updated"
    assert updated["resourceData"]["@odata.etag"] == read["@odata.etag"] != msg["@odata.etag"]
    assert (await graph.delete(f"{INBOX}/{msg['id']}")).status_code == 204  # to Deleted Items
    deleted = receiver.wait(ep, 3)[2]
    assert deleted["changeType"] == "deleted" and deleted["resourceData"]["id"] == msg["id"]


async def test_a_move_out_is_deleted_with_the_id_it_had_and_all_mail_sees_an_update(
    tenant: Tenant, receiver: Receiver, ep: str, tenant_clock: sandbox_clocks.SetClock
) -> None:
    async with tenant.raw(prefer=None) as graph:  # regular ids, which change on a move
        inbox = await subscribe(graph, receiver, ep, tenant_clock, changeType="deleted")
        everything = await subscribe(graph, receiver, ep + "-all", tenant_clock,
                                     resource=f"users/{EXEC}/messages")  # fmt: skip
        msg = await new_message(graph, "Naar het archief")
        moved = await graph.post(f"{INBOX}/{msg['id']}/move", json={"destinationId": "archive"})
        new_id = moved.json()["id"]
        assert new_id != msg["id"]
        [gone] = receiver.wait(ep)
        assert gone["changeType"] == "deleted" and gone["resourceData"]["id"] == msg["id"]
        assert gone["subscriptionId"] == inbox["id"]
        created, updated = receiver.wait(ep + "-all", 2)
        assert (created["changeType"], created["resourceData"]["id"]) == ("created", msg["id"])
        assert (updated["changeType"], updated["resourceData"]["id"]) == ("updated", new_id)
        for sub in (inbox, everything):
            await graph.delete(f"/subscriptions/{sub['id']}")


async def test_only_the_subscribed_change_types_and_folder_are_notified(
    graph: httpx.AsyncClient, receiver: Receiver, ep: str, tenant_clock: sandbox_clocks.SetClock
) -> None:
    await subscribe(graph, receiver, ep, tenant_clock, changeType="updated")
    drafts = await graph.post(f"/users/{EXEC}/messages", json={"subject": "in Concepten"})
    msg = await new_message(graph, "alleen de wijziging telt")
    await graph.patch(f"/users/{EXEC}/messages/{drafts.json()['id']}", json={"subject": "x"})
    await graph.patch(f"{INBOX}/{msg['id']}", json={"subject": "gewijzigd"})
    [only] = receiver.wait(ep)
    assert (only["changeType"], only["resourceData"]["id"]) == ("updated", msg["id"])


# -- delivery: faults, retries -------------------------------------------------------------
async def test_a_dropped_notification_sends_missed_to_the_lifecycle_url(
    graph: httpx.AsyncClient, receiver: Receiver, ep: str,
    tenant_clock: sandbox_clocks.SetClock, control: httpx.Client,
) -> None:  # fmt: skip
    sub = await subscribe(graph, receiver, ep, tenant_clock, **lc(receiver, ep))
    control.post("/notifications", json={"next_faults": ["drop"]}).raise_for_status()
    await new_message(graph, "komt nooit aan")
    [missed] = receiver.wait(ep + "-lc")
    assert set(missed) == LIFECYCLE_KEYS
    assert (missed["lifecycleEvent"], missed["subscriptionId"]) == ("missed", sub["id"])
    assert missed["clientState"] == STATE
    second = await new_message(graph, "komt wel aan")
    [arrived] = receiver.wait(ep)  # the first one never does
    assert arrived["resourceData"]["id"] == second["id"]


async def test_a_duplicated_notification_arrives_twice(
    graph: httpx.AsyncClient, receiver: Receiver, ep: str,
    tenant_clock: sandbox_clocks.SetClock, control: httpx.Client,
) -> None:  # fmt: skip
    await subscribe(graph, receiver, ep, tenant_clock)
    control.post("/notifications", json={"next_faults": ["duplicate"]}).raise_for_status()
    await new_message(graph, "twee keer")
    first, second = receiver.wait(ep, 2)
    assert first == second


async def test_a_late_notification_waits_for_the_tenants_clock(
    graph: httpx.AsyncClient, receiver: Receiver, ep: str,
    tenant_clock: sandbox_clocks.SetClock, control: httpx.Client,
) -> None:  # fmt: skip
    sub = await subscribe(graph, receiver, ep, tenant_clock)
    control.post("/notifications", json={"next_faults": ["late"], "late_s": 900}).raise_for_status()
    await new_message(graph, "te laat")
    eventually(lambda: pending(control, sub["id"]))
    assert receiver.received(ep) == []
    tenant_clock.advance(dt.timedelta(seconds=901))
    assert receiver.wait(ep)[0]["changeType"] == "created"


def pending(control: httpx.Client, sub_id: str) -> list[dict[str, Any]]:
    queued = control.get("/notifications").json()["pending"]
    return [p for p in queued if p["subscriptionId"] == sub_id]


def attempts(control: httpx.Client, sub_id: str) -> list[int]:
    """The statuses the sandbox got delivering the subscription's change notifications."""
    sent = control.get("/notifications").json()["sent"]
    changes = ("created", "updated", "deleted")
    return [s["status"] for s in sent if s["subscriptionId"] == sub_id and s["event"] in changes]


async def test_a_failed_delivery_is_retried_with_backoff_on_the_clock(
    graph: httpx.AsyncClient, receiver: Receiver, ep: str,
    tenant_clock: sandbox_clocks.SetClock, control: httpx.Client,
) -> None:  # fmt: skip
    sub = await subscribe(graph, receiver, ep, tenant_clock)
    receiver.status[ep] = 503
    await new_message(graph, "eerst mis")
    eventually(lambda: attempts(control, sub["id"]) == [503] and pending(control, sub["id"]))
    tenant_clock.advance(dt.timedelta(seconds=61))  # the first retry: a minute later
    eventually(lambda: attempts(control, sub["id"]) == [503, 503] and pending(control, sub["id"]))
    receiver.status[ep] = 202
    tenant_clock.advance(dt.timedelta(seconds=121))  # then two minutes
    first, second, third = receiver.wait(ep, 3)
    assert first == second == third
    eventually(lambda: attempts(control, sub["id"]) == [503, 503, 202])


async def test_after_four_hours_of_failures_the_notification_is_dropped_as_missed(
    graph: httpx.AsyncClient, receiver: Receiver, ep: str,
    tenant_clock: sandbox_clocks.SetClock, control: httpx.Client,
) -> None:  # fmt: skip
    sub = await subscribe(graph, receiver, ep, tenant_clock, **lc(receiver, ep))
    receiver.status[ep] = 500
    await new_message(graph, "nooit bezorgd")
    eventually(lambda: attempts(control, sub["id"]) == [500])
    tenant_clock.advance(dt.timedelta(hours=4, seconds=1))
    [missed] = receiver.wait(ep + "-lc")
    assert missed["lifecycleEvent"] == "missed"
    assert attempts(control, sub["id"]) == [500, 500] and pending(control, sub["id"]) == []


# -- lifecycle -----------------------------------------------------------------------------
async def test_reauthorization_required_before_expiry_then_silent_expiry(
    graph: httpx.AsyncClient, receiver: Receiver, ep: str, tenant_clock: sandbox_clocks.SetClock
) -> None:
    ninety = at(tenant_clock, 90)
    sub = await subscribe(
        graph, receiver, ep, tenant_clock, expirationDateTime=ninety, **lc(receiver, ep)
    )
    tenant_clock.advance(dt.timedelta(minutes=31))  # under an hour left
    [challenge] = receiver.wait(ep + "-lc")
    assert challenge["lifecycleEvent"] == "reauthorizationRequired"
    assert (await graph.post(f"/subscriptions/{sub['id']}/reauthorize")).status_code == 204
    tenant_clock.advance(dt.timedelta(minutes=60))  # past its expiry: Graph deletes it
    await until(lambda: gone(graph, sub["id"]))
    assert [n["lifecycleEvent"] for n in receiver.received(ep + "-lc")] == [
        "reauthorizationRequired"
    ]


async def gone(graph: httpx.AsyncClient, sub_id: str) -> bool:
    resp = await graph.get(f"/subscriptions/{sub_id}")
    return resp.status_code == 404 and resp.json()["error"]["code"] == "ResourceNotFound"


async def test_a_challenge_can_pause_the_flow_until_the_app_reauthorizes(
    graph: httpx.AsyncClient, receiver: Receiver, ep: str,
    tenant_clock: sandbox_clocks.SetClock, control: httpx.Client,
) -> None:  # fmt: skip
    sub = await subscribe(graph, receiver, ep, tenant_clock, **lc(receiver, ep))
    control.post(f"/subscriptions/{sub['id']}/reauthorizationRequired", json={"pause": True})
    assert receiver.wait(ep + "-lc")[0]["lifecycleEvent"] == "reauthorizationRequired"
    await new_message(graph, "verloren tijdens de pauze")
    assert (await graph.post(f"/subscriptions/{sub['id']}/reauthorize")).status_code == 204
    after = await new_message(graph, "na de pauze")
    [only] = receiver.wait(ep)
    assert only["resourceData"]["id"] == after["id"]


async def test_a_removed_subscription_says_so_and_is_gone(
    graph: httpx.AsyncClient, receiver: Receiver, ep: str,
    tenant_clock: sandbox_clocks.SetClock, control: httpx.Client,
) -> None:  # fmt: skip
    sub = await subscribe(graph, receiver, ep, tenant_clock, **lc(receiver, ep))
    control.post(f"/subscriptions/{sub['id']}/remove").raise_for_status()
    [removed] = receiver.wait(ep + "-lc")
    assert (removed["lifecycleEvent"], removed["subscriptionId"]) == (
        "subscriptionRemoved",
        sub["id"],
    )
    assert await gone(graph, sub["id"])


# -- who may subscribe ---------------------------------------------------------------------
async def test_a_secretary_cannot_subscribe_to_her_executives_inbox_with_her_token(
    tenant: Tenant, receiver: Receiver, ep: str, tenant_clock: sandbox_clocks.SetClock
) -> None:
    async with tenant.raw(SECRETARY_A) as delegated:  # Mail.ReadWrite.Shared, editor rights
        status, code, message = await refused(delegated, payload(receiver, ep, tenant_clock))
    assert (status, code) == (403, "ExtensionError")
    assert message == "Operation: Create; Exception: [Status Code: Forbidden; Reason: Forbidden]"
    assert receiver.validations(ep) == []  # refused before Graph calls the endpoint


async def test_the_app_reaches_only_mailboxes_in_its_rbac_scope(
    graph: httpx.AsyncClient, receiver: Receiver, ep: str, tenant_clock: sandbox_clocks.SetClock
) -> None:
    outside = payload(receiver, ep, tenant_clock, resource=f"users/{SECRETARY_A}/messages")
    assert (await refused(graph, outside))[:2] == (403, "ExtensionError")
    await subscribe(graph, receiver, ep, tenant_clock)  # an executive's: allowed


async def test_a_user_subscribes_to_her_own_mailbox_and_sees_only_her_own(
    tenant: Tenant, graph: httpx.AsyncClient, receiver: Receiver, ep: str,
    tenant_clock: sandbox_clocks.SetClock,
) -> None:  # fmt: skip
    app_sub = await subscribe(graph, receiver, ep, tenant_clock)
    async with tenant.raw(EXEC) as own:
        mine = await subscribe(own, receiver, ep + "-me", tenant_clock,
                               resource="me/mailFolders('inbox')/messages")  # fmt: skip
        assert mine["creatorId"] == await exec_id(graph)
        assert [s["id"] for s in (await own.get("/subscriptions")).json()["value"]] == [mine["id"]]
        assert (await own.get(f"/subscriptions/{app_sub['id']}")).status_code == 404
        await own.delete(f"/subscriptions/{mine['id']}")
    async with tenant.raw(SECRETARY_A) as other:
        assert (await other.get("/subscriptions")).json()["value"] == []


async def test_a_mailbox_holds_a_limited_number_of_subscriptions(
    graph: httpx.AsyncClient, receiver: Receiver, ep: str,
    tenant_clock: sandbox_clocks.SetClock, control: httpx.Client,
) -> None:  # fmt: skip
    control.post("/notifications", json={"max_per_mailbox": 1}).raise_for_status()
    await subscribe(graph, receiver, ep, tenant_clock)
    status, code, message = await refused(graph, payload(receiver, ep, tenant_clock))
    assert (status, code) == (403, "ExtensionError")
    assert "Maximum number of subscriptions has been reached" in message


def test_the_control_plane_refuses_unknown_delivery_faults_and_settings(
    control: httpx.Client,
) -> None:
    for bad in ({"fault_kinds": ["lost"]}, {"fault_rate": 2}, {"max_per_mailbox": True},
                {"retries": 3}):  # fmt: skip
        resp = control.post("/notifications", json=bad)
        assert resp.status_code == 400, bad
    settings = control.get("/notifications").json()["settings"]
    assert (settings["max_lifetime_minutes"], settings["max_per_mailbox"]) == (10_080, 1000)


async def test_seeded_faults_apply_to_every_notification_at_rate_one(
    graph: httpx.AsyncClient, receiver: Receiver, ep: str,
    tenant_clock: sandbox_clocks.SetClock, control: httpx.Client,
) -> None:  # fmt: skip
    await subscribe(graph, receiver, ep, tenant_clock, **lc(receiver, ep))
    control.post("/notifications", json={"fault_rate": 1, "fault_kinds": ["drop"]})
    for subject in ("een", "twee"):
        await new_message(graph, subject)
    assert [m["lifecycleEvent"] for m in receiver.wait(ep + "-lc", 2)] == ["missed", "missed"]
    assert control.get("/notifications").json()["counters"]["fault.drop"] == 2
    assert receiver.received(ep) == []
