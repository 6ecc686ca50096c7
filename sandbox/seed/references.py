"""Checks that need the whole seed file: who exists, who may do what, which folders exist.

Pydantic checks one entry at a time; a demo with a misspelt address would still load and then
fail deep inside the sandbox, so every reference is resolved here and reported by entry.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sandbox.seed.models import Contact, DemoFile, Event, Message, User

__all__ = ["WELL_KNOWN_FOLDERS", "check_references", "normalise_folder"]

WELL_KNOWN_FOLDERS = (
    "inbox",
    "drafts",
    "sentitems",
    "deleteditems",
    "archive",
    "junkemail",
    "outbox",
)


def normalise_folder(path: str) -> str:
    """``Inbox/Raad`` -> ``inbox/Raad``: the root is a Graph well-known name, any case."""
    root, _, rest = path.strip("/").partition("/")
    root = root.lower()
    return f"{root}/{rest}" if rest else root


class _Checker:
    def __init__(self, doc: DemoFile) -> None:
        self.doc = doc
        self.problems: list[str] = []
        self.domain = "@" + doc.tenant.domain.lower()
        self.users: dict[str, User] = {}
        for user in doc.users:
            self.users[user.userPrincipalName] = user
            self.users.setdefault(user.mail, user)
        self.rooms = {room.emailAddress for room in doc.rooms}
        self.categories = _categories(doc)

    def fail(self, where: str, problem: str) -> None:
        self.problems.append(f"{where}: {problem}")

    def user(self, where: str, address: str, role: str | None = None) -> User | None:
        """The user at ``address``; unknown is a problem in our domain or if a role is due."""
        user = self.users.get(address)
        if user is None:
            if role or address.endswith(self.domain):
                self.fail(where, f"unknown user {address!r}")
        elif role and user.role != role:
            self.fail(where, f"{address!r} is a {user.role}, expected a {role}")
        return user

    def people(self, where: str, people: Iterable[Contact]) -> None:
        for i, person in enumerate(people):
            self.user(f"{where}[{i}]", person.address)

    def mailbox_keys(self, section: str, keys: Iterable[str]) -> None:
        for key in keys:
            if key not in self.users:
                self.fail(f"{section}[{key}]", f"unknown user {key!r}")

    # -- sections --------------------------------------------------------------------------
    def directory(self) -> None:
        doc = self.doc
        lists = doc.roomLists
        for label, values in (
            (
                "users: duplicate id",
                [u.id for u in doc.users] + [r.id for r in doc.rooms] + [r.id for r in lists],
            ),
            ("users: duplicate address", [u.userPrincipalName for u in doc.users]),
            (
                "rooms: duplicate address",
                [r.emailAddress for r in doc.rooms] + [r.emailAddress for r in lists],
            ),
        ):
            for value, count in Counter(values).items():
                if count > 1:
                    self.problems.append(f"{label} {value!r}")
        for i, user in enumerate(doc.users):
            for field in ("userPrincipalName", "mail"):
                if not getattr(user, field).endswith(self.domain):
                    self.fail(
                        f"users[{i}] {user.displayName!r}.{field}", "not in the tenant domain"
                    )
        for i, room in enumerate(doc.rooms):
            if room.emailAddress in self.users:
                self.fail(f"rooms[{i}] {room.displayName!r}", "address taken by a user")
            if not room.emailAddress.endswith(self.domain):
                self.fail(f"rooms[{i}] {room.displayName!r}", "not in the tenant domain")
        for i, room_list in enumerate(lists):
            where = f"roomLists[{i}] {room_list.displayName!r}"
            if room_list.emailAddress in self.users:
                self.fail(where, "address taken by a user")
            for j, address in enumerate(room_list.rooms):
                if address not in self.rooms:
                    self.fail(f"{where}.rooms[{j}]", f"{address!r} is not a room")
        for i, app in enumerate(doc.apps):
            for j, upn in enumerate(app.rbac_scope):
                # The executives and shared mailboxes (the secretariat's, where app-sent notices
                # come from); a secretary's own mailbox never: she signs in for it.
                where = f"apps[{i}] {app.displayName!r}.rbac_scope[{j}]"
                if upn in self.rooms:
                    continue  # a room mailbox (its calendar) may be in the app's scope
                member = self.user(where, upn)
                if member is None and not upn.endswith(self.domain):
                    self.fail(where, f"unknown user {upn!r}")
                elif member is not None and member.role == "secretary":
                    self.fail(where, f"{upn!r} is a secretary, outside the app's scope")

    def delegates(self) -> None:
        pairs: Counter[tuple[str, str]] = Counter()
        for i, grant in enumerate(self.doc.delegates):
            where = f"delegates[{i}]"
            self.user(f"{where}.secretary", grant.secretary, "secretary")
            for j, executive in enumerate(grant.executives):
                self.user(f"{where}.executives[{j}]", executive, "executive")
                pairs[(grant.secretary, executive)] += 1
        for (secretary, executive), count in pairs.items():
            if count > 1:
                self.fail("delegates", f"{secretary!r} is granted {executive!r} {count} times")
        executives = [u.userPrincipalName for u in self.doc.users if u.role == "executive"]
        for executive in executives:
            if executive not in self.doc.roster:
                self.fail("roster", f"executive {executive!r} has no roster")
        for executive, week in self.doc.roster.items():
            self.user(f"roster[{executive}]", executive, "executive")
            for day, secretary in week.model_dump().items():
                where = f"roster[{executive}].{day}"
                self.user(where, secretary, "secretary")
                if (secretary, executive) not in pairs:
                    self.fail(where, f"{secretary!r} has no delegate rights on {executive!r}")

    def mailboxes(self) -> None:
        cats, folders = self.doc.categories, self.doc.folders
        self.mailbox_keys("categories.extra", cats.extra)
        self.mailbox_keys("folders.extra", folders.extra)
        self.mailbox_keys("messages", self.doc.messages)
        self.mailbox_keys("todo", self.doc.todo)
        for key, paths in [("every_mailbox", folders.every_mailbox), *folders.extra.items()]:
            for j, path in enumerate(paths):
                if normalise_folder(path).split("/")[0] not in WELL_KNOWN_FOLDERS:
                    root = path.split("/")[0]
                    self.fail(f"folders[{key}][{j}]", f"{root!r} is not a well-known folder")
        for mailbox, messages in self.doc.messages.items():
            known = set(WELL_KNOWN_FOLDERS) | {
                normalise_folder(p) for p in folders.every_mailbox + folders.extra.get(mailbox, [])
            }
            for i, message in enumerate(messages):
                self.message(f"messages[{mailbox}][{i}] {message.subject!r}", mailbox, message)
                if normalise_folder(message.folder) not in known:
                    where = f"messages[{mailbox}][{i}].folder"
                    self.fail(where, f"{message.folder!r} is not a folder of this mailbox")

    def message(self, where: str, mailbox: str, message: Message) -> None:
        sender = message.from_.address
        self.user(f"{where}.from", sender)
        self.people(f"{where}.to", message.to)
        self.people(f"{where}.cc", message.cc)
        self.known_categories(where, mailbox, message.categories)
        own = normalise_folder(message.folder).split("/")[0] in ("sentitems", "drafts")
        if own and self.users.get(sender) is not self.users.get(mailbox):
            self.fail(f"{where}.from", f"mail in {message.folder} must be from {mailbox!r}")
        flag = message.flag
        if flag and flag.start is None and flag.due < message.received.day:
            self.fail(f"{where}.flag", "due before the day the mail was received")

    def known_categories(self, where: str, mailbox: str, names: list[str]) -> None:
        for name in names:
            if name not in self.categories.get(mailbox, ()):
                self.fail(f"{where}.categories", f"{name!r} is not a category of {mailbox!r}")

    def events(self) -> None:
        for i, event in enumerate(self.doc.events):
            self.event(f"events[{i}] {event.subject!r}", event)

    def event(self, where: str, event: Event) -> None:
        organizer = event.organizer.address
        internal = self.user(f"{where}.organizer", organizer)
        addresses = [a.address for a in event.attendees]
        for j, attendee in enumerate(event.attendees):
            at = f"{where}.attendees[{j}]"
            if attendee.type == "resource":
                if attendee.address not in self.rooms:
                    self.fail(at, f"resource {attendee.address!r} is not a room")
            else:
                self.user(at, attendee.address)
        for address, count in Counter(addresses).items():
            if count > 1 or address == organizer:
                self.fail(f"{where}.attendees", f"{address!r} listed twice")
        if internal:
            self.known_categories(where, organizer, event.categories)
        elif not any(a in self.users for a in addresses):
            self.fail(where, "an external organizer needs at least one attendee of ours")


def _categories(doc: DemoFile) -> dict[str, set[str]]:
    base = {c.displayName for c in doc.categories.every_mailbox}
    out = {}
    for user in doc.users:
        extra = doc.categories.extra.get(user.userPrincipalName, [])
        out[user.userPrincipalName] = base | {c.displayName for c in extra}
        out[user.mail] = out[user.userPrincipalName]
    return out


def check_references(doc: DemoFile) -> list[str]:
    """Every cross-reference problem in ``doc``, one line each; empty when all is well."""
    checker = _Checker(doc)
    checker.directory()
    checker.delegates()
    checker.mailboxes()
    checker.events()
    return checker.problems
