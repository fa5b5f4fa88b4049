"""Summits, the declarations they produced, and who signed or refused them."""

import reversion
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django_countries.fields import CountryField
from markdownx.models import MarkdownxField

from core import seo
from core.markdown import markdown_length
from core.models import (
    Publishable,
    RenderedMarkdownMixin,
    SlugFromTitleMixin,
    WebURLField,
)
from core.search import SearchDocument


class SignatoryQuerySet(models.QuerySet):
    def public(self):
        """Signatories with a recorded position on a published declaration.

        A signatory has no draft state of its own. One recorded only for a
        draft or scheduled declaration (an embargoed statement, say) must not
        show before that declaration does: every public page, the search and
        the export and the slug redirects ask this, as they ask Publishable
        content's `public()`.
        """
        positions = Signature.objects.filter(
            signatory=OuterRef("pk"), declaration__in=Declaration.objects.public()
        )
        return self.filter(Exists(positions))


# Versioned for the editors' history (editorial.admin.HistoryAdminMixin);
# search_vector is rebuilt on save, so no version stores it.
@reversion.register(exclude=["search_vector"])
class Signatory(SlugFromTitleMixin, seo.DescribesItself, models.Model):
    """A party that can sign: a country, an international organisation, a company.

    Not publishable: a signatory is public as soon as it has a position on a
    published declaration (`Signatory.objects.public()`), and its record page
    lists only published declarations.
    """

    class Kind(models.TextChoices):
        COUNTRY = "country", "Country"
        ORGANISATION = "organisation", "International organisation"
        COMPANY = "company", "Company"
        OTHER = "other", "Other"

    slug_source = "name"
    # A renamed item's old address answers 301 (editorial.signals).
    keeps_old_addresses = True

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COUNTRY)
    country = CountryField(
        blank=True,
        help_text="ISO country; empty for the European Union, other "
        "organisations and companies.",
    )
    website = WebURLField(blank=True)
    description = models.TextField(blank=True, help_text="One or two sentences.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    search_vector = SearchVectorField(null=True, editable=False)

    # What site search reads, by weight (see `core.search`).
    search_document = SearchDocument(a=("name",), b=("description",))

    objects = SignatoryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "signatories"
        indexes = [
            models.Index(fields=["kind", "name"], name="signatory_kind_name_idx")
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("summits:signatory_detail", args=[self.slug])

    def is_public(self):
        """May an anonymous visitor see this signatory's page? (one query)"""
        return Signatory.objects.public().filter(pk=self.pk).exists()

    # schema.org type of each kind of party.
    SCHEMA_TYPES = {
        Kind.COUNTRY: "Country",
        Kind.ORGANISATION: "GovernmentOrganization",
        Kind.COMPANY: "Corporation",
        Kind.OTHER: "Organization",
    }

    def link_preview(self):
        return seo.LinkPreview(
            title=self.name,
            description=seo.plain_description(self.description)
            or f"What {self.name} signed and declined, with sources.",
        )

    def structured_data(self, request=None):
        return seo.schema_org(
            self.SCHEMA_TYPES.get(self.kind, "Organization"),
            {
                "name": self.name,
                "url": seo.absolute(self.get_absolute_url(), request),
                "description": seo.plain_description(self.description),
                "sameAs": self.website,
            },
        )


# Not following its declarations: reverting a summit must never delete
# declarations added since.
@reversion.register(exclude=["search_vector"])
class Summit(
    SlugFromTitleMixin, RenderedMarkdownMixin, seo.DescribesItself, Publishable
):
    """An international meeting on AI, with its dates, place and hosts."""

    slug_source = "name"
    # A renamed item's old address answers 301 (editorial.signals).
    keeps_old_addresses = True
    markdown_fields = {"body": "body_html"}

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    city = models.CharField(max_length=100, blank=True)
    venue = models.CharField(max_length=200, blank=True)
    host_country = CountryField(blank=True)
    organiser = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True, help_text="Plain text, one paragraph.")
    body = MarkdownxField(blank=True, validators=[markdown_length])
    body_html = models.TextField(blank=True, editable=False)
    website = WebURLField("official website", blank=True)
    search_vector = SearchVectorField(null=True, editable=False)

    search_document = SearchDocument(
        a=("name",), b=("summary", "city", "venue", "organiser"), c=("body",)
    )

    class Meta(Publishable.Meta):
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="summit_ends_on_not_before_starts_on",
                violation_error_message="A summit cannot end before it starts.",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("summits:summit_detail", args=[self.slug])

    @property
    def has_ended(self):
        return self.ends_on < timezone.localdate()

    @property
    def no_outcomes_note(self):
        """What to say while no outcome document is recorded, from the dates.

        Derived, never stored: "will be added" is only true before a summit
        ends, and a sentence in the summary would go on saying it for ever.
        """
        if self.has_ended:
            return "No outcome document from this summit is recorded yet."
        return "Outcome documents will be added once the summit has adopted them."

    def link_preview(self):
        return seo.LinkPreview(
            title=self.name,
            description=seo.plain_description(self.summary)
            or f"{self.name}: dates, place, hosts and the declarations it produced.",
        )

    def structured_data(self, request=None):
        place = seo.drop_empty(
            {
                "@type": "Place",
                "name": self.venue or self.city,
                "address": seo.drop_empty(
                    {
                        "@type": "PostalAddress",
                        "addressLocality": self.city,
                        "addressCountry": self.host_country.code or None,
                    }
                ),
            }
        )
        organiser = self.organiser
        return seo.schema_org(
            "Event",
            {
                "name": self.name,
                "url": seo.absolute(self.get_absolute_url(), request),
                "startDate": self.starts_on,
                "endDate": self.ends_on,
                "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
                "location": place,
                "description": seo.plain_description(self.summary),
                "organizer": (
                    {"@type": "Organization", "name": organiser} if organiser else None
                ),
                "sameAs": self.website,
            },
        )


# A declaration owns its signatures: each version keeps them, and reverting
# brings them back.
@reversion.register(exclude=["search_vector"], follow=["signatures"])
class Declaration(
    SlugFromTitleMixin, RenderedMarkdownMixin, seo.DescribesItself, Publishable
):
    """A text that parties sign: a declaration, statement, commitments or treaty.

    `reported_signatory_count` is for lists we only know in part: the site
    shows "N of M recorded" when fewer signatures are recorded than reported.
    """

    reserved_slugs = frozenset({"compare"})  # /declarations/compare/
    # A renamed item's old address answers 301 (editorial.signals).
    keeps_old_addresses = True

    class Kind(models.TextChoices):
        DECLARATION = "declaration", "Declaration"
        STATEMENT = "statement", "Statement"
        COMMITMENTS = "commitments", "Commitments"
        TREATY = "treaty", "Treaty"
        MEMBERSHIP = "membership", "Membership"

    markdown_fields = {"text": "text_html"}

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True, blank=True)
    summit = models.ForeignKey(
        Summit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="declarations",
        help_text="Empty for a treaty that stands alone.",
    )
    kind = models.CharField(
        max_length=20, choices=Kind.choices, default=Kind.DECLARATION
    )
    adopted_on = models.DateField(null=True, blank=True)
    binding = models.BooleanField(
        default=False, help_text="Legally binding on those who sign (and ratify)."
    )
    summary = models.TextField(blank=True, help_text="Plain text, one paragraph.")
    text = MarkdownxField(
        blank=True,
        validators=[markdown_length],
        help_text="The text, or its key passages.",
    )
    text_html = models.TextField(blank=True, editable=False)
    source_url = WebURLField("source URL", max_length=500, blank=True)
    reported_signatory_count = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="How many signatories were reported, when not all are recorded.",
    )
    signatories = models.ManyToManyField(
        Signatory, through="Signature", related_name="declarations"
    )
    search_vector = SearchVectorField(null=True, editable=False)

    search_document = SearchDocument(a=("title",), b=("summary",), c=("text",))

    class Meta(Publishable.Meta):
        ordering = ["-adopted_on", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("summits:declaration_detail", args=[self.slug])

    def link_preview(self):
        return seo.LinkPreview(
            title=self.title,
            description=seo.plain_description(self.summary)
            or f"Who signed and who declined {self.title}, with sources.",
        )

    def structured_data(self, request=None):
        return seo.schema_org(
            "CreativeWork",
            {
                "name": self.title,
                "url": seo.absolute(self.get_absolute_url(), request),
                "description": seo.plain_description(self.summary),
                "dateCreated": self.adopted_on,
                "isBasedOn": self.source_url,
                "publisher": seo.publisher(),
            },
        )


@reversion.register()
class Signature(models.Model):
    """One party's position on one declaration: signed, declined or withdrawn.

    A treaty is signed and later ratified, so it may carry both dates.
    Every signature records where we learned it (`source_url`).
    """

    class Status(models.TextChoices):
        SIGNED = "signed", "Signed"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    declaration = models.ForeignKey(
        Declaration, on_delete=models.CASCADE, related_name="signatures"
    )
    signatory = models.ForeignKey(
        Signatory, on_delete=models.PROTECT, related_name="signatures"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.SIGNED
    )
    date = models.DateField(
        null=True, blank=True, help_text="When it signed, declined or withdrew."
    )
    ratified_on = models.DateField(
        null=True, blank=True, help_text="Treaties only: date of ratification."
    )
    source_url = WebURLField("source URL", max_length=500, blank=True)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["signatory__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "signatory"],
                name="one_signature_per_declaration_and_signatory",
                violation_error_message="This signatory already has a signature "
                "on this declaration.",
            )
        ]
        indexes = [
            models.Index(
                fields=["declaration", "status"], name="signature_decl_status_idx"
            ),
            models.Index(
                fields=["signatory", "status"], name="signature_sig_status_idx"
            ),
        ]

    def __str__(self):
        return f"{self.signatory} — {self.get_status_display()} — {self.declaration}"


def mark_declarations_changed(declaration_ids):
    """Move the declarations' `updated_at` on, as a save would.

    For signatures changed away from their declaration's own form (their
    admin page, a bulk add): a declaration form opened before then carries
    the old `updated_at`, so its save is refused as stale instead of quietly
    putting the old signatures back.
    """
    ids = {pk for pk in declaration_ids if pk is not None}
    if ids:
        Declaration.objects.filter(pk__in=ids).update(updated_at=timezone.now())


def signature_counts(only=None):
    """Annotations counting the signed and declined positions in `signatures`.

    For declarations and signatories alike (both reach their positions as
    `signatures`): `.annotate(**signature_counts())` gives each row
    `signed_count` and `declined_count`. `only` narrows what counts, e.g. to
    positions on published declarations.
    """
    narrowed = Q() if only is None else only
    return {
        "signed_count": Count(
            "signatures",
            filter=narrowed & Q(signatures__status=Signature.Status.SIGNED),
        ),
        "declined_count": Count(
            "signatures",
            filter=narrowed & Q(signatures__status=Signature.Status.DECLINED),
        ),
    }
