"""/users/{user}/mailboxSettings: time zone, working hours, language (user-get-mailboxsettings).

The demo's mailboxes are Dutch and keep office hours, as Exchange Online sets them up for a
mailbox in the Netherlands; a user record may override any of it under ``_mailboxSettings``
(tests: a mailbox in another zone, or one without working hours). Reading them takes
``MailboxSettings.*``, which has no ``.Shared`` form: the owner or the app (within its RBAC
scope) reads them, a delegate does not (``sandbox/permissions.py``).
"""

from __future__ import annotations

from typing import Any

from sandbox.context import Ctx
from sandbox.router import GraphResponse, Router

__all__ = ["mailbox_settings", "router"]

router = Router()

ZONE = "W. Europe Standard Time"  # the zone Exchange names for Europe/Amsterdam


def mailbox_settings(user: dict[str, Any]) -> dict[str, Any]:
    """The mailbox's settings as Graph returns them, with the user's overrides applied."""
    defaults: dict[str, Any] = {
        "archiveFolder": None,
        "timeZone": ZONE,
        "automaticRepliesSetting": {
            "status": "disabled",
            "externalAudience": "all",
            "internalReplyMessage": "",
            "externalReplyMessage": "",
        },
        "dateFormat": "d-M-yyyy",
        "timeFormat": "H:mm",
        "delegateMeetingMessageDeliveryOptions": "sendToDelegateAndInformationToPrincipal",
        "language": {"locale": "nl-NL", "displayName": "Nederlands (Nederland)"},
        "workingHours": {
            "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
            "startTime": "08:00:00.0000000",
            "endTime": "17:00:00.0000000",
            "timeZone": {"name": ZONE},
        },
        "userPurpose": "user",
    }
    return defaults | dict(user.get("_mailboxSettings") or {})


@router.route("GET", "/users/{user}/mailboxSettings", resource="mail")
async def get_mailbox_settings(ctx: Ctx, user: str) -> GraphResponse:
    assert ctx.mailbox is not None
    return ctx.entity(mailbox_settings(ctx.mailbox), f"{ctx.user_segment()}/mailboxSettings")
