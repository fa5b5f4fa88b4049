"""The public change log (/changes/) and its feeds: published changes only."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from changes.models import ChangeEvent
from core.models import Status
from summits.models import Signature
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    SignatoryFactory,
    SignatureFactory,
    SummitFactory,
)

pytestmark = pytest.mark.django_db

CHANGES = reverse("changes:change_list")
FEEDS = [reverse("changes:feed_rss"), reverse("changes:feed_atom")]


def page(client, url=CHANGES):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_signature_reads_as_a_sentence_with_its_date(client):
    mexico = SignatoryFactory(name="Mexico")
    paris = DeclarationFactory(title="Paris statement")
    SignatureFactory(signatory=mexico, declaration=paris)

    text = page(client)
    assert "Mexico</a> signed <a" in text
    assert "Paris statement</a>" in text
    today = timezone.localdate()
    assert "recorded <time" in text and f"{today.day} {today:%B %Y}</time>" in text


def test_a_ratification_reads_as_a_treaty_stage(client):
    convention = DeclarationFactory(title="Convention", kind="treaty", binding=True)
    position = SignatureFactory(
        signatory=SignatoryFactory(name="Norway"), declaration=convention
    )
    position.ratified_on = datetime.date(2025, 3, 3)
    position.ratification_act = "ratification"
    position.save()

    events = ChangeEvent.objects.public().filter(signatory__name="Norway")
    assert [e.sentence() for e in events] == [
        "Convention: Norway ratified",
        "Norway signed Convention",
    ]
    assert "Convention</a>: <a" in page(client)


def test_publication_and_updates_are_listed_newest_first(client):
    summit = SummitFactory(name="Summit X", draft=True)
    summit.status = Status.PUBLISHED
    summit.published_at = timezone.now() - datetime.timedelta(minutes=5)
    summit.save()
    summit.city = "Paris"
    summit.save()
    summit.save()  # a second save within the hour is the same update

    events = ChangeEvent.objects.public().filter(summit=summit)
    assert [e.sentence() for e in events] == [
        "Summit Summit X updated",
        "Summit Summit X published",
    ]


def test_a_draft_declaration_and_its_positions_never_show(client):
    draft = DeclarationFactory(title="Embargoed pledge", draft=True)
    SignatureFactory(signatory=SignatoryFactory(name="Atlantis"), declaration=draft)
    draft.title = "Embargoed pledge, revised"
    draft.save()
    scheduled = DeclarationFactory(title="Scheduled accord", scheduled=True)
    SignatureFactory(declaration=scheduled)
    ArticleFactory(title="Secret article", draft=True)

    assert ChangeEvent.objects.filter(declaration=draft).exists()
    for url in [CHANGES, *FEEDS]:
        text = page(client, url)
        for secret in ("Embargoed", "Atlantis", "Scheduled accord", "Secret article"):
            assert secret not in text, (url, secret)


def test_a_drafts_events_show_once_it_is_public_under_its_public_title(client):
    draft = DeclarationFactory(title="Working title", draft=True)
    SignatureFactory(signatory=SignatoryFactory(name="Atlantis"), declaration=draft)
    assert "Atlantis" not in page(client)

    draft.title = "Final title"
    draft.status = Status.PUBLISHED
    draft.save()

    text = page(client)
    assert "Atlantis</a> signed <a" in text
    assert "Final title" in text and "Working title" not in text


def test_a_declaration_unpublished_again_takes_its_events_away(client):
    declaration = DeclarationFactory(title="Withdrawn text")
    SignatureFactory(declaration=declaration)
    assert "Withdrawn text" in page(client)
    declaration.status = Status.DRAFT
    declaration.save()
    assert "Withdrawn text" not in page(client)


def test_a_status_change_is_a_new_event_and_other_edits_are_not(client):
    position = SignatureFactory(signatory=SignatoryFactory(name="Utopia"))
    position.note = "A typo fixed"
    position.save()
    assert ChangeEvent.objects.filter(kind="position").count() == 1
    position.status = Signature.Status.WITHDRAWN
    position.withdrawn_on = datetime.date(2025, 1, 1)
    position.save()
    newest = ChangeEvent.objects.public().filter(kind="position").first()
    assert newest.sentence().startswith("Utopia withdrew from")


def test_feeds_list_the_sentences(client):
    SignatureFactory(
        signatory=SignatoryFactory(name="Türkiye"),
        declaration=DeclarationFactory(title="Seoul statement"),
    )
    rss = client.get(FEEDS[0])
    assert rss["Content-Type"].startswith("application/rss+xml")
    assert "max-age=900" in rss["Cache-Control"]
    assert "<title>Türkiye signed Seoul statement</title>" in rss.content.decode()
    atom = client.get(FEEDS[1])
    assert atom["Content-Type"].startswith("application/atom+xml")
    assert "Türkiye signed Seoul statement" in atom.content.decode()


def test_the_log_is_paginated_and_a_bad_page_is_not_an_error(client):
    declaration = DeclarationFactory()
    for _ in range(60):
        SignatureFactory(declaration=declaration)
    first = page(client)
    assert first.count('<li id="change-') == 50
    assert "Page 1 of 2" in first
    # 60 positions, and the summit's and the declaration's publication.
    assert page(client, CHANGES + "?page=2").count('<li id="change-') == 12
    assert client.get(CHANGES + "?page=banana").status_code == 200
    assert client.get(CHANGES + "?page=999").status_code == 200


def test_the_change_log_query_count_does_not_grow(client, django_assert_num_queries):
    declaration = DeclarationFactory()
    SignatureFactory(declaration=declaration)
    ArticleFactory()
    # The paginator's count, then the page with every record it names; the
    # menus of editors' pages (base.html).
    with django_assert_num_queries(3):
        client.get(CHANGES)
    for _ in range(30):
        SignatureFactory(declaration=DeclarationFactory())
        ArticleFactory()
    with django_assert_num_queries(3):
        client.get(CHANGES)
