"""The RSS and Atom feeds, as a feed reader sees them."""

import datetime
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article
from core.cache import content_changes_batched
from core.markdown import absolutise_urls
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

RSS = reverse("articles:feed_rss")
ATOM = reverse("articles:feed_atom")


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return response, feed


def test_rss_is_rss_2_with_the_full_article_author_and_date(client):
    ArticleFactory(
        title="Seoul, a year on",
        body="The **whole** article.",
        author_name="Ada Lovelace",
        published_at="2025-05-21T09:00:00Z",
    )

    response, feed = fetch(client, RSS)

    assert response["Content-Type"].startswith("application/rss+xml")
    assert feed.version == "rss20"
    (entry,) = feed.entries
    assert entry.title == "Seoul, a year on"
    assert "<strong>whole</strong>" in entry.description
    assert entry.author_detail.name == "Ada Lovelace"
    assert entry.published_parsed[:3] == (2025, 5, 21)
    assert entry.link.startswith("http://testserver/articles/")


def test_atom_has_the_lede_as_summary_and_the_article_as_content(client):
    ArticleFactory(title="Atom item", lede="In short.", body="In *full*.")

    response, feed = fetch(client, ATOM)

    assert response["Content-Type"].startswith("application/atom+xml")
    assert feed.version == "atom10"
    (entry,) = feed.entries
    assert entry.summary == "In short."
    assert "<em>full</em>" in entry.content[0].value
    assert entry.link.startswith("http://testserver/articles/")


def test_a_press_item_in_the_feed_names_its_outlet(client):
    ArticleFactory(
        title="The UK stays out",
        kind=Article.Kind.PRESS,
        outlet="The Gazette",
        author_name="",
        original_url="https://example.org/",
        original_published_on=datetime.date(2025, 2, 12),
    )

    _, feed = fetch(client, RSS)

    assert feed.entries[0].title == "The UK stays out (The Gazette)"


@pytest.mark.parametrize("url", [RSS, ATOM])
def test_drafts_and_scheduled_articles_are_not_in_the_feeds(client, url):
    ArticleFactory(title="Out now")
    ArticleFactory(title="DRAFT-MARKER", body="DRAFT-BODY-MARKER", draft=True)
    ArticleFactory(title="SCHEDULED-MARKER", scheduled=True)

    response, feed = fetch(client, url)

    assert [entry.title for entry in feed.entries] == ["Out now"]
    assert b"MARKER" not in response.content


@pytest.mark.parametrize("url", [RSS, ATOM])
def test_the_feeds_carry_the_latest_twenty(client, url):
    ArticleFactory.create_batch(25)

    _, feed = fetch(client, url)

    assert len(feed.entries) == 20


@pytest.mark.parametrize("url", [RSS, ATOM])
def test_markup_in_a_title_is_escaped_not_interpreted(client, url):
    ArticleFactory(title="<script>alert(1)</script> & friends")

    response, feed = fetch(client, url)

    assert b"<script>" not in response.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt; &amp; friends" in response.content
    assert feed.entries[0].title == "<script>alert(1)</script> & friends"


@pytest.mark.parametrize("url", [RSS, ATOM])
def test_feed_query_count_does_not_grow(client, django_assert_num_queries, url):
    # Batched, as an import saves: one content-version bump per batch.
    with content_changes_batched():
        ArticleFactory.create_batch(5)
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    with content_changes_batched():
        ArticleFactory.create_batch(95)
    cache.clear()
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert len(feedparser.parse(response.content).entries) == 20


@pytest.mark.parametrize(
    ("url", "element"),
    [
        (RSS, "channel/item/description"),
        (
            ATOM,
            "{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}content",
        ),
    ],
)
def test_links_and_images_in_the_body_are_absolute(client, url, element):
    ArticleFactory(
        slug="on-bletchley",
        body="See [the declaration](/declarations/bletchley/) and "
        "[its source](https://www.gov.uk/x?a=1&b=2).\n\n![A chart](/media/chart.png)",
    )
    # Raw XML: feedparser would resolve relative links itself, a reader may not.
    body = ET.fromstring(client.get(url).content).find(element).text
    assert 'href="http://testserver/declarations/bletchley/"' in body
    assert 'src="http://testserver/media/chart.png"' in body
    assert 'href="https://www.gov.uk/x?a=1&amp;b=2"' in body
    assert 'href="/' not in body and 'src="/' not in body


def test_absolutise_urls_leaves_absolute_and_mailto_links_alone():
    html = (
        '<a href="/a?b=1&amp;c=2">x</a><a href="mailto:ed@example.org">m</a>'
        '<a href="#fn:1">1</a><img src="pic.png" alt="">'
    )
    assert absolutise_urls(html, "https://site.example/articles/one/") == (
        '<a href="https://site.example/a?b=1&amp;c=2">x</a>'
        '<a href="mailto:ed@example.org">m</a>'
        '<a href="https://site.example/articles/one/#fn:1">1</a>'
        '<img src="https://site.example/articles/one/pic.png" alt="">'
    )
