"""What a calamity clear does with each kind of calendar item, and why: the rules in the order
a secretary gives her reasons."""

from __future__ import annotations

from typing import Any

import pytest

from automations.calamity.classify import ClearSettings, classify

HER = "ingrid.zwanenburg@zeeveen.nl"
GUEST = {"emailAddress": {"address": "bas.kuipers@zeeveen.nl"}, "type": "required"}
HERSELF = {"emailAddress": {"address": HER.upper()}, "type": "required"}
OTHER = {"emailAddress": {"name": "Provincie Kustland", "address": "gs@kustland.example"}}


def event(**fields: Any) -> dict[str, Any]:
    return {"subject": "Overleg", "showAs": "busy", "isOrganizer": False, **fields}


CASES = [
    ("cancelled by its organiser", event(isCancelled=True, isOrganizer=True, attendees=[GUEST]),
     "keep", "al geannuleerd"),
    ("all day", event(isAllDay=True, isOrganizer=True, attendees=[GUEST]), "keep", "hele dag"),
    ("private", event(sensitivity="private", isOrganizer=True, attendees=[GUEST]), "keep", "privé"),
    ("confidential", event(sensitivity="confidential"), "keep", "privé"),
    ("shown as free", event(showAs="free", organizer=OTHER), "keep", "vrij"),
    ("working elsewhere", event(showAs="workingElsewhere"), "keep", "werk elders"),
    ("marked not to move (any case)", event(categories=["niet VERPLAATSEN"], isOrganizer=True,
     attendees=[GUEST]), "keep", "categorie ‘niet VERPLAATSEN’"),
    ("her own hold for a meeting being planned", event(
        subject="Optie: bestuurlijk overleg haven (tot 15-01-2027)", showAs="tentative",
        isOrganizer=True), "keep", "optie voor een overleg in planning"),
    ("a hold someone else organises is declined as any", event(
        subject="Optie: werkbezoek (tot 15-01-2027)", organizer=OTHER), "decline",
     "georganiseerd door Provincie Kustland"),
    ("hers, with a guest", event(isOrganizer=True, attendees=[HERSELF, GUEST]), "cancel",
     "deelnemers krijgen een annulering"),
    ("hers, only herself invited", event(isOrganizer=True, attendees=[HERSELF]), "remove",
     "eigen afspraak"),
    ("hers, nobody invited", event(isOrganizer=True), "remove", "eigen afspraak"),
    ("someone else's", event(organizer=OTHER, attendees=[HERSELF]), "decline",
     "georganiseerd door Provincie Kustland"),
    ("someone else's, no name", event(organizer={"emailAddress": {"address": "x@y.example"}}),
     "decline", "georganiseerd door x@y.example"),
    ("already declined", event(organizer=OTHER, responseStatus={"response": "declined"}), "keep",
     "al afgeslagen"),
    ("tentative stays a meeting to decline", event(showAs="tentative", organizer=OTHER),
     "decline", "afslaan met bericht"),
]  # fmt: skip


@pytest.mark.parametrize(("item", "action", "reason"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_each_kind_of_item_gets_its_action_and_reason(
    item: dict[str, Any], action: str, reason: str
) -> None:
    decided = classify(item, HER, ClearSettings())
    assert decided.action == action and reason in decided.reason


def test_her_own_appointments_stay_when_the_setting_says_so() -> None:
    decided = classify(event(isOrganizer=True), HER, ClearSettings(remove_appointments=False))
    assert decided.action == "keep" and "instelling: laten staan" in decided.reason


def test_private_items_are_cleared_when_she_chose_them() -> None:
    loose = ClearSettings(include_private=True)
    decided = classify(
        event(sensitivity="private", isOrganizer=True, attendees=[GUEST]), HER, loose
    )
    assert decided.action == "cancel"


def test_the_keep_categories_are_the_municipalitys_choice() -> None:
    settings = ClearSettings(keep_categories=("Extern",))
    marked = event(categories=["Extern"], organizer=OTHER)
    assert classify(marked, HER, settings).action == "keep"
    assert classify(event(categories=["Niet verplaatsen"], organizer=OTHER), HER,
                    settings).action == "decline"  # fmt: skip
