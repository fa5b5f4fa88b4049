"""Shared ground for content models: publishing, slugs and rendered markdown.

Every content model answers "may an anonymous visitor see this?" itself:
`Model.objects.public()` for a queryset, `instance.is_public()` for one row.
For Publishable models the answer is `published()`, defined here and nowhere
else. Views, redirects, feeds, sitemaps, search, link previews and the export
all ask `public()`; none of them filters on status or dates by hand, and none
guesses from the attributes a model happens to have.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.text import slugify

from core.markdown import render_markdown


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class PublishableQuerySet(models.QuerySet):
    # `now`, in `published()` and every model's `public()`: the moment to judge
    # by, timezone.now() when not given. Site search compiles these filters to
    # SQL once, with a stand-in it swaps for the time of each query.

    def published(self, now=None):
        """Published, and their time has come: the rule behind `public()`."""
        return self.filter(
            status=Status.PUBLISHED,
            published_at__lte=timezone.now() if now is None else now,
        )

    def public(self, now=None):
        """What an anonymous visitor may see: the published items."""
        return self.published(now)

    def scheduled(self):
        return self.filter(status=Status.PUBLISHED, published_at__gt=timezone.now())

    def drafts(self):
        return self.filter(status=Status.DRAFT)


class Publishable(models.Model):
    """Abstract base for content with a draft / scheduled / published life.

    `published_at` in the future with status "published" means scheduled: the
    item goes live when its time passes, without a cron job.
    """

    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When it goes public. A future time schedules it; "
        "left empty, publishing sets it to now.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True
        indexes = [
            models.Index(
                fields=["status", "published_at"],
                name="%(app_label)s_%(class)s_pub_idx",
            )
        ]

    @property
    def is_published(self):
        return (
            self.status == Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    def is_public(self):
        """May an anonymous visitor see this item? The row-level `public()`."""
        return self.is_published

    @property
    def is_scheduled(self):
        return (
            self.status == Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    def save(self, *args, **kwargs):
        if self.status == Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)


class WebURLField(models.URLField):
    """An address visitors can follow from a page: http or https only.

    Django's URLField also takes ftp: and ftps:, which browsers no longer
    open and which have no place in a source link.
    """

    default_validators = [
        URLValidator(
            schemes=["http", "https"],
            message="Enter a web address starting with http:// or https://.",
        )
    ]


def unique_slug(instance, value, slug_field="slug"):
    """A slug for `value` that no other row of the instance's model uses.

    Adds -2, -3… on a clash. Text with no usable letters falls back to the
    model's name, so a slug is never empty.
    """
    max_length = instance._meta.get_field(slug_field).max_length
    base = slugify(value)[: max_length - 6].strip("-") or instance._meta.model_name
    others = type(instance)._default_manager.exclude(pk=instance.pk)
    reserved = getattr(instance, "reserved_slugs", ())
    candidate, n = base, 2
    while candidate in reserved or others.filter(**{slug_field: candidate}).exists():
        candidate = f"{base}-{n}"
        n += 1
    return candidate


class SlugFromTitleMixin:
    """Fills an empty `slug` from `slug_source` on save; never changes a set slug.

    Stable slugs keep links that others have printed working when a title is
    edited.
    """

    slug_source = "title"
    # Slugs that would give an item the address of one of the site's own
    # pages (/declarations/compare/), where nobody could reach it.
    reserved_slugs = frozenset()

    def clean_fields(self, exclude=None):
        super().clean_fields(exclude)
        if self.slug in self.reserved_slugs and "slug" not in (exclude or ()):
            raise ValidationError(
                {"slug": f"“{self.slug}” is the address of one of the site's "
                 "own pages: choose another slug."}
            )  # fmt: skip

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, getattr(self, self.slug_source))
        super().save(*args, **kwargs)


class RenderedMarkdownMixin:
    """Renders each markdown field into its `*_html` twin on save.

    `markdown_fields` maps source field -> HTML field. Rendering happens here
    and only here, so pages never render markdown per request and an import
    can never store HTML of its own.
    """

    markdown_fields = {}

    def render_markdown_fields(self):
        for source, target in self.markdown_fields.items():
            setattr(self, target, render_markdown(getattr(self, source)))

    def save(self, *args, **kwargs):
        self.render_markdown_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            extra = [
                target
                for source, target in self.markdown_fields.items()
                if source in update_fields
            ]
            kwargs["update_fields"] = list(update_fields) + extra
        super().save(*args, **kwargs)


def _image_path(instance, filename):
    # The name is already random (core.uploads); keep the editor's folder.
    return f"{getattr(settings, 'MARKDOWNX_MEDIA_PATH', 'uploads/')}{filename}"


class Image(models.Model):
    """An image in the media library: one uploaded file and what it shows.

    Every image put into markdown through the editor becomes one (see
    `core.views.markdown_image_upload`), so it can be found, described and
    reused. Markdown refers to it by its URL; `core.media.places_using`
    finds the content that does, and an image in use cannot be deleted.
    """

    file = models.ImageField(upload_to=_image_path, max_length=255)
    alt_text = models.CharField(
        "alt text",
        max_length=300,
        help_text="What the image shows, for people who cannot see it.",
    )
    caption = models.CharField(max_length=500, blank=True)
    credit = models.CharField(
        max_length=300, blank=True, help_text="Who made it, and the licence."
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    uploaded_at = models.DateTimeField(auto_now_add=True, db_index=True)
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return self.alt_text or self.file.name.rsplit("/", 1)[-1]

    @property
    def url(self):
        return self.file.url

    def markdown(self):
        """The markdown that shows this image: `![alt](url)`."""
        return image_markdown(self.alt_text, self.url)


def image_markdown(alt_text, url):
    """`![alt](url)`, with the alt text kept to one line without brackets."""
    alt = " ".join(alt_text.replace("[", "(").replace("]", ")").split())
    return f"![{alt}]({url})"
