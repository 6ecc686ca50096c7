"""Meeting types and where their folders live (settings, a small YAML file).

Each type names its folder, its target (``local``: a directory tree on the server;
``sharepoint``: a document library through Graph) and how its meetings are recognised in an
executive's calendar (a category or a subject), so upcoming meetings are offered without typing,
and how a mail is recognised as its business (``mail``: subject words, categories, senders), so
the picker preselects the meeting that fits.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from automations.errors import BadRequest, NotFound
from automations.yamlfile import YamlError, describe, load

__all__ = ["DEMO", "CalendarMatch", "MailMatch", "MeetingType", "MeetingTypes", "load_types"]

DEMO = Path(__file__).resolve().parent / "demo.yaml"


class CalendarMatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: str | None = Field(default=None, max_length=80)
    subject: str | None = Field(default=None, max_length=200)

    def matches(self, event: Mapping[str, Any]) -> bool:
        if self.category and self.category in (event.get("categories") or []):
            return True
        subject = (event.get("subject") or "").casefold()
        return bool(self.subject and self.subject.casefold() in subject)


class MailMatch(BaseModel):
    """How a mail is recognised as this type's business (the picker's preselection), beside
    the calendar rule: words or phrases in its subject (whole words: "raad" is not
    "raadpleging"; the type's key counts too), its categories, and senders (an address, or
    ``@domain``)."""

    model_config = ConfigDict(extra="forbid")
    subject: list[str] = Field(default_factory=list, max_length=30)
    categories: list[str] = Field(default_factory=list, max_length=30)
    senders: list[str] = Field(default_factory=list, max_length=30)


class MeetingType(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(pattern=r"^[a-z][a-z0-9\-]{1,39}$")
    name: str = Field(min_length=1, max_length=80)
    folder: str = Field(min_length=1, max_length=80)
    target: Literal["local", "sharepoint"] = "local"
    calendar: CalendarMatch = Field(default_factory=CalendarMatch)
    mail: MailMatch = Field(default_factory=MailMatch)


class SharePointPlace(BaseModel):
    model_config = ConfigDict(extra="forbid")
    site: str = Field(min_length=1, max_length=200)  # the site's name, or its id
    library: str = Field(min_length=1, max_length=200)


class MeetingTypes(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: Literal[1]
    sharepoint: SharePointPlace | None = None
    types: list[MeetingType] = Field(min_length=1, max_length=50)

    def get(self, key: str) -> MeetingType:
        for t in self.types:
            if t.key == key:
                return t
        raise NotFound(f"Onbekend soort vergadering '{key}'.")


def load_types(path: Path) -> MeetingTypes:
    try:
        located = load(path.read_text(encoding="utf-8"))
        found = MeetingTypes.model_validate(located.data)
    except YamlError as exc:
        raise BadRequest(f"{path.name}: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(describe(located, e) for e in exc.errors())
        raise BadRequest(f"{path.name}: {problems}") from None
    if any(t.target == "sharepoint" for t in found.types) and found.sharepoint is None:
        raise BadRequest(f"{path.name}: een soort met target sharepoint vraagt 'sharepoint:'")
    return found
