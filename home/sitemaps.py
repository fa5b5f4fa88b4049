"""Sitemap of the pages that are not one item: the home page and the lists."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from articles.models import Article
from summits.models import Declaration, Group, Series, Signatory, Signature, Summit


def newest_update(queryset):
    """The latest `updated_at` among public rows, or None (one query)."""
    return queryset.aggregate(newest=Max("updated_at"))["newest"]


def newest(*moments):
    known = [moment for moment in moments if moment]
    return max(known) if known else None


class StaticPagesSitemap(Sitemap):
    """The home page and the lists, each dated by the newest thing it shows.

    A list changes when what it lists does, so its `<lastmod>` is the newest
    `updated_at` among its public items (and, for pages that show positions,
    among those positions): crawlers revisit a list when it has news.
    """

    changefreq = "daily"
    priority = 0.5

    def items(self):
        return [
            "home:home",
            "summits:summit_list",
            "summits:declaration_list",
            "summits:declaration_compare",
            "summits:signatory_list",
            "summits:series_list",
            "summits:group_list",
            "articles:article_list",
        ]

    def location(self, item):
        return reverse(item)

    def _newest(self):
        """{list URL name: newest update}; eight queries, once per sitemap."""
        if not hasattr(self, "_newest_cache"):
            declarations = Declaration.objects.public()
            summits = newest_update(Summit.objects.public())
            texts = newest_update(declarations)
            positions = newest_update(
                Signature.objects.filter(declaration__in=declarations)
            )
            signatories = newest_update(Signatory.objects.public())
            articles = newest_update(Article.objects.public())
            series = newest_update(Series.objects.public())
            groups = newest_update(Group.objects.public())
            self._newest_cache = {
                "home:home": newest(summits, texts, positions, articles),
                "summits:summit_list": newest(summits, texts),
                "summits:declaration_list": newest(texts, positions),
                "summits:declaration_compare": newest(texts, positions),
                "summits:signatory_list": newest(signatories, positions),
                "summits:series_list": newest(series, summits),
                "summits:group_list": groups,
                "articles:article_list": articles,
            }
        return self._newest_cache

    def lastmod(self, item):
        return self._newest().get(item)
