"""The salutation rule against display names as they arrive in a municipality's mail.

Each row: the display name, the address, the formal and the informal salutation (without the
comma the template writes). A surname appears only when it is certain; otherwise the neutral
"Geachte heer/mevrouw" / "Beste heer/mevrouw".
"""

from __future__ import annotations

import pytest

from automations.replies.salutation import first_name_of, salutation, split_name

NEUTRAL = ("Geachte heer/mevrouw", "Beste heer/mevrouw")

CASES: list[tuple[str, str, str, str]] = [
    # Found in the pilot: a bracket, a family.
    ("Ronald Kempers (Veiligheidsregio Kustland)", "r.kempers@vrkustland.nl",
     "Geachte heer/mevrouw Kempers", "Beste Ronald"),
    ("Familie Meijerink", "meijerink@ziggo.nl", "Geachte familie Meijerink",
     "Beste familie Meijerink"),
    # Inverted directory forms, with the roepnaam in brackets.
    ("Kempers, R. (Ronald)", "r.kempers@vrkustland.nl", "Geachte heer/mevrouw Kempers",
     "Beste Ronald"),
    ("Vries, J. de", "j.devries@rijksoverheid.nl", "Geachte heer/mevrouw De Vries",
     "Beste heer/mevrouw De Vries"),
    ("Vries de, J.", "j.devries@zeeland.nl", "Geachte heer/mevrouw De Vries",
     "Beste heer/mevrouw De Vries"),
    ("Berg-Jansen, A.M. van den (Anne-Marie)", "a.vandenberg@minbzk.nl",
     "Geachte heer/mevrouw Van den Berg-Jansen", "Beste Anne-Marie"),
    ("De Vries, Jan", "jan.devries@example.nl", "Geachte heer/mevrouw De Vries", "Beste Jan"),
    ("Kempers, Ronald", "ronald@kempers.nl", "Geachte heer/mevrouw Kempers", "Beste Ronald"),
    ("Berg, mw. A. van den", "a.berg@example.nl", "Geachte mevrouw Van den Berg",
     "Beste mevrouw Van den Berg"),
    # Honorifics give the form of address; titles are left out.
    ("Dhr. J. de Vries", "j.devries@example.nl", "Geachte heer De Vries", "Beste heer De Vries"),
    ("mw. drs. A. van den Berg-Jansen", "a.vdberg@example.nl",
     "Geachte mevrouw Van den Berg-Jansen", "Beste mevrouw Van den Berg-Jansen"),
    ("de heer mr. P. Smit", "p.smit@advocaat.nl", "Geachte heer Smit", "Beste heer Smit"),
    ("Mevrouw Bakker", "bakker@kpnmail.nl", "Geachte mevrouw Bakker", "Beste mevrouw Bakker"),
    ("Mevr. E. van 't Hof", "e.vanthof@example.nl", "Geachte mevrouw Van 't Hof",
     "Beste mevrouw Van 't Hof"),
    ("Dr. ir. K. (Karin) Smits", "k.smits@tudelft.nl", "Geachte heer/mevrouw Smits",
     "Beste Karin"),
    ("Prof. dr. M.C. Lopes Cardozo", "m.lopescardozo@uu.nl",
     "Geachte heer/mevrouw Lopes Cardozo", "Beste heer/mevrouw Lopes Cardozo"),
    ("Dhr. en mevr. Jansen", "jansen@home.nl", "Geachte heer en mevrouw Jansen",
     "Beste heer en mevrouw Jansen"),
    ("De heer en mevrouw Van Dijk", "vandijk@home.nl", "Geachte heer en mevrouw Van Dijk",
     "Beste heer en mevrouw Van Dijk"),
    ("Burgemeester Zwanenburg", "burgemeester@buurgemeente.nl",
     "Geachte heer/mevrouw Zwanenburg", "Beste heer/mevrouw Zwanenburg"),
    ("Wethouder P. Hoekstra", "p.hoekstra@buurgemeente.nl", "Geachte heer/mevrouw Hoekstra",
     "Beste heer/mevrouw Hoekstra"),
    # Initials and tussenvoegsels: capitalised only when nothing precedes them.
    ("J.P. Balkenende", "jp.balkenende@example.nl", "Geachte heer/mevrouw Balkenende",
     "Beste heer/mevrouw Balkenende"),
    ("JP Balkenende", "jp@balkenende.nl", "Geachte heer/mevrouw Balkenende",
     "Beste heer/mevrouw Balkenende"),
    ("Th. de Wit", "th.dewit@example.nl", "Geachte heer/mevrouw De Wit",
     "Beste heer/mevrouw De Wit"),
    ("Jan de Vries", "jan.devries@example.nl", "Geachte heer/mevrouw De Vries", "Beste Jan"),
    ("Peter in 't Veld", "p.intveld@example.nl", "Geachte heer/mevrouw In 't Veld",
     "Beste Peter"),
    ("Ingrid 't Hart", "ingrid.thart@example.nl", "Geachte heer/mevrouw 't Hart",
     "Beste Ingrid"),
    ("Marieke van der Linden-de Groot", "m.vanderlinden@example.nl",
     "Geachte heer/mevrouw Van der Linden-de Groot", "Beste Marieke"),
    ("Fatima el Amrani", "fatima.elamrani@zeeveen.nl", "Geachte heer/mevrouw El Amrani",
     "Beste Fatima"),
    ("A. El Amrani", "a.elamrani@example.nl", "Geachte heer/mevrouw El Amrani",
     "Beste heer/mevrouw El Amrani"),
    ("Jan Peter Balkenende", "jpb@example.nl", "Geachte heer/mevrouw Balkenende", "Beste Jan"),
    ("Pieter-Jan Hoekstra", "pieterjan.hoekstra@zeeveen.nl", "Geachte heer/mevrouw Hoekstra",
     "Beste Pieter-Jan"),
    ("van der Meer", "info.vandermeer@example.nl", "Geachte heer/mevrouw", "Beste heer/mevrouw"),
    ("De Vries", "devries@example.nl", "Geachte heer/mevrouw De Vries",
     "Beste heer/mevrouw De Vries"),
    # Capitals and lower case written as a name.
    ("JAN DE VRIES", "jan.devries@example.nl", "Geachte heer/mevrouw De Vries", "Beste Jan"),
    ("MEVR. A. VAN DEN BERG", "a.berg@example.nl", "Geachte mevrouw Van den Berg",
     "Beste mevrouw Van den Berg"),
    ("DE VRIES, JAN", "jan.devries@example.nl", "Geachte heer/mevrouw De Vries", "Beste Jan"),
    ("IJSSELSTEIN, T.", "t.ijsselstein@example.nl", "Geachte heer/mevrouw IJsselstein",
     "Beste heer/mevrouw IJsselstein"),
    ("jan de vries", "jan.devries@example.nl", "Geachte heer/mevrouw De Vries", "Beste Jan"),
    # Families.
    ("Fam. van der Meer", "vandermeer@home.nl", "Geachte familie Van der Meer",
     "Beste familie Van der Meer"),
    ("Fam. J. de Boer-Smit", "deboer@home.nl", "Geachte familie De Boer-Smit",
     "Beste familie De Boer-Smit"),
    ("familie Yılmaz", "yilmaz@home.nl", "Geachte familie Yılmaz", "Beste familie Yılmaz"),
    # Departments, organisations, brackets and degrees are never a surname.
    ("Gemeente Zeeveen | Team Wonen", "wonen@zeeveen.nl", *NEUTRAL),
    ("Ronald Kempers - Veiligheidsregio Kustland", "r.kempers@vrkustland.nl",
     "Geachte heer/mevrouw Kempers", "Beste Ronald"),
    ("Ronald Kempers / VRK", "r.kempers@vrkustland.nl", "Geachte heer/mevrouw Kempers",
     "Beste Ronald"),
    ("Ronald Kempers (Veiligheidsregio", "r.kempers@vrkustland.nl",
     "Geachte heer/mevrouw Kempers", "Beste Ronald"),  # cut off by the sending system
    ("J. de Vries (extern)", "j.devries@extern.nl", "Geachte heer/mevrouw De Vries",
     "Beste heer/mevrouw De Vries"),
    ("P. de Jong MSc", "p.dejong@example.nl", "Geachte heer/mevrouw De Jong",
     "Beste heer/mevrouw De Jong"),
    ("Pieter de Jong, MBA", "pieter@dejong.nl", "Geachte heer/mevrouw De Jong", "Beste Pieter"),
    ("'Jan Jansen'", "jan.jansen@example.nl", "Geachte heer/mevrouw Jansen", "Beste Jan"),
    ("'t Hart, I.", "i.thart@example.nl", "Geachte heer/mevrouw 't Hart",
     "Beste heer/mevrouw 't Hart"),
    ("Jan Jansen <jan.jansen@example.nl>", "jan.jansen@example.nl",
     "Geachte heer/mevrouw Jansen", "Beste Jan"),
    ("Veiligheidsregio Kustland", "info@vrkustland.nl", *NEUTRAL),
    ("Provincie Zeeland", "provincie@zeeland.nl", *NEUTRAL),
    ("Stichting Welzijn Zeeveen", "welzijn@zeeveen.nl", *NEUTRAL),
    ("Bouwbedrijf Jansen B.V.", "jansen@bouw.nl", *NEUTRAL),
    ("Ministerie van BZK", "postbus@minbzk.nl", *NEUTRAL),
    ("Waterschap Scheldestromen", "info@scheldestromen.nl", *NEUTRAL),
    ("Secretariaat Burgemeester", "secretariaat@buurgemeente.nl", *NEUTRAL),
    ("Afdeling Vergunningen (Gemeente Zeeveen)", "vergunningen@zeeveen.nl", *NEUTRAL),
    ("Omgevingsdienst Zeeland", "odz@zeeland.nl", *NEUTRAL),
    ("Klantenservice Eneco", "klantenservice@eneco.nl", *NEUTRAL),
    ("Woonstichting Zeeveen", "woonstichting@zeeveen.nl", *NEUTRAL),
    ("Zorggroep Kustland", "zorggroep@kustland.nl", *NEUTRAL),
    ("GGD", "ggd@zeeland.nl", *NEUTRAL),
    ("VNG", "info@vng.nl", *NEUTRAL),
    ("Jansen ICT", "jan@jansenict.nl", *NEUTRAL),
    # Addresses as names, function mailboxes, bare words.
    ("info@bakkerijdevries.nl", "info@bakkerijdevries.nl", *NEUTRAL),
    ("noreply@zeeveen.nl", "noreply@zeeveen.nl", *NEUTRAL),
    ("", "j.devries@example.nl", *NEUTRAL),
    ("Zeeveen Actueel", "noreply@zeeveen.nl", *NEUTRAL),
    ("Jan de Vries", "info@devriesbouw.nl", *NEUTRAL),
    ("Dhr. J. de Vries", "info@devriesbouw.nl", "Geachte heer De Vries", "Beste heer De Vries"),
    ("Hans", "hans.verbeek@zeeveen.nl", "Geachte heer/mevrouw", "Beste Hans"),
    ("Hans", "hans@example.nl", *NEUTRAL),
    ("Kempers", "r.kempers@vrkustland.nl", "Geachte heer/mevrouw Kempers",
     "Beste heer/mevrouw Kempers"),
    ("Kempers", "kempers@vrkustland.nl", *NEUTRAL),
    # Two people, or no reading we can be sure of.
    ("Jan en Marie Jansen", "jansen@home.nl", *NEUTRAL),
    ("Jan & Marie Jansen", "jansen@home.nl", *NEUTRAL),
    ("Dhr. en dhr. Jansen", "jansen@home.nl", *NEUTRAL),
    ("Jan Willem Frans Jansen", "jwf@example.nl", *NEUTRAL),
    ("Jansen, Gemeente Zeeveen", "jansen@zeeveen.nl", *NEUTRAL),
]  # fmt: skip


@pytest.mark.parametrize(("display", "address", "formal", "informal"), CASES)
def test_the_salutation_of_a_real_display_name(
    display: str, address: str, formal: str, informal: str
) -> None:
    assert salutation(display, address, "formeel") == formal
    assert salutation(display, address, "informeel") == informal


def test_the_table_holds_at_least_forty_real_world_forms() -> None:
    assert len({display for display, *_ in CASES}) >= 40


def test_a_known_preference_wins_over_the_rule() -> None:
    known = {"r.kempers@vrkustland.nl": "Beste Ronald"}
    assert salutation("Gemeente Zeeveen", "R.Kempers@vrkustland.nl", "formeel", known) == (
        "Beste Ronald"
    )


def test_the_sender_parts_for_templates_are_the_certain_ones() -> None:
    name = split_name("mw. drs. A. van den Berg-Jansen", "a.vdberg@example.nl")
    assert name is not None
    assert (name.first, name.initials, name.surname, name.form) == (
        "", "A.", "van den Berg-Jansen", "mevrouw"
    )  # fmt: skip
    assert split_name("Gemeente Zeeveen | Team Wonen") is None


def test_an_informal_greeting_uses_the_first_name_only() -> None:
    assert first_name_of("Ellen Dijkhuis", "ellen.dijkhuis@zeeveen.nl") == "Ellen"
    assert salutation("Ellen Dijkhuis", "ellen.dijkhuis@zeeveen.nl", "informeel") == "Beste Ellen"


def test_control_characters_and_hostile_text_do_not_become_a_name() -> None:
    assert salutation("\u202eJan de Vries\u202c", "", "formeel") == (
        "Geachte heer/mevrouw De Vries"
    )
    assert salutation('<img src=x onerror="alert(1)"> Jansen', "x@example.nl", "formeel") == (
        "Geachte heer/mevrouw"
    )
