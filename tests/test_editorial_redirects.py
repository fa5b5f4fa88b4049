"""Renaming a published page keeps the links newspapers already printed working.

When an editor changes the slug of a published item, its old address answers
301 with the new one; however many renames, one hop; an item that later takes
the old slug gets the address; drafts never leak where they went.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Status
from editorial.models import SlugRedirect
from summits.models import Declaration, Signatory
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    SignatoryFactory,
    SignatureFactory,
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
    SignatureFactory(signatory=signatory)  # on a published declaration
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

    sitemap = client.get(reverse("sitemap")).content.decode()
    assert "/articles/after/" in sitemap
    assert "/articles/before/" not in sitemap


# --- Nothing a visitor may not see is revealed by a redirect -----------------
#
# Each content model says what is public (`Model.objects.public()`); an old
# address of anything else answers exactly as an address that never existed.


def hidden_signatory(slug):
    """A signatory recorded only on a draft declaration: not public yet."""
    signatory = SignatoryFactory(slug=slug)
    SignatureFactory(signatory=signatory, declaration=DeclarationFactory(draft=True))
    return signatory


HIDDEN_ITEMS = {
    "draft summit": lambda slug: SummitFactory(draft=True, slug=slug),
    "scheduled summit": lambda slug: SummitFactory(scheduled=True, slug=slug),
    "draft declaration": lambda slug: DeclarationFactory(draft=True, slug=slug),
    "scheduled declaration": lambda slug: DeclarationFactory(scheduled=True, slug=slug),
    "draft article": lambda slug: ArticleFactory(draft=True, slug=slug),
    "scheduled article": lambda slug: ArticleFactory(scheduled=True, slug=slug),
    "signatory only on a draft declaration": hidden_signatory,
    "signatory with no position at all": lambda slug: SignatoryFactory(slug=slug),
}

PUBLIC_ITEMS = {
    "summit": lambda slug: SummitFactory(slug=slug),
    "declaration": lambda slug: DeclarationFactory(slug=slug),
    "article": lambda slug: ArticleFactory(slug=slug),
    "signatory": lambda slug: (
        SignatureFactory(signatory=SignatoryFactory(slug=slug)).signatory
    ),
}


def path_with_slug(obj, slug):
    return type(obj)(pk=obj.pk, slug=slug).get_absolute_url()


def assert_like_an_unknown_address(client, response, unknown_path):
    unknown = client.get(unknown_path)
    assert unknown.status_code == 404
    assert response.status_code == 404
    assert "Location" not in response
    assert response.content == unknown.content


@pytest.mark.parametrize("make", HIDDEN_ITEMS.values(), ids=HIDDEN_ITEMS.keys())
def test_renaming_a_hidden_item_never_reveals_its_new_slug(client, make):
    item = make("secret-old-name")
    old_path = item.get_absolute_url()
    rename(item, "secret-new-name")

    response = client.get(old_path)

    assert_like_an_unknown_address(
        client, response, path_with_slug(item, "never-existed")
    )
    assert b"secret-new-name" not in response.content
    assert not SlugRedirect.objects.exists()


@pytest.mark.parametrize("make", PUBLIC_ITEMS.values(), ids=PUBLIC_ITEMS.keys())
def test_renaming_a_public_item_answers_301_to_its_new_slug(client, make):
    item = make("old-name")
    old_path = item.get_absolute_url()
    rename(item, "new-name")

    response = client.get(old_path)

    assert response.status_code == 301
    assert response["Location"] == path_with_slug(item, "new-name")


@pytest.mark.parametrize("make", PUBLIC_ITEMS.values(), ids=PUBLIC_ITEMS.keys())
def test_a_redirect_to_an_item_that_stopped_being_public_answers_404(client, make):
    """The redirect was recorded while the item was public; asked again at
    request time, `public()` now says no, so the new address stays secret."""
    item = make("old-name")
    old_path = item.get_absolute_url()
    rename(item, "new-name")
    assert SlugRedirect.objects.count() == 1
    if isinstance(item, Signatory):
        Declaration.objects.update(status=Status.DRAFT)
    else:
        type(item).objects.filter(pk=item.pk).update(status=Status.DRAFT)

    response = client.get(old_path)

    assert_like_an_unknown_address(
        client, response, path_with_slug(item, "never-existed")
    )


def test_a_signatory_on_a_scheduled_declaration_redirects_once_it_is_published(
    client,
):
    declaration = DeclarationFactory(scheduled=True)
    signatory = SignatoryFactory(slug="old-name")
    SignatureFactory(signatory=signatory, declaration=declaration)
    rename(signatory, "new-name")
    assert client.get("/signatories/old-name/").status_code == 404

    declaration.published_at = timezone.now() - timedelta(minutes=1)
    declaration.save()
    rename(signatory, "newer-name")

    response = client.get("/signatories/new-name/")
    assert response.status_code == 301
    assert response["Location"] == "/signatories/newer-name/"
    # The address only the scheduled record had was never public.
    assert client.get("/signatories/old-name/").status_code == 404
