"""Each endpoint lets in a token with its least-privileged permission and refuses one without.

The tables are Microsoft's (each endpoint's API page, "Permissions"; the grants live in
``sandbox/permissions.py`` with their page). The sandbox here is seeded with one extra app
registration per permission, granted that permission alone (delegated and application), so
every token below comes from MSAL exactly as the product's does.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import msal
import pytest
import yaml

from sandbox import clock as sandbox_clocks
from sandbox import resources
from sandbox.app import SandboxConfig
from sandbox.errors import GraphError
from sandbox.identity.tokens import Caller
from sandbox.permissions import grant_for, permission_for
from sandbox.router import Route
from sandbox.seed.loader import DEFAULT_PATH
from sandbox.server import RunningSandbox, start_in_thread
from tests.conftest import TODAY
from tests.sandbox.graphclients import GRAPH_DEFAULT, Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A, STAFF

EXEC = BURGEMEESTER

PERMISSIONS = (
    "Mail.ReadBasic", "Mail.ReadBasic.All", "Mail.Read", "Mail.ReadWrite", "Mail.Send",
    "Mail.Read.Shared", "Mail.ReadWrite.Shared", "MailboxSettings.Read",
    "MailboxSettings.ReadWrite", "Calendars.ReadBasic", "Calendars.Read", "Calendars.ReadWrite",
    "Calendars.Read.Shared", "Tasks.Read", "Tasks.ReadWrite", "Tasks.Read.All",
    "Tasks.ReadWrite.All", "User.Read", "User.ReadBasic.All", "User.Read.All", "Sites.Read.All",
    "Files.Read.All", "Files.ReadWrite.All", "Place.Read.All",
)  # fmt: skip


# Every permission name any table mentions, with the .Shared forms.
ALL = frozenset(
    {*PERMISSIONS, "Mail.ReadWrite.Shared", "Mail.Send.Shared", "Calendars.ReadWrite.Shared",
     "Directory.Read.All", "Files.Read", "Files.ReadWrite",
     "Sites.ReadWrite.All", "Mail.Read.Shared", "Place.ReadWrite.All"}
)  # fmt: skip


def _client_id(permissions: tuple[str, ...]) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "test-app:" + "+".join(permissions)))


# An app per permission, and one pair: a delegate's shared mail plus mailbox settings.
GRANTS = [(p,) for p in PERMISSIONS] + [("Mail.ReadWrite.Shared", "MailboxSettings.ReadWrite")]


@pytest.fixture(scope="module")
def sandbox(
    tmp_path_factory: pytest.TempPathFactory, tenant_clock: sandbox_clocks.SetClock
) -> Iterator[RunningSandbox]:
    work: Path = tmp_path_factory.mktemp("permissions")
    seed = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    product = seed["apps"][0]
    for grant in GRANTS:
        seed["apps"].append(
            {
                "displayName": "Test " + " + ".join(grant),
                "client_id": _client_id(grant),
                "api_scopes": ["access_as_user"],
                "delegated_permissions": list(grant),
                "application_permissions": list(grant),
                "spa_redirect_uris": [],
                "rbac_scope": product["rbac_scope"],
            }
        )
    path = work / "seed.yaml"
    path.write_text(yaml.safe_dump(seed, allow_unicode=True), encoding="utf-8")
    run = start_in_thread(
        SandboxConfig(state_dir=work / "state", today=TODAY, clock=tenant_clock, seed=path)
    )
    yield run
    run.stop()


class Tokens:
    """MSAL tokens for the test apps: on-behalf-of a user, or the app's own."""

    def __init__(self, run: RunningSandbox) -> None:
        self.run = run
        self.tenant = Tenant(run.info)
        self.cache: dict[tuple[tuple[str, ...], str | None], str] = {}

    def token(self, grant: tuple[str, ...], upn: str | None) -> str:
        key = (grant, upn)
        if key not in self.cache:
            client_id = _client_id(grant)
            secret = self.run.app.state.sandbox.store.get_meta(f"client_secret:{client_id}")
            app: msal.ConfidentialClientApplication = self.tenant.msal_app(
                secret, client_id=client_id
            )
            if upn is None:
                result = app.acquire_token_for_client(scopes=GRAPH_DEFAULT)
            else:
                signed_in = httpx.post(
                    self.run.info["signin_url"],
                    data={"username": upn, "client_id": client_id},
                    verify=self.tenant.tls,
                )
                signed_in.raise_for_status()
                assertion = signed_in.json()["access_token"]
                result = app.acquire_token_on_behalf_of(assertion, scopes=GRAPH_DEFAULT)
            assert "access_token" in result, result
            self.cache[key] = result["access_token"]
        return self.cache[key]

    def call(
        self, grant: str | tuple[str, ...], upn: str | None, method: str, url: str, **kw: Any
    ) -> httpx.Response:
        grant = (grant,) if isinstance(grant, str) else grant
        headers = {"Authorization": f"Bearer {self.token(grant, upn)}"}
        with httpx.Client(
            base_url=self.run.info["graph_url"], verify=self.tenant.tls, timeout=30
        ) as http:
            return http.request(method, url, headers=headers, **kw)


@pytest.fixture(scope="module")
def tokens(sandbox: RunningSandbox) -> Tokens:
    return Tokens(sandbox)


def _refused(resp: httpx.Response, code: str = "ErrorAccessDenied") -> bool:
    return resp.status_code == 403 and resp.json()["error"]["code"] == code


ME = None  # marker: the call is made by the mailbox's owner herself


def _who(mode: str) -> str | None:
    return EXEC if mode == "delegated" else None


# (what, method, url, body, least privileged (delegated, application), a permission too small)
_EVENT = {
    "subject": "Overleg",
    "start": {"dateTime": "2026-11-26T10:00:00", "timeZone": "W. Europe Standard Time"},
    "end": {"dateTime": "2026-11-26T11:00:00", "timeZone": "W. Europe Standard Time"},
}
CASES = [
    # https://learn.microsoft.com/graph/api/user-list-messages
    ("list messages", "GET", f"/users/{EXEC}/messages?$top=1", None,
     ("Mail.ReadBasic", "Mail.ReadBasic.All"), "Calendars.Read"),
    # https://learn.microsoft.com/graph/api/user-post-messages
    ("create a draft", "POST", f"/users/{EXEC}/messages", {"subject": "x"},
     ("Mail.ReadWrite", "Mail.ReadWrite"), "Mail.Read"),
    # https://learn.microsoft.com/graph/api/user-sendmail
    ("send mail", "POST", f"/users/{EXEC}/sendMail",
     {"message": {"subject": "x", "toRecipients": [
         {"emailAddress": {"address": SECRETARY_A}}]}, "saveToSentItems": False},
     ("Mail.Send", "Mail.Send"), "Mail.ReadWrite"),
    # https://learn.microsoft.com/graph/api/outlookuser-list-mastercategories
    ("list master categories", "GET", f"/users/{EXEC}/outlook/masterCategories", None,
     ("MailboxSettings.Read", "MailboxSettings.Read"), "Mail.ReadWrite"),
    # https://learn.microsoft.com/graph/api/outlookuser-post-mastercategories
    ("create a master category", "POST", f"/users/{EXEC}/outlook/masterCategories",
     {"displayName": "Perm-{mode}", "color": "preset1"},
     ("MailboxSettings.ReadWrite", "MailboxSettings.ReadWrite"), "MailboxSettings.Read"),
    # https://learn.microsoft.com/graph/api/user-list-calendarview
    ("read the calendar view", "GET",
     f"/users/{EXEC}/calendarView?startDateTime=2026-11-23T00:00:00Z"
     "&endDateTime=2026-11-30T00:00:00Z", None,
     ("Calendars.ReadBasic", "Calendars.ReadBasic"), "Mail.Read"),
    # https://learn.microsoft.com/graph/api/event-delta (no Calendars.ReadBasic)
    ("calendar view delta", "GET",
     f"/users/{EXEC}/calendarView/delta?startDateTime=2026-11-23T00:00:00Z"
     "&endDateTime=2026-11-30T00:00:00Z", None,
     ("Calendars.Read", "Calendars.Read"), "Calendars.ReadBasic"),
    # https://learn.microsoft.com/graph/api/user-post-events
    ("create an event", "POST", f"/users/{EXEC}/events", _EVENT,
     ("Calendars.ReadWrite", "Calendars.ReadWrite"), "Calendars.Read"),
    # https://learn.microsoft.com/graph/api/todouser-list-lists
    ("list To Do lists", "GET", f"/users/{EXEC}/todo/lists", None,
     ("Tasks.Read", "Tasks.Read.All"), "Mail.Read"),
    # https://learn.microsoft.com/graph/api/todotasklist-post-tasks
    ("create a To Do list", "POST", f"/users/{EXEC}/todo/lists", {"displayName": "Perm"},
     ("Tasks.ReadWrite", "Tasks.ReadWrite.All"), "Tasks.Read"),
]  # fmt: skip


@pytest.mark.parametrize("mode", ["delegated", "application"])
@pytest.mark.parametrize(("what", "method", "url", "body", "least", "too_small"), CASES,
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_the_least_privileged_permission_opens_the_endpoint_and_a_smaller_one_does_not(
    tokens: Tokens,
    mode: str,
    what: str,
    method: str,
    url: str,
    body: dict[str, Any] | None,
    least: tuple[str, str],
    too_small: str,
) -> None:
    permission = least[0] if mode == "delegated" else least[1]
    if body and "displayName" in body:
        body = {**body, "displayName": body["displayName"].format(mode=mode)}
    ok = tokens.call(permission, _who(mode), method, url, json=body)
    assert ok.status_code < 300, f"{what} with {permission}: {ok.status_code} {ok.text[:300]}"
    refused = tokens.call(too_small, _who(mode), method, url, json=body)
    assert _refused(refused), f"{what} with {too_small}: {refused.status_code} {refused.text}"


def test_a_delegate_reaches_another_mailbox_only_through_a_shared_permission(
    tokens: Tokens,
) -> None:
    # https://learn.microsoft.com/graph/outlook-share-messages-folders: "Use the delegated
    # permissions, Mail.Read.Shared or Mail.ReadWrite.Shared" for a shared or delegated folder.
    url = f"/users/{EXEC}/messages?$top=1"
    assert _refused(tokens.call("Mail.Read", SECRETARY_A, "GET", url))
    assert tokens.call("Mail.Read.Shared", SECRETARY_A, "GET", url).status_code == 200
    # ... and the owner's delegate rights still decide: a colleague without them is refused.
    assert _refused(tokens.call("Mail.Read.Shared", STAFF, "GET", url))


def test_no_delegate_reaches_another_mailbox_s_master_categories(tokens: Tokens) -> None:
    # MailboxSettings has no .Shared form; Graph answers a delegate 403 ErrorAccessDenied
    # (microsoftgraph/microsoft-graph-docs-contrib#4441, #3805). The app's identity can.
    url = f"/users/{EXEC}/outlook/masterCategories"
    both = ("Mail.ReadWrite.Shared", "MailboxSettings.ReadWrite")
    assert _refused(tokens.call(both, SECRETARY_A, "GET", url))
    assert (
        tokens.call(
            both, SECRETARY_A, "GET", f"/users/{SECRETARY_A}/outlook/masterCategories"
        ).status_code
        == 200
    )  # noqa: E501
    assert tokens.call("MailboxSettings.Read", None, "GET", url).status_code == 200


def test_find_meeting_times_takes_a_delegated_shared_calendar_permission_only(
    tokens: Tokens,
) -> None:
    # https://learn.microsoft.com/graph/api/user-findmeetingtimes: delegated
    # Calendars.Read.Shared; application not supported.
    url = f"/users/{SECRETARY_A}/findMeetingTimes"
    body = {"attendees": [{"emailAddress": {"address": EXEC}, "type": "required"}]}
    assert tokens.call("Calendars.Read.Shared", SECRETARY_A, "POST", url, json=body).is_success
    assert _refused(tokens.call("Calendars.Read", SECRETARY_A, "POST", url, json=body))
    assert _refused(tokens.call("Calendars.Read.Shared", None, "POST", url, json=body))


def test_the_directory_answers_in_its_own_words_and_basic_profiles_hide_job_titles(
    tokens: Tokens,
) -> None:
    # https://learn.microsoft.com/graph/api/user-list: delegated User.ReadBasic.All, application
    # User.Read.All. User.ReadBasic.All reads a basic profile: other properties come back null.
    basic = tokens.call("User.ReadBasic.All", SECRETARY_A, "GET", f"/users/{EXEC}")
    assert basic.status_code == 200
    assert basic.json()["displayName"] and basic.json()["jobTitle"] is None
    full = tokens.call("User.Read.All", SECRETARY_A, "GET", f"/users/{EXEC}?$select=jobTitle")
    assert full.json()["jobTitle"] == "Burgemeester"
    assert tokens.call("User.ReadBasic.All", SECRETARY_A, "GET", "/users").status_code == 200
    assert tokens.call("User.Read.All", None, "GET", "/users").status_code == 200
    # User.Read is one's own profile only (https://learn.microsoft.com/graph/api/user-get).
    assert tokens.call("User.Read", SECRETARY_A, "GET", "/me").json()["jobTitle"]
    other = tokens.call("User.Read", SECRETARY_A, "GET", f"/users/{EXEC}")
    assert _refused(other, "Authorization_RequestDenied")
    assert other.json()["error"]["message"] == "Insufficient privileges to complete the operation."
    assert _refused(tokens.call("User.ReadBasic.All", None, "GET", "/users"),
                    "Authorization_RequestDenied")  # fmt: skip


def test_sharepoint_needs_a_sites_or_files_permission(tokens: Tokens) -> None:
    # https://learn.microsoft.com/graph/api/site-search: Sites.Read.All (files permissions
    # do not search sites); https://learn.microsoft.com/graph/api/drive-list: Files.Read.All.
    search = "/sites?search=*"
    assert tokens.call("Sites.Read.All", SECRETARY_A, "GET", search).status_code == 200
    assert _refused(tokens.call("Files.Read.All", SECRETARY_A, "GET", search), "accessDenied")
    site = tokens.call("Sites.Read.All", None, "GET", search).json()["value"][0]["id"]
    drives = f"/sites/{site}/drives"
    assert tokens.call("Files.Read.All", SECRETARY_A, "GET", drives).status_code == 200
    assert _refused(tokens.call("Mail.Read", SECRETARY_A, "GET", drives), "accessDenied")
    assert _refused(tokens.call("Tasks.Read", None, "GET", drives), "accessDenied")


@pytest.mark.parametrize("upn", [SECRETARY_A, None], ids=["delegated", "application"])
def test_the_places_api_takes_place_read_all(tokens: Tokens, upn: str | None) -> None:
    # https://learn.microsoft.com/graph/api/place-list: Place.Read.All, delegated and
    # application. Refused, the places service's error comes wrapped in an UnknownError.
    rooms = "/places/microsoft.graph.room"
    assert tokens.call("Place.Read.All", upn, "GET", rooms).status_code == 200
    assert _refused(tokens.call("User.Read.All", upn, "GET", rooms), "UnknownError")
    assert _refused(tokens.call("Calendars.Read", upn, "GET", "/places/raadzaal@zeeveen.nl"),
                    "UnknownError")  # fmt: skip


ROUTES = [r for r in resources.router().routes if r.resource not in ("batch", "anonymous")]


@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.method} {r.template}" for r in ROUTES])
def test_every_endpoint_has_its_grant_and_refuses_a_token_without_it(route: Route) -> None:
    grant = grant_for(route.method, route.template, route.resource)
    assert grant is not None and grant.page.startswith("https://learn.microsoft.com/graph/api/")
    for own in (True, False):
        accepted = grant.delegated_for(own=own)
        if accepted:  # the least privileged one lets her in, everything else does not
            user = Caller("app", "u", "u@x", frozenset({accepted[0]}), frozenset())
            assert permission_for(grant, user, own=own, resource=route.resource)[1] == accepted[0]
        others = frozenset(ALL - set(accepted))
        with pytest.raises(GraphError) as refused:
            permission_for(grant, Caller("app", "u", "u@x", others, frozenset()), own=own,
                           resource=route.resource)  # fmt: skip
        assert refused.value.status == 403
    if grant.application:
        app = Caller("app", None, None, frozenset(), frozenset({grant.application[0]}))
        assert permission_for(grant, app, own=True, resource=route.resource)[1]
    app_without = Caller("app", None, None, frozenset(), frozenset(ALL - set(grant.application)))
    with pytest.raises(GraphError):
        permission_for(grant, app_without, own=True, resource=route.resource)
