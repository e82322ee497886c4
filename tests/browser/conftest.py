"""Browser tests: Debian's Chromium driven by Playwright against a live server.

- The folder is skipped when Chromium (``/usr/bin/chromium``, or ``TRACKER_CHROMIUM``) or the
  ``playwright`` package is missing, unless ``TRACKER_REQUIRE_BROWSER=1``: then it fails
  loudly instead (for CI, where a silent skip would hide a broken setup).
- It is also skipped when ``TRACKER_TEST_DATABASE_URL`` is set: browser tests run in the
  SQLite pass only.
- Browsers are never downloaded (no ``playwright install``): the system Chromium is used.
- Each test gets its own database, app (CSRF on) and server, and a fresh browser context;
  one Chromium process is shared by the whole run.
- When a test fails, a screenshot of its page is saved to its ``tmp_path`` (``failure.png``).
"""

import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("TRACKER_CHROMIUM") or "/usr/bin/chromium"
REQUIRE = os.environ.get("TRACKER_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes"}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000  # fail fast: every page here answers in well under a second
DEMO_PLAN_KEY = "changfa-2017-29"


def _unavailable_reason() -> str | None:
    """Why Chromium or Playwright cannot run here, or None when both are present."""
    path = Path(CHROMIUM)
    if not (path.is_file() and os.access(path, os.X_OK)) and not shutil.which(CHROMIUM):
        return (
            f"Chromium not found at {CHROMIUM} (install Debian's chromium or set TRACKER_CHROMIUM)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        return f"the playwright package is not importable ({error}); pip install -e '.[dev]'"
    return None


@pytest.fixture(scope="session", autouse=True)
def _browser_prerequisites():
    if os.environ.get("TRACKER_TEST_DATABASE_URL"):
        pytest.skip("browser tests run in the SQLite pass only (TRACKER_TEST_DATABASE_URL is set)")
    reason = _unavailable_reason()
    if reason is None:
        return
    if REQUIRE:
        pytest.fail(f"TRACKER_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


# --- live server ------------------------------------------------------------------------


@dataclass
class LiveServer:
    url: str
    app: object = field(repr=False)
    plan_ids: dict[str, int] = field(default_factory=dict, repr=False)
    task_ids: dict[tuple[str, int], int] = field(default_factory=dict, repr=False)

    def __call__(self, path: str = "/") -> str:
        """Absolute URL of a path on this server."""
        return self.url + path

    def plan_id(self, key: str = DEMO_PLAN_KEY) -> int:
        return self.plan_ids[key]

    def task_id(self, number: int, plan_key: str = DEMO_PLAN_KEY) -> int:
        return self.task_ids[(plan_key, number)]


def _seed(app) -> tuple[dict[str, int], dict[tuple[str, int], int]]:
    from sqlalchemy import select

    from tracker.demo import ensure_demo_accounts
    from tracker.extensions import db
    from tracker.plans.models import Plan, Task
    from tracker.plans.seeding import seed

    with app.app_context():
        seed()
        ensure_demo_accounts()
        db.session.commit()
        plans = {p.key: p.id for p in db.session.scalars(select(Plan)).all()}
        keys = {plan_id: key for key, plan_id in plans.items()}
        tasks = {
            (keys[plan_id], number): task_id
            for task_id, plan_id, number in db.session.execute(
                select(Task.id, Task.plan_id, Task.number)
            ).all()
        }
        db.session.remove()
    return plans, tasks


@pytest.fixture
def live_server(app_factory):
    """The app (CSRF on), seeded with both plans and the demo accounts, on a free port."""
    from werkzeug.serving import make_server

    app = app_factory(WTF_CSRF_ENABLED=True)
    plans, tasks = _seed(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app, plans, tasks)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- browser ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole run (Debian's; never downloaded)."""
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
    except Exception:
        playwright.stop()
        raise
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


@pytest.fixture
def new_context(chromium):
    """new_context(**options) -> a fresh browser context (no cookies); closed after the test."""
    contexts = []

    def make(**options):
        options.setdefault("locale", "zh-CN")
        options.setdefault("timezone_id", "Asia/Shanghai")
        context = chromium.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context, request, tmp_path):
    """A page in a fresh desktop-sized context; screenshot to tmp_path if the test fails."""
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed and not page.is_closed():
        path = tmp_path / "failure.png"
        try:
            page.screenshot(path=str(path), full_page=True)
            print(f"\nscreenshot of the failing page: {path} ({page.url})")
        except Exception as error:  # the report must not hide the real failure
            print(f"\nno screenshot of the failing page: {error}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def sign_in():
    """sign_in(page, server, username, password) -> fills and submits the sign-in form."""
    from tracker.demo import DEMO_PASSWORD

    def do(page, server: LiveServer, username: str, password: str = DEMO_PASSWORD):
        page.goto(server("/login"))
        form = page.locator("form:has(input[name='password'])")
        form.locator("input[name='username']").fill(username)
        form.locator("input[name='password']").fill(password)
        form.locator("button[type='submit']").click()
        page.wait_for_load_state()
        return page

    return do
