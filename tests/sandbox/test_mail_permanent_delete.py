"""message: permanentDelete through msgraph-sdk: the message goes to the dumpster's Purges
folder (no client sees it), never through Deleted Items; a delegate needs editor rights."""

from __future__ import annotations

import pytest
from msgraph.generated.models.message import Message
from msgraph.generated.models.o_data_errors.o_data_error import ODataError

from sandbox.server import RunningSandbox
from tests.sandbox.graphclients import Tenant
from tests.sandbox.people import BURGEMEESTER, SECRETARY_A
from tests.sandbox.test_mailbox_permissions import delegate_rights


async def new_draft(tenant: Tenant, subject: str) -> str:
    client = tenant.graph(SECRETARY_A)
    made = (
        await client.users.by_user_id(BURGEMEESTER)
        .mail_folders.by_mail_folder_id("drafts")
        .messages.post(Message(subject=subject))
    )
    assert made is not None and made.id
    return made.id


async def subjects_in(tenant: Tenant, folder: str) -> list[str]:
    page = (
        await tenant.graph(BURGEMEESTER)
        .users.by_user_id(BURGEMEESTER)
        .mail_folders.by_mail_folder_id(folder)
        .messages.get()
    )
    return [m.subject for m in page.value]


async def test_a_delegate_removes_a_draft_for_good_not_to_deleted_items(tenant: Tenant) -> None:
    made = await new_draft(tenant, "Weg ermee")
    messages = tenant.graph(SECRETARY_A).users.by_user_id(BURGEMEESTER).messages

    await messages.by_message_id(made).permanent_delete.post()

    assert "Weg ermee" not in await subjects_in(tenant, "drafts")
    assert "Weg ermee" not in await subjects_in(tenant, "deleteditems")
    with pytest.raises(ODataError) as gone:
        await messages.by_message_id(made).get()
    assert gone.value.response_status_code == 404
    assert gone.value.error.code == "ErrorItemNotFound"


async def test_the_folder_form_answers_204_without_a_body(tenant: Tenant) -> None:
    made = await new_draft(tenant, "Ook weg")
    async with tenant.raw(SECRETARY_A) as graph:
        answer = await graph.post(
            f"/users/{BURGEMEESTER}/mailFolders/drafts/messages/{made}/permanentDelete"
        )
        wrong = await graph.post(
            f"/users/{BURGEMEESTER}/mailFolders/inbox/messages/{made}/permanentDelete"
        )

    assert answer.status_code == 204 and answer.content == b""
    assert wrong.status_code == 404  # not in that folder (and gone by now besides)


async def test_a_reviewer_may_not_remove_anything(tenant: Tenant, running: RunningSandbox) -> None:
    made = await new_draft(tenant, "Blijft staan")
    with delegate_rights(running, BURGEMEESTER, SECRETARY_A, {"mail": "reviewer"}):
        with pytest.raises(ODataError) as refused:
            await (
                tenant.graph(SECRETARY_A)
                .users.by_user_id(BURGEMEESTER)
                .messages.by_message_id(made)
                .permanent_delete.post()
            )

    assert refused.value.response_status_code == 403
    assert refused.value.error.code == "ErrorAccessDenied"
    assert "Blijft staan" in await subjects_in(tenant, "drafts")
