"""Pydantic's validation errors in Dutch, for whoever reads them: an admin editing a YAML file,
a program's author reading the API's 422. Pydantic speaks English and has no Dutch locale;
each kind a person meets is put in words here, and any other kind says "ongeldige waarde"
rather than letting English through."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["dutch_message", "shown"]

_TYPES = {
    "string_type": "tekst",
    "list_type": "lijst",
    "dict_type": "mapping",
    "model_type": "mapping",
    "model_attributes_type": "mapping",
    "bool_type": "ja/nee",
    "bool_parsing": "ja/nee",
    "int_type": "geheel getal",
    "int_parsing": "geheel getal",
    "int_from_float": "geheel getal",
    "float_type": "getal",
    "float_parsing": "getal",
    "date_type": "datum (JJJJ-MM-DD)",
    "date_parsing": "datum (JJJJ-MM-DD)",
    "date_from_datetime_parsing": "datum (JJJJ-MM-DD)",
    "datetime_type": "tijdstip (JJJJ-MM-DDTUU:MM)",
    "datetime_parsing": "tijdstip (JJJJ-MM-DDTUU:MM)",
    "datetime_from_date_parsing": "tijdstip (JJJJ-MM-DDTUU:MM)",
    "uuid_type": "UUID",
    "uuid_parsing": "UUID",
}
_BOUNDS = {  # the kind, its bound in ``ctx``, the words
    "greater_than": ("gt", "groter zijn dan"),
    "greater_than_equal": ("ge", "minstens"),
    "less_than": ("lt", "kleiner zijn dan"),
    "less_than_equal": ("le", "hoogstens"),
}


def shown(value: object, limit: int = 80) -> str:
    """A value as it is quoted in a message, cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def dutch_message(error: Mapping[str, Any]) -> str:
    """One pydantic error (an item of ``ValidationError.errors()``) as a Dutch sentence part."""
    kind, ctx, value = error.get("type"), error.get("ctx") or {}, error.get("input")
    loc = tuple(error.get("loc", ()))
    field = loc[-1] if loc else "veld"
    if kind == "extra_forbidden":
        return f"onbekend veld '{field}'"
    if kind == "missing":
        return f"verplicht veld '{field}' ontbreekt"
    if kind in ("value_error", "assertion_error"):
        return str(error.get("msg", "")).removeprefix("Value error, ")
    if kind in ("string_too_short", "too_short") and ctx.get("min_length") == 1:
        return "mag niet leeg zijn"
    if kind in ("string_too_short", "too_short"):
        return f"te kort (minstens {ctx.get('min_length')})"
    if kind in ("string_too_long", "too_long"):
        return f"te lang (hoogstens {ctx.get('max_length')})"
    if kind == "union_tag_invalid":  # the kind of an entry: "action: fly"
        return (
            f"onbekende {ctx.get('discriminator', 'soort')} {ctx.get('tag')!r};"
            f" kies uit {ctx.get('expected_tags')}"
        )
    if kind in ("string_pattern_mismatch", "enum", "literal_error"):
        choices = ctx.get("expected")
        if choices:  # pydantic joins the choices with an English "or"
            return (
                f"ongeldige waarde {shown(value)}; kies uit {str(choices).replace(' or ', ' of ')}"
            )
        return f"ongeldige waarde {shown(value)}"
    if kind in _BOUNDS:
        key, words = _BOUNDS[kind]
        bound = ctx.get(key)
        if isinstance(bound, float):  # 0.0 is said "0", 0.5 "0,5"
            bound = int(bound) if bound.is_integer() else str(bound).replace(".", ",")
        return f"moet {words} {bound} zijn" if key in ("ge", "le") else f"moet {words} {bound}"
    if kind in _TYPES:
        return f"verwacht {_TYPES[kind]}, niet {shown(value)}"
    if kind == "json_invalid":
        return "geen geldige JSON"
    return f"ongeldige waarde {shown(value)}"
