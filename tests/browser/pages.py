"""Page helpers shared by the browser tests: visiting, arriving, signing in.

After a click or a submitted form the old page stays in the window until the
new one commits, so reading it at once is a race that a busy machine loses.
Every helper here waits for a condition on the new page instead.
"""

from playwright.sync_api import expect

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def visit(page, live_server, path):
    """Open a public page; goto() returns once it has loaded."""
    response = page.goto(live_server.url + path)
    assert response.status == 200, path
    return response


def heading(page):
    return page.locator("main h1")


def h1(page):
    return heading(page).inner_text()


def arrive(page, title):
    """Wait for the page whose main heading is `title` (text or pattern) to load."""
    expect(heading(page)).to_have_text(title)
    # The heading belongs to the new document: wait for the rest of it.
    page.wait_for_load_state()


def photograph(page, screenshot, assert_accessible, name):
    """Screenshot and axe at desktop, then at phone width."""
    for label, size in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        screenshot(f"{name}-{label}")
        assert_accessible(f"{name} at {label} px")
    page.set_viewport_size(DESKTOP)


def log_in(page, live_server, editor):
    """Sign in to the admin as `editor`, a (username, password) pair."""
    username, password = editor
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    # The login page has the admin's header too: wait for the signed-in index.
    expect(page).to_have_url(f"{live_server.url}/admin/")
    expect(page.locator("#user-tools")).to_be_visible()


def settle(page):
    """Let a loaded page finish: its requests, then a frame and a task.

    What hostile markup could run (an image's onerror, an animation's onbegin,
    a timer) has then had its chance; a dialog it opened blocks this call until
    the test's handler dismisses it.
    """
    page.wait_for_load_state("networkidle")
    page.evaluate(
        "() => new Promise((done) => requestAnimationFrame(() => setTimeout(done)))"
    )
