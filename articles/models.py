"""Articles: our own posts, and press items that point to coverage elsewhere."""

import logging

import reversion
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from markdownx.models import MarkdownxField

from core import seo
from core.markdown import markdown_length
from core.models import (
    Publishable,
    RenderedMarkdownMixin,
    SlugFromTitleMixin,
    WebURLField,
)
from core.renditions import make_renditions
from core.reversing import reverse_slug
from core.search import SearchDocument
from core.share_cards import ShareCard
from core.storage import STORAGE_ERRORS
from core.uploads import clean_image
from summits.models import Declaration, Summit

logger = logging.getLogger(__name__)


# Versioned for the editors' history (editorial.admin.HistoryAdminMixin);
# search_vector is rebuilt on save, so no version stores it.
@reversion.register(exclude=["search_vector"])
class Article(
    SlugFromTitleMixin, RenderedMarkdownMixin, seo.DescribesItself, Publishable
):
    """A post written by the group, or a press item summarising outside coverage.

    A press item names its outlet, links to the original and gives the date it
    appeared there; `clean()` insists on all three.
    """

    reserved_slugs = frozenset({"feed", "atom"})  # /articles/feed/, /articles/atom/
    # A renamed item's old address answers 301 (editorial.signals).
    keeps_old_addresses = True

    class Kind(models.TextChoices):
        POST = "post", "Post"
        PRESS = "press", "Press coverage"

    markdown_fields = {"body": "body_html"}

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.POST)
    lede = models.TextField(
        blank=True, help_text="One or two plain sentences shown in lists and previews."
    )
    body = MarkdownxField(blank=True, validators=[markdown_length])
    body_html = models.TextField(blank=True, editable=False)
    author_name = models.CharField(max_length=200, blank=True)
    outlet = models.CharField(
        max_length=200, blank=True, help_text="Press items: who published the original."
    )
    original_url = WebURLField(
        "original URL", max_length=500, blank=True, help_text="Press items: link to it."
    )
    original_published_on = models.DateField(
        "original date",
        null=True,
        blank=True,
        help_text="Press items: when it appeared.",
    )
    cover_image = models.ImageField(upload_to="covers/", blank=True)
    # The cover's sizes and formats (core.renditions), made once per upload.
    cover_renditions = models.JSONField(default=dict, blank=True, editable=False)
    cover_image_alt = models.CharField(
        "cover image alt text",
        max_length=300,
        blank=True,
        help_text="What the image shows, for people who cannot see it.",
    )
    summits = models.ManyToManyField(Summit, blank=True, related_name="articles")
    declarations = models.ManyToManyField(
        Declaration, blank=True, related_name="articles"
    )
    search_vector = SearchVectorField(null=True, editable=False)

    # What site search reads, by weight (see `core.search`).
    search_document = SearchDocument(
        a=("title",), b=("lede", "author_name", "outlet"), c=("body",)
    )
    # The link checker (check_sources) reads every URL these fields hold.
    source_url_fields = ("original_url",)

    class Meta(Publishable.Meta):
        ordering = ["-published_at", "-created_at"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse_slug("articles:article_detail", self.slug)

    has_share_card = True

    def share_card(self):
        byline = self.outlet if self.kind == self.Kind.PRESS else self.author_name
        return ShareCard(
            title=self.title,
            eyebrow=self.get_kind_display(),
            lines=(byline,) if byline else (),
        )

    def link_preview(self):
        return seo.LinkPreview(
            title=self.title,
            description=seo.plain_description(self.lede),
            og_type="article",
            published_time=self.published_at,
            image_url=self.cover_image.url if self.cover_image else "",
            image_alt=self.cover_image_alt,
        )

    def structured_data(self, request=None):
        url = seo.absolute(self.get_absolute_url(), request)
        is_press = self.kind == self.Kind.PRESS
        author = self.author_name
        return seo.schema_org(
            "NewsArticle" if is_press else "BlogPosting",
            {
                "headline": seo.headline(self.title),
                "description": seo.plain_description(self.lede),
                "url": url,
                "mainEntityOfPage": url,
                "datePublished": self.published_at,
                "dateModified": self.updated_at,
                "author": {"@type": "Person", "name": author} if author else None,
                "publisher": seo.publisher(),
                "image": seo.absolute(self.link_preview().image_url, request),
                "isBasedOn": self.original_url if is_press else "",
            },
        )

    def clean(self):
        super().clean()
        errors = {}
        if self.kind == self.Kind.PRESS:
            required = {
                "outlet": "A press item needs the outlet that published it.",
                "original_url": "A press item needs the link to the original.",
                "original_published_on": "A press item needs the original date.",
            }
            for field, message in required.items():
                if not getattr(self, field):
                    errors[field] = message
        if self.cover_image and not self.cover_image_alt.strip():
            errors["cover_image_alt"] = "Describe the cover image for screen readers."
        try:
            self.clean_cover_image()
        except ValidationError as error:
            errors["cover_image"] = error.messages
        if errors:
            raise ValidationError(errors)

    def clean_cover_image(self):
        """Decode, check and re-encode a newly uploaded cover image.

        Only a file not yet stored is processed (an edit that keeps the image
        does not re-encode it again). The upload is replaced by the re-encoded
        copy under a random name; see core.uploads for why.
        """
        cover = self.cover_image
        if not cover or cover._committed or getattr(cover.file, "is_clean", False):
            return
        image = clean_image(cover.file)
        image.content.is_clean = True
        self.cover_image = image.content

    def save(self, *args, **kwargs):
        # Imports, the shell and other code paths that skip full_clean() must
        # not store an unchecked file either.
        self.clean_cover_image()
        super().save(*args, **kwargs)
        self.update_cover_renditions()

    def before_bulk_create(self):
        """What save() adds for a new row written by `core.bulk.bulk_create`."""
        self.clean_cover_image()
        self.make_cover_renditions()

    def update_cover_renditions(self):
        """Make the cover's renditions once per upload, after it is stored."""
        if self.make_cover_renditions():
            # update(): no second save, its signals or a new revision.
            Article.objects.filter(pk=self.pk).update(
                cover_renditions=self.cover_renditions
            )

    def make_cover_renditions(self):
        """Fill `cover_renditions` for the cover, unless done already for
        this file; True if it changed."""
        name = self.cover_image.name if self.cover_image else ""
        if self.cover_renditions.get("original", "") == name:
            return False
        renditions = {}
        if name:
            try:
                renditions = make_renditions(name).as_dict()
            except (*STORAGE_ERRORS, ValueError):
                # A cover missing from storage (an import without its media),
                # or a store that is down: the page shows the original image.
                logger.warning("Could not make renditions of %s", name, exc_info=True)
        self.cover_renditions = renditions
        return True
