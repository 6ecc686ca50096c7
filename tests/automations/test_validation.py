"""Pydantic's errors as a person reads them: Dutch, with the value and the rule, never the
English pydantic writes."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from automations.validation import dutch_message

ENGLISH = ("Input should", "Field required", "should have", "Value error", "valid", " or ")


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=5)]
    code: Annotated[str, Field(min_length=3, pattern=r"^[a-z]+$")] = "abc"
    count: Annotated[int, Field(ge=1, le=20)] = 1
    share: Annotated[float, Field(gt=0, lt=1)] = 0.5
    kind: Literal["formeel", "informeel"] = "formeel"
    day: dt.date = dt.date(2026, 11, 24)
    at: dt.datetime = dt.datetime(2026, 11, 24, 8)
    id: uuid.UUID = uuid.UUID(int=1)
    done: bool = False
    tags: list[str] = []


def message(**data: object) -> str:
    with pytest.raises(ValidationError) as caught:
        Request.model_validate({"name": "x", **data})
    [error] = caught.value.errors()
    return dutch_message(error)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"name": ""}, "mag niet leeg zijn"),
        ({"name": "Zwanenburg"}, "te lang (hoogstens 5)"),
        ({"code": "ab"}, "te kort (minstens 3)"),
        ({"code": "ABC"}, "ongeldige waarde 'ABC'"),
        ({"count": 0}, "moet minstens 1 zijn"),
        ({"count": 21}, "moet hoogstens 20 zijn"),
        ({"share": 1}, "moet kleiner zijn dan 1"),
        ({"share": 0}, "moet groter zijn dan 0"),
        ({"count": "veel"}, "verwacht geheel getal, niet 'veel'"),
        ({"kind": "streng"}, "ongeldige waarde 'streng'; kies uit 'formeel' of 'informeel'"),
        ({"day": "24-11-2026"}, "verwacht datum (JJJJ-MM-DD), niet '24-11-2026'"),
        ({"at": "morgen"}, "verwacht tijdstip (JJJJ-MM-DDTUU:MM), niet 'morgen'"),
        ({"id": "geen-id"}, "verwacht UUID, niet 'geen-id'"),
        ({"done": "misschien"}, "verwacht ja/nee, niet 'misschien'"),
        ({"tags": "a"}, "verwacht lijst, niet 'a'"),
        ({"extra": 1}, "onbekend veld 'extra'"),
    ],
)  # fmt: skip
def test_each_kind_of_mistake_reads_in_dutch(data: dict, expected: str) -> None:
    said = message(**data)
    assert said == expected
    assert not any(word in said for word in ENGLISH)


def test_a_missing_field_is_named() -> None:
    with pytest.raises(ValidationError) as caught:
        Request.model_validate({})
    assert [dutch_message(e) for e in caught.value.errors()] == ["verplicht veld 'name' ontbreekt"]


def test_a_kind_nobody_described_still_says_no_english() -> None:
    error = {"type": "url_scheme", "loc": ("link",), "msg": "URL scheme should be 'https'",
             "input": "ftp://x"}  # fmt: skip
    assert dutch_message(error) == "ongeldige waarde 'ftp://x'"
