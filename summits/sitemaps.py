"""Sitemaps for summits, declarations and signatories: public items only."""

from django.contrib.sitemaps import Sitemap

from summits.models import Declaration, Signatory, Summit


class UpdatedAtSitemap(Sitemap):
    """`lastmod` is when the item last changed."""

    def lastmod(self, item):
        return item.updated_at


class SummitSitemap(UpdatedAtSitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Summit.objects.public().only("slug", "updated_at").order_by("pk")


class DeclarationSitemap(UpdatedAtSitemap):
    changefreq = "weekly"
    priority = 0.9

    def items(self):
        return Declaration.objects.public().only("slug", "updated_at").order_by("pk")


class SignatorySitemap(UpdatedAtSitemap):
    """Signatories with a position on at least one published declaration.

    A signatory has no draft state of its own; its page is worth indexing once
    it has a public record.
    """

    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return Signatory.objects.public().only("slug", "updated_at").order_by("pk")
