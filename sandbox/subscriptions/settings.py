"""The change notification settings a test may change through the control plane.

Outlook's documented limits by default; ``allow_http`` is the sandbox's test mode; the
delivery faults are drawn per change notification (``fault_rate`` over ``fault_kinds``, seeded)
after the queued ``next_faults`` are used up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["DELIVERY_FAULTS", "NotificationSettings", "checked_setting"]

DELIVERY_FAULTS = ("late", "duplicate", "drop")


@dataclass
class NotificationSettings:
    # Outlook's limits (documented); the control plane may lower them for a test.
    max_lifetime_minutes: int = 10_080  # messages without resource data: under 7 days
    max_per_mailbox: int = 1000  # active subscriptions per mailbox, all apps together
    allow_http: bool = False  # test mode: http:// notification URLs on this machine
    # Delivery faults per change notification.
    fault_rate: float = 0.0
    fault_kinds: tuple[str, ...] = DELIVERY_FAULTS
    seed: int = 0
    late_s: float = 600.0
    next_faults: list[str] = field(default_factory=list)  # applied first, one per notification


# Per setting: the JSON types it accepts and its smallest value.
_NUMBERS: dict[str, tuple[type[int] | tuple[type[int], type[float]], float]] = {
    "max_lifetime_minutes": (int, 1),
    "max_per_mailbox": (int, 1),
    "fault_rate": ((int, float), 0),
    "seed": (int, float("-inf")),
    "late_s": ((int, float), 0),
}


def checked_setting(name: str, value: Any) -> Any:
    """One setting from JSON, checked for type and range (``bool`` is not a number here)."""
    if name in ("fault_kinds", "next_faults"):
        if not isinstance(value, list | tuple) or (name == "fault_kinds" and not value):
            raise ValueError(f"{name} must be a list of delivery faults")
        unknown = [k for k in value if k not in DELIVERY_FAULTS]
        if unknown:
            raise ValueError(f"unknown delivery faults {unknown!r}; choose from {DELIVERY_FAULTS}")
        return tuple(value) if name == "fault_kinds" else list(value)
    if name == "allow_http":
        if not isinstance(value, bool):
            raise ValueError("allow_http must be true or false")
        return value
    if name not in _NUMBERS:
        raise ValueError(f"unknown notification setting {name!r}")
    kinds, low = _NUMBERS[name]
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise ValueError(f"{name} must be a number, not {type(value).__name__}")
    number = float(value)  # an int or a float by now
    if number < low or (name == "fault_rate" and number > 1):
        raise ValueError(f"{name} is out of range: {value!r}")
    return type(getattr(NotificationSettings(), name))(value)
