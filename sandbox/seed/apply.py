"""Put the demo municipality into a store: directory first (people, rooms, apps), then
mailboxes, calendars (the rooms' with their bookings), files."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from pathlib import Path
from typing import Any

from sandbox.calendar import rooms
from sandbox.calendar import service as calendar
from sandbox.directory import Directory
from sandbox.drive import service as drive
from sandbox.mail import service as mail
from sandbox.seed.loader import Seed, load_seed
from sandbox.store import Store
from sandbox.todo import service as todo

__all__ = ["seed_demo", "seed_store"]


def seed_demo(store: Store, *, today: dt.date, path: Path | None = None) -> Seed:
    """Wipe the store and load the demo (or ``path``) for the week around ``today``."""
    seed = load_seed(path, today=today)
    seed_store(store, seed)
    return seed


def seed_store(store: Store, seed: Seed) -> None:
    old_secrets = {
        app["client_id"]: store.get_meta(f"client_secret:{app['client_id']}") for app in seed.apps
    }
    # Certificates registered with an app stay registered, as its secret stays the same.
    old_keys = {
        app["client_id"]: store.get_meta(f"key_credentials:{app['client_id']}") for app in seed.apps
    }
    with store.transaction():
        store.reset()
        store.set_meta("tenant", seed.tenant)
        directory = Directory(store)
        for app in seed.apps:
            secret = old_secrets.get(app["client_id"]) or secrets.token_urlsafe(32)
            store.set_meta(f"client_secret:{app['client_id']}", secret)
            if old_keys.get(app["client_id"]):
                store.set_meta(f"key_credentials:{app['client_id']}", old_keys[app["client_id"]])
            directory.save_app(
                {
                    "appId": app["client_id"],
                    "displayName": app["displayName"],
                    "_secretSha256": hashlib.sha256(secret.encode()).hexdigest(),
                    "apiScopes": app["api_scopes"],
                    "delegatedPermissions": app["delegated_permissions"],
                    "applicationPermissions": app["application_permissions"],
                    "rbacScope": app["rbac_scope_ids"],
                    "spaRedirectUris": app.get("spa_redirect_uris", []),
                }
            )
        for user in seed.users:
            directory.save_user(_directory_user(user, seed.tenant["domain"]))
        for room in seed.rooms:
            directory.save_room(room)
        for room_list in seed.room_lists:
            directory.save_room_list(room_list)
        directory.reload()
        for d in seed.delegates:
            directory.save_delegate(d["owner_id"], d["delegate_id"], d["rights"])
        store.set_meta("roster", seed.roster)
        directory.reload()
        for user in seed.users:
            mail.provision_mailbox(store, user["id"])
            drive.provision_drive(store, user["id"])
            for cat in seed.categories.get(user["userPrincipalName"], []):
                mail.add_category(store, user["id"], cat["displayName"], cat["color"])
            for path in seed.folders.get(user["userPrincipalName"], []):
                mail.folder_by_path(store, user["id"], path, create=True)
        for item in seed.messages:
            owner = directory.user(item["mailbox"])
            assert owner is not None
            folder = mail.folder_by_path(store, owner["id"], item["folder"], create=True)
            mail.deliver(store, owner["id"], folder.id, item["message"])
        for item in seed.events:
            # An organizer outside the tenant gets no event of her own, only attendee copies.
            rec = calendar.create_event(
                store, directory, item["organizer"], item["event"], seeded=True
            )
            rooms.seed_bookings(store, directory, rec)
        if seed.site:
            drive.create_site(store, seed.site)
        for upn, lists in seed.todo.items():
            owner = directory.user(upn)
            assert owner is not None
            for lst in lists:
                created = todo.create_list(store, owner["id"], lst["displayName"])
                for task in lst.get("tasks", []):
                    todo.create_task(store, owner["id"], created.id, task)


def _directory_user(user: dict[str, Any], domain: str) -> dict[str, Any]:
    """The seed's user as Entra ID holds it: the role is ours, so it is kept internal."""
    data = {k: v for k, v in user.items() if k != "role"}
    data["_role"] = user.get("role")
    data.setdefault("accountEnabled", True)
    data.setdefault("mailNickname", data["userPrincipalName"].split("@")[0])
    data.setdefault("usageLocation", "NL")
    data.setdefault("country", "Nederland")
    data.setdefault("companyName", "Gemeente Zeeveen")
    data.setdefault(
        "identities",
        [
            {
                "signInType": "userPrincipalName",
                "issuer": domain,
                "issuerAssignedId": data["userPrincipalName"],
            }
        ],
    )
    return data
