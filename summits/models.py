"""Summits, the declarations they produced, and who signed or refused them."""

from urllib.parse import urlencode

import reversion
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.html import strip_tags
from django_countries.fields import CountryField
from markdownx.models import MarkdownxField

from core import seo
from core.markdown import markdown_length
from core.models import (
    Publishable,
    PublishableQuerySet,
    RenderedMarkdownMixin,
    SlugFromTitleMixin,
    WebURLField,
)
from core.names import fold
from core.partial_dates import PartialDateProperty, precision_field
from core.reversing import reverse_slug
from core.search import SearchDocument
from core.share_cards import ShareCard
from summits.world_map import WorldMap


class SignatoryQuerySet(models.QuerySet):
    def public(self, now=None):
        """Signatories with a recorded position on a published declaration.

        A signatory has no draft state of its own. One recorded only for a
        draft or scheduled declaration (an embargoed statement, say) must not
        show before that declaration does: every public page, the search and
        the export and the slug redirects ask this, as they ask Publishable
        content's `public()`.
        """
        positions = Signature.objects.filter(
            signatory=OuterRef("pk"), declaration__in=Declaration.objects.public(now)
        )
        return self.filter(Exists(positions))

    def named(self, text):
        """Signatories whose name or one of whose other names is `text`,
        ignoring case and accents ("turkey", "TÜRKIYE", "uk")."""
        key = fold(text)
        if not key:
            return self.none()
        has_alias = SignatoryAlias.objects.filter(signatory=OuterRef("pk"), folded=key)
        return self.filter(Q(folded_name=key) | Exists(has_alias))


def other_holder_of(key, exclude_pk=None):
    """The signatory (other than `exclude_pk`) already called `key` (folded),
    by its name or one of its other names; None if there is none.

    Names and other names share one space: "UK" cannot mean two parties, or
    bulk add, search and the importer could not tell which one was meant.
    """
    others = (
        Signatory.objects.exclude(pk=exclude_pk) if exclude_pk else Signatory.objects
    )
    matches = others.filter(Q(folded_name=key) | Q(aliases__folded=key))
    return matches.only("name", "slug").first()


# Versioned for the editors' history (editorial.admin.HistoryAdminMixin);
# search_vector is rebuilt on save, so no version stores it.
# A signatory owns its other names (their inline edits them), so reverting
# it puts them back too.
@reversion.register(exclude=["search_vector"], follow=["aliases"])
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
    # The name folded for matching (core.names.fold), kept by save().
    folded_name = models.CharField(
        max_length=200, db_index=True, editable=False, default=""
    )
    # Other names and ISO codes as one text, so that the search document can
    # read them like any field (SQLite's fallback and PostgreSQL's vector).
    other_names_text = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    search_vector = SearchVectorField(null=True, editable=False)

    # What site search reads, by weight (see `core.search`).
    # Other names and ISO codes weigh as much as the name: "Turkey" and
    # "Turkiye" find Türkiye (see searchable_other_names).
    search_document = SearchDocument(
        a=("name", "other_names_text"),
        b=("description", "country.name"),
        names=("name", "other_names", "alpha2", "alpha3"),
        prefetch=("aliases",),
    )

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
        return reverse_slug("summits:signatory_detail", self.slug)

    def is_public(self):
        """May an anonymous visitor see this signatory's page? (one query)"""
        return Signatory.objects.public().filter(pk=self.pk).exists()

    @property
    def other_names(self):
        """The other names, as typed ("UK", "Britain")."""
        return [alias.name for alias in self.aliases.all()]

    @property
    def alpha2(self):
        return self.country.code if self.country else ""

    @property
    def alpha3(self):
        """ISO 3166-1 alpha-3 ("GBR"), derived from the country, never stored."""
        return self.country.alpha3 if self.country else ""

    def clean(self):
        super().clean()
        holder = other_holder_of(fold(self.name), self.pk)
        if holder is not None:
            raise ValidationError(
                {"name": f"“{self.name}” is already a name of {holder.name} "
                 f"({holder.slug}), ignoring case and accents."}
            )  # fmt: skip

    def searchable_other_names(self, aliases=None):
        """Other names, their folded forms and the ISO codes, as one text."""
        if aliases is None:
            aliases = [a.name for a in self.aliases.all()] if self.pk else []
        words = [*aliases, *(fold(a) for a in aliases), fold(self.name)]
        words += [self.alpha2, self.alpha3]
        return " ".join(dict.fromkeys(w for w in words if w))

    def save(self, *args, **kwargs):
        self.folded_name = fold(self.name)
        self.other_names_text = self.searchable_other_names()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {
                *update_fields,
                "folded_name",
                "other_names_text",
            }
        super().save(*args, **kwargs)

    # schema.org type of each kind of party.
    SCHEMA_TYPES = {
        Kind.COUNTRY: "Country",
        Kind.ORGANISATION: "GovernmentOrganization",
        Kind.COMPANY: "Corporation",
        Kind.OTHER: "Organization",
    }

    has_share_card = True

    def link_preview(self):
        return seo.LinkPreview(
            title=self.name,
            description=seo.plain_description(self.description)
            or f"What {self.name} signed and declined, with sources.",
        )

    def share_card(self):
        counts = self.signatures.filter(
            declaration__in=Declaration.objects.public()
        ).aggregate(**_position_counts())
        return ShareCard(
            title=self.name,
            eyebrow=self.get_kind_display(),
            lines=(f"{counts['signed']} signed · {counts['declined']} declined",),
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


@reversion.register()
class SignatoryAlias(models.Model):
    """Another name a signatory goes by: a short form, a former name, a name in
    another language ("UK", "Turkey", "Türkei"), one row per name.

    `folded` is the name without case or accents (core.names.fold), unique
    across all aliases; a signatory's own name may not be an alias of another.
    """

    class Kind(models.TextChoices):
        SHORT = "short", "Short form"
        FORMER = "former", "Former name"
        LANGUAGE = "language", "Other language"
        OTHER = "other", "Other"

    signatory = models.ForeignKey(
        Signatory, on_delete=models.CASCADE, related_name="aliases"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SHORT)
    folded = models.CharField(max_length=200, unique=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "other name"
        verbose_name_plural = "other names"

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        key = fold(self.name)
        if not key:
            raise ValidationError({"name": "Type the other name."})
        # On the add form the signatory is not saved yet (no id), but it is
        # attached: its own name must be refused there too.
        attached = SignatoryAlias.signatory.is_cached(self)
        owner = self.signatory if attached or self.signatory_id else None
        if owner is not None and fold(owner.name) == key:
            raise ValidationError(
                {"name": f"“{self.name}” is this signatory's own name."}
            )
        holder = other_holder_of(key, exclude_pk=self.signatory_id)
        if holder is not None:
            raise ValidationError(
                {"name": f"“{self.name}” is already a name of {holder.name} "
                 f"({holder.slug}), ignoring case and accents."}
            )  # fmt: skip
        if SignatoryAlias.objects.filter(folded=key).exclude(pk=self.pk).exists():
            raise ValidationError(
                {"name": f"“{self.name}” is already one of the other names."}
            )

    def save(self, *args, **kwargs):
        self.folded = fold(self.name)
        super().save(*args, **kwargs)


class SeriesQuerySet(models.QuerySet):
    def public(self, now=None):
        """Series with at least one published summit.

        A series has no draft state of its own; one whose summits are all
        drafts or scheduled would reveal them by its page, so it is not shown.
        """
        summits = Summit.objects.published(now).filter(series=OuterRef("pk"))
        return self.filter(Exists(summits))


@reversion.register(exclude=["search_vector"])
class Series(
    SlugFromTitleMixin, RenderedMarkdownMixin, seo.DescribesItself, models.Model
):
    """A run of summits that follow one another (Bletchley → Seoul → Paris)."""

    slug_source = "name"
    markdown_fields = {"description": "description_html"}
    # Left free for pages under /series/ that may come (feeds).
    reserved_slugs = frozenset({"feed", "atom"})
    # A renamed item's old address answers 301 (editorial.signals).
    keeps_old_addresses = True
    search_document = SearchDocument(
        a=("name",), b=("description",), c=("organiser",), names=("name",)
    )

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True, blank=True)
    organiser = models.CharField(max_length=200, blank=True)
    description = MarkdownxField(blank=True, validators=[markdown_length])
    description_html = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    search_vector = SearchVectorField(null=True, editable=False)

    objects = SeriesQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "series"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse_slug("summits:series_detail", self.slug)

    def is_public(self):
        return Series.objects.public().filter(pk=self.pk).exists()

    def link_preview(self):
        return seo.LinkPreview(
            title=self.name,
            description=seo.plain_description(strip_tags(self.description_html))
            or f"The summits of {self.name} in order, with what each produced.",
        )

    has_share_card = True

    def share_card(self):
        summits = self.summits.published().count()
        return ShareCard(
            title=self.name,
            eyebrow="Summit series",
            lines=(f"{summits} summit{'s' if summits != 1 else ''}",),
        )

    def structured_data(self, request=None):
        return seo.schema_org(
            "EventSeries",
            {
                "name": self.name,
                "url": seo.absolute(self.get_absolute_url(), request),
                "description": seo.plain_description(strip_tags(self.description_html)),
                "organizer": (
                    {"@type": "Organization", "name": self.organiser}
                    if self.organiser
                    else None
                ),
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
    starts_on = models.DateField(help_text="The first day of the period known.")
    starts_on_precision = precision_field("starts_on")
    ends_on = models.DateField()
    ends_on_precision = precision_field("ends_on")
    city = models.CharField(max_length=100, blank=True)
    venue = models.CharField(max_length=200, blank=True)
    host_country = CountryField(blank=True)
    organiser = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True, help_text="Plain text, one paragraph.")
    body = MarkdownxField(blank=True, validators=[markdown_length])
    body_html = models.TextField(blank=True, editable=False)
    website = WebURLField("official website", blank=True)
    # PROTECT, as for a declaration's summit: deleting a series must not
    # quietly cut its summits loose; the admin lists them and the editor
    # moves them first.
    series = models.ForeignKey(
        Series,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="summits",
        help_text="The run of summits this one belongs to, if any.",
    )
    search_vector = SearchVectorField(null=True, editable=False)

    # The host country by name and the series by name, so "India summit" and
    # "AI safety summits" find it (see `core.search`).
    search_document = SearchDocument(
        a=("name",),
        b=("summary", "city", "venue", "organiser", "host_country.name", "series.name"),
        c=("body",),
        names=("name",),
        short_names=("short_names",),
        related=("series",),
    )

    class Meta(Publishable.Meta):
        ordering = ["-starts_on"]
        constraints = [
            # Stored dates are the first day of their period: an end known
            # only to the month or year ("2026") may be stored before a
            # start inside it ("2026-02"), so those are checked in clean().
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")) | ~Q(ends_on_precision="day"),
                name="summit_ends_on_not_before_starts_on",
                violation_error_message="A summit cannot end before it starts.",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse_slug("summits:summit_detail", self.slug)

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

    has_share_card = True

    def share_card(self):
        place = ", ".join(
            part for part in (self.city, self.host_country.name or "") if part
        )
        when = (
            str(self.starts)
            if self.starts == self.ends
            else (f"{self.starts} – {self.ends}")
        )
        return ShareCard(
            title=self.name, eyebrow="Summit", lines=tuple(filter(None, (when, place)))
        )

    starts = PartialDateProperty("starts_on")
    ends = PartialDateProperty("ends_on")

    def short_names(self):
        """What people call it for short: "Paris", "Paris summit", "India summit"."""
        names = [self.city, f"{self.city} summit"] if self.city else []
        if self.host_country:
            names.append(f"{self.host_country.name} summit")
        return names

    def clean(self):
        super().clean()
        starts, ends = self.starts, self.ends
        # An end known to the day is the database constraint's to check.
        coarse_end = self.ends_on_precision != "day"
        if starts and ends and coarse_end and ends.last_day < starts.date:
            raise ValidationError(
                {
                    "ends_on": "A summit cannot end before it starts "
                    f"(it ends {ends}, it starts {starts})."
                }
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
                "startDate": self.starts and self.starts.isoformat(),
                "endDate": self.ends and self.ends.isoformat(),
                "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
                "location": place,
                "description": seo.plain_description(self.summary),
                "organizer": (
                    {"@type": "Organization", "name": organiser} if organiser else None
                ),
                "sameAs": self.website,
            },
        )

    def series_neighbours(self):
        """(previous, next) published summits of the same series, or None.

        Ordered by the stored start date (a partial date sorts within its
        month or year), then by id so that two summits on one day still have
        an order.
        """
        if self.series_id is None:
            return None, None
        siblings = Summit.objects.published().filter(series_id=self.series_id)
        siblings = siblings.exclude(pk=self.pk).only(
            "name", "slug", "starts_on", "starts_on_precision"
        )
        earlier = siblings.filter(
            Q(starts_on__lt=self.starts_on)
            | Q(starts_on=self.starts_on, pk__lt=self.pk)
        )
        later = siblings.filter(
            Q(starts_on__gt=self.starts_on)
            | Q(starts_on=self.starts_on, pk__gt=self.pk)
        )
        return (
            earlier.order_by("-starts_on", "-pk").first(),
            later.order_by("starts_on", "pk").first(),
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

    class Topic(models.TextChoices):
        # Key figures, the matrix's default view and "declarations tracked"
        # count AI texts; precedents (the Montreal Protocol…) are there to
        # compare with, and keep their own pages and list section.
        AI = "ai", "Artificial intelligence"
        PRECEDENT = "precedent", "Precedent from another field"

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
    topic = models.CharField(
        max_length=10,
        choices=Topic.choices,
        default=Topic.AI,
        help_text="Precedents are earlier treaties from other fields, kept "
        "for comparison; they are left out of the AI figures.",
    )
    adopted_on = models.DateField(null=True, blank=True)
    adopted_on_precision = precision_field("adopted_on")
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

    # Found by its summit's name, city and host country, and by its kind, so
    # "Seoul statement" finds the Seoul Ministerial Statement.
    search_document = SearchDocument(
        a=("title",),
        b=(
            "summary",
            # Only a public summit's words: a draft summit's name or city
            # must not find (and so reveal) it through its declarations.
            "public_summit.name",
            "public_summit.city",
            "public_summit.host_country.name",
            "get_kind_display",
        ),
        c=("text",),
        names=("title",),
        short_names=("short_names",),
        related=("summit",),
    )

    class Meta(Publishable.Meta):
        # Undated texts last on every database (PostgreSQL puts NULL first
        # in a descending order, SQLite last).
        ordering = [F("adopted_on").desc(nulls_last=True), "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse_slug("summits:declaration_detail", self.slug)

    def link_preview(self):
        # A shared link must not read a partial list as the whole: the count
        # goes first, in the site's one wording, then the summary.
        # A declaration nobody has signed yet gets no "0 signed".
        counted = f"{self.signed_summary}. " if self.recorded_signed_count else ""
        summary = seo.plain_description(self.summary)
        return seo.LinkPreview(
            title=self.title,
            description=seo.plain_description(counted + summary)
            if summary
            else f"{counted}Who signed and who declined {self.title}, with sources.",
        )

    has_share_card = True

    def count_summary(self, signed, declined):
        """The page's count wording: "27 signed · 1 declined", and for a list
        known only in part "12 of about 27 recorded · 0 declined"."""
        reported = self.reported_signatory_count
        if reported and reported > signed:
            return f"{signed} of about {reported} recorded · {declined} declined"
        return f"{signed} signed · {declined} declined"

    def share_card(self):
        positions = list(self.signatures.select_related("signatory"))
        statuses = [p.status for p in positions]
        signed = statuses.count(Signature.Status.SIGNED)
        declined = statuses.count(Signature.Status.DECLINED)
        lines = [self.count_summary(signed, declined)]
        if self.adopted:
            lines.append(f"Adopted {self.adopted}")
        drawn = WorldMap.of(positions)
        return ShareCard(
            title=self.title,
            eyebrow=self.get_kind_display(),
            lines=tuple(lines),
            picture=drawn.card_picture() if positions else None,
            legend=drawn.card_legend() if positions else (),
        )

    adopted = PartialDateProperty("adopted_on")

    # The link checker (check_sources) reads every URL these fields hold.
    source_url_fields = ("source_url",)

    @property
    def recorded_signed_count(self):
        """How many signed, as recorded: the `signed_count` annotation
        (`signature_counts()`) when the query has it, else one query."""
        annotated = getattr(self, "signed_count", None)
        if annotated is not None:
            return annotated
        return self.signatures.filter(status=Signature.Status.SIGNED).count()

    @property
    def list_is_partial(self):
        """More signatories were reported than we have recorded as signed."""
        reported = self.reported_signatory_count
        return bool(reported) and reported > self.recorded_signed_count

    @property
    def signed_figure(self):
        """The signed count as every page prints it: the one wording.

        "4" for a list we hold in full; "4 of about 60 recorded" for a list
        known in part, so no page, feed or preview reads a partial list as a
        total. Only "signed" counts: "attended" and "unknown" never do.
        """
        signed = self.recorded_signed_count
        if self.list_is_partial:
            return f"{signed} of about {self.reported_signatory_count} recorded"
        return str(signed)

    @property
    def signed_summary(self):
        """The signed count in a sentence: "4 signed" or "4 of about 60 recorded"."""
        if self.list_is_partial:
            return self.signed_figure
        return f"{self.recorded_signed_count} signed"

    @property
    def public_summit(self):
        """Its summit if a visitor may see it, else None (search reads this)."""
        summit = self.summit
        return summit if summit is not None and summit.is_public() else None

    def short_names(self):
        """What people call it for short: its summit's place and its kind
        ("Paris statement"), or "declaration", which people say of any text."""
        summit = self.public_summit
        if summit is None:
            return []
        kinds = dict.fromkeys([self.get_kind_display(), "declaration"])
        places = [summit.city, summit.host_country.name]
        return [f"{place} {kind}" for place in places if place for kind in kinds]

    @property
    def is_treaty(self):
        """A binding treaty: its page shows the chart of stages."""
        return self.kind == self.Kind.TREATY and self.binding

    def structured_data(self, request=None):
        return seo.schema_org(
            "CreativeWork",
            {
                "name": self.title,
                "url": seo.absolute(self.get_absolute_url(), request),
                "description": seo.plain_description(self.summary),
                "dateCreated": self.adopted and self.adopted.isoformat(),
                "isBasedOn": self.source_url,
                "publisher": seo.publisher(),
            },
        )


@reversion.register()
class Signature(models.Model):
    """One party's position on one declaration (the UI calls it a position).

    The status says where the party stands now: signed, declined, withdrawn,
    attended without signing, or not yet verified ("unknown"). Only "signed"
    counts as a signature anywhere. The dated stages that apply sit beside
    it, each with its own source: signed, declined, ratified (with the kind
    of act), entered into force, withdrawn. Every date may be known to the
    day, month or year (`core.partial_dates`). `clean()` holds the rules a
    real record obeys (a ratification does not come before the signature…);
    the admin and the importer both run it.

    The class keeps the name `Signature` (and `related_name="signatures"`):
    renaming it would touch every module other work is changing at the same
    time, for no change a visitor or data user would see.
    """

    class Status(models.TextChoices):
        SIGNED = "signed", "Signed"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"
        ATTENDED = "attended", "Attended, did not sign"
        UNKNOWN = "unknown", "Not verified"

    class Act(models.TextChoices):
        """How a party became bound (the Vienna Convention's four ways)."""

        RATIFICATION = "ratification", "Ratification"
        ACCEPTANCE = "acceptance", "Acceptance"
        APPROVAL = "approval", "Approval"
        ACCESSION = "accession", "Accession"

    declaration = models.ForeignKey(
        Declaration, on_delete=models.CASCADE, related_name="signatures"
    )
    signatory = models.ForeignKey(
        Signatory, on_delete=models.PROTECT, related_name="signatures"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.SIGNED
    )
    source_url = WebURLField(
        "source URL",
        max_length=500,
        blank=True,
        help_text="Where we learned this position.",
    )
    signed_on = models.DateField("signed", null=True, blank=True)
    signed_on_precision = precision_field("signed_on")
    signed_source_url = WebURLField("signature source", max_length=500, blank=True)
    declined_on = models.DateField("declined", null=True, blank=True)
    declined_on_precision = precision_field("declined_on")
    ratified_on = models.DateField(
        "ratified", null=True, blank=True, help_text="Treaties only."
    )
    ratified_on_precision = precision_field("ratified_on")
    ratification_act = models.CharField(
        "act", max_length=12, choices=Act.choices, blank=True
    )
    ratified_source_url = WebURLField("ratification source", max_length=500, blank=True)
    in_force_on = models.DateField(
        "in force", null=True, blank=True, help_text="Entry into force for this party."
    )
    in_force_on_precision = precision_field("in_force_on")
    in_force_source_url = WebURLField(
        "entry into force source", max_length=500, blank=True
    )
    withdrawn_on = models.DateField(
        "withdrawn", null=True, blank=True, help_text="Withdrawal or denunciation."
    )
    withdrawn_on_precision = precision_field("withdrawn_on")
    withdrawn_source_url = WebURLField("withdrawal source", max_length=500, blank=True)
    note = models.CharField(
        max_length=1000, blank=True, help_text="Reservations, declarations, context."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["signatory__name"]
        verbose_name = "position"
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "signatory"],
                name="one_signature_per_declaration_and_signatory",
                violation_error_message="This signatory already has a position "
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

    # Where a position's sources live: one for the position, one per stage.
    # Read by "no source yet", the data-quality view and check_sources.
    source_url_fields = (
        "source_url",
        "signed_source_url",
        "ratified_source_url",
        "in_force_source_url",
        "withdrawn_source_url",
    )

    signed = PartialDateProperty("signed_on")
    declined = PartialDateProperty("declined_on")
    ratified = PartialDateProperty("ratified_on")
    in_force = PartialDateProperty("in_force_on")
    withdrawn = PartialDateProperty("withdrawn_on")

    def __str__(self):
        return f"{self.signatory} — {self.get_status_display()} — {self.declaration}"

    @classmethod
    def without_source(cls):
        """A Q for positions with no source at all, on any stage."""
        return Q(**dict.fromkeys(cls.source_url_fields, ""))

    @property
    def primary_source_url(self):
        """The position's own source, else the first stage's; "" when none."""
        return next(
            (getattr(self, f) for f in self.source_url_fields if getattr(self, f)), ""
        )

    @property
    def has_source(self):
        return bool(self.primary_source_url)

    @property
    def status_date(self):
        """The date that goes with the status, for one-date tables."""
        return {
            self.Status.SIGNED: self.signed,
            self.Status.DECLINED: self.declined,
            self.Status.WITHDRAWN: self.withdrawn,
        }.get(self.status)

    def clean(self):
        """The order of stages and what each status allows, in words."""
        errors = {}

        def add(field, message):
            errors.setdefault(field, []).append(message)

        signed, ratified = self.signed, self.ratified
        in_force, withdrawn = self.in_force, self.withdrawn
        status = self.status
        try:
            # The importer checks a position against an unsaved declaration.
            binding = self.declaration.binding
        except Declaration.DoesNotExist:
            binding = None

        if self.declined_on and status != self.Status.DECLINED:
            add("declined_on", "A refusal date goes with the status “declined”.")
        if status in (self.Status.DECLINED, self.Status.ATTENDED, self.Status.UNKNOWN):
            label = self.Status(status).label.lower()
            for field, stage in (
                ("signed_on", signed),
                ("ratified_on", ratified),
                ("in_force_on", in_force),
            ):
                if stage:
                    add(
                        field,
                        f"A position “{label}” has no {_STAGE_WORDS[field]}; "
                        "set the status to “signed” or clear this date.",
                    )
        if withdrawn and status in (self.Status.DECLINED, self.Status.ATTENDED):
            add(
                "withdrawn_on",
                "A withdrawal needs an earlier signature, and this party did not sign.",
            )
        if signed and withdrawn and withdrawn.certainly_before(signed):
            add(
                "withdrawn_on",
                f"The withdrawal ({withdrawn}) comes before the "
                f"signature ({signed}): a party withdraws after signing.",
            )
        if (
            status == self.Status.WITHDRAWN
            and not withdrawn
            and not self.withdrawn_source_url
        ):
            add(
                "withdrawn_on",
                "The status is “withdrawn”: give the withdrawal's date or its source.",
            )
        if (
            withdrawn
            and status != self.Status.WITHDRAWN
            and "withdrawn_on" not in errors
        ):
            add("status", "A withdrawal is recorded: set the status to “withdrawn”.")
        if ratified and not self.ratification_act:
            add(
                "ratification_act",
                "Say which act: ratification, acceptance, approval or accession.",
            )
        if self.ratification_act and not ratified:
            add("ratified_on", "Give the date of the ratification (or other act).")
        if signed and ratified and ratified.certainly_before(signed):
            add(
                "ratified_on",
                f"The ratification ({ratified}) comes before the "
                f"signature ({signed}): a party ratifies what it has signed.",
            )
        if binding is False:
            if ratified:
                add(
                    "ratified_on",
                    "This text is not legally binding: there is nothing to ratify.",
                )
            if in_force:
                add(
                    "in_force_on",
                    "This text is not legally binding: it does not enter into force.",
                )
        if in_force and not ratified and "in_force_on" not in errors:
            add(
                "in_force_on",
                "Entry into force follows a ratification (or "
                "acceptance, approval, accession): record that first.",
            )
        if in_force and ratified and in_force.certainly_before(ratified):
            add(
                "in_force_on",
                f"Entry into force ({in_force}) comes before the "
                f"ratification ({ratified}).",
            )
        if errors:
            raise ValidationError(errors)


_STAGE_WORDS = {
    "signed_on": "signature date",
    "ratified_on": "ratification",
    "in_force_on": "entry into force",
}


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


def _position_counts():
    """Aggregates of a set of positions: how many signed, how many declined."""
    return {
        "signed": Count("pk", filter=Q(status=Signature.Status.SIGNED)),
        "declined": Count("pk", filter=Q(status=Signature.Status.DECLINED)),
    }


class GroupQuerySet(models.QuerySet):
    def public(self, now=None):
        """Groups with at least one public member (see Signatory.public())."""
        members = GroupMembership.objects.filter(
            group=OuterRef("pk"), signatory__in=Signatory.objects.public(now)
        )
        return self.filter(Exists(members))


# A group owns its memberships (their inline edits them).
@reversion.register(exclude=["search_vector"], follow=["memberships"])
class Group(
    SlugFromTitleMixin, RenderedMarkdownMixin, seo.DescribesItself, models.Model
):
    """Signatories that belong together: the G7, the EU's member states, a region.

    Memberships carry dates where known, so the group page counts a member's
    position on a declaration only if it was a member when the text was adopted.
    """

    class Kind(models.TextChoices):
        CLUB = "club", "Club"
        BLOC = "bloc", "Bloc"
        MEMBERS = "members", "Organisation's members"
        REGION = "region", "Region"

    slug_source = "name"
    markdown_fields = {"description": "description_html"}
    reserved_slugs = frozenset({"feed", "atom"})
    # A renamed item's old address answers 301 (editorial.signals).
    keeps_old_addresses = True
    search_document = SearchDocument(a=("name",), b=("description",), names=("name",))

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CLUB)
    description = MarkdownxField(
        blank=True,
        validators=[markdown_length],
        help_text="What the group is, with a link to an official list of members.",
    )
    description_html = models.TextField(blank=True, editable=False)
    members = models.ManyToManyField(
        Signatory, through="GroupMembership", related_name="member_of"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    search_vector = SearchVectorField(null=True, editable=False)

    objects = GroupQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse_slug("summits:group_detail", self.slug)

    def is_public(self):
        return Group.objects.public().filter(pk=self.pk).exists()

    def link_preview(self):
        return seo.LinkPreview(
            title=self.name,
            description=seo.plain_description(strip_tags(self.description_html))
            or f"The members of {self.name}, and how many signed each text.",
        )

    has_share_card = True

    def share_card(self):
        members = self.memberships.filter(
            signatory__in=Signatory.objects.public()
        ).count()
        return ShareCard(
            title=self.name,
            eyebrow=self.get_kind_display(),
            lines=(f"{members} member{'s' if members != 1 else ''}",),
        )

    def structured_data(self, request=None):
        return seo.schema_org(
            "Organization",
            {
                "name": self.name,
                "url": seo.absolute(self.get_absolute_url(), request),
                "description": seo.plain_description(strip_tags(self.description_html)),
            },
        )


@reversion.register()
class GroupMembership(models.Model):
    """A signatory's membership of a group, from and to when known."""

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="memberships"
    )
    signatory = models.ForeignKey(
        Signatory, on_delete=models.CASCADE, related_name="memberships"
    )
    joined_on = models.DateField(
        "member from", null=True, blank=True, help_text="Empty when not known."
    )
    left_on = models.DateField(
        "member to", null=True, blank=True, help_text="Empty while still a member."
    )

    class Meta:
        ordering = ["signatory__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "signatory"],
                name="one_membership_per_group_and_signatory",
                violation_error_message="This signatory is already a member of "
                "this group.",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True)
                | Q(joined_on__isnull=True)
                | Q(left_on__gte=F("joined_on")),
                name="membership_left_on_not_before_joined_on",
                violation_error_message="A membership cannot end before it starts.",
            ),
        ]

    def __str__(self):
        return f"{self.signatory} in {self.group}"

    def clean(self):
        super().clean()
        if self.joined_on and self.left_on and self.left_on < self.joined_on:
            raise ValidationError(
                {"left_on": "“Member to” is before “member from”: a membership "
                 "cannot end before it starts."}
            )  # fmt: skip

    def covers(self, day):
        """Whether the signatory was a member on `day` (unknown dates count)."""
        if day is None:
            return True
        starts_ok = self.joined_on is None or self.joined_on <= day
        return starts_ok and (self.left_on is None or day <= self.left_on)


# -- Accountability: the promises inside a declaration, and who kept them --

# Who a commitment binds: every signatory, or one kind of signatory.
APPLIES_TO_ALL = "everyone"


class CommitmentQuerySet(models.QuerySet):
    def public(self):
        """Commitments of published declarations: they have no state of their own."""
        return self.filter(declaration__in=Declaration.objects.public())


@reversion.register()
class Commitment(RenderedMarkdownMixin, models.Model):
    """One promise inside a declaration: "publish a safety framework by …".

    Ordered within its declaration. `applies_to` says whom it binds: every
    signatory, or only those of one kind (the companies of a text that
    countries witnessed). The deadline may be known to the day, month or
    year, and cannot fall before the declaration's adoption (compared by
    period: "May 2024" is not before "21 May 2024").
    """

    class AppliesTo(models.TextChoices):
        ALL = APPLIES_TO_ALL, "All signatories"
        COUNTRIES = Signatory.Kind.COUNTRY, "Countries"
        ORGANISATIONS = Signatory.Kind.ORGANISATION, "International organisations"
        COMPANIES = Signatory.Kind.COMPANY, "Companies"
        OTHER = Signatory.Kind.OTHER, "Other signatories"

    markdown_fields = {"text": "text_html"}

    declaration = models.ForeignKey(
        Declaration, on_delete=models.CASCADE, related_name="commitments"
    )
    sequence = models.PositiveIntegerField("order", default=0)
    title = models.CharField("short title", max_length=200)
    slug = models.SlugField(
        max_length=100,
        blank=True,
        help_text="Names the commitment in links and the export; unique "
        "within its declaration. Left empty, made from the title.",
    )
    text = MarkdownxField(
        blank=True,
        validators=[markdown_length],
        help_text="The promise, quoted or summarised.",
    )
    text_html = models.TextField(blank=True, editable=False)
    applies_to = models.CharField(
        "binds",
        max_length=20,
        choices=AppliesTo.choices,
        default=APPLIES_TO_ALL,
    )
    deadline = models.DateField(null=True, blank=True)
    deadline_precision = precision_field("deadline")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["declaration", "sequence", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "slug"],
                name="one_commitment_slug_per_declaration",
                violation_error_message="Another commitment of this declaration "
                "has this slug.",
            )
        ]

    due = PartialDateProperty("deadline")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return f"{self.declaration.get_absolute_url()}#commitment-{self.slug}"

    def binds(self, signatory):
        """Does this commitment bind `signatory` (given that it signed)?"""
        return self.applies_to in (APPLIES_TO_ALL, signatory.kind)

    @property
    def binds_label(self):
        """'companies', 'signatories': the denominator's noun."""
        if self.applies_to == APPLIES_TO_ALL:
            return "signatories"
        return self.AppliesTo(self.applies_to).label.lower()

    def is_past_deadline(self, today=None):
        """True once the whole deadline period has gone by."""
        due = self.due
        today = today or timezone.localdate()
        return due is not None and due.last_day < today

    def clean(self):
        super().clean()
        try:
            adopted = self.declaration.adopted
        except Declaration.DoesNotExist:
            adopted = None
        due = self.due
        if due and adopted and due.certainly_before(adopted):
            raise ValidationError(
                {
                    "deadline": f"The deadline ({due}) comes before the "
                    f"declaration was adopted ({adopted}): a promise is due "
                    "after it is made."
                }
            )

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self.unique_slug()
        super().save(*args, **kwargs)

    def unique_slug(self):
        from django.utils.text import slugify

        base = slugify(self.title)[:90].strip("-") or "commitment"
        taken = set(
            Commitment.objects.filter(declaration_id=self.declaration_id)
            .exclude(pk=self.pk)
            .values_list("slug", flat=True)
        )
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}-{n}", n + 1
        return candidate


class Result(models.TextChoices):
    """How far a signatory kept a commitment.

    "No information" means nobody could tell: it is never shown or counted
    as "not met".
    """

    MET = "met", "Met"
    PARTLY_MET = "partly_met", "Partly met"
    NOT_MET = "not_met", "Not met"
    NOT_YET_DUE = "not_yet_due", "Not yet due"
    NO_INFORMATION = "no_information", "No information"


# Results that are a verdict on the promise: the denominator of "kept 3 of 4".
VERDICTS = (Result.MET, Result.PARTLY_MET, Result.NOT_MET)
# Results that need a source: a verdict must say where it comes from.
NEEDS_EVIDENCE = VERDICTS


class AssessmentQuerySet(PublishableQuerySet):
    def public(self):
        """Published assessments of a signed position on a published declaration.

        A published assessment stays hidden while its declaration is a draft,
        and if the position it judges is no longer "signed".
        """
        signed = Signature.objects.filter(
            declaration=OuterRef("commitment__declaration"),
            signatory=OuterRef("signatory"),
            status=Signature.Status.SIGNED,
        )
        return self.published().filter(
            Exists(signed),
            commitment__declaration__in=Declaration.objects.public(),
        )


@reversion.register(follow=["evidence"])
class Assessment(RenderedMarkdownMixin, Publishable):
    """Whether one signatory kept one commitment, with evidence and reasoning.

    A contributor may draft one; only editors publish (the Publishable rules).
    Its `status` is the publication state, as everywhere; `result` is the
    finding (met, partly met, …). Each change of result is kept as a dated
    `AssessmentChange`, so the record shows when something became "met".
    """

    markdown_fields = {"note": "note_html"}

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="assessments"
    )
    signatory = models.ForeignKey(
        Signatory, on_delete=models.PROTECT, related_name="assessments"
    )
    result = models.CharField(
        "finding", max_length=20, choices=Result.choices, default=Result.NO_INFORMATION
    )
    assessed_on = models.DateField("assessed")
    assessed_on_precision = precision_field("assessed_on")
    note = MarkdownxField(
        "reasoning",
        blank=True,
        validators=[markdown_length],
        help_text="Why this finding, in a few sentences (markdown).",
    )
    note_html = models.TextField(blank=True, editable=False)
    assessed_by = models.CharField(
        max_length=200, blank=True, help_text="Who assessed it, as it should be shown."
    )
    assessed_by_user = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    objects = AssessmentQuerySet.as_manager()

    class Meta(Publishable.Meta):
        ordering = ["commitment", "signatory__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "signatory"],
                name="one_assessment_per_commitment_and_signatory",
                violation_error_message="This signatory already has an "
                "assessment for this commitment.",
            )
        ]

    assessed = PartialDateProperty("assessed_on")

    def __str__(self):
        return f"{self.signatory}: {self.get_result_display()} — {self.commitment}"

    def get_absolute_url(self):
        # The scorecard shows a page of signatories at a time: keep this
        # one's row so the cell is there whatever page it falls on.
        return (
            f"{self.commitment.declaration.get_absolute_url()}"
            f"?{urlencode({'signatory': self.signatory.slug})}"
            f"#assessment-{self.commitment.slug}-{self.signatory.slug}"
        )

    @property
    def is_verdict(self):
        return self.result in VERDICTS

    def clean(self):
        """The signatory must have signed the text and be bound by the promise."""
        super().clean()
        if not (self.commitment_id and self.signatory_id):
            return
        commitment, signatory = self.commitment, self.signatory
        declaration = commitment.declaration
        position = (
            Signature.objects.filter(declaration=declaration, signatory=signatory)
            .values_list("status", flat=True)
            .first()
        )
        if position != Signature.Status.SIGNED:
            why = (
                "has no recorded position on it"
                if position is None
                else f"its position is “{Signature.Status(position).label.lower()}”"
            )
            raise ValidationError(
                {
                    "signatory": f"{signatory} did not sign “{declaration}” ({why}): "
                    "only a signatory's own promises are assessed."
                }
            )
        if not commitment.binds(signatory):
            raise ValidationError(
                {
                    "signatory": f"“{commitment}” binds {commitment.binds_label} "
                    f"only, and {signatory} is not one "
                    f"({signatory.get_kind_display().lower()})."
                }
            )

    def save(self, *args, **kwargs):
        # The result as stored before this save: a change is a dated event.
        previous = None
        if self.pk:
            previous = (
                Assessment.objects.filter(pk=self.pk)
                .values_list("result", flat=True)
                .first()
            )
        super().save(*args, **kwargs)
        if previous != self.result:
            AssessmentChange.objects.create(
                assessment=self,
                result=self.result,
                previous_result=previous or "",
                assessed_on=self.assessed_on,
                assessed_on_precision=self.assessed_on_precision,
            )


@reversion.register()
class AssessmentEvidence(models.Model):
    """A public source behind an assessment: a framework page, a report."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="evidence"
    )
    source_url = WebURLField("address", max_length=500)
    source_name = models.CharField(
        "label",
        max_length=200,
        help_text="What the link is, e.g. “Frontier Safety Framework”.",
    )
    sequence = models.PositiveIntegerField("order", default=0)

    class Meta:
        ordering = ["assessment", "sequence", "pk"]
        verbose_name = "evidence link"
        verbose_name_plural = "evidence links"

    def __str__(self):
        return self.source_name or self.source_url


class AssessmentChangeQuerySet(models.QuerySet):
    def public(self):
        """Changes of assessments a visitor may see."""
        return self.filter(assessment__in=Assessment.objects.public())


class AssessmentChange(models.Model):
    """A dated change of an assessment's result: the feed and the change list.

    Written by `Assessment.save()` whenever the result differs from the
    stored one (the first save counts as a change from nothing). Stored
    rather than read back from the revision history, so the feed and the
    declaration page ask one indexed table.
    """

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="changes"
    )
    result = models.CharField(max_length=20, choices=Result.choices)
    previous_result = models.CharField(
        max_length=20, choices=Result.choices, blank=True
    )
    assessed_on = models.DateField()
    assessed_on_precision = precision_field("assessed_on")
    recorded_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AssessmentChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-pk"]

    assessed = PartialDateProperty("assessed_on")

    def __str__(self):
        return f"{self.assessment.signatory}: {self.get_result_display()}"
