"""The shape of a seed file, strict, so a typo in the YAML fails loudly instead of vanishing.

Field names follow Graph where the value ends up in Graph JSON (``displayName``, ``isRead``) and
plain English where the loader turns them into something else (``received``, ``day``).
Cross-references between entries (users, rooms, folders, categories) are checked in
:mod:`sandbox.seed.references`, which sees the whole file.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

__all__ = ["Contact", "DemoFile", "Event", "Message", "Person", "Room", "RoomList", "Weekday"]

Guid = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
]
Address = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$", to_lower=True),
]
ClockTime = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
Color = Annotated[str, StringConstraints(pattern=r"^(none|preset([0-9]|1[0-9]|2[0-4]))$")]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
GraphDay = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
Rights = Literal["none", "reviewer", "author", "editor"]
Kind = Literal["pdf", "docx", "txt"]
NonEmpty = Annotated[str, StringConstraints(min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Tenant(Strict):
    id: Guid
    displayName: NonEmpty
    domain: NonEmpty


class App(Strict):
    displayName: NonEmpty
    client_id: Guid
    api_scopes: list[NonEmpty]
    delegated_permissions: list[NonEmpty]
    application_permissions: list[NonEmpty]
    rbac_scope: list[Address] = Field(min_length=1)
    spa_redirect_uris: list[NonEmpty] = Field(default_factory=list)


class User(Strict):
    id: Guid
    displayName: NonEmpty
    givenName: NonEmpty
    surname: NonEmpty
    mail: Address
    userPrincipalName: Address
    jobTitle: NonEmpty
    department: NonEmpty
    officeLocation: NonEmpty
    businessPhones: list[str]
    mobilePhone: str | None = None
    preferredLanguage: Literal["nl-NL"]
    role: Literal["executive", "secretary", "staff", "admin"]


class PhysicalAddress(Strict):
    """Graph's physicalAddress."""

    street: str = ""
    city: str = ""
    state: str = ""
    postalCode: str = ""
    countryOrRegion: str = ""


class GeoCoordinates(Strict):
    """Graph's outlookGeoCoordinates (the fields the places API shows)."""

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class Room(Strict):
    """A room mailbox and its place (Graph's ``room`` resource; unset properties are null)."""

    id: Guid
    displayName: NonEmpty
    emailAddress: Address
    capacity: int = Field(ge=1)
    building: NonEmpty
    floorNumber: int
    floorLabel: NonEmpty | None = None
    label: NonEmpty | None = None
    nickname: NonEmpty | None = None  # Exchange fills in the display name
    phone: str = ""
    address: PhysicalAddress | None = None
    geoCoordinates: GeoCoordinates | None = None
    isWheelChairAccessible: bool = False
    bookingType: Literal["standard", "reserved"] = "standard"
    audioDeviceName: NonEmpty | None = None
    videoDeviceName: NonEmpty | None = None
    displayDeviceName: NonEmpty | None = None
    tags: list[NonEmpty] = []


class RoomList(Strict):
    """An Exchange room list (a distribution group of rooms; Graph's ``roomList``)."""

    id: Guid
    displayName: NonEmpty
    emailAddress: Address
    phone: str = ""
    address: PhysicalAddress | None = None
    geoCoordinates: GeoCoordinates | None = None
    rooms: list[Address] = Field(min_length=1)


class Delegation(Strict):
    secretary: Address
    executives: list[Address] = Field(min_length=1)
    mail: Rights
    calendar: Rights


class WeekRoster(Strict):
    """Front office secretary per weekday; the weekend has none."""

    mon: Address
    tue: Address
    wed: Address
    thu: Address
    fri: Address


class Category(Strict):
    displayName: NonEmpty
    color: Color


class CategorySets(Strict):
    every_mailbox: list[Category]
    extra: dict[Address, list[Category]] = {}


class FolderSets(Strict):
    every_mailbox: list[NonEmpty] = []
    extra: dict[Address, list[NonEmpty]] = {}


class Contact(Strict):
    address: Address
    name: NonEmpty | None = None  # known users and rooms get their displayName


def _bare_address(value: object) -> object:
    return {"address": value} if isinstance(value, str) else value


# A person is written as a bare address (users of the tenant) or as {name, address}.
Person = Annotated[Contact, BeforeValidator(_bare_address)]


class Received(Strict):
    day: int = Field(le=0, description="days from today; mail is never from the future")
    time: ClockTime


class Flag(Strict):
    status: Literal["flagged", "complete"] = "flagged"
    start: int | None = None  # days from today; default: the day it was received
    due: int

    @model_validator(mode="after")
    def _start_before_due(self) -> Flag:
        if self.start is not None and self.start > self.due:
            raise ValueError("flag start must not be after due")
        return self


class Document(Strict):
    kind: Kind
    title: NonEmpty
    text: NonEmpty


class Attachment(Document):
    name: NonEmpty

    @model_validator(mode="after")
    def _extension_matches_kind(self) -> Attachment:
        if not self.name.lower().endswith(f".{self.kind}"):
            raise ValueError(f"name {self.name!r} must end in .{self.kind}")
        return self


class Message(Strict):
    folder: NonEmpty = "inbox"
    conversation: NonEmpty | None = None  # messages with the same key share a conversationId
    from_: Person = Field(alias="from")
    to: list[Person] = Field(min_length=1)
    cc: list[Person] = []
    subject: NonEmpty
    body: NonEmpty  # HTML fragment; the loader wraps it in <html><body>
    importance: Literal["low", "normal", "high"] = "normal"
    isRead: bool = False
    categories: list[NonEmpty] = []
    flag: Flag | None = None
    received: Received
    attachments: list[Attachment] = []


class Dated(Strict):
    """A date as a weekday of the current ISO week (``week`` shifts whole weeks) or an offset."""

    day: Weekday | None = None
    week: int = 0
    offset: int | None = None

    @model_validator(mode="after")
    def _one_way_to_say_it(self) -> Dated:
        if (self.day is None) == (self.offset is None):
            raise ValueError("give exactly one of 'day' or 'offset'")
        if self.week and self.day is None:
            raise ValueError("'week' only goes with 'day'")
        return self


class Pattern(Strict):
    type: Literal["daily", "weekly", "absoluteMonthly", "relativeMonthly"]
    interval: int = Field(default=1, ge=1)
    daysOfWeek: list[GraphDay] = []
    firstDayOfWeek: GraphDay = "monday"
    dayOfMonth: int = 0
    index: Literal["first", "second", "third", "fourth", "last"] = "first"


class Range(Strict):
    type: Literal["noEnd", "endDate", "numbered"]
    startDate: Dated
    endDate: Dated | None = None
    numberOfOccurrences: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _end_fits_type(self) -> Range:
        if (self.type == "endDate") != (self.endDate is not None):
            raise ValueError("endDate is required for, and only for, type endDate")
        if (self.type == "numbered") != (self.numberOfOccurrences > 0):
            raise ValueError("numberOfOccurrences is required for, and only for, type numbered")
        return self


class Recurrence(Strict):
    pattern: Pattern
    range: Range


class Attendee(Contact):
    type: Literal["required", "optional", "resource"] = "required"
    response: Literal["accepted", "tentativelyAccepted", "declined", "none"] = "none"


class Event(Dated):
    """One calendar item. For a series, ``day`` is an occurrence in the current week and the
    series itself starts at ``recurrence.range.startDate``."""

    organizer: Person
    subject: NonEmpty
    start: ClockTime | None = None
    end: ClockTime | None = None
    timeZone: Literal["W. Europe Standard Time"] = "W. Europe Standard Time"
    isAllDay: bool = False
    location: NonEmpty | None = None
    attendees: list[Attendee] = []
    sensitivity: Literal["normal", "personal", "private", "confidential"] = "normal"
    showAs: Literal["free", "tentative", "busy", "oof", "workingElsewhere"] = "busy"
    importance: Literal["low", "normal", "high"] = "normal"
    categories: list[NonEmpty] = []
    body: str = ""
    isOnlineMeeting: bool = False
    recurrence: Recurrence | None = None

    @model_validator(mode="after")
    def _times_fit_kind(self) -> Event:
        if self.isAllDay:
            if self.start or self.end:
                raise ValueError("an all-day event has no start/end times")
        elif not (self.start and self.end):
            raise ValueError("start and end are required unless isAllDay")
        elif self.end <= self.start:
            raise ValueError(f"end {self.end} is not after start {self.start}")
        return self


class SiteFile(Document):
    path: NonEmpty  # folder path and file name inside the library


class Library(Strict):
    id: Guid
    name: NonEmpty
    description: str = ""
    folders: list[NonEmpty] = []
    files: list[SiteFile] = []


class Site(Strict):
    id: Guid
    name: NonEmpty
    displayName: NonEmpty
    description: str = ""
    libraries: list[Library] = Field(min_length=1)


class Task(Strict):
    title: NonEmpty
    status: Literal["notStarted", "inProgress", "completed", "waitingOnOthers", "deferred"] = (
        "notStarted"
    )
    importance: Literal["low", "normal", "high"] = "normal"
    due: int | None = None  # days from today
    body: str = ""


class TaskList(Strict):
    displayName: NonEmpty
    tasks: list[Task] = []


class DemoFile(Strict):
    tenant: Tenant
    apps: list[App] = Field(min_length=1)
    users: list[User] = Field(min_length=1)
    rooms: list[Room] = []
    roomLists: list[RoomList] = []
    delegates: list[Delegation] = []
    roster: dict[Address, WeekRoster] = {}
    categories: CategorySets
    folders: FolderSets = FolderSets()
    messages: dict[Address, list[Message]] = {}
    events: list[Event] = []
    site: Site | None = None
    todo: dict[Address, list[TaskList]] = {}
