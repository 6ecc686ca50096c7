"""Delivering change notifications the way Graph's webhooks do, on the tenant's clock.

What Graph documents, and the sandbox does (concepts/change-notifications-delivery-webhooks,
its notificationUrl-validation include, and change-notifications-lifecycle-events):

- Validation: on create (and when PATCH changes the notificationUrl) ``POST
  {url}?validationToken=…`` (``Content-Type: text/plain``); the endpoint must answer 200,
  ``text/plain``, the decoded token, within 10 seconds, or the request fails with 400.
  ``lifecycleNotificationUrl`` is validated the same way.
- Change notifications: one ``POST {"value": [changeNotification]}`` per change, asynchronous
  (a worker on the sandbox's event loop: a timer, and one short task per tick). Anything but a
  2xx within 3 seconds is retried with backoff (1, 2, 4, 8 minutes, then every 10) for up to 4
  hours, then dropped; a dropped notification sends ``missed`` to the lifecycle URL.
- Lifecycle notifications: ``reauthorizationRequired`` from an hour before expiry, every 15
  minutes (and on demand from the control plane, optionally pausing the flow until the app
  reauthorizes or renews); ``subscriptionRemoved`` when the control plane removes one;
  ``missed``. An expired subscription is deleted without a word, as Graph does.

Time is the store's clock: retries, lateness and expiry fall due when the tenant's clock says
so (a test advances it), never by sleeping. Delivery faults (late, duplicate, drop) are drawn
per change notification from a seeded generator, or queued one by one (``next_faults``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import logging
import random
import ssl
import threading
import uuid
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import certifi
import httpx

from sandbox.store import Record, Store, StoreChange
from sandbox.subscriptions import service
from sandbox.subscriptions.errors import InvalidRequest, ValidationError
from sandbox.subscriptions.settings import NotificationSettings, checked_setting

__all__ = ["Delivery", "Notifier"]

log = logging.getLogger(__name__)

VALIDATION_TIMEOUT_S = 10.0
DELIVERY_TIMEOUT_S = 3.0
RETRY_FIRST_S = 60.0
RETRY_MAX_S = 600.0
GIVE_UP_S = 4 * 3600.0
REAUTHORIZE_BEFORE_S = 3600.0
REAUTHORIZE_EVERY_S = 900.0
POLL_S = 0.2  # how often the worker looks at the clock while anything is due or subscribed
JSON_UTF8 = "application/json; charset=utf-8"


@dataclass
class Delivery:
    seq: int
    url: str
    item: dict[str, Any]
    subscription_id: str
    lifecycle: bool
    first: dt.datetime
    due: dt.datetime
    attempts: int = 0

    @property
    def event(self) -> str:
        return str(self.item.get("changeType") or self.item.get("lifecycleEvent"))


class Notifier:
    """The delivery queue and its worker; watches the store for changes to messages."""

    def __init__(self, store: Store, *, tenant_id: Callable[[], str]) -> None:
        self.store = store
        self.tenant_id = tenant_id
        self.settings = NotificationSettings()
        self.counters: Counter[str] = Counter()
        self.sent: deque[dict[str, Any]] = deque(maxlen=200)  # recent attempts, for the admin
        self._lock = threading.Lock()
        self._pending: list[Delivery] = []
        self._seq = itertools.count(1)
        self._rng = random.Random(0)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._client: tuple[asyncio.AbstractEventLoop, httpx.AsyncClient] | None = None
        store.observe(self._on_changes)

    # -- control ---------------------------------------------------------------------------
    def configure(self, **changes: Any) -> None:
        """Change settings all at once or not at all; ``ValueError`` names what is wrong."""
        checked = {name: checked_setting(name, value) for name, value in changes.items()}
        for name, value in checked.items():
            setattr(self.settings, name, value)
        self._rng = random.Random(self.settings.seed)

    def reset(self) -> None:
        """Default settings, no counters; queued deliveries stay queued."""
        self.settings = NotificationSettings()
        self._rng = random.Random(0)
        self.counters.clear()
        self.sent.clear()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            pending = sorted(self._pending, key=lambda d: (d.due, d.seq))
        settings = asdict(self.settings)
        settings["fault_kinds"] = list(self.settings.fault_kinds)
        return {
            "settings": settings,
            "counters": dict(self.counters),
            "pending": [
                {
                    "subscriptionId": d.subscription_id,
                    "event": d.event,
                    "url": d.url,
                    "due": service.format_time(d.due),
                    "attempts": d.attempts,
                }
                for d in pending
            ],  # fmt: skip
            "sent": list(self.sent),
            "subscriptions": self.store.count(service.KIND),
        }

    # -- validation ------------------------------------------------------------------------
    async def validate(self, url: str) -> None:
        """Graph's handshake: the endpoint echoes the URL-decoded token as text/plain."""
        token = (
            "Validation: Testing client application reachability for subscription Request-Id: "
            f"{uuid.uuid4()}"
        )
        self.counters["validations"] += 1
        try:
            resp = await self._http().post(
                url,
                params={"validationToken": token},
                headers={"Content-Type": "text/plain; charset=utf-8"},
                timeout=VALIDATION_TIMEOUT_S,
            )
        except httpx.TimeoutException as exc:
            raise InvalidRequest("Subscription validation request timed out.") from exc
        except httpx.HTTPError as exc:
            log.info("validation of %s failed: %s", _origin(url), type(exc).__name__)
            raise _not_ok() from exc
        if resp.status_code != 200:
            raise _not_ok()
        media = resp.headers.get("content-type", "").split(";")[0].strip().lower()
        if media != "text/plain" or resp.text != token:
            raise ValidationError(
                "Subscription validation request failed. Response must exactly match"
                " validationToken query parameter."
            )

    # -- lifecycle -------------------------------------------------------------------------
    def lifecycle(self, sub: Record, event: str) -> bool:
        """Queue a lifecycle notification; False when the subscription has no lifecycle URL
        (Graph then sends none)."""
        url = sub.data.get("lifecycleNotificationUrl")
        if not url:
            return False
        now = self.store.clock.now()
        item = service.lifecycle_notification(sub, event, self.tenant_id())
        self._push(Delivery(next(self._seq), url, item, sub.id, True, now, now))
        self.counters[f"lifecycle.{event}"] += 1
        self.kick()
        return True

    def challenge(self, sub: Record, *, pause: bool) -> None:
        """A reauthorization challenge now; with ``pause`` changes stop flowing until the app
        reauthorizes or renews (changes meanwhile are lost, as Graph warns)."""
        if pause:
            sub.data["_paused"] = True
            self.store.put(sub)
        self.lifecycle(sub, "reauthorizationRequired")

    def remove(self, sub: Record) -> None:
        """Graph removing a subscription: ``subscriptionRemoved``, then it is gone."""
        self.lifecycle(sub, "subscriptionRemoved")
        self.forget(sub.id)

    def forget(self, sub_id: str) -> None:
        """Deleted or removed: no change notification of it goes out any more."""
        self.store.delete(sub_id)
        with self._lock:
            self._pending = [d for d in self._pending if d.lifecycle or d.subscription_id != sub_id]

    # -- changes ---------------------------------------------------------------------------
    def _on_changes(self, changes: list[StoreChange]) -> None:
        """The store's observer (the writer's thread, after the commit): queue what is due."""
        if not any(c.kind == "message" for c in changes):
            return
        now = self.store.clock.now()
        found = service.change_notifications(self.store, changes, now, self.tenant_id())
        for sub, item in found:
            self._queue_change(sub, item, now)
        if found:
            self.kick()

    def _queue_change(self, sub: Record, item: dict[str, Any], now: dt.datetime) -> None:
        fault = self._draw_fault()
        url = sub.data["notificationUrl"]
        if fault == "drop":
            self.counters["dropped"] += 1
            self.lifecycle(sub, "missed")
            return
        due = now + dt.timedelta(seconds=self.settings.late_s) if fault == "late" else now
        for _ in range(2 if fault == "duplicate" else 1):
            self._push(Delivery(next(self._seq), url, item, sub.id, False, now, due))

    def _draw_fault(self) -> str | None:
        if self.settings.next_faults:
            kind = self.settings.next_faults.pop(0)
        else:
            if self.settings.fault_rate <= 0:
                return None
            roll, kind = self._rng.random(), self._rng.choice(self.settings.fault_kinds)
            if roll >= self.settings.fault_rate:
                return None
        self.counters[f"fault.{kind}"] += 1
        return kind

    def _push(self, delivery: Delivery) -> None:
        with self._lock:
            self._pending.append(delivery)

    # -- the worker ------------------------------------------------------------------------
    def kick(self) -> None:
        """Run a tick soon on the worker's loop (this thread's running loop when there is
        none yet, or the one it ran on has stopped)."""
        try:
            here: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            here = None
        loop = self._loop
        if loop is None or not loop.is_running():
            if here is None:
                return  # the next request on the sandbox's loop picks the work up
            self._loop, self._timer, self._task, loop = here, None, None, here
        if loop is here:
            self._schedule(0)
            return
        try:
            loop.call_soon_threadsafe(self._schedule, 0)
        except RuntimeError:  # closed meanwhile; the next request restarts the worker
            pass

    def _schedule(self, delay: float) -> None:
        """On the worker's loop: one tick at a time; timers, not a task that lives forever
        (a stopping sandbox leaves nothing pending)."""
        assert self._loop is not None
        if self._task is not None and not self._task.done():
            self._again = True  # the running tick looks again when it is done
            return
        if self._timer is not None:
            if delay > 0:
                return
            self._timer.cancel()
        self._timer = self._loop.call_later(delay, self._start)

    def _start(self) -> None:
        assert self._loop is not None
        self._timer = None
        self._task = self._loop.create_task(self._run(), name="sandbox-notifications")

    async def _run(self) -> None:
        try:
            await self._tick()
        except Exception:  # one bad delivery never stops the others
            log.exception("notification worker tick failed")
        finally:
            self._task = None
            again, self._again = self._again, False
            if again:
                self._schedule(0)
            elif self._pending or self.store.count(service.KIND) > 0:
                self._schedule(POLL_S)  # something will fall due by the tenant's clock

    async def _tick(self) -> None:
        now = self.store.clock.now()
        self._sweep(now)
        with self._lock:
            due = sorted((d for d in self._pending if d.due <= now), key=lambda d: d.seq)
            self._pending = [d for d in self._pending if d.due > now]
        for delivery in due:
            await self._attempt(delivery)

    def _sweep(self, now: dt.datetime) -> None:
        """Expired subscriptions go (silently); those about to expire get challenged."""
        for sub in self.store.find(service.KIND):
            expires = service.expiration(sub)
            if expires <= now:
                self.counters["expired"] += 1
                self.forget(sub.id)
                continue
            if not sub.data.get("lifecycleNotificationUrl"):
                continue
            if (expires - now).total_seconds() > REAUTHORIZE_BEFORE_S:
                continue
            last = service.parse_time(sub.data.get("_challengedAt"))
            if last is None or (now - last).total_seconds() >= REAUTHORIZE_EVERY_S:
                sub.data["_challengedAt"] = service.format_time(now)
                self.store.put(sub)
                self.lifecycle(sub, "reauthorizationRequired")

    async def _attempt(self, delivery: Delivery) -> None:
        if (
            not delivery.lifecycle
            and self.store.get(delivery.subscription_id, service.KIND) is None
        ):
            self.counters["discarded"] += 1  # deleted or expired since
            return
        delivery.attempts += 1
        status = await self._post(delivery.url, {"value": [delivery.item]})
        now = self.store.clock.now()
        self.sent.append(
            {"subscriptionId": delivery.subscription_id, "event": delivery.event,
             "attempt": delivery.attempts, "status": status, "at": service.format_time(now)}
        )  # fmt: skip
        if 200 <= status < 300:
            self.counters["delivered"] += 1
            return
        self.counters["failed"] += 1
        if (now - delivery.first).total_seconds() >= GIVE_UP_S:
            self.counters["dropped"] += 1
            sub = self.store.get(delivery.subscription_id, service.KIND)
            if sub is not None and not delivery.lifecycle:
                self.lifecycle(sub, "missed")
            return
        backoff = min(RETRY_FIRST_S * 2 ** (delivery.attempts - 1), RETRY_MAX_S)
        delivery.due = now + dt.timedelta(seconds=backoff)
        self._push(delivery)

    async def _post(self, url: str, body: dict[str, Any]) -> int:
        """The endpoint's status, or 0 when it could not be reached in time."""
        try:
            resp = await self._http().post(
                url,
                content=json.dumps(body, ensure_ascii=False).encode(),
                headers={"Content-Type": JSON_UTF8},
                timeout=DELIVERY_TIMEOUT_S,
            )
        except httpx.HTTPError as exc:
            log.info("notification to %s failed: %s", _origin(url), type(exc).__name__)
            return 0
        return resp.status_code

    def _http(self) -> httpx.AsyncClient:
        """One client per event loop, trusting the public CAs and the sandbox's own CA."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._client[0] is not loop:
            client = httpx.AsyncClient(verify=_trust(self.store), follow_redirects=False)
            self._client = (loop, client)
        return self._client[1]


def _trust(store: Store) -> ssl.SSLContext:
    """Public CAs, plus the local CA of a sandbox with a state directory (``certs.py``
    writes ``ca.pem`` beside the store): the product's backend in development serves the
    sandbox's server certificate, so it can receive notifications as Graph would send them."""
    context = ssl.create_default_context(cafile=certifi.where())
    if store.path != ":memory:":
        ca = Path(store.path).with_name("ca.pem")
        if ca.exists():
            context.load_verify_locations(cafile=str(ca))
    return context


def _origin(url: str) -> str:
    """Scheme, host and port only: query strings may carry secrets."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _not_ok() -> ValidationError:
    return ValidationError(
        "Subscription validation request failed. Notification endpoint must respond with"
        " 200 OK to validation request."
    )
