"""Cite this record: permalink, last updated (from revisions) and a citation."""

import datetime

import pytest
import reversion
from django.utils import timezone
from reversion.models import Revision

from core.citation import bibtex_escape, last_updated
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    GroupFactory,
    MembershipFactory,
    SeriesFactory,
    SignatureFactory,
    SummitFactory,
)

pytestmark = pytest.mark.django_db


def test_bibtex_special_characters_are_escaped():
    assert bibtex_escape("R&D 100% {x} $5 #1 a_b ^ ~ \\") == (
        r"R\&D 100\% \{x\} \$5 \#1 a\_b \^{} \~{} \textbackslash{}"
    )


def test_a_declaration_page_shows_permalink_last_updated_and_citations(client):
    declaration = DeclarationFactory(title="The R&D {Pledge}", slug="rd-pledge")
    with reversion.create_revision():
        declaration.save()
    revised = timezone.now() - datetime.timedelta(days=400)
    Revision.objects.update(date_created=revised)
    type(declaration).objects.filter(pk=declaration.pk).update(updated_at=revised)

    page = client.get(declaration.get_absolute_url()).content.decode()

    assert "Cite this record" in page
    assert "http://testserver/declarations/rd-pledge/" in page
    day = timezone.localdate(revised)
    assert "Last updated</dt>" in page
    assert f"{day.day} {day:%B %Y}</time>" in page
    assert f"year = {{{day.year}}}" in page
    assert "@misc{summitwatch-rd-pledge," in page
    # BibTeX's specials escaped inside the entry, HTML-escaped around that.
    assert r"title = {The R\&amp;D \{Pledge\}}" in page
    assert "author = {{Summit Watch}}" in page
    assert "Summit Watch. “The R&amp;D {Pledge}”." in page


def test_last_updated_is_the_newest_revision_else_updated_at():
    summit = SummitFactory()
    assert last_updated(summit) == summit.updated_at
    with reversion.create_revision():
        summit.save()
    later = timezone.now() + datetime.timedelta(hours=1)
    Revision.objects.update(date_created=later)
    assert last_updated(summit) == later


@pytest.mark.parametrize(
    "make",
    [
        lambda: SummitFactory(),
        lambda: DeclarationFactory(),
        lambda: SignatureFactory().signatory,
        lambda: ArticleFactory(),
        lambda: SummitFactory(series=SeriesFactory()).series,
        lambda: (
            MembershipFactory(
                group=GroupFactory(), signatory=SignatureFactory().signatory
            ).group
        ),
    ],
    ids=["summit", "declaration", "signatory", "article", "series", "group"],
)
def test_every_public_record_page_offers_a_citation(client, make):
    record = make()
    page = client.get(record.get_absolute_url()).content.decode()
    assert "Cite this record" in page
    assert f"@misc{{summitwatch-{record.slug}," in page
    assert f"http://testserver{record.get_absolute_url()}" in page
