"""The tenant's directory: users, room mailboxes and room lists, app registrations and
Exchange delegate rights.

Small and read on every request, so it is cached in memory and reloaded after a seed. A room
is a place (its Graph ``room`` JSON, ``sandbox.places``) and a mailbox with a calendar
(``mailbox()`` answers it in a user's shape, for the calendar routes and meetings).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any

from sandbox.identity.credentials import KeyCredential
from sandbox.store import Record, Store

__all__ = ["App", "Directory", "Tenant"]


@dataclass(frozen=True)
class Tenant:
    id: str
    display_name: str
    domain: str


@dataclass(frozen=True)
class App:
    client_id: str
    display_name: str
    secret_sha256: str
    api_scopes: tuple[str, ...]
    delegated_permissions: tuple[str, ...]
    application_permissions: tuple[str, ...]
    rbac_scope: frozenset[str]  # user ids the app may reach app-only
    spa_redirect_uris: tuple[str, ...] = ()  # the registration's single-page-app redirects
    key_credentials: tuple[KeyCredential, ...] = ()  # its certificates (client assertions)

    @property
    def app_id_uri(self) -> str:
        return f"api://{self.client_id}"

    def secret_matches(self, secret: str) -> bool:
        digest = hashlib.sha256(secret.encode()).hexdigest()
        return hmac.compare_digest(digest, self.secret_sha256)

    def key_credential(self, *, x5t: str = "", x5t_s256: str = "") -> KeyCredential | None:
        """The registered certificate an assertion's header names (SHA-256 first)."""
        for key in self.key_credentials:
            if (x5t_s256 and key.x5t_s256 == x5t_s256) or (x5t and key.x5t == x5t):
                return key
        return None


@dataclass
class Directory:
    store: Store
    tenant: Tenant | None = None
    _users: dict[str, dict[str, Any]] = field(default_factory=dict)
    _by_upn: dict[str, str] = field(default_factory=dict)
    _apps: dict[str, App] = field(default_factory=dict)
    _delegates: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    _rooms: dict[str, dict[str, Any]] = field(default_factory=dict)
    _room_lists: dict[str, dict[str, Any]] = field(default_factory=dict)
    _places: dict[str, str] = field(default_factory=dict)  # lower-case address -> id

    def reload(self) -> None:
        t = self.store.get_meta("tenant")
        self.tenant = Tenant(**t) if t else None
        self._users = {r.id: r.data for r in self.store.find("user")}
        self._by_upn = {u["userPrincipalName"].lower(): i for i, u in self._users.items()}
        for u in list(self._users.values()):
            if u.get("mail"):
                self._by_upn.setdefault(u["mail"].lower(), u["id"])
        self._apps = {}
        for r in self.store.find("app"):
            d = r.data
            self._apps[r.id] = App(
                client_id=r.id,
                display_name=d["displayName"],
                secret_sha256=d["_secretSha256"],
                api_scopes=tuple(d.get("apiScopes", ())),
                delegated_permissions=tuple(d.get("delegatedPermissions", ())),
                application_permissions=tuple(d.get("applicationPermissions", ())),
                rbac_scope=frozenset(d.get("rbacScope", ())),
                spa_redirect_uris=tuple(d.get("spaRedirectUris", ())),
                key_credentials=tuple(
                    KeyCredential.from_json(k) for k in self.key_credentials(r.id)
                ),
            )
        self._delegates = {
            (r.data["owner"], r.data["delegate"]): r.data["rights"]
            for r in self.store.find("delegate")
        }
        self._rooms = {r.id: r.data for r in self.store.find("room")}
        self._room_lists = {r.id: r.data for r in self.store.find("roomList")}
        self._places = {
            p["emailAddress"].lower(): i
            for i, p in [*self._rooms.items(), *self._room_lists.items()]
        }

    # -- users -----------------------------------------------------------------------------
    def user(self, key: str) -> dict[str, Any] | None:
        """A user by object id, UPN or primary SMTP address (case-insensitive)."""
        if key in self._users:
            return self._users[key]
        uid = self._by_upn.get(key.lower())
        return self._users.get(uid) if uid else None

    def users(self) -> list[dict[str, Any]]:
        return list(self._users.values())

    def is_internal(self, address: str) -> bool:
        return address.lower() in self._by_upn or address.lower() in self._places

    # -- rooms and room lists ----------------------------------------------------------------
    def room(self, key: str) -> dict[str, Any] | None:
        """A room (its stored place JSON) by id or email address (case-insensitive)."""
        found = self._rooms.get(key) or self._rooms.get(self._places.get(key.lower(), ""))
        return found

    def rooms(self) -> list[dict[str, Any]]:
        return list(self._rooms.values())

    def room_list(self, key: str) -> dict[str, Any] | None:
        """A room list by id or email address (case-insensitive)."""
        return self._room_lists.get(key) or self._room_lists.get(self._places.get(key.lower(), ""))

    def room_lists(self) -> list[dict[str, Any]]:
        return list(self._room_lists.values())

    def mailbox(self, key: str) -> dict[str, Any] | None:
        """A user, or a room mailbox in a user's shape (Entra holds it as a disabled account)."""
        user = self.user(key)
        if user is not None:
            return user
        room = self.room(key)
        if room is None:
            return None
        return {
            "id": room["id"],
            "displayName": room["displayName"],
            "mail": room["emailAddress"],
            "userPrincipalName": room["emailAddress"],
            "accountEnabled": False,
            "_room": True,
        }

    # -- apps and rights -------------------------------------------------------------------
    def app(self, client_id: str) -> App | None:
        return self._apps.get(client_id)

    def apps(self) -> list[App]:
        return list(self._apps.values())

    def delegate_rights(self, owner_id: str, delegate_id: str) -> dict[str, str]:
        return self._delegates.get((owner_id, delegate_id), {})

    def delegations(self) -> list[tuple[str, str, dict[str, str]]]:
        return [(o, d, r) for (o, d), r in self._delegates.items()]

    # -- writes (used by the seed loader and the control plane) -----------------------------
    def save_user(self, user: dict[str, Any]) -> None:
        self.store.put(
            Record(id=user["id"], kind="user", mailbox=user["id"], parent=None, data=user)
        )

    def save_room(self, room: dict[str, Any]) -> None:
        rid = room["id"]
        self.store.put(Record(id=rid, kind="room", mailbox=rid, parent=None, data=room))

    def save_room_list(self, room_list: dict[str, Any]) -> None:
        self.store.put(
            Record(id=room_list["id"], kind="roomList", mailbox=None, parent=None, data=room_list)
        )

    def save_app(self, data: dict[str, Any]) -> None:
        self.store.put(Record(id=data["appId"], kind="app", mailbox=None, parent=None, data=data))

    # An app's certificates are kept beside its secret (meta ``key_credentials:{client_id}``,
    # Graph's keyCredential shape), so they outlive a reseed as the secret does.
    def key_credentials(self, client_id: str) -> list[dict[str, Any]]:
        """The certificates registered with the app (keyCredentials); [] when none."""
        return list(self.store.get_meta(f"key_credentials:{client_id}") or ())

    def add_key_credential(self, client_id: str, credential: dict[str, Any]) -> dict[str, Any]:
        """Register a certificate with the app (``key_credential_json``); one already
        registered (same thumbprint) is answered as it is."""
        if self.store.get(client_id, "app") is None:
            raise KeyError(client_id)
        keys = self.key_credentials(client_id)
        for key in keys:
            if key["customKeyIdentifier"] == credential["customKeyIdentifier"]:
                return key
        self.store.set_meta(f"key_credentials:{client_id}", [*keys, credential])
        self.reload()
        return credential

    def remove_key_credential(self, client_id: str, key_id: str) -> bool:
        keys = self.key_credentials(client_id)
        kept = [k for k in keys if k["keyId"] != key_id]
        if len(kept) == len(keys):
            return False
        self.store.set_meta(f"key_credentials:{client_id}", kept)
        self.reload()
        return True

    def save_delegate(self, owner_id: str, delegate_id: str, rights: dict[str, str]) -> None:
        data = {"owner": owner_id, "delegate": delegate_id, "rights": rights}
        key = f"delegate:{owner_id}:{delegate_id}"
        self.store.put(Record(id=key, kind="delegate", mailbox=owner_id, parent=None, data=data))
