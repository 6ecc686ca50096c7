"""The pane's colours meet WCAG 2.1 AA (success criterion 1.4.3): every text colour in pane.css,
badges and small text included, has at least 4.5:1 against its background, with the colours of
the Fluent UI tokens the pane is built from (vendor/fluent-tokens.css, made by web/build.mjs).

A rule that sets both ``color`` and ``background`` is a pair; a rule that sets only a text
colour is checked against every light surface text sits on in the pane; a hover or focus rule
that sets only a background keeps its base rule's text colour.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PANE_CSS = ROOT / "server" / "pane" / "static" / "pane.css"
TOKENS_CSS = ROOT / "server" / "pane" / "static" / "vendor" / "fluent-tokens.css"
AA = 4.5
# Where inherited text sits: the page, the grey blocks (.context, .melding, .notitie), a badge
# or a hovered button, and an error box (.melding-fout).
SURFACES = (
    "colorNeutralBackground1",
    "colorNeutralBackground2",
    "colorNeutralBackground3",
    "colorPaletteRedBackground1",
)
STATES = (":hover", ":focus", ":focus-visible", ":active")


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour written #rgb or #rrggbb."""
    digits = hex_colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    if len(digits) != 6:
        raise ValueError(f"not an opaque sRGB colour: {hex_colour}")

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast_ratio(a: str, b: str) -> float:
    """(L1 + 0.05) / (L2 + 0.05), the lighter colour's luminance on top: 1.0 to 21.0."""
    light, dark = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def rules(css: str) -> dict[str, dict[str, str]]:
    """Selector -> its declarations, later rules for the same selector winning (as the cascade
    does for equal specificity); grouped selectors are split."""
    text = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found: dict[str, dict[str, str]] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
        declarations = {}
        for part in body.split(";"):
            if ":" in part:
                name, value = part.split(":", 1)
                declarations[name.strip()] = value.strip()
        for selector in selectors.split(","):
            found.setdefault(" ".join(selector.split()), {}).update(declarations)
    return found


def token_of(value: str | None) -> str | None:
    match = re.search(r"var\(--(color\w+)\)", value or "")
    return match.group(1) if match else None


def colour_pairs(css: str) -> list[tuple[str, str, str]]:
    """(selector, text token, background token) for every text colour in the style sheet."""
    found = rules(css)
    pairs = []
    for selector, declared in found.items():
        background = token_of(declared.get("background") or declared.get("background-color"))
        colour = token_of(declared.get("color"))
        if colour is None and background is not None:
            base = next((selector.removesuffix(s) for s in STATES if selector.endswith(s)), None)
            colour = token_of(found.get(base, {}).get("color")) if base else None
        if colour is None:
            continue
        for surface in (background,) if background else SURFACES:
            pairs.append((selector, colour, surface))
    return pairs


@pytest.fixture(scope="module")
def tokens() -> dict[str, str]:
    if not TOKENS_CSS.exists():
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            raise RuntimeError(f"the Fluent tokens are missing in CI: {TOKENS_CSS}")
        pytest.skip("the Fluent tokens are not built (node web/build.mjs)")
    text = TOKENS_CSS.read_text(encoding="utf-8")
    return dict(re.findall(r"--(color\w+):\s*(#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?)\s*;", text))


def test_relative_luminance_of_black_white_and_a_grey() -> None:
    assert relative_luminance("#000") == 0
    assert relative_luminance("#ffffff") == pytest.approx(1)
    assert relative_luminance("#777777") == pytest.approx(0.1845, abs=1e-4)


def test_contrast_ratio_matches_the_wcag_examples() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21)  # order does not matter
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # just AA
    assert contrast_ratio("#777777", "#ffffff") < AA  # just not


def test_a_colour_that_is_not_opaque_srgb_is_refused() -> None:
    with pytest.raises(ValueError):
        relative_luminance("#00000080")


def test_the_parser_finds_a_pair_and_a_state_that_keeps_its_colour() -> None:
    css = """.a { color: var(--colorX); background: var(--colorY); }
             /* .b { color: var(--colorZ); } */
             .c, .d { color: var(--colorX); }
             .a:hover { background: var(--colorW); }"""
    pairs = colour_pairs(css)
    assert (".a", "colorX", "colorY") in pairs
    assert (".a:hover", "colorX", "colorW") in pairs
    assert {(s, c) for s, c, _ in pairs if s in (".c", ".d")} == {
        (".c", "colorX"),
        (".d", "colorX"),
    }
    assert not [p for p in pairs if p[0] == ".b"]  # commented out


def test_a_later_rule_for_the_same_selector_wins() -> None:
    css = ".x { color: var(--colorA); background: var(--colorB); } .x { color: var(--colorC); }"
    assert colour_pairs(css) == [(".x", "colorC", "colorB")]


def test_every_text_colour_in_the_pane_has_at_least_4_5_to_1(tokens: dict[str, str]) -> None:
    pairs = colour_pairs(PANE_CSS.read_text(encoding="utf-8"))
    checked = {selector for selector, _, _ in pairs}
    # The badges, small text and links this test is about are among what it checks.
    for selector in (".badge", ".badge-front", ".badge-hoog", ".resultaat-failed .badge",
                     ".resultaat-done .badge", ".klein", "a", ".knop-link", ".kop"):  # fmt: skip
        assert selector in checked, selector
    ratios = [(s, c, b, contrast_ratio(tokens[c], tokens[b])) for s, c, b in pairs]
    failing = [f"{s}: {c} on {b} is {r:.2f}:1" for s, c, b, r in ratios if r < AA]
    assert failing == []
