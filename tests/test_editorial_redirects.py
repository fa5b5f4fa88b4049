"""Renaming a published page keeps the links newspapers already printed working.

When an editor changes the slug of a published item, its old address answers
301 with the new one; however many renames, one hop; an item that later takes
the old slug gets the address; drafts never leak where they went.
"""

import pytest
from django.core.cache import cache
from django.urls import reverse

from editorial.models import SlugRedirect
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    SignatoryFactory,
    SummitFactory,
)

pytestmark = pytest.mark.django_db


def rename(obj, slug):
    obj.slug = slug
    obj.save()
    return obj


def test_the_old_address_of_a_renamed_article_answers_301_to_the_new_one(client):
    article = ArticleFactory(slug="seoul-sumit")
    rename(article, "seoul-summit")

    response = client.get("/articles/seoul-sumit/")
    assert response.status_code == 301
    assert response["Location"] == "/articles/seoul-summit/"
    assert client.get("/articles/seoul-summit/").status_code == 200


def test_two_renames_still_take_one_hop(client):
    summit = SummitFactory(slug="first")
    rename(summit, "second")
    rename(summit, "third")

    for old in ("/summits/first/", "/summits/second/"):
        response = client.get(old)
        assert response.status_code == 301
        assert response["Location"] == "/summits/third/"


def test_the_query_string_and_pages_below_the_item_follow_it(client):
    declaration = DeclarationFactory(slug="old-name")
    rename(declaration, "new-name")

    response = client.get("/declarations/old-name/?ref=newsletter")
    assert response["Location"] == "/declarations/new-name/?ref=newsletter"
    response = client.get("/declarations/old-name/signatories.csv")
    assert response.status_code == 301
    assert response["Location"] == "/declarations/new-name/signatories.csv"


def test_a_renamed_signatory_redirects_too(client):
    signatory = SignatoryFactory(name="Turkey", slug="turkey")
    rename(signatory, "turkiye")
    response = client.get("/signatories/turkey/")
    assert response.status_code == 301
    assert response["Location"] == "/signatories/turkiye/"


def test_a_new_item_taking_an_old_slug_wins_over_the_redirect(client):
    first = ArticleFactory(slug="summit-news", title="The first")
    rename(first, "summit-news-2024")
    ArticleFactory(slug="summit-news", title="The newcomer")

    response = client.get("/articles/summit-news/")
    assert response.status_code == 200
    assert "The newcomer" in response.text


def test_renaming_back_and_forth_never_loops(client):
    article = ArticleFactory(slug="a")
    rename(article, "b")
    rename(article, "a")

    assert client.get("/articles/a/").status_code == 200
    response = client.get("/articles/b/")
    assert response.status_code == 301
    assert response["Location"] == "/articles/a/"
    assert not SlugRedirect.objects.filter(old_path="/articles/a/").exists()


def test_a_draft_that_was_never_published_leaves_no_redirect(client):
    article = ArticleFactory(draft=True, slug="working-title")
    rename(article, "final-title")
    assert not SlugRedirect.objects.exists()
    assert client.get("/articles/working-title/").status_code == 404


def test_an_item_taken_back_to_draft_does_not_reveal_its_new_address(client):
    article = ArticleFactory(slug="old")
    rename(article, "new")
    article.status = "draft"
    article.save()
    assert client.get("/articles/old/").status_code == 404


def test_unknown_addresses_are_still_404(client):
    assert client.get("/articles/never-existed/").status_code == 404


def test_the_sitemap_lists_only_the_current_address(client):
    article = ArticleFactory(slug="before")
    rename(article, "after")
    cache.clear()  # the sitemap is cached for an hour

    sitemap = client.get(reverse("sitemap")).content.decode()
    assert "/articles/after/" in sitemap
    assert "/articles/before/" not in sitemap
