"""The home page and the article pages, as a visitor and an editor use them."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article
from core.cache import content_changes_batched
from summits.models import Signature
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    SignatoryFactory,
    SignatureFactory,
    SummitFactory,
)

pytestmark = pytest.mark.django_db

HOME = reverse("home:home")
ARTICLES = reverse("articles:article_list")


def page_text(response):
    assert response.status_code == 200
    return response.content.decode()


def count_queries(client, url):
    cache.clear()  # the page cache would answer a repeat without any query
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def assert_queries_do_not_grow(client, url, add_content, django_assert_num_queries):
    """The page makes as many queries with 100 of each thing as with 5."""
    # Batched: one content-version bump per batch rather than per row (what
    # an import does); the page sees the same rows and the same fresh version.
    with content_changes_batched():
        add_content(5)
    few = count_queries(client, url)
    with content_changes_batched():
        add_content(95)
    cache.clear()
    with django_assert_num_queries(few):
        assert client.get(url).status_code == 200


def paris_statement_declined_by_the_uk():
    summit = SummitFactory(
        name="AI Action Summit",
        city="Paris",
        host_country="FR",
        starts_on=datetime.date(2025, 2, 10),
        ends_on=datetime.date(2025, 2, 11),
    )
    statement = DeclarationFactory(
        summit=summit,
        title="Statement on Inclusive and Sustainable AI",
        adopted_on=datetime.date(2025, 2, 11),
    )
    uk = SignatoryFactory(name="United Kingdom")
    SignatureFactory(
        declaration=statement,
        signatory=uk,
        status=Signature.Status.DECLINED,
        declined_on=datetime.date(2025, 2, 11),
        source_url="https://example.org/uk-declines",
    )
    SignatureFactory(declaration=statement, signatory=SignatoryFactory(name="France"))
    return summit, statement


# --- Home -----------------------------------------------------------------


def test_home_page_shows_the_timeline_the_news_and_the_key_figures(client):
    summit, statement = paris_statement_declined_by_the_uk()
    SummitFactory(
        name="AI Impact Summit",
        city="New Delhi",
        starts_on=datetime.date.today() + datetime.timedelta(days=60),
        ends_on=datetime.date.today() + datetime.timedelta(days=61),
    )
    ArticleFactory(title="What Paris decided")
    ArticleFactory(
        title="The UK stays out",
        kind=Article.Kind.PRESS,
        outlet="The Gazette",
        original_url="https://example.org/gazette",
        original_published_on=datetime.date(2025, 2, 12),
    )

    response = client.get(HOME)
    html = page_text(response)

    assert html.count("<h1") == 1
    assert "Next summit" in html and "AI Impact Summit" in html
    assert "AI Action Summit" in html and "10–11 February 2025" in html
    assert "Paris, France" in html
    assert "What Paris decided" in html and "The UK stays out" in html
    assert response.context["front"].figures == {
        "declarations": 1,
        "signatories": 2,
        "signatures": 2,
        "signed": 1,
        "declined": 1,
        "unsourced": 0,
        "partial": 0,
    }


def test_did_the_uk_sign_the_paris_statement_is_two_clicks_from_home(client):
    """Home links straight to the declaration, and lists the refusal's source."""
    summit, statement = paris_statement_declined_by_the_uk()

    html = page_text(client.get(HOME))

    assert f'href="{statement.get_absolute_url()}"' in html
    assert "United Kingdom</a> declined" in html
    assert 'href="https://example.org/uk-declines"' in html


def test_when_no_summit_is_ahead_home_features_the_latest(client):
    SummitFactory(name="Bletchley", starts_on=datetime.date(2023, 11, 1),
                  ends_on=datetime.date(2023, 11, 2))  # fmt: skip
    SummitFactory(name="Seoul", starts_on=datetime.date(2024, 5, 21),
                  ends_on=datetime.date(2024, 5, 22))  # fmt: skip

    response = client.get(HOME)

    assert response.context["front"].featured_summit.name == "Seoul"
    assert "Latest summit" in page_text(response)


def test_home_never_shows_drafts_or_scheduled_items_nor_counts_them(client):
    paris_statement_declined_by_the_uk()
    SummitFactory(name="DRAFT-SUMMIT-MARKER", draft=True)
    SummitFactory(name="SCHEDULED-SUMMIT-MARKER", scheduled=True)
    hidden = DeclarationFactory(title="DRAFT-DECLARATION-MARKER", draft=True)
    SignatureFactory(declaration=hidden, status=Signature.Status.DECLINED)
    ArticleFactory(title="DRAFT-ARTICLE-MARKER", draft=True)
    ArticleFactory(title="SCHEDULED-ARTICLE-MARKER", scheduled=True)

    response = client.get(HOME)
    html = page_text(response)

    assert "MARKER" not in html
    assert response.context["front"].figures["declarations"] == 1
    assert response.context["front"].figures["signatories"] == 2
    assert response.context["front"].figures["signatures"] == 2
    assert response.context["front"].figures["declined"] == 1


def test_home_query_count_does_not_grow_with_the_content(
    client, django_assert_num_queries
):
    def build(n):
        for _ in range(n):
            summit = SummitFactory()
            declaration = DeclarationFactory(summit=summit)
            SignatureFactory(declaration=declaration)
            SignatureFactory(declaration=declaration, status=Signature.Status.DECLINED)
            ArticleFactory()
            ArticleFactory(
                kind=Article.Kind.PRESS,
                outlet="Outlet",
                original_url="https://example.org/",
                original_published_on=datetime.date(2025, 1, 1),
            )

    assert_queries_do_not_grow(client, HOME, build, django_assert_num_queries)


# --- Article list -----------------------------------------------------------


def test_article_list_shows_published_articles_newest_first(client):
    ArticleFactory(title="Older", published_at="2025-01-01T10:00:00Z")
    ArticleFactory(title="Newer", published_at="2025-02-01T10:00:00Z")

    html = page_text(client.get(ARTICLES))

    assert html.index("Newer") < html.index("Older")


def test_article_list_never_shows_drafts_or_scheduled_items(client):
    ArticleFactory(title="Published piece")
    ArticleFactory(title="DRAFT-ARTICLE-MARKER", draft=True)
    ArticleFactory(title="SCHEDULED-ARTICLE-MARKER", scheduled=True)
    SummitFactory(name="DRAFT-SUMMIT-MARKER", draft=True)  # not in the filter

    html = page_text(client.get(ARTICLES))

    assert "Published piece" in html
    assert "MARKER" not in html


def test_article_list_filters_by_kind_and_by_summit(client):
    seoul = SummitFactory(name="Seoul")
    post = ArticleFactory(title="Our Seoul post")
    post.summits.add(seoul)
    ArticleFactory(title="Unrelated post")
    ArticleFactory(
        title="Seoul in the papers",
        kind=Article.Kind.PRESS,
        outlet="Daily",
        original_url="https://example.org/",
        original_published_on=datetime.date(2024, 5, 22),
    )

    press = page_text(client.get(ARTICLES, {"kind": "press"}))
    on_seoul = page_text(client.get(ARTICLES, {"summit": seoul.slug}))

    assert "Seoul in the papers" in press and "Our Seoul post" not in press
    assert "Our Seoul post" in on_seoul and "Unrelated post" not in on_seoul
    assert "<h1>Articles on Seoul</h1>" in on_seoul


def test_article_list_ignores_filter_values_that_name_nothing(client):
    ArticleFactory(title="Still listed")
    draft_summit = SummitFactory(draft=True)

    for params in (
        {"kind": "nonsense"},
        {"summit": "no-such-summit"},
        {"summit": draft_summit.slug},
        {"page": "999"},
    ):
        assert "Still listed" in page_text(client.get(ARTICLES, params)), params


def test_article_list_has_twenty_a_page_and_keeps_the_filter(client):
    ArticleFactory.create_batch(25, kind=Article.Kind.POST)

    first = client.get(ARTICLES, {"kind": "post"})
    second = client.get(ARTICLES, {"kind": "post", "page": 2})

    assert len(first.context["listing"].articles) == 20
    assert len(second.context["listing"].articles) == 5
    assert "?kind=post&amp;page=2" in page_text(first)


def test_article_list_query_count_does_not_grow(client, django_assert_num_queries):
    summit = SummitFactory()

    def build(n):
        for article in ArticleFactory.create_batch(n):
            article.summits.add(summit)

    url = f"{ARTICLES}?summit={summit.slug}"
    assert_queries_do_not_grow(client, url, build, django_assert_num_queries)


# --- Article detail ---------------------------------------------------------


def test_article_page_shows_the_article_and_its_published_relations(client):
    summit = SummitFactory(name="Seoul Summit")
    declaration = DeclarationFactory(title="Seoul Declaration", summit=summit)
    article = ArticleFactory(
        title="Seoul, a year on",
        lede="A short lede.",
        body="The **body** text.",
        author_name="Ada Lovelace",
        published_at="2025-05-21T09:00:00Z",
    )
    article.summits.add(summit, SummitFactory(name="DRAFT-SUMMIT-MARKER", draft=True))
    article.declarations.add(
        declaration, DeclarationFactory(title="DRAFT-DECL-MARKER", draft=True)
    )

    html = page_text(client.get(article.get_absolute_url()))

    assert "<h1>Seoul, a year on</h1>" in html
    assert "A short lede." in html
    assert "By Ada Lovelace" in html and "21 May 2025" in html
    assert "<strong>body</strong>" in html
    assert f'href="{summit.get_absolute_url()}"' in html
    assert f'href="{declaration.get_absolute_url()}"' in html
    assert "MARKER" not in html


def test_a_press_item_names_the_outlet_and_links_out_to_the_original(client):
    article = ArticleFactory(
        kind=Article.Kind.PRESS,
        outlet="The Gazette",
        original_url="https://example.org/original",
        original_published_on=datetime.date(2025, 2, 12),
    )

    html = page_text(client.get(article.get_absolute_url()))

    assert "Originally published by <strong>The Gazette</strong>" in html
    assert "12 February 2025" in html
    assert '<a class="button button--quiet" href="https://example.org/original"' in html
    assert 'rel="noopener"' in html


def test_a_cover_image_is_shown_with_its_alt_text(client, tmp_path):
    article = ArticleFactory()
    # Stored directly: the upload pipeline is tested in test_uploads.py.
    Article.objects.filter(pk=article.pk).update(
        cover_image="covers/summit.jpg", cover_image_alt="Leaders on a stage"
    )

    html = page_text(client.get(article.get_absolute_url()))

    assert 'src="/media/covers/summit.jpg" alt="Leaders on a stage"' in html


@pytest.mark.parametrize("state", ["draft", "scheduled"])
def test_a_draft_or_scheduled_article_is_not_found(client, state):
    article = ArticleFactory(title="Embargoed Story", **{state: True})

    response = client.get(article.get_absolute_url())

    assert response.status_code == 404
    html = response.content.decode()
    assert "We can’t find that page" in html
    assert "Embargoed Story" not in html


def test_staff_preview_a_draft_marked_as_preview_and_never_cached(staff_client):
    article = ArticleFactory(title="Work in progress", draft=True)

    response = staff_client.get(article.get_absolute_url(), {"preview": "1"})

    html = page_text(response)
    assert "Preview — not published" in html
    assert '<meta name="robots" content="noindex">' in html
    assert "no-store" in response["Cache-Control"]


def test_feed_and_atom_are_not_read_as_article_slugs(client):
    ArticleFactory(title="Feed", slug="feed")

    response = client.get(reverse("articles:feed_rss"))

    assert response["Content-Type"].startswith("application/rss+xml")


def test_article_page_query_count_does_not_grow(client, django_assert_num_queries):
    article = ArticleFactory()

    def relate(n):
        for _ in range(n):
            article.summits.add(SummitFactory())
            article.declarations.add(DeclarationFactory())

    url = article.get_absolute_url()
    assert_queries_do_not_grow(client, url, relate, django_assert_num_queries)
