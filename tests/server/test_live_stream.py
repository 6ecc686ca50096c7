"""The live event stream (``/api/v1/queue/events``) follows the roster as it is now, and ends
when the token it was opened with expires."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from automations.queue.flows import RECHECK_S, Audience
from automations.roster.service import snapshot
from sandbox.server import RunningSandbox
from tests.forgery import resign
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import (
    ADMIN,
    BURGEMEESTER,
    GEMEENTESECRETARIS,
    SECRETARY_A,
    SECRETARY_A_FRIDAY,
)

EVENTS = "/api/v1/queue/events"
PATIENCE_S = 10  # a stream that should have said something by now has failed the test


class Wall:
    """The wall clock the stream holds tokens' expiry against (Unix seconds): it stands where
    a test puts it, or runs on from there with the machine's time."""

    def __init__(self) -> None:
        self._at, self._since = time.time(), None  # standing still at the machine's time

    def __call__(self) -> float:
        return self._at if self._since is None else self._at + time.monotonic() - self._since

    def set(self, at: float, *, running: bool = False) -> None:
        self._at, self._since = at, (time.monotonic() if running else None)


@pytest.fixture
def wall() -> Wall:
    """The ``backend`` fixture hands this to ``create_app`` (tests/server/conftest.py)."""
    return Wall()


class _Body(httpx.AsyncByteStream):
    def __init__(self, chunks: asyncio.Queue[bytes | None], gone: asyncio.Event,
                 app: asyncio.Task[None]) -> None:  # fmt: skip
        self._chunks, self._gone, self._app = chunks, gone, app

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while (chunk := await self._chunks.get()) is not None:
            yield chunk

    async def aclose(self) -> None:
        self._gone.set()  # the client hangs up
        await asyncio.wait_for(self._app, PATIENCE_S)


class StreamingASGI(httpx.AsyncBaseTransport):
    """httpx's ``ASGITransport`` answers once the app has finished the response; a stream of
    events never finishes by itself, so this one hands the body over as the app sends it."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        chunks: asyncio.Queue[bytes | None] = asyncio.Queue()
        gone = asyncio.Event()
        started: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        asked = False

        async def receive() -> dict[str, Any]:
            nonlocal asked
            if not asked:
                asked = True
                return {"type": "http.request", "body": body, "more_body": False}
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                started.set_result(message)
            elif message["type"] == "http.response.body":
                chunks.put_nowait(message.get("body", b""))
                if not message.get("more_body", False):
                    chunks.put_nowait(None)

        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": request.method, "scheme": request.url.scheme, "path": request.url.path,
            "raw_path": request.url.raw_path.split(b"?")[0], "query_string": request.url.query,
            "headers": [(k.lower(), v) for k, v in request.headers.raw], "root_path": "",
            "server": (request.url.host, request.url.port), "client": ("127.0.0.1", 123),
        }  # fmt: skip
        app = asyncio.create_task(self.app(scope, receive, send))  # type: ignore[arg-type]
        app.add_done_callback(lambda _: chunks.put_nowait(None))
        await asyncio.wait({app, started}, return_when=asyncio.FIRST_COMPLETED)
        if not started.done():
            app.result()  # the app failed before it answered: its error
        start = started.result()
        return httpx.Response(start["status"], headers=start.get("headers", []),
                              stream=_Body(chunks, gone, app), request=request)  # fmt: skip


class Events:
    """One open stream, read event by event (comments skipped)."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines = response.aiter_lines()

    async def next(self) -> dict[str, Any] | None:
        """The next event (``{"event": name, **data}``), or None when the stream ended."""
        block: dict[str, Any] = {}
        async with asyncio.timeout(PATIENCE_S):
            async for line in self._lines:
                if line.startswith("event:"):
                    block["event"] = line[6:].strip()
                elif line.startswith("data:"):
                    block.update(json.loads(line[5:]))
                elif not line and block:
                    return block
        return None


@contextlib.asynccontextmanager
async def follow(backend: FastAPI, token: str) -> AsyncIterator[Events]:
    transport = StreamingASGI(backend)
    async with (
        httpx.AsyncClient(transport=transport, base_url="https://backend.test") as client,
        client.stream("GET", EVENTS, headers={"Authorization": f"Bearer {token}"}) as resp,
    ):
        assert resp.status_code == 200, await resp.aread()
        yield Events(resp)


async def subscribed(backend: FastAPI, count: int = 1) -> None:
    """Until the stream listens (it subscribes when the response starts)."""
    async with asyncio.timeout(PATIENCE_S):
        while backend.state.events.listeners < count:
            await asyncio.sleep(0)


async def claim(api: httpx.AsyncClient, login, mailbox: str) -> str:
    key = f"message:{uuid.uuid4().hex}"
    resp = await api.post("/api/v1/queue/claims", json={"key": key, "mailbox": mailbox},
                          headers=login(SECRETARY_A_FRIDAY))  # fmt: skip
    assert resp.status_code == 201, resp.text
    return key


async def test_someone_taken_off_a_team_stops_hearing_its_claims(
    api: httpx.AsyncClient, login, backend: FastAPI, tenant: Tenant
) -> None:
    async with follow(backend, tenant.user_token(SECRETARY_A)) as events:
        await subscribed(backend)
        before = await api.get("/api/v1/roster", headers=login(ADMIN))
        roster = before.json()
        roster["serves"][SECRETARY_A] = [BURGEMEESTER]  # no longer the gemeentesecretaris's
        roster["front_office"][GEMEENTESECRETARIS] = dict.fromkeys(
            roster["front_office"][GEMEENTESECRETARIS], SECRETARY_A_FRIDAY
        )
        put = await api.put("/api/v1/roster", json=roster, headers=login(ADMIN))
        assert put.status_code == 200, put.text

        not_hers = await claim(api, login, GEMEENTESECRETARIS)
        hers = await claim(api, login, BURGEMEESTER)  # she still works there: this one arrives
        seen = []
        while (event := await events.next()) is not None:
            seen.append(event)
            if event.get("key") == hers:
                break
        claims = [(e["mailbox"], e["key"]) for e in seen if e["event"] == "claim"]
        assert claims == [(BURGEMEESTER, hers)], seen
        assert not_hers not in json.dumps(seen)
        # told once, bare, that the team she left changed: her pane redraws without it
        left = [e for e in seen if e["mailbox"] == GEMEENTESECRETARIS]
        assert left == [{"event": "team", "type": "team", "mailbox": GEMEENTESECRETARIS}]


async def test_a_roster_change_nobody_announced_is_read_within_the_recheck(
    api: httpx.AsyncClient, login, backend: FastAPI, tenant: Tenant
) -> None:
    """Another process may change the roster without an event reaching this one: the stream
    reads the roster again before it delivers, once ``RECHECK_S`` has passed."""
    deps = backend.state.deps
    async with deps.sessions() as session:
        roster = await snapshot(session)
    now = [0.0]
    audience = Audience(deps, SECRETARY_A, roster, monotonic=lambda: now[0])
    document = (await api.get("/api/v1/roster", headers=login(ADMIN))).json()
    document["serves"][SECRETARY_A] = [BURGEMEESTER]
    document["front_office"][GEMEENTESECRETARIS] = dict.fromkeys(
        document["front_office"][GEMEENTESECRETARIS], SECRETARY_A_FRIDAY
    )
    assert (await api.put("/api/v1/roster", json=document, headers=login(ADMIN))).is_success
    event = {"type": "claim", "mailbox": GEMEENTESECRETARIS, "key": "message:x"}
    assert await audience.admit(event) == event  # not re-read yet: at most RECHECK_S late
    now[0] += RECHECK_S
    assert await audience.admit(event) is None
    assert audience.mailboxes == {BURGEMEESTER}


async def test_the_stream_ends_when_its_token_expires(
    api: httpx.AsyncClient,
    login,
    backend: FastAPI,
    tenant: Tenant,
    running: RunningSandbox,
    wall: Wall,
) -> None:
    """Events while the token is valid; once the wall clock passes its expiry, ``expired`` and
    the end, and an event arriving after that is not delivered."""
    exp = int(time.time()) + 600  # PyJWT holds it against the machine's clock
    token = resign(running.info, tenant.user_token(SECRETARY_A), exp=exp)
    async with follow(backend, token) as events:
        await subscribed(backend)
        key = await claim(api, login, BURGEMEESTER)
        assert (await events.next() or {}).get("key") == key
        wall.set(exp)
        await claim(api, login, BURGEMEESTER)  # hers, but too late: it wakes the stream only
        assert await events.next() == {"event": "expired"}
        assert await events.next() is None


async def test_the_stream_ends_at_the_expiry_with_nothing_arriving(
    backend: FastAPI, tenant: Tenant, running: RunningSandbox, wall: Wall
) -> None:
    """The stream's wait is the token's (milliseconds here), not the 15 s between keep-alive
    comments."""
    exp = int(time.time()) + 600
    token = resign(running.info, tenant.user_token(SECRETARY_A), exp=exp)
    wall.set(exp - 0.02, running=True)
    async with follow(backend, token) as events:
        assert await events.next() == {"event": "expired"}
        assert await events.next() is None


async def test_a_token_already_past_its_expiry_gets_no_stream(
    api: httpx.AsyncClient, backend: FastAPI, tenant: Tenant, running: RunningSandbox
) -> None:
    """Within the minute of clock skew a spent token still passes the signature check. When
    who she is was not known yet, Entra ID refuses to exchange it: a 401 in Dutch. When it
    was, the stream it opens ends at once. Either way the pane fetches a fresh token."""
    spent = resign(running.info, tenant.user_token(SECRETARY_A), exp=int(time.time()) - 30)
    refused = await api.get("/api/v1/me", headers={"Authorization": f"Bearer {spent}"})
    assert refused.status_code == 401 and "verlopen" in refused.json()["error"]["message"]

    fresh = tenant.user_token(SECRETARY_A)
    assert (await api.get("/api/v1/me", headers={"Authorization": f"Bearer {fresh}"})).is_success
    async with follow(backend, spent) as events:
        assert await events.next() == {"event": "expired"}
        assert await events.next() is None
