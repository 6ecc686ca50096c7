"""Operations planned together and run one after another by one worker: which are interrupted.

A group (a secretary's calamity clear of both her executives) is planned whole before its first
member runs, and one worker runs the members in turn. While that worker lives, the member it
runs holds a lease and the others wait as planned; between two members it holds none, for a
moment. When the worker dies, the member it was running loses its lease
(``Operation.interrupted``) and the members after it stay planned for good: nobody would start
them unless they, too, read as interrupted. So once no member has been held or written for
``quiet`` (a lease: a live worker renews its lease far more often), every member not finished
is interrupted, and running any of them again finishes it as planned.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from automations.journal.models import Operation

__all__ = ["interrupted_members"]

log = logging.getLogger(__name__)


def interrupted_members(
    members: Sequence[Operation], now: dt.datetime, *, quiet: dt.timedelta
) -> frozenset[str]:
    """The ids of the group's members no worker is going to finish."""
    lost = {m.id for m in members if m.interrupted(now)}
    if any(m.status == "running" and m.id not in lost for m in members):
        return frozenset(lost)  # its worker lives: the planned ones wait their turn
    last = max((m.updated_at for m in members), default=None)
    if last is None or now - last < quiet:
        return frozenset(lost)  # between two members, or only just planned
    return frozenset(lost | {m.id for m in members if m.status == "planned"})
