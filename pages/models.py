"""Pages: what an editor writes once and keeps current (About, Methodology…)."""

import reversion
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from markdownx.models import MarkdownxField

from core import seo
from core.markdown import markdown_length, plain_text
from core.models import (
    Publishable,
    PublishableQuerySet,
    RenderedMarkdownMixin,
    SlugFromTitleMixin,
)
from core.reversing import reverse_slug
from core.search import SearchDocument
from pages.addresses import site_addresses


class Menu(models.TextChoices):
    NONE = "none", "Not in a menu"
    HEADER = "header", "Header"
    FOOTER = "footer", "Footer"


class PageQuerySet(PublishableQuerySet):
    def menus(self):
        """{"header": [pages…], "footer": [pages…]}: public pages, in order.

        One query for both menus, so a page render costs one query for its
        menus at most (and none when the page cache answers).
        """
        menus = {Menu.HEADER.value: [], Menu.FOOTER.value: []}
        rows = (
            self.public()
            .exclude(menu=Menu.NONE)
            .only("title", "slug", "menu", "menu_order")
            .order_by("menu_order", "title")
        )
        for page in rows:
            menus[page.menu].append(page)
        return menus


@reversion.register(exclude=["search_vector"])
class Page(SlugFromTitleMixin, RenderedMarkdownMixin, seo.DescribesItself, Publishable):
    """A page of the site written by editors, shown at `/<slug>/`.

    The slug is the page's whole address, so it may not be one of the site's
    own first path segments (`summits`, `admin`, `sitemap.xml`…): those are
    read from the URLconf (`pages.addresses`), and the page's route comes last
    there, so no page can ever shadow a site address.
    """

    # A renamed page's old address answers 301 (editorial.signals).
    keeps_old_addresses = True
    markdown_fields = {"body": "body_html"}

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=100,
        unique=True,
        blank=True,
        help_text="The page's address: /slug/. Left empty, it is made from the title.",
    )
    body = MarkdownxField(blank=True, validators=[markdown_length])
    body_html = models.TextField(blank=True, editable=False)
    menu = models.CharField(
        max_length=10,
        choices=Menu.choices,
        default=Menu.NONE,
        help_text="Where a link to the page appears once it is published.",
    )
    menu_order = models.PositiveSmallIntegerField(
        default=0, help_text="Lower numbers come first in the menu."
    )
    search_vector = SearchVectorField(null=True, editable=False)

    search_document = SearchDocument(a=("title",), c=("body",), names=("title",))

    objects = PageQuerySet.as_manager()

    class Meta(Publishable.Meta):
        ordering = ["menu", "menu_order", "title"]

    def __str__(self):
        return self.title

    @property
    def reserved_slugs(self):
        return site_addresses()

    def get_absolute_url(self):
        return reverse_slug("pages:page_detail", self.slug)

    def clean_fields(self, exclude=None):
        # Addresses are case-sensitive, but "/Summits/" beside "/summits/"
        # would only confuse: compare in lower case.
        if self.slug and self.slug.lower() in self.reserved_slugs:
            if "slug" not in (exclude or ()):
                raise ValidationError(
                    {"slug": f"“/{self.slug}/” is one of the site's own "
                     "addresses: choose another slug for this page."}
                )  # fmt: skip
        super().clean_fields(exclude)

    def link_preview(self):
        return seo.LinkPreview(
            title=self.title,
            description=seo.plain_description(plain_text(self.body_html)) or self.title,
        )

    def structured_data(self, request=None):
        url = seo.absolute(self.get_absolute_url(), request)
        return seo.schema_org(
            "WebPage",
            {
                "name": seo.headline(self.title),
                "url": url,
                "dateModified": self.updated_at,
                "publisher": seo.publisher(),
            },
        )
