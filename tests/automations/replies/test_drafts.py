"""Rendering a reply draft: the quote's Dutch header and who signs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from automations.errors import BadRequest
from automations.replies import drafts
from automations.replies.drafts import quote_header
from automations.replies.templates import Signature, parse, render_body

DEMO = Path(drafts.__file__).with_name("demo.yaml")

ORIGINAL = {
    "from": {"emailAddress": {"name": "Kempers, R. (Ronald)", "address": "r.kempers@vr.nl"}},
    "sentDateTime": "2026-11-27T12:12:00Z",  # 13:12 in the Netherlands (winter time)
    "toRecipients": [
        {"emailAddress": {"name": "Ingrid Zwanenburg", "address": "ingrid@zeeveen.nl"}},
        {"emailAddress": {"address": "griffie@zeeveen.nl"}},
    ],
    "ccRecipients": [],
    "subject": "Oefening <ramp> & evaluatie",
}
# The body of a reply as Exchange makes it for a mailbox without Dutch regional settings.
EXCHANGE = (
    "<html><head></head><body><div></div>\r\n"
    '<hr style="display:inline-block;width:98%" tabindex="-1">\r\n'
    '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt"'
    ' color="#000000"><b>From:</b> Kempers, R. (Ronald) &lt;r.kempers@vr.nl&gt;<br>'
    "<b>Sent:</b> Friday, November 27, 2026 12:12 PM<br><b>To:</b> Ingrid Zwanenburg<br>"
    "<b>Subject:</b> Oefening</font>\r\n<div>&nbsp;</div>\r\n</div>\r\n"
    "<div>De oefening is op <b>2 december</b>.</div></body></html>"
)


def test_the_quote_header_is_dutch_in_dutch_time_and_escaped() -> None:
    assert quote_header(ORIGINAL) == (
        "<b>Van:</b> Kempers, R. (Ronald)<br>\r\n"
        "<b>Verzonden:</b> vrijdag 27 november 2026 13:12<br>\r\n"
        "<b>Aan:</b> Ingrid Zwanenburg; griffie@zeeveen.nl<br>\r\n"
        "<b>Onderwerp:</b> Oefening &lt;ramp&gt; &amp; evaluatie"
    )


def test_summer_time_and_a_cc_line() -> None:
    cc = [{"emailAddress": {"name": "Bas Kuipers", "address": "b@z.nl"}}]
    summer = {**ORIGINAL, "sentDateTime": "2026-06-01T06:05:00Z", "ccRecipients": cc}
    header = quote_header(summer)
    assert "<b>Verzonden:</b> maandag 1 juni 2026 08:05<br>" in header
    assert "<b>CC:</b> Bas Kuipers<br>" in header


def test_exchanges_header_is_replaced_and_the_quote_kept() -> None:
    replaced = drafts.with_dutch_header(EXCHANGE, ORIGINAL)
    assert "<b>Sent:</b>" not in replaced and "Friday" not in replaced
    assert "<b>Verzonden:</b> vrijdag 27 november 2026 13:12" in replaced
    assert replaced.endswith("<div>De oefening is op <b>2 december</b>.</div></body></html>")
    assert replaced.startswith(EXCHANGE[: EXCHANGE.index("<b>From:")])


def test_a_quote_without_the_known_header_block_is_left_as_it_is() -> None:
    other = "<html><body><div>-----Original Message-----<br>From: x</div></body></html>"
    assert drafts.with_dutch_header(other, ORIGINAL) == other


def _render(executive: dict[str, str], template: str = "Ontvangstbevestiging") -> str:
    values = {
        "salutation": "Geachte heer/mevrouw Kempers",
        "sender": {"name": "R", "address": "r@x", "first_name": "", "surname": "Kempers"},
        "executive": executive,
        "secretary": {"name": "Monique"},
        "subject": "Oefening",
        "received": dt.datetime(2026, 11, 27, 12, 12, tzinfo=dt.UTC),
        "today": dt.date(2026, 11, 27),
    }
    return render_body(parse(DEMO.read_text(encoding="utf-8")).template(template), values)


def test_the_signature_is_name_and_function_from_the_directory() -> None:
    owner = {"displayName": "Ingrid Zwanenburg", "jobTitle": "Burgemeester"}
    executive = drafts.executive_of(owner, None, "ingrid.zwanenburg@zeeveen.nl")
    assert "<p>Ingrid Zwanenburg<br>Burgemeester<br>Gemeente Zeeveen</p>" in _render(executive)


def test_without_a_function_there_is_no_empty_line() -> None:
    # User.ReadBasic.All reads another user's jobTitle as null.
    owner = {"displayName": "Ingrid Zwanenburg", "jobTitle": None}
    executive = drafts.executive_of(owner, None, "ingrid.zwanenburg@zeeveen.nl")
    assert "<p>Ingrid Zwanenburg<br>Gemeente Zeeveen</p>" in _render(executive)


def test_the_templates_signature_overrides_the_directory() -> None:
    owner = {"displayName": "I. Zwanenburg", "jobTitle": "Medewerker"}
    signature = Signature(name="Ingrid Zwanenburg", function="Burgemeester van Zeeveen")
    executive = drafts.executive_of(owner, signature, "ingrid.zwanenburg@zeeveen.nl")
    assert executive["name"] == "Ingrid Zwanenburg"
    assert executive["function"] == "Burgemeester van Zeeveen"


def test_a_name_is_spelled_from_its_parts_and_never_an_address() -> None:
    spelled = drafts.executive_of({"givenName": "Ingrid", "surname": "Zwanenburg"}, None, "i@z.nl")
    assert spelled["name"] == "Ingrid Zwanenburg"
    with pytest.raises(BadRequest) as refused:
        drafts.executive_of({"displayName": "ingrid.zwanenburg@zeeveen.nl"}, None, "i@z.nl")
    assert "signatures:" in str(refused.value)
