"""The URL table of the sandbox's Graph: every resource module's routes in one router."""

from __future__ import annotations

import importlib

from sandbox.router import Router

__all__ = ["MODULES", "router"]

# Resource modules, each exporting ``router``. Order matters only where templates overlap.
MODULES = (
    "sandbox.users",
    "sandbox.mail.folders",
    "sandbox.mail.messages",
    "sandbox.mail.attachments",
    "sandbox.mail.attachment_upload",
    "sandbox.mail.categories",
    "sandbox.mail.settings",
    "sandbox.calendar.events",
    "sandbox.calendar.scheduling",
    "sandbox.drive.items",
    "sandbox.drive.drives",
    "sandbox.drive.upload",
    "sandbox.todo.tasks",
    "sandbox.places",
    "sandbox.applications",
    "sandbox.subscriptions.routes",
    "sandbox.batch",
)


def router() -> Router:
    out = Router()
    for name in MODULES:
        out.include(importlib.import_module(name).router)
    return out
