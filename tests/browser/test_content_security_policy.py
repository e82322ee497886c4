"""Every role's main pages run under the strict Content-Security-Policy: Chromium reports no
violation (no inline script, no inline style, nothing from another site) and no script error
— the dashboard's ECharts charts included, drawn and with their tooltips shown."""

import pytest

from tracker.common.http import CONTENT_SECURITY_POLICY

try:
    from playwright.sync_api import expect
except ImportError:  # the folder's conftest skips (or fails) with the reason
    expect = None

pytestmark = pytest.mark.browser

# Installed before any page script: keeps every violation the document reports.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " at " +
    (e.sourceFile || "") + ":" + e.lineNumber + " " + (e.sample || ""));
});
"""

PAGES = {
    "office": [
        "/",
        "/plans",
        "/plans/{plan}",
        "/tasks/{task}",
        "/tasks",
        "/search?q=%E5%88%9B%E6%96%B0",
        "/review",
        "/reports/overview",
        "/notices",
        "/supervision/requests",
        "/scores",
        "/bulletins",
        "/intake/quick",
        "/plans/import",
        "/settings",
        "/units",
        "/notifications",
        "/dashboard",
        "/api/v1/docs",
        "/plans/documents/import",
    ],
    "fgw": ["/", "/reports", "/tasks/{task}", "/notices", "/supervision/my", "/notifications"],
    "leader": ["/", "/dashboard", "/dashboard/plans/{plan}", "/scores"],
    "admin": ["/admin/users", "/admin/audit", "/admin/security", "/admin/calendar", "/units"],
}


def _watch(page):
    """Violations (from the page's event and the console) and script errors, as they come."""
    problems = []
    page.add_init_script(LISTEN)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))

    def console(message):
        text = message.text
        if message.type == "error" and ("Content Security Policy" in text or "Refused" in text):
            problems.append(f"console: {text}")

    page.on("console", console)
    return problems


def _visit(page, url, problems):
    answer = page.goto(url)
    assert answer.status == 200, url
    assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, url
    page.wait_for_load_state("load")
    problems.extend(f"{url}: {v}" for v in page.evaluate("window.__csp"))


@pytest.mark.parametrize("username", sorted(PAGES))
def test_main_pages_raise_no_policy_violation(page, live_server, sign_in, username):
    problems = _watch(page)
    sign_in(page, live_server, username)
    ids = {"plan": live_server.plan_id(), "task": live_server.task_id(1)}
    for path in PAGES[username]:
        _visit(page, live_server(path.format(**ids)), problems)
    assert problems == []


def test_dashboard_charts_and_tooltips_run_under_the_policy(page, live_server, sign_in):
    """ECharts draws on a canvas and styles through the CSSOM (allowed); a tooltip built as
    HTML with style="" attributes would be refused — hover each chart to show its tooltip."""
    problems = _watch(page)
    sign_in(page, live_server, "leader")
    _visit(page, live_server("/dashboard"), problems)
    page.wait_for_load_state("load")  # wait_for_function polls with eval, which the CSP refuses
    assert page.evaluate("() => typeof window.echarts") == "object"
    charts = page.locator("[data-testid^='chart-']")
    assert charts.count() >= 3
    for i in range(charts.count()):
        chart = charts.nth(i)
        expect(chart.locator("canvas")).to_have_count(1)
        box = chart.bounding_box()
        for fx, fy in ((0.5, 0.5), (0.3, 0.4), (0.7, 0.6)):
            page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
            page.wait_for_timeout(150)
    problems.extend(page.evaluate("window.__csp"))
    assert problems == []
