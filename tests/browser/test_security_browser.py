"""In a real browser: the CSP breaks nothing, and hostile content runs nothing.

- An editor uses the admin's markdown editor (live preview and image upload)
  and the other admin screens under our Content-Security-Policy, and the
  browser reports no CSP violation.
- Pages and the editor preview holding the whole XSS corpus open without a
  single alert/confirm/prompt dialog, with the CSP switched *off*: the
  sanitiser alone must hold, the CSP is the second line.
"""

import base64
import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.pages import log_in, settle
from tests.data.xss_vectors import TITLE_VECTORS, VECTORS
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    SignatureFactory,
    SummitFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

ALL_VECTORS = "\n\n".join(text for _family, text in VECTORS)

# Runs before any page script (injected by the browser, so the CSP does not
# apply to it): records every violation the browser reports.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


@pytest.fixture
def watched_page(page):
    """The page, with CSP reports, console errors and dialogs recorded."""
    page.add_init_script(RECORD_CSP_VIOLATIONS)
    page.csp_console = []
    page.dialogs = []
    page.errors = []

    def on_console(message):
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            page.csp_console.append(text)

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("console", on_console)
    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


def csp_violations(page):
    return page.csp_console + page.evaluate("window.__cspViolations || []")


def drop_image_on(page, selector, png_bytes):
    """Drop a PNG file onto the editor, as an editor dragging a file does."""
    page.evaluate(
        """([selector, data]) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            const file = new File([bytes], 'drop.png', {type: 'image/png'});
            const transfer = new DataTransfer();
            transfer.items.add(file);
            const target = document.querySelector(selector);
            for (const type of ['dragenter', 'dragover', 'drop']) {
                target.dispatchEvent(new DragEvent(type, {
                    dataTransfer: transfer, bubbles: true, cancelable: true}));
            }
        }""",
        [selector, base64.b64encode(png_bytes).decode()],
    )


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_markdown_editor_preview_and_upload_work_under_the_csp(
    live_server, watched_page, screenshot, editor, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    page = watched_page
    log_in(page, live_server, editor)
    response = page.goto(f"{live_server.url}/admin/articles/article/add/")
    assert "script-src 'self'" in response.headers["content-security-policy"]

    page.fill("#id_title", "A note under a strict policy")
    page.fill("#id_body", "Some **bold** words.")
    preview = page.locator(".field-body .markdownx-preview")
    expect(preview.locator("strong")).to_have_text("bold")

    drop_image_on(page, "#id_body", png())
    # A dropped image first asks for its alt text (static/js/markdown-editor.js).
    dialog = page.locator(".field-body .md-image-form")
    dialog.locator(".md-alt").fill("A navy square")
    dialog.locator(".md-upload").click()
    # A locator expectation polls from Python: a string predicate polled in
    # the page (wait_for_function) is eval, which this CSP refuses.
    expect(page.locator("#id_body")).to_have_value(
        re.compile(re.escape("![A navy square](/media/uploads/"))
    )
    stored = list((tmp_path / "uploads").glob("*.png"))
    assert len(stored) == 1
    screenshot("security-editor-under-csp")

    page.click("input[name=_save_draft]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert csp_violations(page) == []
    assert page.errors == []


def test_admin_screens_and_public_pages_raise_no_csp_violation(
    live_server, watched_page, editor
):
    summit = SummitFactory()
    declaration = DeclarationFactory(summit=summit)
    SignatureFactory(declaration=declaration)
    article = ArticleFactory()
    article.summits.add(summit)
    page = watched_page
    public = [
        "/",
        "/summits/",
        summit.get_absolute_url(),
        "/declarations/",
        declaration.get_absolute_url(),
        "/declarations/compare/",
        "/signatories/",
        "/articles/",
        article.get_absolute_url(),
        "/search/?q=summit",
    ]
    for path in public:
        page.goto(f"{live_server.url}{path}")
    assert csp_violations(page) == [], "public pages"

    log_in(page, live_server, editor)
    admin = [
        "/admin/",
        "/admin/summits/summit/",
        f"/admin/summits/summit/{summit.pk}/change/",
        f"/admin/summits/declaration/{declaration.pk}/change/",
        "/admin/articles/article/",
        f"/admin/articles/article/{article.pk}/change/",
    ]
    for path in admin:
        page.goto(f"{live_server.url}{path}")
        assert csp_violations(page) == [], path
    assert page.errors == []


@pytest.fixture
def csp_off(settings):
    """No CSP header at all, so only the sanitiser stands in the way."""
    settings.CONTENT_SECURITY_POLICY = {
        **settings.CONTENT_SECURITY_POLICY,
        "EXCLUDE_URL_PREFIXES": ["/"],
    }


def test_pages_full_of_hostile_content_fire_no_dialog(
    live_server, watched_page, csp_off
):
    summit = SummitFactory(name=TITLE_VECTORS[0], summary=TITLE_VECTORS[1])
    summit.body = ALL_VECTORS
    summit.save()
    declaration = DeclarationFactory(
        title=TITLE_VECTORS[2], summit=summit, text=ALL_VECTORS
    )
    SignatureFactory(declaration=declaration, signatory__name=TITLE_VECTORS[4])
    article = ArticleFactory(title=TITLE_VECTORS[3], lede=TITLE_VECTORS[4])
    article.body = ALL_VECTORS
    article.save()
    article.summits.add(summit)
    page = watched_page
    for path in [
        summit.get_absolute_url(),
        declaration.get_absolute_url(),
        article.get_absolute_url(),
        "/",
        "/articles/",
        "/declarations/compare/",
        f"/search/?q={TITLE_VECTORS[1]}",
    ]:
        response = page.goto(f"{live_server.url}{path}")
        assert "content-security-policy" not in response.headers
        # Hover and focus something, then let what the page set off finish.
        page.mouse.move(200, 300)
        page.keyboard.press("Tab")
        settle(page)
    assert page.dialogs == []


def test_the_editor_preview_of_hostile_markdown_fires_no_dialog(
    live_server, watched_page, editor, csp_off
):
    page = watched_page
    log_in(page, live_server, editor)
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    # The marker goes first: an unclosed vector may swallow what follows it.
    page.fill("#id_body", "**rendered**\n\n" + ALL_VECTORS)
    preview = page.locator(".field-body .markdownx-preview")
    expect(preview.locator("strong").first).to_have_text("rendered")
    preview.hover()
    settle(page)
    assert page.dialogs == []
    assert "<script" not in preview.inner_html()
