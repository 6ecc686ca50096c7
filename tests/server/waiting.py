"""Work a worker carries out: how a test asks the API for its outcome, and sees a worker die."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import FastAPI

__all__ = ["WAIT", "followed", "waiting", "worker_dies"]

WAIT = {"Prefer": "wait=60"}


def waiting(headers: dict[str, str]) -> dict[str, str]:
    """``headers`` asking for the finished outcome (RFC 7240 ``Prefer: wait``), not a 202."""
    return {**headers, **WAIT}


async def worker_dies(app: FastAPI, call: Any) -> None:
    """The click is answered at once (202: handed over), then the worker running the work
    dies. In-process the death is a ``BaseException`` raised in the task (Procrastinate records
    the task failed and writes nothing more, as a killed process would); this waits until the
    queue has nothing left to run and checks that a task did die."""
    answer = await call
    assert answer.status_code == 202, answer.text
    manager = app.state.tasks.app.job_manager
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while loop.time() < deadline:
        jobs = list(await manager.list_jobs_async())
        if jobs and all(job.status not in ("todo", "doing") for job in jobs):
            break
        await asyncio.sleep(0.01)
    else:
        raise AssertionError("the worker is still at it")
    assert any(job.status == "failed" for job in jobs), "the worker lived"


async def followed(api: Any, answer: Any, progress: str, headers: dict[str, str]) -> Any:
    """What the pane shows in the end: it follows ``progress`` from the click's answer on
    until the report is final, as ``agenda.js`` does."""
    assert answer.status_code == 200, answer.text
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while 'data-testid="voortgang"' in answer.text:
        assert loop.time() < deadline, "the report never became final"
        await asyncio.sleep(0.02)
        answer = await api.get(progress, headers=headers)
        assert answer.status_code == 200, answer.text
    return answer
