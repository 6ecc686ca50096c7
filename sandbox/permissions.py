"""Which Graph permissions each endpoint accepts, as Microsoft's permissions reference lists them.

Every route the sandbox serves resolves to one ``Grant``: the delegated and application
permissions of its API page, least privileged first. A token passes with any of them; the one
that let it through (the least privileged it holds) is what the ``PermissionLog`` records, so
the product's own suite can tell which permissions it really uses.

Two rules come from Exchange rather than from the tables:
- A delegated token reaches *another* user's mail or calendar only through a ``.Shared``
  permission (and the owner's delegate rights, checked in ``dispatch``).
- The master category list is a mailbox setting: ``MailboxSettings.*`` has no ``.Shared``
  form, so a delegate cannot read or change another user's list (403 ``ErrorAccessDenied``;
  reported in microsoftgraph/microsoft-graph-docs-contrib#4441 and #3805).
- Change notifications (``/subscriptions``) take a read scope to the watched resource; a
  delegated token subscribes to its own mailbox only, the ``.Shared`` forms do not subscribe
  (Outlook subscription notes on subscription-post-subscriptions). The mailbox is in the body,
  so ``sandbox.subscriptions`` authorises it, not the route.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from sandbox.errors import GraphError
from sandbox.identity.tokens import Caller

__all__ = ["Grant", "PermissionLog", "denied", "grant_for", "permission_for"]

_DOCS = "https://learn.microsoft.com/graph/api/"

# The delegated permissions with a ``.Shared`` form (Microsoft Graph permissions reference).
_SHARED = frozenset(
    {
        "Mail.Read",
        "Mail.ReadWrite",
        "Mail.Send",
        "Calendars.Read",
        "Calendars.ReadWrite",
    }
)


@dataclass(frozen=True)
class Grant:
    """What one API accepts; ``page`` is Microsoft's reference page it was taken from."""

    delegated: tuple[str, ...]
    application: tuple[str, ...]
    page: str
    # Delegated permissions that reach only the signed-in user's own object (User.Read,
    # Files.ReadWrite); ``shared`` False: no delegated access to another user's at all.
    self_only: tuple[str, ...] = ()
    shared: bool = True

    def delegated_for(self, *, own: bool) -> tuple[str, ...]:
        """The delegated permissions that open this API on one's own or another's object."""
        out: list[str] = []
        for name in self.delegated:
            mailbox_bound = name.startswith(("Mail.", "Calendars."))
            if own:
                out += [name, f"{name}.Shared"] if name in _SHARED else [name]
            elif not self.shared or name in self.self_only:
                continue
            elif name.endswith(".Shared") or not mailbox_bound:
                out.append(name)  # directory and files are not bound to a mailbox's owner
            elif name in _SHARED:
                out.append(f"{name}.Shared")
        return tuple(dict.fromkeys(out))


def _g(
    delegated: tuple[str, ...],
    application: tuple[str, ...],
    page: str,
    *,
    self_only: tuple[str, ...] = (),
    shared: bool = True,
) -> Grant:
    return Grant(delegated, application, _DOCS + page, self_only, shared)


_MAIL_READ = ("Mail.ReadBasic", "Mail.Read", "Mail.ReadWrite")
_MAIL_READ_APP = ("Mail.ReadBasic.All", "Mail.Read", "Mail.ReadWrite")
_CAL_READ = ("Calendars.ReadBasic", "Calendars.Read", "Calendars.ReadWrite")
_FILES_READ = ("Files.Read.All", "Files.ReadWrite.All", "Sites.Read.All", "Sites.ReadWrite.All")
_FILES_WRITE = ("Files.ReadWrite.All", "Sites.ReadWrite.All")

MAIL_READ = _g(_MAIL_READ, _MAIL_READ_APP, "user-list-messages")
MAIL_FOLDERS = _g(_MAIL_READ, _MAIL_READ_APP, "user-list-mailfolders")
MAIL_MIME = _g(("Mail.Read", "Mail.ReadWrite"), ("Mail.Read", "Mail.ReadWrite"), "message-get")
ATTACHMENTS_READ = _g(
    ("Mail.Read", "Mail.ReadWrite"), ("Mail.Read", "Mail.ReadWrite"), "attachment-get"
)
MAIL_WRITE = _g(("Mail.ReadWrite",), ("Mail.ReadWrite",), "user-post-messages")
MAIL_SEND = _g(("Mail.Send",), ("Mail.Send",), "message-send")
CATEGORIES_READ = _g(
    ("MailboxSettings.Read", "MailboxSettings.ReadWrite"),
    ("MailboxSettings.Read", "MailboxSettings.ReadWrite"),
    "outlookuser-list-mastercategories",
    shared=False,
)
CATEGORIES_WRITE = _g(
    ("MailboxSettings.ReadWrite",),
    ("MailboxSettings.ReadWrite",),
    "outlookuser-post-mastercategories",
    shared=False,
)
MAILBOX_SETTINGS_READ = _g(
    ("MailboxSettings.Read", "MailboxSettings.ReadWrite"),
    ("MailboxSettings.Read", "MailboxSettings.ReadWrite"),
    "user-get-mailboxsettings",
    shared=False,
)
# Mail change notifications: Mail.ReadBasic, Mail.Read (the page's table; Mail.ReadWrite as the
# family's higher privilege); no delegated access to another user's mailbox at all.
MAIL_SUBSCRIPTIONS = _g(_MAIL_READ, _MAIL_READ_APP, "subscription-post-subscriptions", shared=False)
CALENDAR_READ = _g(_CAL_READ, _CAL_READ, "user-list-events")
CALENDAR_DELTA = _g(  # the delta page lists no Calendars.ReadBasic
    ("Calendars.Read", "Calendars.ReadWrite"),
    ("Calendars.Read", "Calendars.ReadWrite"),
    "event-delta",
)
CALENDAR_WRITE = _g(("Calendars.ReadWrite",), ("Calendars.ReadWrite",), "user-post-events")
# calendar-list-calendarpermissions: the user calendar's row of the page's table.
CALENDAR_PERMISSIONS = _g(_CAL_READ, _CAL_READ, "calendar-list-calendarpermissions")
SCHEDULE = _g(_CAL_READ, _CAL_READ, "calendar-getschedule")
FIND_TIMES = _g(
    ("Calendars.Read.Shared", "Calendars.ReadWrite.Shared"), (), "user-findmeetingtimes"
)
TASKS_READ = _g(("Tasks.Read", "Tasks.ReadWrite"), ("Tasks.Read.All", "Tasks.ReadWrite.All"),
                "todo-list-lists", shared=False)  # fmt: skip
TASKS_WRITE = _g(("Tasks.ReadWrite",), ("Tasks.ReadWrite.All",), "todo-post-lists", shared=False)
USERS_LIST = _g(
    ("User.ReadBasic.All", "User.Read.All", "Directory.Read.All"),
    ("User.Read.All", "Directory.Read.All"),
    "user-list",
)
USER_GET = _g(
    ("User.Read", "User.ReadBasic.All", "User.Read.All", "Directory.Read.All"),
    ("User.Read.All", "Directory.Read.All"),
    "user-get",
    self_only=("User.Read",),
)
# application-get: Application.Read.All, delegated and application; of the higher ones the
# page names, Application.ReadWrite.OwnedBy is left out (it reads only apps the caller owns,
# which the sandbox does not model).
APPLICATION_READ = _g(
    ("Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All"),
    ("Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All"),
    "application-get",
)
# The places API (place-list, place-get): Place.Read.All, delegated and application; the pages
# name no higher one, Place.ReadWrite.All (the family's write permission) is accepted too.
_PLACES = ("Place.Read.All", "Place.ReadWrite.All")
PLACES_READ = _g(_PLACES, _PLACES, "place-list")
_SITES = ("Sites.Read.All", "Sites.ReadWrite.All")
SITES_READ = _g(_SITES, _SITES, "site-get")
DRIVE_READ = _g(_FILES_READ, _FILES_READ, "driveitem-get")
DRIVE_WRITE = _g(_FILES_WRITE, _FILES_WRITE, "driveitem-put-content")
USER_DRIVE_READ = _g(("Files.Read", "Files.ReadWrite", *_FILES_READ), _FILES_READ, "drive-get",
                     self_only=("Files.Read", "Files.ReadWrite"))  # fmt: skip
USER_DRIVE_WRITE = _g(("Files.ReadWrite", *_FILES_WRITE), _FILES_WRITE, "driveitem-put-content",
                      self_only=("Files.ReadWrite",))  # fmt: skip

_ANY = "*"
_WRITES = "POST|PATCH|PUT|DELETE"

# (method regex, template regex, grant); the first match wins.
_RULES: tuple[tuple[str, str, Grant], ...] = (
    # mail: sending, then drafts, attachments, categories, folders, messages
    ("POST", r"/messages/\{message\}/(send|reply|replyAll|forward)$", MAIL_SEND),
    ("POST", r"^/users/\{user\}/sendMail$", MAIL_SEND),
    ("POST", r"/attachments/createUploadSession$", MAIL_WRITE),
    ("GET", r"/messages/\{message\}/attachments", ATTACHMENTS_READ),
    (_WRITES, r"/messages/\{message\}/attachments", MAIL_WRITE),
    ("GET", r"/outlook/masterCategories", CATEGORIES_READ),
    (_WRITES, r"/outlook/masterCategories", CATEGORIES_WRITE),
    ("GET", r"^/users/\{user\}/mailboxSettings$", MAILBOX_SETTINGS_READ),
    ("GET", r"/messages/\{message\}/\$value$", MAIL_MIME),
    (
        "GET",
        r"^/users/\{user\}/mailFolders(/\{folder\}(/childFolders(/\{child\})?)?)?$",
        MAIL_FOLDERS,
    ),  # fmt: skip
    (_WRITES, r"^/users/\{user\}/mailFolders(/\{folder\}(/childFolders)?)?$", MAIL_WRITE),
    ("GET", r"^/users/\{user\}/(mailFolders/.*/)?messages", MAIL_READ),
    (_WRITES, r"^/users/\{user\}/(mailFolders/.*/)?messages", MAIL_WRITE),
    # change notifications (authorised against the watched mailbox by sandbox.subscriptions)
    ("GET|" + _WRITES, r"^/subscriptions(/|$)", MAIL_SUBSCRIPTIONS),
    # calendar
    ("POST", r"/calendar/getSchedule$", SCHEDULE),
    ("POST", r"/findMeetingTimes$", FIND_TIMES),
    ("GET", r"/calendar/calendarPermissions$", CALENDAR_PERMISSIONS),
    ("GET", r"/calendarView/delta", CALENDAR_DELTA),
    ("GET", r"^/users/\{user\}/(calendar|events|calendarView)", CALENDAR_READ),
    (_WRITES, r"^/users/\{user\}/(calendar|events)", CALENDAR_WRITE),
    # To Do
    ("GET", r"^/users/\{user\}/todo/", TASKS_READ),
    (_WRITES, r"^/users/\{user\}/todo/", TASKS_WRITE),
    # directory
    ("GET", r"^/users$", USERS_LIST),
    ("GET", r"^/users/\{user\}$", USER_GET),
    ("GET", r"^/applications", APPLICATION_READ),
    # places: rooms and room lists
    ("GET", r"^/places(/|$)", PLACES_READ),
    # OneDrive and SharePoint
    ("GET", r"^/users/\{user\}/drive", USER_DRIVE_READ),
    (_WRITES, r"^/users/\{user\}/drive", USER_DRIVE_WRITE),
    ("GET", r"^/sites(/\{site:path\})?$", SITES_READ),
    ("GET", r"^/(sites/\{site:path\}/)?drives?(/|$)", DRIVE_READ),
    (_WRITES, r"^/(sites/\{site:path\}/)?drives?(/|$)", DRIVE_WRITE),
)
_COMPILED = tuple((re.compile(f"^({m})$"), re.compile(t), g) for m, t, g in _RULES)

_UNGUARDED = frozenset({"none", "batch", "anonymous"})


@lru_cache(maxsize=512)
def grant_for(method: str, template: str, resource: str) -> Grant | None:
    """The route's grant; None for routes Graph does not guard with a permission ($batch,
    pre-authenticated upload URLs). A route the table misses is a bug, not an open door."""
    if resource in _UNGUARDED:
        return None
    for verb, pattern, grant in _COMPILED:
        if verb.match(method) and pattern.search(template):
            return grant
    raise LookupError(f"no permission rule for {method} {template}")


def denied(resource: str, caller: Caller | None = None) -> GraphError:
    """Graph's answer to a token without the permission, in the shape of the API's service."""
    if resource == "places":
        # The places service's own error, wrapped as Graph passes it on (the shape reported in
        # microsoftgraph/microsoft-graph-docs-contrib#6628 and #6640; the status is assumed).
        held = " ".join(sorted((caller.roles or caller.scopes) if caller else ()))
        app_only = caller is not None and caller.is_app_only
        inner = {
            "code": "invalid_permissions",
            "message": "place.read.all permission is required to read company places,"
            f" scopes/roles provided: {held} IsAppOnly:{app_only}",
        }
        return GraphError(json.dumps(inner, separators=(",", ":")), code="UnknownError", status=403)
    if resource == "directory":
        return GraphError(
            "Insufficient privileges to complete the operation.",
            code="Authorization_RequestDenied",
            status=403,
        )
    if resource in ("drive", "site"):
        return GraphError("Access denied", code="accessDenied", status=403)
    return GraphError(
        "Access is denied. Check credentials and try again.", code="ErrorAccessDenied", status=403
    )


def permission_for(grant: Grant, caller: Caller, *, own: bool, resource: str) -> tuple[str, str]:
    """(``delegated`` | ``application``, the permission that lets ``caller`` in), or Graph's 403."""
    if caller.is_app_only:
        for name in grant.application:
            if name in caller.roles:
                return "application", name
        raise denied(resource, caller)
    for name in grant.delegated_for(own=own):
        if name in caller.scopes:
            return "delegated", name
    raise denied(resource, caller)


@dataclass
class PermissionLog:
    """What the sandbox saw granted and used: (app, kind, permission) -> the endpoints it
    opened, and every set of permissions a request could have been let in with.

    ``recording`` off leaves out requests that test the sandbox itself rather than the product.
    """

    used: dict[tuple[str, str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    accepted: dict[tuple[str, str], set[tuple[str, ...]]] = field(
        default_factory=lambda: defaultdict(set)
    )
    recording: bool = True

    def record(
        self, app_id: str, kind: str, permission: str, endpoint: str, accepted: tuple[str, ...]
    ) -> None:
        if self.recording:
            self.used[(app_id, kind, permission)].add(endpoint)
            self.accepted[(app_id, kind)].add(accepted)

    def permissions(self, app_id: str, kind: str) -> set[str]:
        """The permissions ``app_id`` was let in with, as ``delegated`` or ``application``."""
        return {name for (app, k, name) in self.used if app == app_id and k == kind}

    def superfluous(self, app_id: str, kind: str, granted: set[str]) -> set[str]:
        """Granted permissions every recorded request would have passed without."""
        needs = self.accepted[(app_id, kind)]
        return {p for p in granted if all(set(a) & (granted - {p}) for a in needs)}
