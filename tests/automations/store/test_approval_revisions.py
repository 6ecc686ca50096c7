"""Migration 0009: an approval may be "revised" and name the one it replaces, on both backends;
stepping back turns a revised one into the rejected one it was."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from automations.store.db import create_engine
from automations.store.migrate import downgrade_async, upgrade_async

ROW = (
    "INSERT INTO approvals (id, mailbox, draft_id, message_id, subject, recipients, change_key,"
    " note, requested_by, requested_at, status, reminders{extra}) VALUES (:id, 'b@x.nl', 'd',"
    " 'm', 's', '', 'ck', '', 'a@x.nl', '2026-11-24 08:00:00', :status, 0{values})"
)


async def _run(url: str, sql: str, **params: str) -> list[tuple]:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            result = await connection.execute(text(sql), params)
            return list(result) if result.returns_rows else []
    finally:
        await engine.dispose()


async def test_a_revised_approval_is_stored_and_a_downgrade_makes_it_rejected_again(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    await upgrade_async(url, "0008")
    await _run(url, ROW.format(extra="", values=""), id="old", status="rejected")
    await upgrade_async(url)
    await _run(url, "UPDATE approvals SET status = 'revised' WHERE id = 'old'")
    await _run(url, ROW.format(extra=", revises", values=", 'old'"), id="new", status="waiting")
    with pytest.raises(IntegrityError):  # the check constraint still holds
        await _run(url, ROW.format(extra="", values=""), id="bad", status="herzien")

    await downgrade_async(url, "0008")
    found = await _run(url, "SELECT id, status FROM approvals ORDER BY id")
    assert found == [("new", "waiting"), ("old", "rejected")]
