"""A colleague mails an executive, through the sandbox as Exchange would deliver it."""

from __future__ import annotations

import uuid

from tests.sandbox.graphclients import Tenant

SENDER = "hans.verbeek@zeeveen.nl"  # Juridische Zaken


async def mail_to(tenant: Tenant, mailbox: str, subject: str) -> str:
    """Hans mails ``mailbox``; the (immutable) id the message has in her Inbox."""
    subject = f"{subject} [{uuid.uuid4().hex[:6]}]"
    message = {
        "subject": subject,
        "body": {"contentType": "text", "content": "Graag uw reactie."},
        "toRecipients": [{"emailAddress": {"address": mailbox}}],
    }
    async with tenant.raw(SENDER) as graph:
        (
            await graph.post(f"/users/{SENDER}/sendMail", json={"message": message})
        ).raise_for_status()
    async with tenant.raw() as app:
        found = await app.get(
            f"/users/{mailbox}/mailFolders/inbox/messages",
            params={"$filter": f"subject eq '{subject}'", "$select": "id"},
        )
        found.raise_for_status()
    [hit] = found.json()["value"]
    return str(hit["id"])


async def move_to_archive(tenant: Tenant, mailbox: str, message_id: str) -> None:
    """Handled in Outlook: filed out of the Inbox."""
    async with tenant.raw() as app:
        moved = await app.post(
            f"/users/{mailbox}/messages/{message_id}/move", json={"destinationId": "archive"}
        )
        moved.raise_for_status()


async def mark_read(tenant: Tenant, mailbox: str, message_id: str) -> None:
    async with tenant.raw() as app:
        (
            await app.patch(f"/users/{mailbox}/messages/{message_id}", json={"isRead": True})
        ).raise_for_status()
