"""The header's notification link meets WCAG AA contrast (4.5:1 for normal text), computed
from the colours tracker.css declares, so a change of colour is checked here."""

import re
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "tracker/static/css/tracker.css"
CSS = re.sub(r"/\*.*?\*/", "", SOURCE.read_text("utf-8"), flags=re.S)
AA_NORMAL_TEXT = 4.5


def declarations(selector: str) -> dict[str, str]:
    """The declarations of the rule whose selector list is exactly `selector`."""
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", CSS):
        names = [" ".join(s.split()) for s in selectors.split(",")]
        if selector in names and len(names) == 1:
            pairs = (d.split(":", 1) for d in body.split(";") if ":" in d)
            return {k.strip(): v.strip() for k, v in pairs}
    raise AssertionError(f"no rule for {selector!r} in tracker.css")


def colour(value: str) -> tuple[int, int, int]:
    """#rgb / #rrggbb, or var(--name) read from :root."""
    found = re.fullmatch(r"var\((--[\w-]+)\)", value)
    if found:
        value = re.search(rf"{found.group(1)}:\s*([^;]+);", CSS).group(1).strip()
    hexa = value.lstrip("#")
    if len(hexa) == 3:
        hexa = "".join(c * 2 for c in hexa)
    assert re.fullmatch(r"[0-9a-fA-F]{6}", hexa), value
    return tuple(int(hexa[i : i + 2], 16) for i in (0, 2, 4))


def luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2 relative luminance."""

    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize(
    "fg, bg, ratio",
    [
        ("#ffffff", "#000000", 21.0),
        ("#777777", "#ffffff", 4.48),  # the well-known just-below-AA grey
        ("#a4161a", "#ffffff", 7.75),
    ],
)
def test_contrast_formula(fg, bg, ratio):
    assert contrast(colour(fg), colour(bg)) == pytest.approx(ratio, abs=0.01)


def test_the_notification_link_meets_aa_on_the_header():
    header = colour(declarations(".site-header")["background"])
    link = colour(declarations(".site-header .notification-badge")["color"])
    assert contrast(link, header) >= AA_NORMAL_TEXT


def test_the_unread_count_meets_aa_on_its_pill():
    pill = declarations(".site-header .notification-badge b")
    assert contrast(colour(pill["color"]), colour(pill["background"])) >= AA_NORMAL_TEXT
