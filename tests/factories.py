"""Small factories for building test data: one call, one realistic object."""

import datetime

import factory
from django.utils import timezone

from articles.models import Article
from core.models import Status
from summits.models import (
    Assessment,
    AssessmentEvidence,
    Commitment,
    Declaration,
    Result,
    Signatory,
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


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    declaration = factory.SubFactory(DeclarationFactory, kind="commitments")
    title = factory.Sequence(lambda n: f"Commitment {n}")
    sequence = factory.Sequence(lambda n: n)
    text = "Publish a *safety framework*."
    deadline = datetime.date(2025, 2, 1)
    deadline_precision = "month"


class AssessmentFactory(PublishedMixin):
    """A published "met" assessment with one evidence link.

    The signatory must have signed the commitment's declaration: give it a
    position first (SignatureFactory), as the model refuses anything else
    in full_clean (factories save without it).
    """

    class Meta:
        model = Assessment
        skip_postgeneration_save = True

    commitment = factory.SubFactory(CommitmentFactory)
    signatory = factory.SubFactory(SignatoryFactory)
    result = Result.MET
    assessed_on = datetime.date(2025, 2, 3)
    assessed_by = "Summit Watch"

    @factory.post_generation
    def evidence(self, create, extracted, **kwargs):
        if create and extracted is not False:
            AssessmentEvidence.objects.create(
                assessment=self,
                source_url=extracted or f"https://example.org/{self.signatory.slug}",
                source_name="Safety framework",
            )
