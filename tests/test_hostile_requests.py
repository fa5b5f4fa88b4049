"""Hostile request parameters get an answer, never a server error.

Run on SQLite and again on PostgreSQL in CI: a NUL character that SQLite
stores happily makes PostgreSQL raise, so the NUL cases matter most there.
"""

import pytest
from django.urls import reverse

from editorial.models import PreviewLink
from tests.factories import ArticleFactory, DeclarationFactory, SignatureFactory

pytestmark = pytest.mark.django_db

PUBLIC_LISTS = [
    "/",
    "/summits/",
    "/declarations/",
    "/declarations/compare/",
    "/signatories/",
    "/articles/",
    "/search/",
    "/sitemap.xml",
    "/articles/feed/",
]
PARAMETERS = ["q", "page", "d", "kind", "summit", "preview"]
JUNK = [
    "abc",
    "-1",
    "0",
    "99999999999999999999",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "x" * 1000,
    "\u202e\ufeffÅ日本",
    "%",
    "all",
]


@pytest.fixture
def content():
    declaration = DeclarationFactory(slug="bletchley")
    SignatureFactory(declaration=declaration)
    ArticleFactory().summits.add(declaration.summit)


@pytest.mark.parametrize("url", PUBLIC_LISTS)
def test_junk_in_any_parameter_never_breaks_a_public_page(client, content, url):
    for name in PARAMETERS:
        for value in JUNK:
            response = client.get(url, {name: value})
            assert response.status_code in (200, 301, 302, 404), (name, value)


@pytest.mark.parametrize("url", PUBLIC_LISTS)
def test_a_nul_character_in_a_parameter_is_a_clear_400(client, content, url):
    for name in PARAMETERS:
        response = client.get(url, {name: "a\x00b"})
        assert response.status_code == 400, name
        assert "U+0000" in response.content.decode()
    assert client.get(url, {"a\x00": "1"}).status_code == 400


def test_nul_in_admin_filters_autocomplete_and_small_forms_is_a_400(staff_client):
    article = ArticleFactory(draft=True)
    for url, params in [
        ("/admin/summits/summit/", {"host_country": "\x00"}),
        ("/admin/summits/declaration/", {"kind": "\x00"}),
        ("/admin/articles/article/", {"q": "a\x00b"}),
        (
            "/admin/autocomplete/",
            {"term": "a\x00b", "app_label": "summits", "model_name": "signature",
             "field_name": "signatory"},
        ),
    ]:  # fmt: skip
        assert staff_client.get(url, params).status_code == 400, url
    links = reverse("admin:articles_article_preview_links", args=[article.pk])
    # As a browser sends that form (urlencoded): stopped by the middleware.
    response = staff_client.post(
        links,
        "note=for%00review&lifetime=day",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400


def test_the_preview_links_form_takes_crafted_posts_without_a_500(staff_client):
    article = ArticleFactory(draft=True)
    links = reverse("admin:articles_article_preview_links", args=[article.pk])
    # Multipart passes the middleware: the view itself must cope.
    response = staff_client.post(links, {"note": "for\x00review", "lifetime": "x"})
    assert response.status_code == 200
    assert PreviewLink.objects.for_object(article).get().note == "forreview"
    for junk in ("abc", "", "-1", "99999999999999999999999"):
        assert staff_client.post(links, {"revoke": junk}).status_code == 404


def test_a_multipart_form_with_nul_gets_the_forms_own_message(staff_client):
    # Multipart bodies are left to the form fields, which name the field.
    response = staff_client.post(
        reverse("admin:articles_article_add"),
        {"title": "a\x00b", "kind": "post", "status": "draft"},
        format="multipart",
    )
    assert response.status_code == 200
    assert "Null characters are not allowed." in str(
        response.context["adminform"].form.errors["title"]
    )
