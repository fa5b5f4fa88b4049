"""Small factories for building test data: one call, one realistic object."""

import datetime

import factory
from django.utils import timezone

from articles.models import Article
from core.models import Status
from pages.models import Page
from summits.models import (
    Declaration,
    Group,
    GroupMembership,
    Series,
    Signatory,
    SignatoryAlias,
    Signature,
    Summit,
)


class SignatoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signatory

    name = factory.Sequence(lambda n: f"Country {n}")
    kind = Signatory.Kind.COUNTRY


class PublishedMixin(factory.django.DjangoModelFactory):
    """Published a day ago unless told otherwise."""

    status = Status.PUBLISHED
    published_at = factory.LazyFunction(
        lambda: timezone.now() - datetime.timedelta(days=1)
    )

    class Meta:
        abstract = True

    class Params:
        draft = factory.Trait(status=Status.DRAFT, published_at=None)
        scheduled = factory.Trait(
            published_at=factory.LazyFunction(
                lambda: timezone.now() + datetime.timedelta(days=7)
            )
        )


class SummitFactory(PublishedMixin):
    class Meta:
        model = Summit

    name = factory.Sequence(lambda n: f"AI Summit {n}")
    starts_on = datetime.date(2024, 5, 21)
    ends_on = datetime.date(2024, 5, 22)
    city = "Seoul"
    host_country = "KR"
    body = "The summit **met**."


class DeclarationFactory(PublishedMixin):
    class Meta:
        model = Declaration

    title = factory.Sequence(lambda n: f"Declaration {n}")
    summit = factory.SubFactory(SummitFactory)
    kind = Declaration.Kind.DECLARATION
    adopted_on = datetime.date(2024, 5, 21)
    source_url = "https://example.org/declaration"
    text = "We, the signatories, *agree*."


class SignatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signature

    declaration = factory.SubFactory(DeclarationFactory)
    signatory = factory.SubFactory(SignatoryFactory)
    status = Signature.Status.SIGNED
    # The date goes on the stage the status names, as the admin records it.
    signed_on = factory.LazyAttribute(
        lambda o: datetime.date(2024, 5, 21) if o.status == "signed" else None
    )
    declined_on = factory.LazyAttribute(
        lambda o: datetime.date(2024, 5, 21) if o.status == "declined" else None
    )
    source_url = "https://example.org/source"


class ArticleFactory(PublishedMixin):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article {n}")
    kind = Article.Kind.POST
    lede = "What happened, in one sentence."
    body = "Some *markdown*."
    author_name = "Summit Watch"


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series

    name = factory.Sequence(lambda n: f"Summit series {n}")
    organiser = "Host governments in turn"
    description = "Summits that *follow* one another."


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Group {n}")
    kind = Group.Kind.CLUB
    description = "Members, from [the official list](https://example.org/members)."


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupMembership

    group = factory.SubFactory(GroupFactory)
    signatory = factory.SubFactory(SignatoryFactory)


class AliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignatoryAlias

    signatory = factory.SubFactory(SignatoryFactory)
    name = factory.Sequence(lambda n: f"Other name {n}")


class PageFactory(PublishedMixin):
    class Meta:
        model = Page

    title = factory.Sequence(lambda n: f"Page {n}")
    body = "What we do, and how."
