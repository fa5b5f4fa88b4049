"""Sitemap of the pages that are not one item: the home page and the lists."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse


class StaticPagesSitemap(Sitemap):
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
            "changes:change_list",
            "exchange:data",
        ]

    def location(self, item):
        return reverse(item)
