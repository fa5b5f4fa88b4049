"""Small factories for building test data: one call, one realistic object."""

import datetime
import functools
from unittest import mock

import factory
from django.utils import timezone

from articles.models import Article
from core.cache import content_changes_batched
from core.markdown import render_markdown
from core.models import Status
from pages.models import Page
from summits.models import (
    Assessment,
    AssessmentEvidence,
    Commitment,
    Declaration,
    Group,
    GroupMembership,
    Result,
    Series,
    Signatory,
    SignatoryAlias,
    Signature,
    Summit,
)

# The factories' few default texts would otherwise go through the whole
# markdown pipeline on every save, the largest cost of building test data.
# Keyed on the text, so any text a test passes is rendered exactly as on save.
_render_markdown_once = functools.lru_cache(maxsize=512)(render_markdown)


class ContentFactory(factory.django.DjangoModelFactory):
    """One call, one page-cache bump and one rendering per distinct text.

    A signature built from scratch saves a summit, a declaration, a
    signatory and itself; each save would bump the content version and work
    out the next publication. Batched, as an import does it, the version is
    bumped once, when the factory returns: what a test then sees is the same.
    """

    class Meta:
        abstract = True

    @classmethod
    def _generate(cls, strategy, params):
        if strategy != factory.enums.CREATE_STRATEGY:
            return super()._generate(strategy, params)
        with (
            content_changes_batched(),
            mock.patch("core.models.render_markdown", _render_markdown_once),
        ):
            return super()._generate(strategy, params)


class SignatoryFactory(ContentFactory):
    class Meta:
        model = Signatory

    name = factory.Sequence(lambda n: f"Country {n}")
    kind = Signatory.Kind.COUNTRY


class PublishedMixin(ContentFactory):
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


class SignatureFactory(ContentFactory):
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


class CommitmentFactory(ContentFactory):
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


class SeriesFactory(ContentFactory):
    class Meta:
        model = Series

    name = factory.Sequence(lambda n: f"Summit series {n}")
    organiser = "Host governments in turn"
    description = "Summits that *follow* one another."


class GroupFactory(ContentFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Group {n}")
    kind = Group.Kind.CLUB
    description = "Members, from [the official list](https://example.org/members)."


class MembershipFactory(ContentFactory):
    class Meta:
        model = GroupMembership

    group = factory.SubFactory(GroupFactory)
    signatory = factory.SubFactory(SignatoryFactory)


class AliasFactory(ContentFactory):
    class Meta:
        model = SignatoryAlias

    signatory = factory.SubFactory(SignatoryFactory)
    name = factory.Sequence(lambda n: f"Other name {n}")


class PageFactory(PublishedMixin):
    class Meta:
        model = Page

    title = factory.Sequence(lambda n: f"Page {n}")
    body = "What we do, and how."
