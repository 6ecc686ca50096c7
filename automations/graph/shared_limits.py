"""At most four Graph requests in flight per app and mailbox across every process.

``MailboxLimiter`` keeps the rule inside one process; Exchange counts across all of them (two
server instances and the workers acting on one executive share the app's four). With the
store on PostgreSQL, ``PostgresSlots`` adds the cross-process count and a shared Retry-After:

- **Slots are session-level advisory locks**, taken on one dedicated asyncpg connection per
  process (not SQLAlchemy's pool: a session lock stays with the connection that took it).
  Each mailbox has ``capacity`` slot keys (``slot_keys``); a request that needs ``n`` of them
  takes ``n`` free ones with ``pg_try_advisory_lock``, all of them or none (a partial take is
  given back at once, so two processes each holding half of a mailbox cannot wait on each
  other), and when none are free polls again after a short jittered pause (5 ms, doubling to
  50 ms). There is no queue across processes: a ``$batch`` that needs all four slots of a
  busy mailbox may wait longer than single requests do.
- **Why advisory locks and not a lease table**: a process that dies (SIGKILL, out of memory)
  loses its connection, and PostgreSQL frees every slot it held at that moment; there is no
  lease to expire, no sweeper, and no guess at how long a Graph request may take. (A machine
  that vanishes without closing its TCP connection is noticed by the server's keepalive.)
- **Retry-After for everyone**: ``throttle`` writes ``graph_throttles`` (the later of the
  stored and the new moment); a take first reads it, in the same round trip as the locks,
  and takes nothing while any of its mailboxes is throttled. Nothing is cached, so another
  process's throttle is seen at the next poll. The moments are each machine's own clock
  (kept by NTP, as the tokens' expiry already needs).
- **Failures**: a broken connection is dropped and a new one made; what the old one held is
  already free in PostgreSQL, so tokens from it are released as no-ops. While PostgreSQL
  cannot be reached at all, requests go with the per-process limit only (warned, tried again
  after ``RECONNECT_S``): occasional 429s, which the transport retries, beat no Graph at all.

One round trip per attempt: on connecting, the take is installed as a function in the
session's own temporary schema (``pg_temp``, gone with the session). Session locks need a
real session: not through a pooler in transaction mode.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import logging
import random
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import asyncpg

from automations.clock import Clock, SystemClock

__all__ = [
    "APPLICATION_NAME",
    "PostgresSlots",
    "SharedSlots",
    "shared_slots_for",
    "slot_keys",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

APPLICATION_NAME = "secretariaat-graph-slots"  # how the connection shows in pg_stat_activity
POLL_MIN_S = 0.005  # the first pause when no slot is free, doubling up to
POLL_MAX_S = 0.05
THROTTLE_POLL_S = 1.0  # the longest pause while throttled (the clock is asked again after it)
RECONNECT_S = 5.0  # after PostgreSQL could not be reached, per-process limits only this long
QUERY_TIMEOUT_S = 5.0
MAILBOX_MAX = 320  # graph_throttles.mailbox

# What a failed or ended connection raises (asyncpg's client state can be left mid-operation
# by a server that ended the session: InternalClientError).
_BROKEN = (
    OSError,
    TimeoutError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
)

# Takes ``needs[b]`` free slots of each mailbox ``boxes[b]`` (its ``width`` keys at
# ``keys[(b-1)*width+1 ..]``, NULL for a key this session holds already: session locks are
# re-entrant) or none at all; takes nothing while a mailbox is throttled past ``at``.
_TAKE_FUNCTION = """
CREATE OR REPLACE FUNCTION pg_temp.take_graph_slots(
    boxes text[], keys bigint[], needs int[], width int, at timestamptz
) RETURNS TABLE (taken bigint[], blocked_until timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
    held bigint[] := '{}';
    got int;
    slot_key bigint;
BEGIN
    SELECT max(t.until) INTO blocked_until
      FROM graph_throttles t WHERE t.mailbox = ANY (boxes) AND t.until > at;
    IF blocked_until IS NOT NULL THEN
        RETURN NEXT;
        RETURN;
    END IF;
    FOR b IN 1 .. coalesce(cardinality(boxes), 0) LOOP
        got := 0;
        FOR s IN 1 .. width LOOP
            EXIT WHEN got >= needs[b];
            slot_key := keys[(b - 1) * width + s];
            IF slot_key IS NOT NULL AND pg_try_advisory_lock(slot_key) THEN
                held := held || slot_key;
                got := got + 1;
            END IF;
        END LOOP;
        IF got < needs[b] THEN
            PERFORM pg_advisory_unlock(k) FROM unnest(held) AS k;
            RETURN NEXT;
            RETURN;
        END IF;
    END LOOP;
    taken := held;
    RETURN NEXT;
END $$
"""
_TAKE = "SELECT taken, blocked_until FROM pg_temp.take_graph_slots($1, $2, $3, $4, $5)"
_GIVE_BACK = "SELECT count(*) FROM unnest($1::bigint[]) AS k WHERE pg_advisory_unlock(k)"
_THROTTLE = """
INSERT INTO graph_throttles (mailbox, until) VALUES ($1, $2)
ON CONFLICT (mailbox) DO UPDATE SET until = greatest(graph_throttles.until, excluded.until)
"""
_THROTTLED_UNTIL = (
    "SELECT max(until) FROM graph_throttles WHERE mailbox = ANY ($1::text[]) AND until > $2"
)


class SharedSlots(Protocol):
    """Slots per mailbox shared by every process of the app, and Graph's Retry-After."""

    async def acquire(self, weights: Mapping[str, int]) -> object:
        """``weights[mailbox]`` slots of each mailbox, all at once (waits for them, and while
        one of the mailboxes is throttled); the token to ``release``."""
        ...

    async def release(self, token: object) -> None: ...

    async def throttle(self, mailbox: str, until: dt.datetime) -> None:
        """Graph asked every process to leave ``mailbox`` alone until ``until``."""
        ...

    async def throttled_until(self, mailboxes: Iterable[str]) -> dt.datetime | None:
        """The latest moment still to come until which one of ``mailboxes`` is throttled."""
        ...

    async def aclose(self) -> None: ...


def slot_keys(app_key: str, mailbox: str, capacity: int = 4) -> list[int]:
    """The advisory lock keys of a mailbox's slots: the first 64 bits of
    ``sha256(app_key NUL mailbox)`` as a signed bigint, its low two bits the slot number."""
    if not 1 <= capacity <= 4:
        raise ValueError("capacity must be 1..4 (two bits of the key)")
    digest = hashlib.sha256(f"{app_key}\0{mailbox}".encode()).digest()
    base = int.from_bytes(digest[:8], "big", signed=True) & ~3
    return [base | slot for slot in range(capacity)]


@dataclass(frozen=True)
class _Token:
    keys: tuple[int, ...]
    generation: int  # of the connection that holds them; -1: nothing shared was taken


_NOTHING = _Token((), -1)


@dataclass(frozen=True)
class _Attempt:
    token: _Token | None  # None: not taken (no free slot, or throttled)
    blocked_until: dt.datetime | None = None


class PostgresSlots:
    """``SharedSlots`` on PostgreSQL advisory locks (see the module's docstring)."""

    def __init__(
        self,
        dsn: str,
        app_key: str,
        capacity: int = 4,
        clock: Clock | None = None,
        *,
        throttle_poll_s: float = THROTTLE_POLL_S,
    ) -> None:
        if not 1 <= capacity <= 4:
            raise ValueError("capacity must be 1..4 (Exchange allows 4)")
        self.app_key = app_key
        self.capacity = capacity
        self.clock: Clock = clock or SystemClock()
        self.throttle_poll_s = throttle_poll_s
        self._dsn = dsn
        self._conn: asyncpg.Connection | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock: asyncio.Lock | None = None
        self._generation = 0
        self._held: set[int] = set()  # keys the current connection holds
        self._down_until = 0.0
        self._tasks: set[asyncio.Task[Any]] = set()  # releases that outlived their caller

    # -- the protocol ------------------------------------------------------------------

    async def acquire(self, weights: Mapping[str, int]) -> object:
        want = self._wanted(weights)
        if not want:
            return _NOTHING
        pause = POLL_MIN_S
        while True:
            attempt = await self._shielded(self._take(want))
            if attempt is None:  # PostgreSQL out of reach: the local limit alone
                return _NOTHING
            if attempt.token is not None:
                return attempt.token
            if attempt.blocked_until is not None:
                left = (attempt.blocked_until - self.clock.now()).total_seconds()
                await asyncio.sleep(min(max(left, POLL_MIN_S), self.throttle_poll_s))
                pause = POLL_MIN_S
                continue
            await asyncio.sleep(random.uniform(pause / 2, pause))
            pause = min(POLL_MAX_S, pause * 2)

    async def try_acquire(self, weights: Mapping[str, int]) -> object | None:
        """One attempt: the token, or None when a slot is taken or a mailbox throttled."""
        want = self._wanted(weights)
        if not want:
            return _NOTHING
        attempt = await self._shielded(self._take(want))
        return _NOTHING if attempt is None else attempt.token

    async def release(self, token: object) -> None:
        if not isinstance(token, _Token) or not token.keys:
            return
        task = asyncio.ensure_future(self._give_back(token))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        await asyncio.shield(task)  # cancelled here or not, the slots go back

    async def throttle(self, mailbox: str, until: dt.datetime) -> None:
        if len(mailbox) > MAILBOX_MAX:
            return

        async def write(conn: asyncpg.Connection) -> None:
            await conn.execute(_THROTTLE, mailbox, until, timeout=QUERY_TIMEOUT_S)

        await self._shielded(self._run(write))

    async def throttled_until(self, mailboxes: Iterable[str]) -> dt.datetime | None:
        boxes = sorted(set(mailboxes))
        if not boxes:
            return None

        async def read(conn: asyncpg.Connection) -> dt.datetime | None:
            at = self.clock.now()
            value = await conn.fetchval(_THROTTLED_UNTIL, boxes, at, timeout=QUERY_TIMEOUT_S)
            return value if isinstance(value, dt.datetime) else None

        return await self._shielded(self._run(read))

    async def aclose(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        conn = self._conn
        if conn is None or self._loop is not asyncio.get_running_loop():
            self._leave_loop()
            return
        self._forget()
        try:
            await conn.close(timeout=QUERY_TIMEOUT_S)
        except _BROKEN:
            conn.terminate()

    # -- attempts ----------------------------------------------------------------------

    def _wanted(self, weights: Mapping[str, int]) -> list[tuple[str, int]]:
        return [(box, max(1, min(self.capacity, weights[box]))) for box in sorted(weights)]

    async def _take(self, want: list[tuple[str, int]]) -> _Attempt | None:
        async def take(conn: asyncpg.Connection) -> _Attempt:
            keys: list[int | None] = []
            for box, _n in want:
                slots = slot_keys(self.app_key, box, self.capacity)
                keys += [None if k in self._held else k for k in slots]
            row = await conn.fetchrow(
                _TAKE,
                [box for box, _n in want],
                keys,
                [n for _box, n in want],
                self.capacity,
                self.clock.now(),
                timeout=QUERY_TIMEOUT_S,
            )
            if row is None or row["taken"] is None:
                return _Attempt(None, None if row is None else row["blocked_until"])
            taken = tuple(row["taken"])
            self._held.update(taken)
            return _Attempt(_Token(taken, self._generation))

        return await self._run(take)

    async def _give_back(self, token: _Token) -> None:
        async def give_back(conn: asyncpg.Connection) -> None:
            if token.generation != self._generation:
                return  # that connection is gone, and its locks with it
            await conn.fetchval(_GIVE_BACK, list(token.keys), timeout=QUERY_TIMEOUT_S)
            self._held.difference_update(token.keys)

        if token.generation == self._generation:
            await self._run(give_back, connect=False)

    async def _shielded(self, work: Coroutine[Any, Any, T]) -> T:
        """``work`` runs to its end even if the caller is cancelled (a query cut off halfway
        would leave the connection's locks unknown); slots it took then are given back."""
        task = asyncio.ensure_future(work)
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            task.add_done_callback(self._orphaned)
            raise

    def _orphaned(self, task: asyncio.Future[Any]) -> None:
        if task.cancelled() or task.exception() is not None:
            return
        attempt = task.result()
        if isinstance(attempt, _Attempt) and attempt.token is not None:
            release = asyncio.ensure_future(self.release(attempt.token))
            self._tasks.add(release)
            release.add_done_callback(self._tasks.discard)

    # -- the connection ----------------------------------------------------------------

    async def _run(
        self, op: Callable[[asyncpg.Connection], Awaitable[T]], *, connect: bool = True
    ) -> T | None:
        """``op`` on the connection, one at a time; None when PostgreSQL cannot be reached.
        A connection that fails is dropped (its locks with it) and ``op`` tried once more."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # the first use, or a new event loop: start afresh
            self._leave_loop()
            self._loop, self._lock = loop, asyncio.Lock()
        assert self._lock is not None
        async with self._lock:
            for _ in range(2):
                conn = await self._connection() if connect else self._conn
                if conn is None:
                    return None
                try:
                    return await op(conn)
                except _BROKEN as exc:
                    log.warning(
                        "graph slots: connection to PostgreSQL failed (%s); slots held by"
                        " this process are free again",
                        type(exc).__name__,
                    )
                    self._drop()
        # Failed on a fresh connection too (a missing table, a server refusing): not again
        # for every request.
        self._down_until = loop.time() + RECONNECT_S
        return None

    async def _connection(self) -> asyncpg.Connection | None:
        if self._conn is not None and not self._conn.is_closed():
            return self._conn
        loop = asyncio.get_running_loop()
        if loop.time() < self._down_until:
            return None
        conn: asyncpg.Connection | None = None
        try:
            conn = await asyncpg.connect(
                self._dsn,
                timeout=QUERY_TIMEOUT_S,
                server_settings={"application_name": APPLICATION_NAME},
            )
            await conn.execute(_TAKE_FUNCTION, timeout=QUERY_TIMEOUT_S)
        except _BROKEN as exc:
            if conn is not None:
                conn.terminate()
            log.warning(
                "graph slots: PostgreSQL unreachable (%s); per-process limits only for %.0f s",
                type(exc).__name__,
                RECONNECT_S,
            )
            self._down_until = loop.time() + RECONNECT_S
            return None
        self._conn = conn
        self._generation += 1
        self._held.clear()
        return conn

    def _drop(self) -> None:
        """Close the connection at once: PostgreSQL frees every slot it held."""
        if self._conn is not None:
            self._conn.terminate()
        self._forget()

    def _leave_loop(self) -> None:
        """Drop a connection made on another event loop (closed on that loop if it runs)."""
        conn, loop = self._conn, self._loop
        self._forget()
        if conn is None or loop is None:
            return
        if loop.is_closed():
            with contextlib.suppress(Exception):  # its socket goes with the garbage otherwise
                conn.terminate()
        else:
            loop.call_soon_threadsafe(conn.terminate)

    def _forget(self) -> None:
        self._conn = None
        self._generation += 1
        self._held.clear()


def shared_slots_for(database_url: str, app_key: str) -> SharedSlots | None:
    """PostgreSQL store → slots shared through it; SQLite (one process) → None: the
    per-process limiter is the whole count. ``app_key`` is the app's client id."""
    if database_url.startswith("postgresql"):
        return PostgresSlots("postgresql://" + database_url.split("://", 1)[1], app_key)
    return None
