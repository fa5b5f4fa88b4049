"""A visitor's tour of the home page, the articles, and search, in Chromium.

Each page is checked for its main content, photographed at desktop (1280 px)
and phone (390 px) widths into artifacts/screenshots/, and run through
axe-core, failing on serious or critical problems.
"""

import datetime
import re

import pytest
from playwright.sync_api import expect

from articles.models import Article
from summits.models import Signature
from tests.browser.keyboard import focused, use_the_skip_link
from tests.browser.pages import arrive, h1, photograph, visit
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    SignatoryFactory,
    SignatureFactory,
    SummitFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

PARIS_SOURCE = "https://example.org/uk-us-decline-paris"


@pytest.fixture
def site():
    """Three summits behind us, one ahead, the Paris statement, the news."""
    today = datetime.date.today()
    SummitFactory(
        name="AI Safety Summit 2023",
        starts_on=datetime.date(2023, 11, 1),
        ends_on=datetime.date(2023, 11, 2),
        city="Bletchley",
        host_country="GB",
        summary="The first international summit on the safety of frontier AI.",
    )
    seoul = SummitFactory(
        name="AI Seoul Summit 2024",
        starts_on=datetime.date(2024, 5, 21),
        ends_on=datetime.date(2024, 5, 22),
        city="Seoul",
        host_country="KR",
    )
    paris = SummitFactory(
        name="AI Action Summit",
        starts_on=datetime.date(2025, 2, 10),
        ends_on=datetime.date(2025, 2, 11),
        city="Paris",
        host_country="FR",
    )
    SummitFactory(
        name="AI Impact Summit",
        starts_on=today + datetime.timedelta(days=90),
        ends_on=today + datetime.timedelta(days=91),
        city="New Delhi",
        host_country="IN",
        summary="The first summit in the global South, on AI's impact.",
    )
    statement = DeclarationFactory(
        title="Statement on Inclusive and Sustainable AI for People and the Planet",
        summit=paris,
        adopted_on=datetime.date(2025, 2, 11),
    )
    for name in ("France", "China", "India"):
        SignatureFactory(declaration=statement, signatory=SignatoryFactory(name=name))
    for name in ("United Kingdom", "United States"):
        SignatureFactory(
            declaration=statement,
            signatory=SignatoryFactory(name=name),
            status=Signature.Status.DECLINED,
            declined_on=datetime.date(2025, 2, 11),
            source_url=PARIS_SOURCE,
        )
    commitments = DeclarationFactory(
        title="Frontier AI Safety Commitments", summit=seoul
    )
    SignatureFactory(declaration=commitments, signatory=SignatoryFactory(name="Acme"))
    post = ArticleFactory(
        title="Why the Paris summit changed its name",
        slug="paris-name",
        lede="Safety became one track of five.",
        body="The summit was **renamed** from *AI Safety* to *AI Action*.\n\n"
        "## What changed\n\n- five tracks\n- one on safety\n\n"
        "> Safety is no longer the headline.",
        author_name="Ada Lovelace",
    )
    post.summits.add(paris)
    post.declarations.add(statement)
    press = ArticleFactory(
        title="UK and US decline to sign Paris AI statement",
        slug="uk-us-decline",
        kind=Article.Kind.PRESS,
        lede="Britain and America stayed out of the summit's final statement.",
        body="The two countries said the text did not go far enough on security.",
        author_name="A. Reporter",
        outlet="The Gazette",
        original_url="https://example.org/gazette/uk-us-decline",
        original_published_on=datetime.date(2025, 2, 11),
    )
    press.summits.add(paris)
    ArticleFactory(title="DRAFT-MARKER in the works", draft=True)


def test_home_page(page, live_server, site, screenshot, assert_accessible):
    visit(page, live_server, "/")

    assert page.locator("h1").count() == 1
    assert "who refused" in h1(page)
    featured = page.locator(".home-featured")
    assert "next summit" in featured.inner_text().lower()
    assert "AI Impact Summit" in featured.inner_text()
    timeline = page.locator(".timeline > li")
    assert timeline.count() == 4
    assert "Bletchley" in timeline.first.inner_text()
    assert "Why the Paris summit changed its name" in page.inner_text("main")
    assert "DRAFT-MARKER" not in page.content()
    photograph(page, screenshot, assert_accessible, "home")


def test_did_the_uk_sign_the_paris_statement_in_two_clicks(page, live_server, site):
    visit(page, live_server, "/")

    # Click 1: the declaration, from the timeline.
    page.locator(".timeline").get_by_role(
        "link", name="Statement on Inclusive and Sustainable AI"
    ).click()
    arrive(page, re.compile("^Statement on Inclusive and Sustainable AI"))
    # The answer and its source are on that page (the declaration's table).
    # (Its signatories are grouped in tables by status.)
    row = page.locator("tr", has_text="United Kingdom")
    table = page.locator("table", has=row)
    assert "declined" in table.locator("caption").inner_text().lower()
    assert row.locator(f'a[href="{PARIS_SOURCE}"]').count() == 1

    # Or straight from the home page's list of refusals, with the source.
    visit(page, live_server, "/")
    refusal = page.locator(".refusals li", has_text="United Kingdom")
    assert "declined" in refusal.inner_text()
    assert refusal.locator(f'a[href="{PARIS_SOURCE}"]').count() == 1


def test_article_list(page, live_server, site, screenshot, assert_accessible):
    visit(page, live_server, "/articles/")

    assert h1(page) == "Articles and press coverage"
    assert page.locator(".article-card").count() == 2
    photograph(page, screenshot, assert_accessible, "article-list")

    # The filter works without JavaScript: a plain GET form.
    page.select_option("#filter-kind", "press")
    page.click(".filter-form button")
    expect(page).to_have_url(re.compile("kind=press"))
    arrive(page, "Press coverage")
    assert page.locator(".article-card").count() == 1


def test_article_page(page, live_server, site, screenshot, assert_accessible):
    visit(page, live_server, "/articles/paris-name/")

    assert h1(page) == "Why the Paris summit changed its name"
    assert "By Ada Lovelace" in page.inner_text(".article__byline")
    assert page.locator(".prose strong").inner_text() == "renamed"
    related = page.locator(".article__related")
    assert related.get_by_role("link", name="AI Action Summit").count() == 1
    photograph(page, screenshot, assert_accessible, "article-post")


def test_press_item_page(page, live_server, site, screenshot, assert_accessible):
    visit(page, live_server, "/articles/uk-us-decline/")

    assert h1(page) == "UK and US decline to sign Paris AI statement"
    source = page.locator(".press-source")
    assert "The Gazette" in source.inner_text()
    original = source.get_by_role("link", name="Read the original at The Gazette")
    assert original.get_attribute("href") == (
        "https://example.org/gazette/uk-us-decline"
    )
    assert original.get_attribute("rel") == "noopener"
    photograph(page, screenshot, assert_accessible, "article-press")


def test_search_results(page, live_server, site, screenshot, assert_accessible):
    visit(page, live_server, "/")
    page.fill("#site-search-q", "Paris")
    page.press("#site-search-q", "Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=Paris$"))
    page.wait_for_load_state()

    assert "result" in page.inner_text(".search-message")
    titles = page.locator(".search-result h2").all_inner_texts()
    assert "Why the Paris summit changed its name" in titles
    assert not any("DRAFT" in title for title in titles)
    photograph(page, screenshot, assert_accessible, "search-results")


def test_search_with_nothing_to_search(page, live_server, screenshot):
    visit(page, live_server, "/search/?q=%3F%21%3F")

    assert "punctuation" in page.inner_text(".search-message")
    screenshot("search-message-1280")


def test_keyboard_through_the_home_page(page, live_server, site):
    visit(page, live_server, "/")

    use_the_skip_link(page)

    # Every stop in the page shows where focus is, and scrolls into view.
    stops = 0
    for _ in range(25):
        page.keyboard.press("Tab")
        state = focused(page)
        if not state["inMain"]:
            break
        assert state["outline"] != "none" and state["width"] >= 2, state
        assert state["inView"], state
        stops += 1
    assert stops >= 10, "too few keyboard stops in the home page"
