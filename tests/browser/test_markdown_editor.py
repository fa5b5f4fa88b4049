"""The markdown editor's toolbar, shortcuts and images, in Chromium."""

import io
import re

import pytest
from PIL import Image as PillowImage
from playwright.sync_api import expect

from core.models import Image
from pages.models import Menu
from tests.factories import PageFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def signed_in(live_server, page, django_user_model, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    django_user_model.objects.create_superuser(
        username="eda", email="", password="a-long-test-password"
    )
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "eda")
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def png_bytes():
    buffer = io.BytesIO()
    PillowImage.new("RGB", (60, 40), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_toolbar_and_shortcuts_write_markdown(live_server, page, signed_in):
    page.goto(f"{live_server.url}/admin/pages/page/add/")
    body = page.locator("#id_body")
    toolbar = page.locator(".field-body .md-toolbar")
    expect(toolbar).to_be_visible()
    expect(page.locator(".field-body .md-hint")).to_contain_text(
        "Drag an image here or use Insert image"
    )

    body.fill("We record positions")
    body.press("Control+a")
    toolbar.get_by_role("button", name="Bold").click()
    expect(body).to_have_value("**We record positions**")

    body.fill("first\nsecond")
    body.press("Control+a")
    toolbar.get_by_role("button", name="Numbered list").click()
    expect(body).to_have_value("1. first\n2. second")

    body.fill("")
    body.press("Control+i")
    page.keyboard.type("stress")
    expect(body).to_have_value("_stress_")

    body.fill("source")
    body.press("Control+a")
    body.press("Control+k")
    page.keyboard.type("https://example.org")
    expect(body).to_have_value("[source](https://example.org)")
    # The live preview follows the toolbar's changes.
    expect(page.locator(".field-body .markdownx-preview a")).to_have_text("source")
    assert signed_in == []


def test_an_image_inserted_with_the_button_carries_its_alt_text(
    live_server, page, signed_in, screenshot
):
    page.goto(f"{live_server.url}/admin/pages/page/add/")
    page.fill("#id_title", "About")
    body = page.locator("#id_body")
    body.fill("Our team.")
    page.locator(".field-body .md-toolbar").get_by_role(
        "button", name="Insert image"
    ).click()
    dialog = page.locator(".field-body .md-image-form")
    expect(dialog).to_be_visible()
    dialog.locator(".md-file").set_input_files(
        {"name": "team.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    # No alt text: the dialog asks for it and uploads nothing.
    dialog.locator(".md-upload").click()
    expect(dialog.locator(".md-message")).to_contain_text("Describe the image")
    dialog.locator(".md-alt").fill("Five volunteers around a laptop")
    dialog.locator(".md-upload").click()
    expect(body).to_have_value(
        re.compile(
            r"Our team\.\n\n"
            r"!\[Five volunteers around a laptop\]\(/media/uploads/\w+\.png\)"
        )
    )
    expect(dialog).to_be_hidden()
    image = Image.objects.get()
    assert image.alt_text == "Five volunteers around a laptop"
    expect(page.locator(".field-body .markdownx-preview img")).to_have_attribute(
        "alt", "Five volunteers around a laptop"
    )
    screenshot("admin-markdown-editor-toolbar")

    # The chooser offers it again for reuse.
    body.fill("")
    page.locator(".field-body .md-toolbar").get_by_role(
        "button", name="Choose from library"
    ).click()
    library = page.locator(".field-body .md-library")
    library.locator(".md-library-search").fill("volunteers")
    choice = library.locator(".md-library-choice")
    expect(choice).to_have_count(1)
    screenshot("admin-markdown-editor-chooser")
    choice.click()
    expect(body).to_have_value(image.markdown())
    assert signed_in == []


def test_a_public_page_with_its_menu_links(live_server, page, screenshot):
    PageFactory(
        title="Methodology",
        slug="methodology",
        menu=Menu.FOOTER,
        body="## One position per declaration\n\nA blank cell is **not** a refusal.",
    )
    PageFactory(title="Take action", slug="take-action", menu=Menu.HEADER)
    PageFactory(title="Draft page", slug="draft-page", menu=Menu.HEADER, draft=True)
    page.goto(f"{live_server.url}/methodology/")
    expect(page.locator("h1")).to_have_text("Methodology")
    expect(page.locator(".site-nav")).to_contain_text("Take action")
    expect(page.locator(".site-nav")).not_to_contain_text("Draft page")
    expect(page.locator(".site-footer")).to_contain_text("Methodology")
    screenshot("public-page-methodology")
