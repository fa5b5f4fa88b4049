"""The one visibility rule: each model's public() and nothing else decides.

For Publishable content `public()` is the publishing rule (`published()`);
a signatory is public once it has a position on a public declaration.
"""

import datetime

import pytest
import time_machine
from django.utils import timezone

from articles.models import Article
from core.models import Status
from summits.models import Declaration, Signatory, Summit
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    SignatoryFactory,
    SignatureFactory,
    SummitFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("factory", "model"),
    [
        (ArticleFactory, Article),
        (SummitFactory, Summit),
        (DeclarationFactory, Declaration),
    ],
)
def test_published_excludes_drafts_and_scheduled_items(factory, model):
    live = factory()
    draft = factory(draft=True)
    scheduled = factory(scheduled=True)
    assert list(model.objects.published()) == [live]
    assert list(model.objects.public()) == [live]
    assert [live.is_public(), draft.is_public(), scheduled.is_public()] == [
        True,
        False,
        False,
    ]


def test_a_signatory_is_public_once_it_has_a_position_on_a_public_declaration():
    on_published = SignatureFactory().signatory
    on_draft = SignatureFactory(declaration=DeclarationFactory(draft=True)).signatory
    on_scheduled = SignatureFactory(
        declaration=DeclarationFactory(scheduled=True)
    ).signatory
    nowhere = SignatoryFactory()

    assert list(Signatory.objects.public()) == [on_published]
    assert on_published.is_public()
    assert not any(s.is_public() for s in (on_draft, on_scheduled, nowhere))


def test_a_scheduled_article_appears_once_its_time_passes():
    go_live = timezone.now() + datetime.timedelta(hours=2)
    article = ArticleFactory(published_at=go_live)
    assert not Article.objects.published().exists()
    assert article.is_scheduled
    with time_machine.travel(go_live + datetime.timedelta(seconds=1)):
        assert list(Article.objects.published()) == [article]


def test_publishing_without_a_date_publishes_now():
    article = ArticleFactory(status=Status.PUBLISHED, published_at=None)
    assert article.published_at is not None
    assert article.is_published


def test_a_draft_with_a_past_date_stays_hidden():
    ArticleFactory(
        status=Status.DRAFT, published_at=timezone.now() - datetime.timedelta(days=3)
    )
    assert not Article.objects.published().exists()


def test_related_managers_offer_published_too():
    summit = SummitFactory()
    live = ArticleFactory()
    hidden = ArticleFactory(draft=True)
    live.summits.add(summit)
    hidden.summits.add(summit)
    assert list(summit.articles.published()) == [live]


@pytest.mark.parametrize(
    ("factory", "url"),
    [
        (SummitFactory, "/summits/"),
        (SummitFactory, "/"),
        (DeclarationFactory, "/declarations/"),
        (DeclarationFactory, "/declarations/compare/?kind=all"),
        (ArticleFactory, "/articles/"),
        (ArticleFactory, "/articles/feed/"),
        (ArticleFactory, "/sitemap.xml"),
    ],
)
def test_lists_show_a_scheduled_item_once_its_time_passes(client, factory, url):
    # Regression: a list view whose queryset was built at import time froze
    # the clock, hiding everything published after the server started.
    go_live = timezone.now() + datetime.timedelta(hours=2)
    item = factory(published_at=go_live)
    if isinstance(item, Declaration):
        SignatureFactory(declaration=item)
    # Every list links to the item, so its slug shows where it is listed.
    assert item.slug not in client.get(url).content.decode()
    with time_machine.travel(go_live + datetime.timedelta(seconds=1)):
        assert item.slug in client.get(url).content.decode()
