"""Verdicts on this machine: the store (reachable, migrated) and the clock (in step with
Microsoft, Europe/Amsterdam's zone data present)."""

from __future__ import annotations

from automations.doctor.models import Check, ClockFacts, StoreFacts, unchecked

__all__ = ["MAX_SKEW_S", "clock_skew", "clock_zone", "store_database", "store_migrations"]

MAX_SKEW_S = 60.0  # tokens carry nbf/exp and Entra allows a few minutes; jobs run on the minute


def store_database(store: StoreFacts) -> Check:
    if store.error is None:
        return Check(
            check="store-database",
            status="ok",
            message=f"{store.kind} is bereikbaar ({store.where}).",
        )
    if store.kind == "PostgreSQL":
        fix = (
            "Controleer SECRETARIAAT_DATABASE_URL (postgresql+asyncpg://gebruiker@host/db),"
            " dat PostgreSQL draait en dat het verbindingen van deze machine toelaat"
            " (listen_addresses, pg_hba.conf); README stap 7."
        )
    else:
        fix = (
            "Controleer SECRETARIAAT_DATABASE_URL: het SQLite-bestand en zijn map moeten"
            " schrijfbaar zijn voor de gebruiker van de backend."
        )
    return Check(
        check="store-database",
        status="fail",
        message=f"{store.kind} is niet bereikbaar ({store.where}): {store.error}.",
        fix=fix,
    )


def store_migrations(store: StoreFacts) -> Check:
    if store.error is not None:
        return unchecked(
            "store-migrations", "de database is niet bereikbaar.", "Los eerst Database op."
        )
    if store.current is None:
        return Check(
            check="store-migrations",
            status="fail",
            message="De database is nog niet gemigreerd.",
            fix="Draai secretariaat db upgrade met dezelfde SECRETARIAAT_DATABASE_URL (README"
            " stap 7).",
        )
    if not store.known:
        return Check(
            check="store-migrations",
            status="fail",
            message=f"De database staat op revisie {store.current}, die deze versie van"
            f" Secretariaat niet kent (de nieuwste hier is {store.head}): een nieuwere versie"
            " heeft haar gemigreerd.",
            fix="Draai dezelfde versie van Secretariaat als de rest van de installatie; zet de"
            " database niet terug zonder back-up.",
        )
    if store.current != store.head:
        return Check(
            check="store-migrations",
            status="fail",
            message=f"De database staat op revisie {store.current}; deze versie verwacht"
            f" {store.head}.",
            fix="Draai secretariaat db upgrade (README stap 7) voordat de backend start.",
        )
    return Check(
        check="store-migrations",
        status="ok",
        message=f"De database is bij: revisie {store.current}.",
    )


def clock_skew(clock: ClockFacts) -> Check:
    if clock.skew_s is None:
        return unchecked(
            "clock-skew",
            f"{clock.source} gaf geen tijd om mee te vergelijken.",
            "Controleer dat de tijdsynchronisatie aanstaat (timedatectl status).",
        )
    off = abs(clock.skew_s)
    if off > MAX_SKEW_S:
        side = "achter" if clock.skew_s > 0 else "voor"
        return Check(
            check="clock-skew",
            status="warn",
            message=f"De klok van deze machine loopt {off:.0f} s {side} op {clock.source}"
            f" (toegestaan: {MAX_SKEW_S:.0f} s). Tokens en geplande taken rekenen met de tijd.",
            fix="Zet tijdsynchronisatie aan: timedatectl set-ntp true (Linux, of chrony/ntpd),"
            " w32tm /resync (Windows).",
        )
    return Check(
        check="clock-skew",
        status="ok",
        message=f"De klok van deze machine loopt gelijk met {clock.source} (binnen"
        f" {MAX_SKEW_S:.0f} s).",
    )


def clock_zone(clock: ClockFacts) -> Check:
    if clock.zone_error is None:
        return Check(
            check="clock-zone",
            status="ok",
            message="De tijdzonegegevens van Europe/Amsterdam zijn aanwezig.",
        )
    return Check(
        check="clock-zone",
        status="fail",
        message=f"De tijdzone Europe/Amsterdam is niet bruikbaar: {clock.zone_error}.",
        fix="Installeer de tijdzonegegevens: pip install tzdata in de omgeving van de backend"
        " (het staat in de afhankelijkheden), of apt-get install tzdata.",
    )
