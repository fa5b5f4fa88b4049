"""Pages built from cached fragments show every edit on the next request.

The page cache is off here, so each request renders the page and its
fragments come from the fragment cache (core/fragments.py). Each story
visits a page (filling the cache), checks that a second visit is answered
from the cache, makes one edit as the admin would (a plain save or delete,
which bumps only its own table's version: factories batch their saves and
would bump every table, hiding a fragment keyed by too few tables), and
checks that the next visit shows it.
"""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from core.models import Status
from pages.models import Menu, Page
from summits.models import Signatory, Signature
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    PageFactory,
    SignatureFactory,
    SummitFactory,
)

pytestmark = [pytest.mark.cache, pytest.mark.django_db]

ARTICLES = "/articles/"
HOME = "/"


@pytest.fixture(autouse=True)
def fragments_only(settings):
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = True


def visit(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def queries_of(client, url):
    with CaptureQueriesContext(connection) as captured:
        visit(client, url)
    return len(captured.captured_queries)


def cached(client, url):
    """Visit twice; the second visit must come from the fragment cache."""
    first = visit(client, url)
    assert queries_of(client, url) == 0, f"{url} was not served from fragments"
    return first


# --- the menus of every page -------------------------------------------------------


def test_a_page_added_to_a_menu_shows_in_header_and_footer(client):
    PageFactory(title="About us", menu=Menu.NONE)
    cached(client, ARTICLES)

    about = Page.objects.get(title="About us")
    about.menu = Menu.FOOTER
    about.save()
    methodology = PageFactory.build(title="Methodology", menu=Menu.HEADER)
    methodology.save()

    html = visit(client, ARTICLES)
    header, footer = html.split("<main", 1)[0], html.split("</main>", 1)[1]
    assert "Methodology" in header and "About us" not in header
    assert "About us" in footer


# --- the article list -------------------------------------------------------------


def test_the_article_list_is_answered_without_a_query(client):
    ArticleFactory.create_batch(3)
    miss = queries_of(client, ARTICLES)
    # The public summits (the filter), the count, the page and the menus.
    assert miss == 4
    assert queries_of(client, ARTICLES) == 0


def test_an_article_published_shows_on_the_next_request(client):
    ArticleFactory(title="Older news")
    cached(client, ARTICLES)

    Article.objects.create(
        title="Breaking: Paris statement",
        slug="breaking",
        status=Status.PUBLISHED,
        published_at=timezone.now(),
    )

    html = visit(client, ARTICLES)
    assert "Breaking: Paris statement" in html
    assert "2 items" in html


def test_an_article_renamed_or_unpublished_shows_on_the_next_request(client):
    ArticleFactory(title="Keeps its place")
    article = ArticleFactory(title="Headline with a typo")
    cached(client, ARTICLES)

    article.title = "Headline, corrected"
    article.save()
    assert "Headline, corrected" in visit(client, ARTICLES)

    article.status = Status.DRAFT
    article.save()
    html = visit(client, ARTICLES)
    assert "Headline, corrected" not in html
    assert "Keeps its place" in html


def test_a_summit_renamed_shows_in_the_filtered_list_and_its_title(client):
    summit = SummitFactory(name="Seoul Summit")
    ArticleFactory().summits.add(summit)
    url = f"{ARTICLES}?summit={summit.slug}"
    cached(client, url)

    summit.name = "AI Seoul Summit"
    summit.save()

    html = visit(client, url)
    assert "<title>Articles on AI Seoul Summit" in html
    assert "<h1>Articles on AI Seoul Summit</h1>" in html


def test_a_scheduled_article_goes_live_by_the_clock():
    noon = datetime.datetime(2025, 2, 10, 12, 0, tzinfo=datetime.UTC)
    with time_machine.travel(noon, tick=False):
        ArticleFactory(title="Already out")
        ArticleFactory(
            title="Paris summit opens",
            published_at=noon + datetime.timedelta(minutes=2),
        )
        client = Client()
        assert "Paris summit opens" not in cached(client, ARTICLES)

    with time_machine.travel(noon + datetime.timedelta(minutes=2, seconds=1)):
        assert "Paris summit opens" in visit(client, ARTICLES)


def test_pages_of_the_list_keep_only_the_filters_understood(client):
    ArticleFactory.create_batch(21, kind=Article.Kind.POST)
    visit(client, f"{ARTICLES}?kind=post&utm_source=someone")

    html = visit(client, f"{ARTICLES}?kind=post")

    assert "?kind=post&amp;page=2" in html
    assert "utm_source" not in html


# --- the home page ----------------------------------------------------------------


def test_the_home_page_is_answered_without_a_query(client):
    SignatureFactory(status=Signature.Status.DECLINED)
    ArticleFactory()
    visit(client, HOME)
    assert queries_of(client, HOME) == 0


def test_a_signature_recorded_shows_in_the_figures_and_the_timeline(client):
    declaration = DeclarationFactory(title="Seoul Declaration")
    SignatureFactory(declaration=declaration)
    html = cached(client, HOME)
    assert "1 signed" in html

    Signature.objects.create(
        declaration=declaration,
        signatory=Signatory.objects.create(name="Kenya"),
        status=Signature.Status.DECLINED,
        declined_on=datetime.date(2024, 5, 22),
        source_url="https://example.org/kenya",
    )

    html = visit(client, HOME)
    assert "1 signed, 1 declined" in html
    assert "<dt>Refusals</dt><dd>1</dd>" in html
    assert "Kenya</a> declined" in html


def test_a_signatory_renamed_shows_among_the_refusals(client):
    signature = SignatureFactory(
        status=Signature.Status.DECLINED, signatory__name="Turkey"
    )
    assert "Turkey</a> declined" in cached(client, HOME)

    signatory = signature.signatory
    signatory.name = "Türkiye"
    signatory.save()

    assert "Türkiye</a> declined" in visit(client, HOME)


def test_an_article_published_shows_in_the_news(client):
    ArticleFactory(title="Last week")
    cached(client, HOME)

    Article.objects.create(
        title="This morning",
        slug="this-morning",
        status=Status.PUBLISHED,
        published_at=timezone.now(),
    )

    assert "This morning" in visit(client, HOME)


def test_the_next_summit_is_under_way_the_next_day_without_any_edit():
    eve = datetime.datetime(2025, 2, 9, 12, 0, tzinfo=datetime.UTC)
    with time_machine.travel(eve, tick=False):
        SummitFactory(
            name="AI Action Summit",
            starts_on=datetime.date(2025, 2, 10),
            ends_on=datetime.date(2025, 2, 11),
        )
        client = Client()
        assert "Next summit" in cached(client, HOME)

    with time_machine.travel(eve + datetime.timedelta(days=1), tick=False):
        html = visit(client, HOME)
        assert "Under way" in html and "Next summit" not in html


def test_a_scheduled_summit_joins_the_timeline_by_the_clock():
    noon = datetime.datetime(2025, 2, 10, 12, 0, tzinfo=datetime.UTC)
    with time_machine.travel(noon, tick=False):
        SummitFactory(name="Bletchley Park")
        SummitFactory(
            name="Paris Action Summit",
            published_at=noon + datetime.timedelta(minutes=5),
        )
        client = Client()
        assert "Paris Action Summit" not in cached(client, HOME)

    with time_machine.travel(noon + datetime.timedelta(minutes=6), tick=False):
        assert "Paris Action Summit" in visit(client, HOME)
