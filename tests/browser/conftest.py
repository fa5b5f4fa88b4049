"""Playwright driving Debian's Chromium against the live test server.

Playwright cannot download a browser here, so it launches /usr/bin/chromium.
Without Chromium the browser tests are skipped, unless REQUIRE_BROWSER=1
(as in CI), where a missing browser is a failure.
"""

import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

# Every wait is on a condition; on a busy machine a condition may take longer
# than Playwright's default five seconds to come true.
expect.set_options(timeout=15_000)

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    # Django refuses sync ORM calls when an event loop runs in the thread;
    # Playwright's sync API runs one, and our tests only touch the ORM around it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class RequestsInFlight:
    """The live server's WSGI app, counting the requests it is answering.

    The live server shares the test's in-memory SQLite connection with its
    request threads. A request still running when the test ends (an image the
    page asked for, a preview typed a moment before) holds a statement open on
    that connection, and the flush between tests then fails with "database
    table is locked". `quiet_live_server` waits here until the server is idle.
    """

    def __init__(self, app):
        self.app = app
        self.running = {}  # id of the environ -> its path, for a clear failure
        self.changed = threading.Condition()

    def __call__(self, environ, start_response):
        key = id(environ)
        with self.changed:
            self.running[key] = environ.get("PATH_INFO", "")
            self.changed.notify_all()
        try:
            response = self.app(environ, start_response)
        except BaseException:
            self.finished(key)
            raise
        return ClosedThen(response, lambda: self.finished(key))

    def finished(self, key):
        with self.changed:
            self.running.pop(key, None)
            self.changed.notify_all()

    def wait_until_quiet(self, timeout=30):
        """Return once no request has run for 0.2 s, or fail after `timeout`.

        Idle for a moment, not just at zero: a request the browser sent just
        before it closed may still be waiting to be accepted.
        """
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    paths = sorted(self.running.values())
                    # A request that never ends must fail one test, not all.
                    self.running.clear()
                    pytest.fail(f"live-server requests still running: {paths}")
                if self.running:
                    self.changed.wait(remaining)
                elif not self.changed.wait(min(0.2, remaining)) and not self.running:
                    return


class ClosedThen:
    """A WSGI response that calls `then` once the server has closed it."""

    def __init__(self, response, then):
        self.response = response
        self.then = then

    def __iter__(self):
        return iter(self.response)

    def close(self):
        try:
            if hasattr(self.response, "close"):
                self.response.close()
        finally:
            self.then()


@pytest.fixture(scope="session")
def live_server(live_server):
    """pytest-django's live server, with its requests counted."""
    server = live_server.thread.httpd
    live_server.requests = RequestsInFlight(server.get_app())
    server.set_app(live_server.requests)
    return live_server


@pytest.fixture(autouse=True)
def quiet_live_server(browser, live_server):
    """After each test, close its browser contexts and wait for the server.

    Autouse, so set up after pytest-django's own autouse live-server fixture
    and torn down before it flushes the database (see RequestsInFlight).
    """
    yield
    for context in browser.contexts:
        context.close()
    live_server.requests.wait_until_quiet()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def editor(django_user_model):
    """An editor's sign-in, a (username, password) pair for pages.log_in."""
    django_user_model.objects.create_superuser(
        username="eda", email="", password="a-long-test-password"
    )
    return "eda", "a-long-test-password"


@pytest.fixture
def screenshot(page):
    """Save a screenshot into artifacts/screenshots/<name>.png."""

    def take(name, target=None):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        (target or page).screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def assert_accessible(page):
    """Run axe-core on the current page; fail on serious or critical violations."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(label):
        results = axe.run(page)
        violations = [
            v
            for v in results.response["violations"]
            if v.get("impact") in {"serious", "critical"}
        ]
        summary = "\n".join(
            f"{v['impact']}: {v['id']} — {v['help']} ({len(v['nodes'])} nodes: "
            f"{', '.join(n['target'][0] for n in v['nodes'][:3])})"
            for v in violations
        )
        assert not violations, f"axe found problems on {label}:\n{summary}"
        return results

    return check
