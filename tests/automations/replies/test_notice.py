"""The notice that asks the executive to decide: the draft's own text, cleaned and cut short."""

from __future__ import annotations

from automations.replies.approvals.notice import READ_ON, draft_excerpt, request_notice

QUOTED = (
    '<html><body><div>Beste Hans,</div>\r\n<hr style="display:inline-block" tabindex="-1">'
    '\r\n<div id="divRplyFwdMsg" dir="ltr"><b>Van:</b> Hans</div><p>De vraag van Hans.</p>'
    "</body></html>"
)


def test_the_excerpt_is_the_reply_above_the_quoted_original() -> None:
    text, cut = draft_excerpt(QUOTED)
    assert text == "<div>Beste Hans,</div>" and cut is False


def test_a_long_draft_is_cut_at_a_tag_and_left_well_formed() -> None:
    body = "".join(
        f'<p><a href="https://zeeveen.nl/{n}">link {n}</a> &amp; meer</p>' for n in range(400)
    )
    text, cut = draft_excerpt(body, limit=1000)
    assert cut is True and len(text) <= 1100
    assert text.count("<p>") == text.count("</p>") and text.count("<a ") == text.count("</a>")
    assert text.endswith("</p>") or text.endswith("</a>") or text.endswith(">")


def test_everything_from_people_is_escaped_or_cleaned() -> None:
    html = request_notice(
        subject="<i>RE: x</i>", recipients=["hans@x.nl"], asker="M <b>V</b>",
        note="<script>n()</script>", link='https://h/goedkeuren/1"><x', draft_body=(
            '<p onclick="a()">Hallo</p><script>b()</script><img src="https://b.example/p.png">'
        ), earlier_comment="<u>korter</u>",
    )  # fmt: skip
    assert "<p>Hallo</p>" in html
    for hostile in ("<script", "onclick", "<img", "<i>RE", "<b>V", "<u>korter", '"><x'):
        assert hostile not in html, hostile
    assert "&lt;script&gt;n()&lt;/script&gt;" in html and "&lt;u&gt;korter&lt;/u&gt;" in html


def test_a_cut_draft_says_where_to_read_on() -> None:
    html = request_notice(subject="S", recipients=[], asker="M", note="", link="https://h/g/1",
                          draft_body="<p>tekst</p>" * 5000)  # fmt: skip
    assert READ_ON in html and len(html) < 14_000
