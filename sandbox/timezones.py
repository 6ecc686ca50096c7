"""Time zone names and date-time wire formats as Microsoft Graph uses them.

Graph mixes Windows time zone ids ("W. Europe Standard Time") with IANA
names, prints local times with seven fractional digits and reads query
instants as plain ISO 8601. Everything here is pure so that the HTTP layer
and the calendar logic agree on a single interpretation.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from datetime import UTC, datetime, timedelta, timezone

__all__ = [
    "UnknownTimeZone",
    "format_graph_datetime",
    "format_utc",
    "parse_graph_datetime",
    "parse_iso_instant",
    "to_zoneinfo",
]


class UnknownTimeZone(ValueError):
    """A time zone name that is neither a Windows id nor an IANA name."""

    def __init__(self, name: object) -> None:
        self.name = name
        super().__init__(f"Unknown time zone: {name!r}")


# Windows id -> IANA zone: the territory "001" (golden zone) rows of CLDR
# common/supplemental/windowsZones.xml, with CLDR's legacy IANA spellings
# replaced by the current canonical names.
_WINDOWS_TO_IANA: dict[str, str] = {
    "Dateline Standard Time": "Etc/GMT+12",
    "UTC-11": "Etc/GMT+11",
    "Aleutian Standard Time": "America/Adak",
    "Hawaiian Standard Time": "Pacific/Honolulu",
    "Marquesas Standard Time": "Pacific/Marquesas",
    "Alaskan Standard Time": "America/Anchorage",
    "UTC-09": "Etc/GMT+9",
    "Pacific Standard Time (Mexico)": "America/Tijuana",
    "UTC-08": "Etc/GMT+8",
    "Pacific Standard Time": "America/Los_Angeles",
    "US Mountain Standard Time": "America/Phoenix",
    "Mountain Standard Time (Mexico)": "America/Mazatlan",
    "Mountain Standard Time": "America/Denver",
    "Yukon Standard Time": "America/Whitehorse",
    "Central America Standard Time": "America/Guatemala",
    "Central Standard Time": "America/Chicago",
    "Easter Island Standard Time": "Pacific/Easter",
    "Central Standard Time (Mexico)": "America/Mexico_City",
    "Canada Central Standard Time": "America/Regina",
    "SA Pacific Standard Time": "America/Bogota",
    "Eastern Standard Time (Mexico)": "America/Cancun",
    "Eastern Standard Time": "America/New_York",
    "Haiti Standard Time": "America/Port-au-Prince",
    "Cuba Standard Time": "America/Havana",
    "US Eastern Standard Time": "America/Indiana/Indianapolis",
    "Turks And Caicos Standard Time": "America/Grand_Turk",
    "Paraguay Standard Time": "America/Asuncion",
    "Atlantic Standard Time": "America/Halifax",
    "Venezuela Standard Time": "America/Caracas",
    "Central Brazilian Standard Time": "America/Cuiaba",
    "SA Western Standard Time": "America/La_Paz",
    "Pacific SA Standard Time": "America/Santiago",
    "Newfoundland Standard Time": "America/St_Johns",
    "Tocantins Standard Time": "America/Araguaina",
    "E. South America Standard Time": "America/Sao_Paulo",
    "SA Eastern Standard Time": "America/Cayenne",
    "Argentina Standard Time": "America/Argentina/Buenos_Aires",
    "Greenland Standard Time": "America/Nuuk",
    "Montevideo Standard Time": "America/Montevideo",
    "Magallanes Standard Time": "America/Punta_Arenas",
    "Saint Pierre Standard Time": "America/Miquelon",
    "Bahia Standard Time": "America/Bahia",
    "UTC-02": "Etc/GMT+2",
    "Azores Standard Time": "Atlantic/Azores",
    "Cape Verde Standard Time": "Atlantic/Cape_Verde",
    "UTC": "UTC",
    "GMT Standard Time": "Europe/London",
    "Greenwich Standard Time": "Atlantic/Reykjavik",
    "Sao Tome Standard Time": "Africa/Sao_Tome",
    "Morocco Standard Time": "Africa/Casablanca",
    "W. Europe Standard Time": "Europe/Berlin",
    "Central Europe Standard Time": "Europe/Budapest",
    "Romance Standard Time": "Europe/Paris",
    "Central European Standard Time": "Europe/Warsaw",
    "W. Central Africa Standard Time": "Africa/Lagos",
    "Jordan Standard Time": "Asia/Amman",
    "GTB Standard Time": "Europe/Bucharest",
    "Middle East Standard Time": "Asia/Beirut",
    "Egypt Standard Time": "Africa/Cairo",
    "E. Europe Standard Time": "Europe/Chisinau",
    "Syria Standard Time": "Asia/Damascus",
    "West Bank Standard Time": "Asia/Hebron",
    "South Africa Standard Time": "Africa/Johannesburg",
    "FLE Standard Time": "Europe/Kyiv",
    "Israel Standard Time": "Asia/Jerusalem",
    "South Sudan Standard Time": "Africa/Juba",
    "Kaliningrad Standard Time": "Europe/Kaliningrad",
    "Sudan Standard Time": "Africa/Khartoum",
    "Libya Standard Time": "Africa/Tripoli",
    "Namibia Standard Time": "Africa/Windhoek",
    "Arabic Standard Time": "Asia/Baghdad",
    "Turkey Standard Time": "Europe/Istanbul",
    "Arab Standard Time": "Asia/Riyadh",
    "Belarus Standard Time": "Europe/Minsk",
    "Russian Standard Time": "Europe/Moscow",
    "E. Africa Standard Time": "Africa/Nairobi",
    "Iran Standard Time": "Asia/Tehran",
    "Arabian Standard Time": "Asia/Dubai",
    "Astrakhan Standard Time": "Europe/Astrakhan",
    "Azerbaijan Standard Time": "Asia/Baku",
    "Russia Time Zone 3": "Europe/Samara",
    "Mauritius Standard Time": "Indian/Mauritius",
    "Saratov Standard Time": "Europe/Saratov",
    "Georgian Standard Time": "Asia/Tbilisi",
    "Volgograd Standard Time": "Europe/Volgograd",
    "Caucasus Standard Time": "Asia/Yerevan",
    "Afghanistan Standard Time": "Asia/Kabul",
    "West Asia Standard Time": "Asia/Tashkent",
    "Ekaterinburg Standard Time": "Asia/Yekaterinburg",
    "Pakistan Standard Time": "Asia/Karachi",
    "Qyzylorda Standard Time": "Asia/Qyzylorda",
    "India Standard Time": "Asia/Kolkata",
    "Sri Lanka Standard Time": "Asia/Colombo",
    "Nepal Standard Time": "Asia/Kathmandu",
    "Central Asia Standard Time": "Asia/Bishkek",
    "Bangladesh Standard Time": "Asia/Dhaka",
    "Omsk Standard Time": "Asia/Omsk",
    "Myanmar Standard Time": "Asia/Yangon",
    "SE Asia Standard Time": "Asia/Bangkok",
    "Altai Standard Time": "Asia/Barnaul",
    "W. Mongolia Standard Time": "Asia/Hovd",
    "North Asia Standard Time": "Asia/Krasnoyarsk",
    "N. Central Asia Standard Time": "Asia/Novosibirsk",
    "Tomsk Standard Time": "Asia/Tomsk",
    "China Standard Time": "Asia/Shanghai",
    "North Asia East Standard Time": "Asia/Irkutsk",
    "Singapore Standard Time": "Asia/Singapore",
    "W. Australia Standard Time": "Australia/Perth",
    "Taipei Standard Time": "Asia/Taipei",
    "Ulaanbaatar Standard Time": "Asia/Ulaanbaatar",
    "Aus Central W. Standard Time": "Australia/Eucla",
    "Transbaikal Standard Time": "Asia/Chita",
    "Tokyo Standard Time": "Asia/Tokyo",
    "North Korea Standard Time": "Asia/Pyongyang",
    "Korea Standard Time": "Asia/Seoul",
    "Yakutsk Standard Time": "Asia/Yakutsk",
    "Cen. Australia Standard Time": "Australia/Adelaide",
    "AUS Central Standard Time": "Australia/Darwin",
    "E. Australia Standard Time": "Australia/Brisbane",
    "AUS Eastern Standard Time": "Australia/Sydney",
    "West Pacific Standard Time": "Pacific/Port_Moresby",
    "Tasmania Standard Time": "Australia/Hobart",
    "Vladivostok Standard Time": "Asia/Vladivostok",
    "Lord Howe Standard Time": "Australia/Lord_Howe",
    "Bougainville Standard Time": "Pacific/Bougainville",
    "Russia Time Zone 10": "Asia/Srednekolymsk",
    "Magadan Standard Time": "Asia/Magadan",
    "Norfolk Standard Time": "Pacific/Norfolk",
    "Sakhalin Standard Time": "Asia/Sakhalin",
    "Central Pacific Standard Time": "Pacific/Guadalcanal",
    "Russia Time Zone 11": "Asia/Kamchatka",
    "New Zealand Standard Time": "Pacific/Auckland",
    "UTC+12": "Etc/GMT-12",
    "Fiji Standard Time": "Pacific/Fiji",
    "Chatham Islands Standard Time": "Pacific/Chatham",
    "UTC+13": "Etc/GMT-13",
    "Tonga Standard Time": "Pacific/Tongatapu",
    "Samoa Standard Time": "Pacific/Apia",
    "Line Islands Standard Time": "Pacific/Kiritimati",
    # Retired Windows ids that still turn up on older mailboxes and clients.
    "Mid-Atlantic Standard Time": "Etc/GMT+2",
    "Kamchatka Standard Time": "Asia/Kamchatka",
    "Mexico Standard Time": "America/Mexico_City",
}

# Exchange's own UTC moniker and the IANA-looking names listed on Graph's
# dateTimeTimeZone page that are not actual tzdata keys.
_ALIASES: dict[str, str] = {
    "tzone://Microsoft/Utc": "UTC",
    "Asia/Toshkent": "Asia/Tashkent",
    "Asia/Astana": "Asia/Almaty",
}

_WINDOWS_FOLDED = {k.casefold(): v for k, v in _WINDOWS_TO_IANA.items()}
_ALIASES_FOLDED = {k.casefold(): v for k, v in _ALIASES.items()}
_IANA_KEY = re.compile(r"[A-Za-z0-9_+\-]+(?:/[A-Za-z0-9_+\-]+)*")


@functools.cache
def _iana_by_folded_name() -> dict[str, str]:
    """Case-insensitive IANA lookup, built once on first miss."""
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


def _load(key: str) -> zoneinfo.ZoneInfo | None:
    if not _IANA_KEY.fullmatch(key):
        return None
    try:
        return zoneinfo.ZoneInfo(key)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


@functools.lru_cache(maxsize=1024)
def to_zoneinfo(name: str) -> zoneinfo.ZoneInfo:
    """Resolve a Windows id, Exchange alias or IANA name to a ZoneInfo.

    Windows ids are matched case-insensitively, as Exchange does.
    """
    if not isinstance(name, str) or not name.strip():
        raise UnknownTimeZone(name)
    key = name.strip()
    folded = key.casefold()
    mapped = _WINDOWS_TO_IANA.get(key) or _WINDOWS_FOLDED.get(folded) or _ALIASES_FOLDED.get(folded)
    if mapped is not None:
        return zoneinfo.ZoneInfo(mapped)
    zone = _load(key)
    if zone is None and (canonical := _iana_by_folded_name().get(folded)):
        zone = _load(canonical)
    if zone is None:
        raise UnknownTimeZone(name)
    return zone


# Date, optional time, up to 7 fractional digits (.NET ticks), optional
# offset. Graph prints 7 digits; clients send anywhere between 0 and 7.
_ISO = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})"
    r"(?:T(?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d{1,7}))?)?)?"
    r"(?P<tz>Z|z|[+-]\d{2}(?::?\d{2})?)?"
)


def _parse(text: object, what: str) -> tuple[datetime, timezone | None]:
    """Split ISO text into a naive datetime and its explicit offset, if any."""
    if not isinstance(text, str):  # JSON input: callers map ValueError to 400
        raise ValueError(f"{what} must be a string, got {type(text).__name__}")
    match = _ISO.fullmatch(text.strip())
    if match is None:
        hint = ""
        if " " in text.strip():  # an unencoded '+' in a query string
            hint = "; a '+' offset in a URL must be percent-encoded as %2B"
        raise ValueError(
            f"{what} {text!r} is not an ISO 8601 date-time "
            "(expected e.g. 2026-11-24T09:00:00, optionally with .fffffff "
            f"and Z or +01:00){hint}"
        )
    g = match.groupdict()
    fraction = (g["f"] or "").ljust(6, "0")[:6]
    try:
        naive = datetime(
            int(g["y"]),
            int(g["mo"]),
            int(g["d"]),
            int(g["h"] or 0),
            int(g["mi"] or 0),
            int(g["s"] or 0),
            int(fraction),
        )
    except ValueError as exc:
        raise ValueError(f"{what} {text!r} is not a valid date-time: {exc}") from None
    offset = None
    if tz := g["tz"]:
        if tz in ("Z", "z"):
            offset = UTC
        else:
            digits = tz[1:].replace(":", "")
            hours, minutes = int(digits[:2]), int(digits[2:] or 0)
            if hours > 23 or minutes > 59:
                raise ValueError(f"{what} {text!r} has an invalid UTC offset")
            delta = timedelta(hours=hours, minutes=minutes)
            offset = timezone(-delta if tz[0] == "-" else delta)
    return naive, offset


def _localize(naive: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    """Attach a zone, moving wall times that fall in a DST gap forward.

    A round trip through UTC turns a nonexistent 02:30 into 03:30, which is
    where Outlook shows such a meeting; ambiguous times take the first
    (daylight) reading.
    """
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def parse_graph_datetime(value: dict) -> datetime:
    """Read a Graph dateTimeTimeZone object into an aware datetime.

    The result is expressed in the named zone; a missing or null timeZone
    means UTC. An explicit offset inside dateTime, which Graph clients
    sometimes send, pins the instant and is then shown in the named zone.
    """
    if not isinstance(value, dict):
        raise ValueError("dateTimeTimeZone must be an object")
    if "dateTime" not in value or value["dateTime"] is None:
        raise ValueError("dateTimeTimeZone.dateTime is required")
    tz_name = value.get("timeZone") or "UTC"
    zone = to_zoneinfo(tz_name)
    naive, offset = _parse(value["dateTime"], "dateTime")
    if offset is not None:
        return naive.replace(tzinfo=offset).astimezone(zone)
    return _localize(naive, zone)


def format_graph_datetime(dt: datetime, tz_name: str) -> dict:
    """Render an instant as Graph prints it: local wall time, 7 fraction digits."""
    if dt.tzinfo is None:
        raise ValueError("format_graph_datetime needs an aware datetime")
    local = dt.astimezone(to_zoneinfo(tz_name))
    return {
        "dateTime": f"{local:%Y-%m-%dT%H:%M:%S}.{local.microsecond:06d}0",
        "timeZone": tz_name,
    }


def parse_iso_instant(s: str) -> datetime:
    """Parse a query-string instant (calendarView bounds, $filter literals).

    Returns an aware UTC datetime. A value without an offset is UTC: the
    List calendarView reference says startDateTime/endDateTime "are
    interpreted using the timezone offset specified in the value and are
    not impacted by the value of the Prefer: outlook.timezone header if
    present. If no timezone offset is included in the value, it is
    interpreted as UTC."
    (https://learn.microsoft.com/en-us/graph/api/user-list-calendarview,
    "Query parameters").
    """
    naive, offset = _parse(s, "date-time")
    return naive.replace(tzinfo=offset or UTC).astimezone(UTC)


def format_utc(dt: datetime) -> str:
    """Render an instant the way Graph prints receivedDateTime and friends."""
    if dt.tzinfo is None:
        raise ValueError("format_utc needs an aware datetime")
    return f"{dt.astimezone(UTC):%Y-%m-%dT%H:%M:%S}Z"
