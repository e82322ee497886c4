"""The wall chart's time axis is drawn once (issue 13): each mark, positioned by its column
class over the row's background, lands under the header label of its column; on a phone the
chart stays within the screen; the page asks for no inline style (CSP) and raises no error."""

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import expect  # noqa: E402

MARKS_UNDER_THEIR_LABELS = """() => {
  const labels = [...document.querySelectorAll('[data-testid="chart-axis"] .axis span')]
    .map(s => s.getBoundingClientRect());
  return [...document.querySelectorAll('td.track .at')].map(at => {
    const column = Number([...at.classList].find(c => /^c\\d+$/.test(c)).slice(1));
    const box = at.getBoundingClientRect(), label = labels[column];
    const middle = box.left + box.width / 2;
    return {column, inside: middle > label.left && middle < label.right,
            width: Math.abs(box.width - label.width) < 2};
  });
}"""


def test_marks_sit_under_their_column_and_the_phone_layout_fits(
    page, new_context, live_server, sign_in
):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, live_server, "office")
    for key in ("changfa-2017-29", "czgxq-shuangchuang-2021"):
        page.goto(live_server(f"/plans/{live_server.plan_id(key)}/wall-chart"))
        expect(page.get_by_test_id("chart-row").first).to_be_visible()
        marks = page.evaluate(MARKS_UNDER_THEIR_LABELS)
        assert marks, key
        assert all(m["inside"] and m["width"] for m in marks), [m for m in marks if not m["inside"]]
    # on a phone: cards, a strip of marks per task, nothing wider than the screen
    phone = new_context(viewport={"width": 390, "height": 800}, is_mobile=True).new_page()
    phone.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(phone, live_server, "office")
    phone.goto(live_server(f"/plans/{live_server.plan_id()}/wall-chart"))
    expect(phone.locator("td.track .at").first).to_be_visible()
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert errors == []
