"""What search engines and link previews see: sitemap, robots.txt, head tags."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from articles.models import Article
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    SignatoryFactory,
    SignatureFactory,
    SummitFactory,
)

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
BREAKOUT = "</script><script>alert(1)</script>"


def sitemap_entries(client):
    response = client.get(reverse("sitemap"))
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return {
        url.find("sm:loc", SITEMAP_NS).text: url.find("sm:lastmod", SITEMAP_NS)
        for url in root.findall("sm:url", SITEMAP_NS)
    }


def json_ld(html):
    """Every JSON-LD block of a page, parsed."""
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', html, flags=re.S
    )
    return [json.loads(block) for block in blocks]


# --- Sitemap and robots.txt -------------------------------------------------


def test_sitemap_lists_published_content_and_the_main_pages(client):
    summit = SummitFactory()
    declaration = DeclarationFactory(summit=summit)
    signatory = SignatoryFactory()
    SignatureFactory(declaration=declaration, signatory=signatory)
    article = ArticleFactory()

    entries = sitemap_entries(client)

    for item in (summit, declaration, signatory, article):
        location = f"http://testserver{item.get_absolute_url()}"
        assert location in entries
        assert entries[location].text == item.updated_at.date().isoformat()
    assert "http://testserver/" in entries
    assert "http://testserver/declarations/compare/" in entries


def test_sitemap_never_lists_drafts_scheduled_items_or_their_only_signatories(
    client,
):
    hidden = [
        SummitFactory(draft=True),
        SummitFactory(scheduled=True),
        DeclarationFactory(draft=True),
        ArticleFactory(draft=True),
        ArticleFactory(scheduled=True),
    ]
    only_on_a_draft = SignatureFactory(declaration=hidden[2]).signatory
    hidden.append(only_on_a_draft)

    entries = sitemap_entries(client)

    for item in hidden:
        assert f"http://testserver{item.get_absolute_url()}" not in entries


def test_robots_txt_allows_the_site_and_points_to_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "User-agent: *" in text
    assert "Disallow: /admin/" in text and "Disallow: /markdownx/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


# --- Head tags --------------------------------------------------------------


@pytest.mark.parametrize(
    "url_name", ["home:home", "articles:article_list", "home:search"]
)
def test_every_page_has_a_title_description_and_canonical_link(client, url_name):
    html = client.get(reverse(url_name)).content.decode()

    assert re.search(r"<title>[^<]+</title>", html)
    assert re.search(r'<meta name="description" content="[^"]+">', html)
    assert f'<link rel="canonical" href="http://testserver{reverse(url_name)}">' in html
    assert '<meta property="og:title"' in html
    assert '<meta name="twitter:card"' in html


def test_a_filtered_list_page_is_canonical_with_its_filter_only(client):
    ArticleFactory.create_batch(21)

    html = client.get(
        reverse("articles:article_list"), {"kind": "post", "page": 2, "utm": "x"}
    ).content.decode()

    assert (
        '<link rel="canonical" href="http://testserver/articles/?kind=post&amp;page=2">'
        in html
    )


def test_an_article_page_has_link_preview_tags_with_its_cover_image(client):
    article = ArticleFactory(title="Seoul, a year on", lede="One year later.")
    Article.objects.filter(pk=article.pk).update(
        cover_image="covers/seoul.jpg", cover_image_alt="Delegates in Seoul"
    )

    html = client.get(article.get_absolute_url()).content.decode()

    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="Seoul, a year on">' in html
    assert '<meta property="og:description" content="One year later.">' in html
    assert (
        '<meta property="og:image" content="http://testserver/media/covers/seoul.jpg">'
        in html
    )
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert '<meta name="twitter:image:alt" content="Delegates in Seoul">' in html


def test_values_in_head_tags_are_escaped_for_their_attribute(client):
    article = ArticleFactory(title='Say "no" <b>&</b>', lede='"quoted" <i>')

    html = client.get(article.get_absolute_url()).content.decode()

    escaped = "Say &quot;no&quot; &lt;b&gt;&amp;&lt;/b&gt;"
    assert f'<meta property="og:title" content="{escaped}">' in html
    assert "<b>&</b>" not in html


@pytest.mark.parametrize(
    "kind, schema_type", [("post", "BlogPosting"), ("press", "NewsArticle")]
)
def test_an_article_describes_itself_in_json_ld(client, kind, schema_type):
    article = ArticleFactory(
        title="Structured",
        kind=kind,
        author_name="Ada",
        outlet="Gazette",
        original_url="https://example.org/o",
        original_published_on="2025-02-12",
    )

    (data,) = json_ld(client.get(article.get_absolute_url()).content.decode())

    assert data["@type"] == schema_type
    assert data["headline"] == "Structured"
    assert data["author"] == {"@type": "Person", "name": "Ada"}
    assert data["url"] == f"http://testserver{article.get_absolute_url()}"
    assert data["datePublished"].startswith(article.published_at.date().isoformat())


def test_a_title_cannot_break_out_of_the_json_ld_script(client):
    article = ArticleFactory(title=f"Evil {BREAKOUT} & co")

    html = client.get(article.get_absolute_url()).content.decode()

    assert "<script>alert(1)</script>" not in html
    (data,) = json_ld(html)
    assert data["headline"] == f"Evil {BREAKOUT} & co"


def test_a_summit_is_an_event_in_json_ld_for_the_summit_pages():
    """The tag the summit pages include; the summit describes itself."""
    summit = SummitFactory(
        name=f"Summit {BREAKOUT}",
        city="Seoul",
        host_country="KR",
        organiser="Republic of Korea",
    )
    request = RequestFactory().get("/")

    html = Template("{% load seo %}{% jsonld_for summit %}").render(
        Context({"summit": summit, "request": request})
    )

    (data,) = json_ld(html)
    assert data["@type"] == "Event"
    assert data["name"] == f"Summit {BREAKOUT}"
    assert data["startDate"] == "2024-05-21" and data["endDate"] == "2024-05-22"
    assert data["location"]["address"] == {
        "@type": "PostalAddress",
        "addressLocality": "Seoul",
        "addressCountry": "KR",
    }
    assert data["organizer"]["name"] == "Republic of Korea"
    assert data["url"] == f"http://testserver{summit.get_absolute_url()}"


def test_a_declaration_gets_json_ld_too():
    declaration = DeclarationFactory(title="Bletchley Declaration")

    html = Template("{% load seo %}{% jsonld_for declaration %}").render(
        Context({"declaration": declaration})
    )

    (data,) = json_ld(html)
    assert data["@type"] == "CreativeWork"
    assert data["name"] == "Bletchley Declaration"
    assert data["url"].endswith(declaration.get_absolute_url())


@pytest.mark.parametrize(
    "make, schema_type, description",
    [
        (
            lambda: SummitFactory(name="Seoul Summit", summary="Two days in Seoul."),
            "Event",
            "Two days in Seoul.",
        ),
        (
            lambda: DeclarationFactory(title="Seoul Declaration", summary=""),
            "CreativeWork",
            "Who signed and who declined Seoul Declaration, with sources.",
        ),
        (
            lambda: (
                SignatureFactory(
                    signatory=SignatoryFactory(name="Korea", description="A host.")
                ).signatory
            ),
            "Country",
            "A host.",
        ),
    ],
    ids=["summit", "declaration", "signatory"],
)
def test_each_detail_page_carries_the_link_preview_its_model_describes(
    client, make, schema_type, description
):
    item = make()

    html = client.get(item.get_absolute_url()).content.decode()

    url = f"http://testserver{item.get_absolute_url()}"
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta property="og:title" content="{item}">' in html
    assert f'<meta property="og:description" content="{description}">' in html
    assert '<meta property="og:type" content="website">' in html
    (data,) = json_ld(html)
    assert data["@type"] == schema_type
    assert data["url"] == url


def test_a_company_and_an_organisation_are_typed_as_such_in_json_ld():
    company = SignatoryFactory(kind="company", website="https://example.com")
    organisation = SignatoryFactory(kind="organisation")

    assert company.structured_data()["@type"] == "Corporation"
    assert company.structured_data()["sameAs"] == "https://example.com"
    assert organisation.structured_data()["@type"] == "GovernmentOrganization"
    assert "description" not in organisation.structured_data()  # nothing to say


def test_a_staff_preview_of_a_draft_summit_is_never_indexed(admin_client):
    summit = SummitFactory(draft=True)

    html = admin_client.get(summit.get_absolute_url(), {"preview": "1"}).text

    assert '<meta name="robots" content="noindex">' in html


def test_list_pages_are_dated_by_the_newest_item_they_show(client, time_machine):
    time_machine.move_to("2025-01-10 12:00Z")
    declaration = DeclarationFactory()
    time_machine.move_to("2025-02-20 12:00Z")
    ArticleFactory()
    # A draft's later edit is not news on any public list.
    time_machine.move_to("2025-03-30 12:00Z")
    DeclarationFactory(draft=True, summit=None)
    ArticleFactory(draft=True)
    time_machine.move_to("2025-04-01 12:00Z")

    entries = sitemap_entries(client)
    dates = {
        url.removeprefix("http://testserver"): lastmod.text
        for url, lastmod in entries.items()
        if lastmod is not None
    }

    assert dates["/declarations/"] == "2025-01-10"
    assert dates["/summits/"] == "2025-01-10"
    assert dates["/articles/"] == "2025-02-20"
    assert dates["/"] == "2025-02-20"

    time_machine.move_to("2025-04-02 12:00Z")
    SignatureFactory(declaration=declaration)
    dates = {
        url.removeprefix("http://testserver"): lastmod.text
        for url, lastmod in sitemap_entries(client).items()
        if lastmod is not None
    }
    assert dates["/declarations/"] == "2025-04-02"
    assert dates["/signatories/"] == "2025-04-02"
    assert dates["/declarations/compare/"] == "2025-04-02"


def test_an_empty_site_has_list_pages_without_lastmod(client):
    entries = sitemap_entries(client)
    assert entries["http://testserver/declarations/"] is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "short",
        "word " * 2000,  # long: cut at the start
        " " * 5000 + "late words " * 50,  # a start of spaces: the whole text
        "e\u0301" * 3000,  # combining marks: composed, then counted
        "a" + "\u0301\u0302\u0303" * 2000 + " end",  # mostly combining marks
        "x" * 1599 + "\u00e9" + "y" * 10,  # the cut falls beside a letter
        "é\n\n" * 1000,
    ],
)
@pytest.mark.parametrize("length", [1, 110, 160, 200])
def test_truncated_is_truncatechars_reading_only_the_start(text, length):
    from django.utils.text import Truncator

    from core import seo

    assert seo.truncated(text, length) == Truncator(text).chars(length)
    assert seo.truncated(text, length, collapse_spaces=True) == Truncator(
        " ".join(text.split())
    ).chars(length)


def test_truncated_reads_only_the_start_of_a_long_text(monkeypatch):
    from core import seo

    seen = []
    real = seo.Truncator

    def spy(text):
        seen.append(len(text))
        return real(text)

    monkeypatch.setattr(seo, "Truncator", spy)
    seo.truncated("word " * 10_000, 160)
    assert seen == [160 * seo.LOOK_AHEAD]
