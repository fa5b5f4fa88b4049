"""Conditional GET: a returning visitor, proxy or feed reader gets 304 Not Modified.

Every public page, feed, sitemap and CSV carries an ETag and public
Cache-Control for anonymous visitors (core/middleware_cache.py).
"""

import pytest
from django.urls import Resolver404, resolve

from tests.factories import ArticleFactory, SignatureFactory

pytestmark = [pytest.mark.cache, pytest.mark.django_db]


@pytest.fixture
def content():
    signature = SignatureFactory(
        declaration__title="Seoul Declaration", signatory__name="Canada"
    )
    article = ArticleFactory(title="Seoul, one year on")
    article.declarations.add(signature.declaration)
    return {"declaration": signature.declaration, "article": article}


PUBLIC_URLS = [
    "/",
    "/summits/",
    "/declarations/",
    "/declarations/{declaration.slug}/",
    "/declarations/{declaration.slug}/signatories.csv",
    "/declarations/compare/",
    "/signatories/",
    "/articles/",
    "/articles/{article.slug}/",
    "/articles/feed/",
    "/articles/atom/",
    "/sitemap.xml",
]


def public_url(template, content):
    url = template.format(**content)
    try:
        resolve(url.split("?")[0])
    except Resolver404:
        pytest.skip(f"{url} is not built yet")
    return url


@pytest.mark.parametrize("template", PUBLIC_URLS)
@pytest.mark.parametrize("cache_on", [True, False], ids=["cache on", "cache off"])
def test_a_repeat_request_with_the_etag_gets_304(
    client, content, template, cache_on, settings
):
    settings.PAGE_CACHE_ENABLED = cache_on
    url = public_url(template, content)

    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    cache_control = first["Cache-Control"]
    assert "public" in cache_control
    assert "max-age=60" in cache_control or "max-age" in cache_control

    repeat = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert repeat.status_code == 304
    assert repeat.content == b""
    assert repeat["ETag"] == etag


def test_after_an_edit_the_old_etag_gets_the_new_page(client, content):
    url = content["declaration"].get_absolute_url()
    etag = client.get(url)["ETag"]

    SignatureFactory(declaration=content["declaration"], signatory__name="Rwanda")

    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "Rwanda" in response.content.decode()
    assert response["ETag"] != etag


def test_anonymous_pages_may_be_kept_by_proxies_for_a_minute(client, content):
    response = client.get("/articles/")
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert directives == {"public", "max-age=60", "stale-while-revalidate=600"}


def test_a_head_request_is_answered_from_the_same_cache(client, content):
    page = client.get("/articles/")
    head = client.head("/articles/")
    assert head.status_code == 200
    assert head["X-Cache"] == "HIT"
    assert head.content == b""
    assert head["Content-Length"] == str(len(page.content))
    assert head["ETag"] == page["ETag"]


def test_a_wrong_etag_gets_the_full_page(client, content):
    response = client.get("/articles/", HTTP_IF_NONE_MATCH='"not-the-etag"')
    assert response.status_code == 200
    assert b"Seoul, one year on" in response.content


def test_a_missing_page_is_neither_cached_nor_marked_public(client):
    for _ in range(2):
        response = client.get("/articles/no-such-article/")
        assert response.status_code == 404
        assert "X-Cache" not in response
        assert "public" not in response.get("Cache-Control", "")


def test_staff_get_no_etag_and_no_public_caching(staff_client, content):
    response = staff_client.get("/articles/")
    assert response.status_code == 200
    assert "ETag" not in response
    assert "public" not in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
