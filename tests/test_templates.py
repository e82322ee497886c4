"""Templates carry no inline event handlers, styles or scripts, so that a strict
Content-Security-Policy (no 'unsafe-inline') can follow: behaviour lives in
tracker/static/js/ (bound through data- attributes), styles in tracker/static/css/.

E-mail templates (templates/emails/) are exempt: mail clients read only inline styles,
and no page of the site is built from them."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "templates"
PAGES = sorted(p for p in ROOT.rglob("*.html") if "emails" not in p.relative_to(ROOT).parts)

# Tags only: a Jinja expression or text such as "onboarding=" outside a tag is not an attribute.
TAG = re.compile(r"<[a-zA-Z][^<>]*>", re.S)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)
SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)


def problems(text: str) -> list[str]:
    """What in one template would need 'unsafe-inline'."""
    found = []
    for tag in TAG.findall(text):
        if HANDLER.search(tag):
            found.append(f"inline event handler: {tag[:80]}")
        if STYLE_ATTRIBUTE.search(tag):
            found.append(f"style attribute: {tag[:80]}")
    if re.search(r"<style\b", text, re.I):
        found.append("<style> block")
    for attributes in SCRIPT.findall(text):
        if not re.search(r"\ssrc\s*=", " " + attributes):
            found.append(f"inline <script{attributes}>")
    return found


@pytest.mark.parametrize(
    "snippet, kinds",
    [
        ('<button type="button" onclick="window.print()">', ["inline event handler"]),
        ("<select name=x onChange='this.form.submit()'>", ["inline event handler"]),
        ('<span style="width: 40%">', ["style attribute"]),
        ("<style>.x { color: red }</style>", ["<style> block"]),
        ("<script>alert(1)</script>", ["inline <script"]),
        ('<script type="application/json" id="d">{}</script>', ["inline <script"]),
        ('<script src="/static/js/tracker.js" defer></script>', []),
        ('<button type="button" data-print data-confirm="Sure?">', []),
        ("<p>{{ _('Turn on notifications') }} online=yes</p>", []),
    ],
)
def test_the_scanner_finds_each_kind(snippet, kinds):
    assert [p.split(":")[0].split(" ")[0] for p in problems(snippet)] == [
        k.split(" ")[0] for k in kinds
    ]


def test_there_are_templates_to_scan():
    assert len(PAGES) > 40


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_inline_handlers_styles_or_scripts(path):
    assert problems(path.read_text("utf-8")) == []


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_guard_hides_a_missing_page_or_partial(path):
    """Every blueprint is always registered and every partial exists: a guard such as
    `has_endpoint(...)` or `ignore missing` would only hide a broken link."""
    text = path.read_text("utf-8")
    assert "has_endpoint(" not in text and "ignore missing" not in text
