"""Content model rules enforced by the database and by clean()."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from articles.models import Article
from summits.models import Signatory, Summit
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    SignatoryFactory,
    SignatureFactory,
    SummitFactory,
)

pytestmark = pytest.mark.django_db


def test_the_database_refuses_a_second_signature_for_the_same_pair():
    signature = SignatureFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SignatureFactory(
            declaration=signature.declaration, signatory=signature.signatory
        )


def test_the_database_refuses_a_summit_that_ends_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        SummitFactory(
            starts_on=datetime.date(2024, 5, 22), ends_on=datetime.date(2024, 5, 21)
        )


def test_full_clean_explains_a_summit_that_ends_before_it_starts():
    summit = Summit(
        name="Backwards",
        starts_on=datetime.date(2024, 5, 22),
        ends_on=datetime.date(2024, 5, 21),
    )
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        summit.full_clean()


def test_a_press_item_needs_outlet_url_and_original_date():
    article = Article(title="Coverage", kind=Article.Kind.PRESS)
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert {"outlet", "original_url", "original_published_on"} <= set(
        error.value.message_dict
    )


def test_a_complete_press_item_is_valid():
    article = Article(
        title="Coverage",
        slug="coverage",
        kind=Article.Kind.PRESS,
        outlet="Sky News",
        original_url="https://news.example/story",
        original_published_on=datetime.date(2023, 11, 2),
    )
    article.full_clean()


def test_a_cover_image_needs_alt_text():
    article = Article(title="Pictured", slug="pictured", cover_image="covers/x.png")
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert "cover_image_alt" in error.value.message_dict


def test_slugs_are_generated_unique_and_stable():
    first = ArticleFactory(title="Bletchley: what next?")
    second = ArticleFactory(title="Bletchley: what next?")
    assert first.slug == "bletchley-what-next"
    assert second.slug == "bletchley-what-next-2"
    first.title = "A new title"
    first.save()
    first.refresh_from_db()
    assert first.slug == "bletchley-what-next"


def test_a_title_without_letters_still_gets_a_slug():
    assert ArticleFactory(title="!!!").slug == "article"


def test_non_ascii_names_get_ascii_slugs():
    assert SignatoryFactory(name="Türkiye").slug == "turkiye"


def test_signatory_kinds_cover_countries_organisations_and_companies():
    assert {c for c, _ in Signatory.Kind.choices} == {
        "country",
        "organisation",
        "company",
        "other",
    }


def test_links_must_be_web_addresses_a_visitor_can_open():
    for model_factory, field in [
        (SignatoryFactory, "website"),
        (SummitFactory, "website"),
        (DeclarationFactory, "source_url"),
    ]:
        item = model_factory.build(**{field: "ftp://files.example/declaration.pdf"})
        with pytest.raises(ValidationError) as error:
            item.full_clean(exclude=["summit"])
        assert "http:// or https://" in str(error.value.message_dict[field])
        setattr(item, field, "https://www.gov.uk/declaration")
        item.full_clean(exclude=["summit"])


@pytest.mark.parametrize(
    ("factory", "title", "reserved"),
    [(DeclarationFactory, "Compare", "compare"), (ArticleFactory, "Feed", "feed"),
     (ArticleFactory, "Atom", "atom")],
)  # fmt: skip
def test_slugs_never_take_the_address_of_a_site_page(factory, title, reserved):
    item = factory(title=title)
    assert item.slug == f"{reserved}-2"
    assert factory().get_absolute_url() != item.get_absolute_url()
    item.slug = reserved
    with pytest.raises(ValidationError) as error:
        item.full_clean(exclude=["summit"])
    assert "own pages" in str(error.value.message_dict["slug"])
