"""The Bletchley declaration in print and on a phone, and the embed page, in
Chromium with the shipped demo content (29 positions, the EU among them).

Screenshots go to artifacts/screenshots/; axe-core checks the embed page at
both widths.
"""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.pages import DESKTOP, PHONE, photograph, visit

pytestmark = pytest.mark.django_db(transaction=True)

BLETCHLEY = "/declarations/bletchley-declaration/"


@pytest.fixture
def demo_site():
    call_command("load_demo_content", verbosity=0)


def signed_table(page):
    return page.locator(
        "table.signatory-table", has=page.locator("caption", has_text="Signed")
    )


def test_on_a_phone_the_signatories_are_a_compact_list(
    page, live_server, demo_site, screenshot
):
    page.set_viewport_size(PHONE)
    visit(page, live_server, BLETCHLEY)
    table = signed_table(page)
    expect(table.locator("caption")).to_contain_text("All signed on 1 November 2023")
    rows = table.locator("tbody tr")
    assert rows.count() >= 28
    # One line per signatory: a row is no taller than two lines of text.
    heights = [
        box["height"]
        for box in (rows.nth(i).bounding_box() for i in range(rows.count()))
    ]
    assert max(heights) < 60, heights
    height = table.bounding_box()["height"]
    # Before: every row a card of name, date and source, 3,110 px for the
    # demo's 29 rows (measured by taking this table's class away); now 1,100.
    assert height < 1600, height
    screenshot("bletchley-phone-390")
    page.set_viewport_size(DESKTOP)
    # On a wide screen each row still shows its own date and source.
    expect(rows.first.locator("td").first).to_be_visible()


def test_in_print_the_page_has_no_chrome_and_shows_addresses(
    page, live_server, demo_site, screenshot
):
    visit(page, live_server, BLETCHLEY)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.locator(".embed-code")).to_be_hidden()
    source = page.locator('main dd a[href^="http"]').first
    after = source.evaluate("(link) => getComputedStyle(link, '::after').content")
    assert source.get_attribute("href") in after
    row = signed_table(page).locator("tbody tr").first
    assert row.evaluate("(tr) => getComputedStyle(tr).breakInside") == "avoid"
    expect(page.locator("svg.world-map")).to_be_visible()
    screenshot("bletchley-print")


def test_the_compare_matrix_prints_its_footnote_after_the_table(
    page, live_server, demo_site, screenshot
):
    visit(page, live_server, "/declarations/compare/")
    page.emulate_media(media="print")
    foot = page.locator(".matrix tfoot")
    assert foot.evaluate("(f) => getComputedStyle(f).display") == "table-row-group"
    body = page.locator(".matrix tbody").bounding_box()
    assert foot.bounding_box()["y"] >= body["y"] + body["height"] - 1
    screenshot("compare-print")


def test_the_embed_page(page, live_server, demo_site, screenshot, assert_accessible):
    visit(page, live_server, BLETCHLEY.rstrip("/") + "/embed/")
    expect(page.locator("svg.world-map")).to_be_visible()
    back = page.locator("h1 a")
    assert back.get_attribute("target") == "_blank"
    assert back.get_attribute("rel") == "noopener"
    expect(page.locator(".map-legend")).to_contain_text("Signed: 28 countries")
    expect(page.locator(".map-off-list")).to_contain_text("European Union")
    photograph(page, screenshot, assert_accessible, "declaration-embed")
