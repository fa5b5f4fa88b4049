"""Sorting a table by its headers, the change log and the open-data page, in
Chromium: with and without JavaScript, axe-clean at desktop and phone widths."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image
from playwright.sync_api import expect

from summits.models import Signature
from tests.browser.pages import arrive, photograph, visit
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    SignatoryFactory,
    SignatureFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def record(settings, tmp_path):
    settings.DATA_ROOT = tmp_path / "data"
    paris = DeclarationFactory(title="Paris statement", slug="paris")
    for name, day in [("zambia", 3), ("Österreich", 1), ("Åland", 4), ("Brazil", 2)]:
        SignatureFactory(
            declaration=paris,
            signatory=SignatoryFactory(name=name),
            signed_on=datetime.date(2025, 2, day),
        )
    SignatureFactory(
        declaration=paris,
        signatory=SignatoryFactory(name="Türkiye"),
        status=Signature.Status.DECLINED,
    )
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 630), "steelblue").save(buffer, format="JPEG")
    article = ArticleFactory(
        title="What Paris agreed",
        cover_image=SimpleUploadedFile("c.jpg", buffer.getvalue()),
        cover_image_alt="A blue placeholder",
    )
    article.declarations.add(paris)
    call_command("publish_data", verbosity=0)
    return paris


def signed_names(page):
    table = page.locator("table.signatory-table").first
    return table.locator("tbody th[scope=row] a").all_inner_texts()


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
def test_a_visitor_sorts_the_signatories_by_clicking_a_header(
    browser, live_server, record, javascript, screenshot
):
    context = browser.new_context(
        java_script_enabled=javascript, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    try:
        visit(page, live_server, record.get_absolute_url())
        # Names sort without regard to case or accents.
        assert signed_names(page) == ["Åland", "Brazil", "Österreich", "zambia"]
        header = page.locator("table.signatory-table").first.locator("thead th").first
        expect(header).to_have_attribute("aria-sort", "ascending")

        header.get_by_role("link", name="Signatory").click()
        expect(page).to_have_url(
            f"{live_server.url}{record.get_absolute_url()}?sort=-name"
        )
        arrive(page, "Paris statement")
        assert signed_names(page) == ["zambia", "Österreich", "Brazil", "Åland"]

        page.locator("table.signatory-table").first.get_by_role(
            "link", name="Date"
        ).click()
        expect(page).to_have_url(
            f"{live_server.url}{record.get_absolute_url()}?sort=date"
        )
        arrive(page, "Paris statement")
        assert signed_names(page) == ["Österreich", "Brazil", "zambia", "Åland"]
        label = "js" if javascript else "no-js"
        screenshot(f"declaration-sorted-by-date-{label}", page)
    finally:
        context.close()


def test_the_change_log_reads_well_and_is_accessible(
    page, live_server, record, screenshot, assert_accessible
):
    visit(page, live_server, "/changes/")
    arrive(page, "Changes to the record")
    expect(page.locator(".change-list li").first).to_be_visible()
    expect(page.get_by_text("Türkiye declined to sign Paris statement")).to_be_visible()
    photograph(page, screenshot, assert_accessible, "changes")


def test_the_data_page_offers_the_downloads_and_is_accessible(
    page, live_server, record, screenshot, assert_accessible
):
    visit(page, live_server, "/data/")
    arrive(page, "Open data")
    expect(page.get_by_role("link", name="positions.csv")).to_be_visible()
    photograph(page, screenshot, assert_accessible, "open-data")


def test_the_article_cover_is_a_sized_picture_and_the_record_cites_itself(
    page, live_server, record, screenshot, assert_accessible
):
    article = record.articles.get()
    visit(page, live_server, article.get_absolute_url())
    cover = page.locator(".article__cover img")
    expect(cover).to_have_attribute("fetchpriority", "high")
    expect(cover).to_have_attribute("width", "1200")
    # The browser picked a rendition, not the original upload.
    current = cover.evaluate("img => img.currentSrc")
    assert "/renditions/" in current and current.endswith(".webp"), current
    expect(page.get_by_role("heading", name="Cite this record")).to_be_visible()
    photograph(page, screenshot, assert_accessible, "article-with-cover")

    visit(
        page,
        live_server,
        record.signatures.get(status="declined").signatory.get_absolute_url(),
    )
    expect(page.get_by_role("heading", name="Articles and press")).to_be_visible()
    photograph(page, screenshot, assert_accessible, "signatory-record")
