"""How a quick step's letters greet and who signs them: the replies' own rules, not a copy.

A reply drafted by a quick step reads like one made from a reply template
(``automations.replies``): ``salutation`` is the aanhef the replies write for the sender
("Geachte heer/mevrouw Kempers"; a preference kept in the template set first), and
``executive`` the name and function the executive signs with (the set's signature, else the
directory), never her mailbox address. Both are looked up once per apply, and only when one of
the step's templates uses them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import meta
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from automations.graph import GraphSession
from automations.quicksteps.models import TEMPLATES, TEXT_TEMPLATES, QuickStep, templated
from automations.replies.service import DOCUMENT, TemplateSet, greeting, signer_of

__all__ = ["LETTER_VARIABLES", "Letter", "letter_for", "used_in"]

LETTER_VARIABLES = ("salutation", "executive")


@dataclass(frozen=True)
class Letter:
    """What a step's letters need beyond the message: who signs, and the set's preferences."""

    executive: Mapping[str, str] | None = None  # None when no template of the step signs
    templates: TemplateSet | None = None  # the reply templates: salutations, signatures

    def values(self, sender_name: str, sender_address: str) -> dict[str, Any]:
        """The letter's template values for one message from ``sender_name``."""
        out: dict[str, Any] = {
            "salutation": greeting(sender_name, sender_address, "formeel", self.templates)
        }
        if self.executive is not None:
            out["executive"] = dict(self.executive)
        return out


def used_in(step: QuickStep) -> set[str]:
    """The letter variables the step's templates use."""
    used: set[str] = set()
    for action in step.actions:
        for _, template, html in templated(action):
            env = TEMPLATES if html else TEXT_TEMPLATES
            used |= meta.find_undeclared_variables(env.parse(template))
    return used & set(LETTER_VARIABLES)


async def letter_for(
    graph: GraphSession,
    sessions: async_sessionmaker[AsyncSession],
    mailbox: str,
    step: QuickStep,
) -> Letter | None:
    """The step's letter for ``mailbox``, or None when no template of the step needs one. An
    executive without a name in the directory (or a signature) is refused before anything is
    changed, as a reply template refuses her."""
    used = used_in(step)
    if not used:
        return None
    async with sessions() as session:  # closed before Graph is asked
        found = await DOCUMENT.active(session)
    templates = found.parsed if found else None
    executive = await signer_of(graph, mailbox, templates) if "executive" in used else None
    return Letter(executive, templates)
