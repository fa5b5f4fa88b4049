"""Sitemaps for summits, declarations, signatories, series and groups:
public items only."""

from django.contrib.sitemaps import Sitemap

from summits.models import Declaration, Group, Series, Signatory, Summit


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


class SeriesSitemap(UpdatedAtSitemap):
    """Series with a published summit (Series.objects.public())."""

    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return Series.objects.public().only("slug", "updated_at").order_by("pk")


class GroupSitemap(UpdatedAtSitemap):
    """Groups with a public member (Group.objects.public())."""

    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return Group.objects.public().only("slug", "updated_at").order_by("pk")
